#!/usr/bin/env bash
# make test-windows: the Windows build, tested from Linux under Wine + Xvfb.
#   1. make windows (the .exe files and the installer);
#   2. restoredoctor.exe version, and its hand-over of the window to
#      "Restore Doctor.exe";
#   3. restoredoctor.exe check --json against restoredoctor-sim on Apple Mobile
#      Device Service's address tcp://127.0.0.1:27015: the phone, its iOS
#      version and the report contract;
#   4. the window in demo mode (the simulator on TCP loopback) and a screenshot;
#   5. the installer, silently, per user (its language: English, then Japanese
#      from a Japanese Windows display language); then its uninstaller;
#   6. go test -exec scripts/wine.sh on the packages that make sense on Windows.
# Prints the time of each step. USB itself cannot be tested under Wine (it has
# no USB stack): see README, "Windows".
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
export LANG="${LANG:-en_US.UTF-8}"
out="$ROOT/dist/windows/test"
rm -rf "$out"
mkdir -p "$out" bin
t0=$(date +%s)
step_start=$t0
step() {
	local now
	now=$(date +%s)
	log "test: ($((now - step_start)) s) done; now: $*"
	step_start=$now
}
fail() { log "test: FAIL: $*"; exit 1; }

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	WINEPREFIX="$WINEPREFIX_DIR" wineserver -k 2>/dev/null || true
}
trap cleanup EXIT

step "make windows"
"$ROOT/scripts/windows/package.sh"
exe="$ROOT/dist/windows/restoredoctor.exe"
gui="$ROOT/dist/windows/Restore Doctor.exe"
go build -o bin/restoredoctor-sim ./cmd/restoredoctor-sim

step "Xvfb on a free display"
display=""
for n in $(seq 61 120); do
	if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || fail "no free X display in :61…:120"
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY="$display"
for _ in $(seq 150); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.2; done
xdpyinfo >/dev/null 2>&1 || fail "Xvfb $display did not start"

step "restoredoctor.exe version"
v="$(timeout 300 "$ROOT/scripts/wine.sh" "$exe" version | tr -d '\r')"
[ "$v" = "restoredoctor $VERSION" ] || fail "version printed \"$v\", want \"restoredoctor $VERSION\""
v="$(timeout 120 "$ROOT/scripts/wine.sh" "$gui" version | tr -d '\r')"
[ "$v" = "restoredoctor $VERSION" ] || fail "Restore Doctor.exe version printed \"$v\""

step "restoredoctor.exe hands the window over to Restore Doctor.exe"
# The console exe links no window toolkit; asked for the window it runs
# "Restore Doctor.exe" and returns its exit code: a bad demo name is that
# program's usage error (2), reported through the console exe.
code=0
timeout 120 "$ROOT/scripts/wine.sh" "$exe" --demo no-such-scenario >"$out/handoff.stdout" 2>"$out/handoff.stderr" || code=$?
[ "$code" = 2 ] || fail "restoredoctor.exe --demo no-such-scenario exited $code, want 2 from Restore Doctor.exe: $(tail -3 "$out/handoff.stderr")"

step "check --json against the simulator on tcp://127.0.0.1:27015"
if (exec 3<>/dev/tcp/127.0.0.1/27015) 2>/dev/null; then
	fail "something already listens on 127.0.0.1:27015 (the test simulator needs it)"
fi
bin/restoredoctor-sim --scenario healthy --listen tcp://127.0.0.1:27015 >"$out/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/27015) 2>/dev/null && break; sleep 0.2; done
# No --usbmuxd: the Windows default address is what is under test.
code=0
timeout 180 "$ROOT/scripts/wine.sh" "$exe" check --json --window 0 --no-network >"$out/check.json" 2>"$out/check.stderr" || code=$?
[ "$code" = 0 ] || fail "check exited $code: $(tail -5 "$out/check.stderr")"
python3 - "$out/check.json" <<'PY' || fail "the report from Windows breaks the contract (dist/windows/test/check.json)"
import json, sys
r = json.load(open(sys.argv[1]))
def want(cond, what):
    if not cond:
        sys.exit("check.json: " + what)
want(r.get("schema") == "restoredoctor.report/v1", "schema")
want(r["host"]["os"] == "windows", "host.os = %r" % r["host"].get("os"))
mux = r["host"]["usbmuxd"]
want(mux["address"] in ("tcp://127.0.0.1:27015", "127.0.0.1:27015"), "usbmuxd.address = %r" % mux["address"])
want(mux["status"] == "ok", "usbmuxd.status = %r" % mux["status"])
devs = r["devices"]
want(len(devs) == 1, "%d devices, want 1" % len(devs))
d = devs[0]
want(d["model"]["product_type"] == "iPhone14,3", "product_type %r" % d["model"]["product_type"])
want(d["lockdown"]["product_version"] == "17.5.1", "iOS %r" % d["lockdown"]["product_version"])
want(d["usbmux"]["listed"] is True and d["lockdown"]["reachable"] is True, "listed/reachable")
want(d["mode"] == "normal", "mode %r" % d["mode"])
for k in ("generated_at", "tool_version", "checks", "findings", "steps", "professional", "primary_step"):
    want(k in r, "missing " + k)
