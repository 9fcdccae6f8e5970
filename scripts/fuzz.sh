#!/usr/bin/env bash
# fuzz.sh DURATION: run every Go fuzz target of the module for DURATION each.
#
# Targets are discovered per package (`go test -list '^Fuzz'`), so a new
# `func FuzzX(f *testing.F)` anywhere is picked up without editing this file.
# Each target runs alone (`-run '^$' -fuzz '^FuzzX$'`), because `go test -fuzz`
# accepts only one target per invocation. A crash stops nothing: every target
# still runs, failures are listed at the end and the script exits 1.
# New crashers land in the package's testdata/fuzz/FuzzX/ (commit them: they
# become regression seeds that plain `go test` replays).
#
# Environment: GO (default go), FUZZ_PKGS (package patterns, default ./...),
# FUZZ_PARALLEL (-parallel, default 1: the machine is shared), FUZZ_MINIMIZE
# (-fuzzminimizetime, default 5s: targets that talk over sockets have slightly
# non-deterministic coverage, and the default 60 s minimisation of every new
# input would eat the whole DURATION).
set -uo pipefail

DURATION="${1:-30s}"
GO="${GO:-go}"
PKGS="${FUZZ_PKGS:-./...}"
PAR="${FUZZ_PARALLEL:-1}"
MINIMIZE="${FUZZ_MINIMIZE:-5s}"
export LANG="${LANG:-en_US.UTF-8}"

cd "$(dirname "$0")/.."

if ! [[ "$DURATION" =~ ^[0-9]+(ns|us|ms|s|m|h|x)$ ]]; then
	echo "usage: scripts/fuzz.sh [DURATION]   (a Go duration such as 30s or 5m, or a count such as 1000x)" >&2
	exit 2
fi

# Packages that have test files mentioning a fuzz target (cheap pre-filter,
# then `go test -list` is the authority).
mapfile -t pkgs < <($GO list -e -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' $PKGS 2>/dev/null)

total=0
failed=()
summary=()
for line in "${pkgs[@]}"; do
	pkg="${line%% *}"
	dir="${line#* }"
	grep -lqs 'func Fuzz' "$dir"/*_test.go || continue
	mapfile -t targets < <($GO test -list '^Fuzz' "$pkg" 2>/dev/null | grep -E '^Fuzz[A-Za-z0-9_]*$')
	for t in "${targets[@]}"; do
		total=$((total + 1))
		echo "=== fuzz $pkg $t for $DURATION"
		start=$(date +%s)
		if $GO test -run '^$' -fuzz "^${t}\$" -fuzztime "$DURATION" -fuzzminimizetime "$MINIMIZE" -parallel "$PAR" "$pkg"; then
			summary+=("ok    $pkg $t ($(($(date +%s) - start))s)")
		else
			failed+=("$pkg $t")
			summary+=("FAIL  $pkg $t (see testdata/fuzz/$t in the package)")
		fi
	done
done

echo
echo "fuzz summary: $total target(s), ${#failed[@]} failed"
for s in "${summary[@]}"; do echo "  $s"; done
if [ "$total" -eq 0 ]; then
	echo "no fuzz targets found in $PKGS" >&2
	exit 1
fi
[ "${#failed[@]}" -eq 0 ]
