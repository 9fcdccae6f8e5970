#!/usr/bin/env bash
# scripts/wine.sh CMD ARGS…: runs a Windows program of ours (restoredoctor.exe,
# a `go test -c` binary; `go test -exec scripts/wine.sh` works too) under
# Restore Doctor's test Wine prefix, setting the prefix up on first use.
#
# Test-only: Go >= 1.22 programs need bcryptprimitives.dll!ProcessPrng, which
# Wine 8 lacks. The prefix gets a shim DLL that implements it with
# RtlGenRandom. The shim is built here, lives only in the prefix, and is never
# shipped (real Windows 8 and later have the real DLL).
set -euo pipefail
. "$(dirname "$0")/windows/env.sh"

[ $# -ge 1 ] || { echo "usage: scripts/wine.sh PROGRAM.exe [ARGS…]" >&2; exit 2; }
command -v wine >/dev/null && command -v "$MINGW_CC" >/dev/null || "$ROOT/scripts/install-deps.sh" --windows

export WINEPREFIX="$WINEPREFIX_DIR" WINEDEBUG="${WINEDEBUG:--all}" WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
export WINEARCH=win64
ready="$WINEPREFIX/.restoredoctor-ready"
if [ ! -f "$ready" ]; then
	(
		# One setup at a time: parallel `go test -exec` calls share the prefix.
		exec 9>"$WINEPREFIX_DIR.lock"
		flock 9
		[ -f "$ready" ] && exit 0
		log "wine: setting up the test prefix $WINEPREFIX"
		mkdir -p "$WINEPREFIX"
		wineboot -i >/dev/null 2>&1
		wineserver -w
		tmp="$(mktemp -d)"
		trap 'rm -rf "$tmp"' EXIT
		cat >"$tmp/bcryptprimitives.c" <<'C'
/* Test-only ProcessPrng for Wine 8 (never shipped): Go >= 1.22 calls it for randomness. */
#include <windows.h>
#include <ntsecapi.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE p, SIZE_T n) {
	while (n > 0) {
		ULONG k = n > 0x40000000 ? 0x40000000 : (ULONG)n;
		if (!RtlGenRandom(p, k)) return FALSE;
		p += k;
		n -= k;
	}
	return TRUE;
}
C
		"$MINGW_CC" -O2 -shared -o "$tmp/bcryptprimitives.dll" "$tmp/bcryptprimitives.c" -ladvapi32
		# Go loads it from System32 only.
		cp "$tmp/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
		touch "$ready"
	)
fi
prog="$1"
shift
exec wine "$prog" "$@"