checks = {c["id"]: c["status"] for c in r["checks"]}
valid = {"pass", "warn", "fail", "skipped", "unsupported", "error"}
want(all(s in valid for s in checks.values()), "check statuses %r" % checks)
want(checks.get("lockdown.query") == "pass", "lockdown.query %r" % checks.get("lockdown.query"))
want(checks.get("host.apple_servers") == "skipped", "host.apple_servers %r (--no-network)" % checks.get("host.apple_servers"))
# Wine has no USB stack: a USB pass here would be a claim about nothing.
want(checks.get("usb.presence") == "unsupported", "usb.presence %r with no USB stack, want unsupported" % checks.get("usb.presence"))
# Wine has no PowerShell: empty output must be an error, never a pass.
want(checks.get("host.security_software") == "error", "host.security_software %r without PowerShell" % checks.get("host.security_software"))
# The installed software comes from the registry (no PowerShell needed): Wine's has no Apple software.
sw = next(c for c in r["checks"] if c["id"] == "host.software_versions")
want(sw["status"] == "warn" and "neither iTunes nor Apple Devices" in sw["detail"], "host.software_versions %r: %r, want warn from the registry" % (sw["status"], sw["detail"]))
print("check.json: %s %s, iOS %s; checks %s" % (d["model"]["product_type"], d["mode"], d["lockdown"]["product_version"], checks))
PY
kill "${pids[-1]}" 2>/dev/null || true

step "the window in demo mode (simulator on TCP loopback) and a screenshot"
"$ROOT/scripts/wine.sh" "$gui" --demo healthy --no-network >"$out/gui.log" 2>&1 &
pids+=($!)
win=""
for _ in $(seq 120); do
	win="$(xdotool search --name "Restore Doctor" 2>/dev/null | head -n1 || true)"
	[ -n "$win" ] && break
	sleep 1
done
[ -n "$win" ] || fail "no \"Restore Doctor\" window within 120 s: $(tail -5 "$out/gui.log")"
sleep 15 # let the demo phone attach and the first check finish
grep -q "demo mode" "$out/gui.log" || true
import -window root "$out/demo-window.png"
colors="$(identify -format %k "$out/demo-window.png")"
[ "$colors" -gt 50 ] || fail "the screenshot has $colors colours: blank window? ($out/demo-window.png)"
log "test: screenshot $out/demo-window.png ($colors colours)"
kill "${pids[-1]}" 2>/dev/null || true
WINEPREFIX="$WINEPREFIX_DIR" wineserver -k 2>/dev/null || true

step "the window in Simplified Chinese (a CJK font in the prefix's Fonts folder, as Windows has)"
# Fyne's own font has no CJK glyphs; like on Windows, it falls back to the
# fonts in %WINDIR%\Fonts (go-text fontscan). Wine's prefix has none of
# Windows' CJK fonts (Microsoft YaHei, Yu Gothic, Malgun Gothic), so one goes there.
cjk=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
[ -f "$cjk" ] || "$ROOT/scripts/install-deps.sh" --windows
[ -f "$cjk" ] || fail "no CJK font at $cjk (scripts/install-deps.sh --windows installs fonts-wqy-microhei)"
mkdir -p "$WINEPREFIX_DIR/drive_c/windows/Fonts"
cp -f "$cjk" "$WINEPREFIX_DIR/drive_c/windows/Fonts/"
"$ROOT/scripts/wine.sh" "$gui" --demo recovery --no-network --lang zh-Hans >"$out/gui-zh.log" 2>&1 &
pids+=($!)
win=""
for _ in $(seq 120); do
	win="$(xdotool search --name "Restore Doctor" 2>/dev/null | head -n1 || true)"
	[ -n "$win" ] && break
	sleep 1
done
[ -n "$win" ] || fail "no \"Restore Doctor\" window in Chinese within 120 s: $(tail -5 "$out/gui-zh.log")"
sleep 15
import -window root "$out/demo-window-zh-Hans.png"
colors="$(identify -format %k "$out/demo-window-zh-Hans.png")"
[ "$colors" -gt 50 ] || fail "the Chinese screenshot has $colors colours: blank window? ($out/demo-window-zh-Hans.png)"
log "test: screenshot $out/demo-window-zh-Hans.png ($colors colours)"
kill "${pids[-1]}" 2>/dev/null || true
WINEPREFIX="$WINEPREFIX_DIR" wineserver -k 2>/dev/null || true

