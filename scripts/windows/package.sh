#!/usr/bin/env bash
# make windows: builds, from Linux, into dist/windows/:
#   "Restore Doctor.exe"  the window (GUI subsystem; icon, manifest and version
#                         from `fyne package -os windows --release`)
#   restoredoctor.exe     the command line, a console program built with
#                         -tags nowindow (no Fyne/GLFW/OpenGL linked: it starts
#                         fast); asked for the window it runs "Restore Doctor.exe"
#   RestoreDoctor-VERSION-setup.exe  the NSIS installer (per user, no admin)
# libusb comes from scripts/windows/libusb.sh; the fyne tool is built for the
# host at a pinned version first (with CC=mingw in the environment `go run`
# would try to build the tool itself for Windows).
set -euo pipefail
. "$(dirname "$0")/env.sh"
command -v "$MINGW_CC" >/dev/null && command -v makensis >/dev/null || "$ROOT/scripts/install-deps.sh" --windows
"$ROOT/scripts/windows/libusb.sh"
cd "$ROOT"
out="$ROOT/dist/windows"
mkdir -p "$out"
export LANG="${LANG:-en_US.UTF-8}"

if [ ! -x "$FYNE_BIN/fyne" ]; then
	log "building the fyne tool $FYNE_TOOL_VERSION for the host"
	env -u GOOS -u GOARCH -u CC -u CXX -u CGO_ENABLED GOBIN="$FYNE_BIN" go install "fyne.io/tools/cmd/fyne@$FYNE_TOOL_VERSION"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# fyne package writes into --src while it builds: work on a copy of the tree.
mkdir -p "$work/src"
tar -C "$ROOT" --exclude=./.git --exclude=./dist --exclude=./bin -cf - . | tar -C "$work/src" -xf -
# fyne package rebuilds once more after embedding its metadata and drops
# GOFLAGS' -ldflags on that second build, so -X main.version never reaches
# the exe: stamp the version in the copy's source instead.
cat >"$work/src/cmd/restoredoctor/zz_version_stamp.go" <<GO
package main

func init() { version = "$VERSION" }
GO
start=$(date +%s)
(
	windows_go_env
	cd "$work/src/cmd/restoredoctor"
	"$FYNE_BIN/fyne" package -os windows --release \
		--icon "$work/src/assets/icon/restoredoctor.png" \
		--name "Restore Doctor" --app-id io.github.restoredoctor --app-version "$VERSION"
)
log "fyne package: $(($(date +%s) - start)) s"
gui="$work/src/cmd/restoredoctor/Restore Doctor.exe"
[ -f "$gui" ] || { log "fyne package made no \"Restore Doctor.exe\""; ls -la "$work/src/cmd/restoredoctor" >&2; exit 1; }
cp "$gui" "$out/Restore Doctor.exe"
start=$(date +%s)
(
	windows_go_env
	cd "$work/src"
	go build -tags nowindow -trimpath -o "$out/restoredoctor.exe" ./cmd/restoredoctor
)
log "restoredoctor.exe (command line): $(($(date +%s) - start)) s"

# The installer's icon (NSIS wants .ico).
convert "$ROOT/assets/icon/restoredoctor.png" -define icon:auto-resize=256,64,48,32,16 "$work/restoredoctor.ico"
# The installer's languages: NSIS's page translations and our strings from
# assets/lang/installer.<code>.json (a host program: no Windows env).
env -u GOOS -u GOARCH -u CC -u CXX -u CGO_ENABLED go run ./scripts/windows/nsislang -o "$work/installer-lang.nsh"
makensis -V2 -DVERSION="$VERSION" -DDIST="$out" -DICON="$work/restoredoctor.ico" -DLANGNSH="$work/installer-lang.nsh" \
	-DOUTFILE="$out/RestoreDoctor-$VERSION-setup.exe" "$ROOT/scripts/windows/installer.nsi"
ls -la "$out" >&2
