#!/usr/bin/env bash
# bench.sh: the whole-process benchmark of `make bench`.
#
# 1. Builds bin/restoredoctor (command line), bin/restoredoctor-gui (the window) and
#    bin/restoredoctor-sim as `make build` does (cached when it ran), and
#    bin/glfloor (a bare Fyne window: the GL driver's floor in the GUI's memory split).
# 2. Runs the hot-path Go benchmarks once more, briefly, to summarise them in the README
#    (`make bench` already printed the full `go test -bench ./...` output before this script).
# 3. Runs cmd/rdbench against the usbmuxd/lockdownd simulator: watch latency,
#    check vs ideviceinfo -s, lockdown RTT vs a loopback floor, idle CPU/RSS of watch and
#    of the GUI under Xvfb, and 1/8/32 phones; medians of BENCH_RUNS runs.
# 4. Rewrites the README section between <!-- bench:start --> and <!-- bench:end -->.
#
# Environment: GO (default go), BENCH_RUNS (default 3), BENCH_IDLE (default 30s),
# BENCH_ATTACHES (default 50), BENCH_ONLY (subset: watch,check,rtt,idle,scale),
# BENCH_README (default README.md; "-" to only print), BENCH_HOT_TIME (default 200ms).
# Takes about 4–6 minutes on 2 cores. Exit status 1 when a measurement could not be made.
set -euo pipefail

cd "$(dirname "$0")/.."
GO="${GO:-go}"
export GOFLAGS="${GOFLAGS:--tags=no_emoji}" # as the Makefile builds it
RUNS="${BENCH_RUNS:-3}"
IDLE="${BENCH_IDLE:-30s}"
ATTACHES="${BENCH_ATTACHES:-50}"
ONLY="${BENCH_ONLY:-}"
README="${BENCH_README:-README.md}"
HOT_TIME="${BENCH_HOT_TIME:-200ms}"
export LANG="${LANG:-en_US.UTF-8}"
[ "$LANG" = "C" ] && export LANG=en_US.UTF-8

echo "== build" >&2
make --no-print-directory build GO="$GO" >&2 # the binaries exactly as `make build` makes them
# The bare Fyne window whose C memory is the GL driver's floor in the GUI's RSS split.
$GO build -o bin/glfloor ./cmd/glfloor

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Hot paths: USB snapshot and classification, frame decoding, rules, report rendering.
HOT_PKGS=(./device/usb ./device/usbmux ./diagnostics/rules ./diagnostics/report ./diagnostics/hotpath)
existing=()
for p in "${HOT_PKGS[@]}"; do
	[ -d "$p" ] && existing+=("$p")
done
echo "== hot-path benchmarks (${existing[*]}), -benchtime $HOT_TIME" >&2
if ! $GO test -run '^$' -bench . -benchmem -benchtime "$HOT_TIME" "${existing[@]}" >"$tmp/gobench.txt" 2>&1; then
	echo "bench.sh: some hot-path benchmarks failed; the table keeps the ones that ran" >&2
	grep -E '^(--- FAIL|FAIL|panic)' "$tmp/gobench.txt" >&2 || true
fi

args=(-bin bin -runs "$RUNS" -idle "$IDLE" -attaches "$ATTACHES" -gobench "$tmp/gobench.txt")
[ -n "$ONLY" ] && args+=(-only "$ONLY")
[ "$README" != "-" ] && args+=(-readme "$README")

echo "== whole-process benchmark against the simulator (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
$GO build -o "$tmp/rdbench" ./cmd/rdbench
"$tmp/rdbench" "${args[@]}"