step "record --json under Wine against a trace replayed over TCP (the restore recorder)"
"$ROOT/scripts/windows/record-wine.sh" "$exe" || fail "the restore recorder under Wine: see above"

step "installer: silent per-user install, run, uninstall"
setup="$ROOT/dist/windows/RestoreDoctor-$VERSION-setup.exe"
timeout 120 "$ROOT/scripts/wine.sh" "$setup" /S
dir="$WINEPREFIX_DIR/drive_c/users/$(id -un)/AppData/Local/Programs/Restore Doctor"
[ -d "$dir" ] || dir="$(find "$WINEPREFIX_DIR/drive_c/users" -type d -path "*Programs/Restore Doctor" | head -n1)"
[ -f "$dir/restoredoctor.exe" ] && [ -f "$dir/Restore Doctor.exe" ] && [ -f "$dir/Uninstall.exe" ] || fail "installer: files missing in $dir"
lnk="$(find "$WINEPREFIX_DIR/drive_c/users" -name "Restore Doctor.lnk" | head -n1)"
[ -n "$lnk" ] || fail "installer: no Start menu entry"
v="$(timeout 120 "$ROOT/scripts/wine.sh" "$dir/restoredoctor.exe" version | tr -d '\r')"
[ "$v" = "restoredoctor $VERSION" ] || fail "installed restoredoctor.exe version printed \"$v\""
installer_language() {
	timeout 60 "$ROOT/scripts/wine.sh" reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\RestoreDoctor' \
		/v InstallerLanguage 2>/dev/null | tr -d '\r' | awk '$1 == "InstallerLanguage" { print $3 }'
}
uninstall() {
	timeout 120 "$ROOT/scripts/wine.sh" "$dir/Uninstall.exe" /S
	for _ in $(seq 30); do [ ! -f "$dir/Uninstall.exe" ] && break; sleep 1; done
}
case "$LANG" in en*) want=1033 ;; *) want="" ;; esac
l="$(installer_language)"
[ -z "$want" ] || [ "$l" = "$want" ] || fail "installer: language $l under LANG=$LANG, want $want (English)"
uninstall
[ ! -f "$dir/restoredoctor.exe" ] && [ ! -f "$lnk" ] || fail "uninstaller left files behind"

step "installer: the Windows display language picks the installer's (Japanese)"
LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 timeout 120 "$ROOT/scripts/wine.sh" "$setup" /S
l="$(installer_language)"
[ "$l" = 1041 ] || fail "installer: language $l under a Japanese Windows, want 1041 (Japanese)"
uninstall
[ ! -f "$dir/Uninstall.exe" ] || fail "uninstaller left files behind"

step "go test -exec scripts/wine.sh (packages that make sense on Windows)"
# Left out: device/usb's umockdev tests are Linux-only by build tag, the
# rest of device/usb runs; app and cmd/restoredoctor need a GL window per
# test (covered by the window above); cmd/faults and cmd/rdbench
# drive Linux processes and umockdev; device/restorewatch's tests need the
# simulator on a unix socket, which Wine lacks (record-wine.sh above runs the
# recorder under Wine instead).
pkgs=(
	./assets/... ./device/mode/... ./device/model/... ./device/usb/
	./device/usbmux/... ./device/wintree/... ./device/restoretrace/... ./device/usb/speed/
	$(go list ./diagnostics/... | grep -v /netcheck) ./app/viewmodel/... ./internal/localefix/... ./internal/testtmp/... ./internal/i18n/...
)
# Tests take temp dirs from internal/testtmp, not t.TempDir: t.TempDir's
# cleanup fails under Wine ("unlinkat …: Invalid function") because Wine 8
# lacks the FileDispositionInformationEx call Go's os.RemoveAll uses (real
# Windows has it). Skipped under Wine only: Wine's crypt32 can take longer
# than the 1 s handshake deadline of netcheck's system-roots case to reject
# an untrusted certificate.
(
	windows_go_env
	timeout 1800 go test -exec "$ROOT/scripts/wine.sh" -count=1 -timeout 15m "${pkgs[@]}"
	timeout 600 go test -exec "$ROOT/scripts/wine.sh" -count=1 -timeout 5m -skip '^TestProbeOne$/^untrusted_\(system_roots\)$' ./diagnostics/host/netcheck/
) 2>&1 | tee "$out/go-test.log"
step "all done"
log "test: PASS in $(($(date +%s) - t0)) s"
