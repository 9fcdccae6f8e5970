#!/usr/bin/env bash
# scripts/windows/record-wine.sh [restoredoctor.exe]: the restore recorder's
# Windows build under Wine against a trace replayed over TCP, as Apple Mobile
# Device Service is reached on Windows (tcp://127.0.0.1:PORT).
#
# restoredoctor-sim --replay plays device/restoretrace's fixture at 4× on a
# free loopback port; `restoredoctor.exe record --json` (USB from the device
# tree through SetupAPI, which under Wine has no Apple device) must see
# usbmuxd list the phone, stop listing it, go away and come back, and stop
# as "done" with a restore_timeline. Without an argument it cross-builds the
# command-line exe without cgo (the recorder needs no libusb on Windows).
# Exit status 1 when a line is missing. Takes about a minute (more the first
# time: scripts/wine.sh sets up its prefix).
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
tmp="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

exe="${1:-}"
if [ -z "$exe" ]; then
	exe="$tmp/restoredoctor.exe"
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -tags "nowindow no_emoji" -o "$exe" ./cmd/restoredoctor
fi
go build -tags no_emoji -o "$tmp/restoredoctor-sim" ./cmd/restoredoctor-sim
"$ROOT/scripts/wine.sh" "$exe" version >/dev/null # the prefix first, so the replay is not half over

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$tmp/restoredoctor-sim" --replay device/restoretrace/testdata/recovery-then-restore.jsonl --speed 4 \
	--listen "tcp://127.0.0.1:$port" >"$tmp/sim.out" 2>"$tmp/sim.err" &
pids+=($!)
for _ in $(seq 50); do grep -q USBMUXD_SOCKET_ADDRESS "$tmp/sim.out" && break; sleep 0.1; done

timeout 180 "$ROOT/scripts/wine.sh" "$exe" record --json --for 45s --usbmuxd "tcp://127.0.0.1:$port" \
	--trace 'C:\users\Public\restoredoctor-record-wine.jsonl' >"$tmp/record.out" 2>"$tmp/record.err"
tr -d '\r' <"$tmp/record.out" >"$tmp/record.txt"
status=0
for want in '"kind":"record.start"' '"kind":"usbmux.attach"' '"kind":"usbmux.detach"' '"kind":"usbmux.down"' \
	'"kind":"usbmux.up"' '"kind":"record.stop","reason":"done"' '"restore_timeline"' '"source":"wintree+amds"'; do
	if ! grep -q "$want" "$tmp/record.txt"; then
		echo "record-wine: no $want line" >&2
		status=1
	fi
done
if [ $status -ne 0 ]; then
	cat "$tmp/record.txt" "$tmp/record.err" >&2
else
	echo "record-wine: ok ($(grep -c '"kind"' "$tmp/record.txt") events)"
fi
exit $status
