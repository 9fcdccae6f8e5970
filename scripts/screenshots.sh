#!/usr/bin/env bash
# Screenshots of the window in demo scenarios under Xvfb, for looking at the UI
# as a user would and for the README.
#   scripts/screenshots.sh OUTDIR [WxH] [light|dark] [WAIT_S] SCENARIO...
# Example: scripts/screenshots.sh /tmp/shots 1024x640 light 13 healthy flapping
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/screenshots.sh OUTDIR [WxH] [light|dark] [WAIT_S] SCENARIO...}
size=${2:-1366x768}
theme=${3:-dark}
wait_s=${4:-13}
shift 4 || true
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(none healthy flapping recovery)
mkdir -p "$out"
[ -x bin/restoredoctor ] && [ -x bin/restoredoctor-gui ] || make build >/dev/null

# SCREENSHOT_DISPLAY=:NN takes that display number instead of the first free one.
display=${SCREENSHOT_DISPLAY:-}
[ -n "$display" ] || for n in $(seq 70 99); do
	if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "screenshots: no free X display" >&2; exit 1; }
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done

for sc in "${scenarios[@]}"; do
	DISPLAY=$display FYNE_THEME=$theme LANG=en_US.UTF-8 ./bin/restoredoctor --demo "$sc" >/dev/null 2>&1 &
	app=$!
	sleep "$wait_s"
	DISPLAY=$display import -window root "$out/$sc-$theme-$size.png"
	kill "$app" 2>/dev/null || true
	wait "$app" 2>/dev/null || true
	echo "$out/$sc-$theme-$size.png"
done
