package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/gousb"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics/devlist"
)

const devicesFixtureDir = "../../device/usb/testdata/umockdev"

// devicesFixture is the part of device/usb's fixture manifest this test reads.
type devicesFixture struct {
	Name     string `json:"name"`
	Umockdev string `json:"umockdev"`
	Pcaps    []struct {
		Sysfs string `json:"sysfs"`
		File  string `json:"file"`
	} `json:"pcaps"`
	Expect []struct {
		Mode      string            `json:"mode"`
		ProductID string            `json:"product_id"`
		SpeedMbps float64           `json:"speed_mbps"`
		Bus       int               `json:"bus"`
		PortPath  []int             `json:"port_path"`
		BehindHub bool              `json:"behind_hub"`
		Serial    string            `json:"serial"`
		Recovery  map[string]string `json:"recovery"`
		OpenError string            `json:"open_error"`
	} `json:"expect"`
}

var (
	devicesBuildOnce sync.Once
	devicesBin       string
	devicesBuildErr  error
)

// buildDevicesCLI builds restoredoctor once per test run.
func buildDevicesCLI(t *testing.T) string {
	t.Helper()
	devicesBuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "restoredoctor-devices-test")
		if err != nil {
			devicesBuildErr = err
			return
		}
		if err := os.Chmod(dir, 0o755); err != nil { // the unprivileged runs below exec it as nobody
			devicesBuildErr = err
			return
		}
		devicesBin = filepath.Join(dir, "restoredoctor")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", devicesBin, ".").CombinedOutput()
		if err != nil {
			devicesBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if devicesBuildErr != nil {
		t.Fatal(devicesBuildErr)
	}
	return devicesBin
}

// TestDevicesUmockdev runs the built CLI under umockdev-run for every
// device/usb fixture: `restoredoctor devices --json` must list exactly the
// expected Apple devices with mode, product id, speed, bus, port path, hub
// flag, serial and iBoot fields.
func TestDevicesUmockdev(t *testing.T) {
	runner, err := exec.LookPath("umockdev-run")
	if err != nil {
		t.Fatal("umockdev-run not found: install umockdev: apt-get install umockdev (or make deps)")
	}
	b, err := os.ReadFile(filepath.Join(devicesFixtureDir, "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fixtures []devicesFixture
	if err := json.Unmarshal(b, &fixtures); err != nil {
		t.Fatal(err)
	}
	if len(fixtures) < 8 {
		t.Fatalf("%d fixtures in the manifest, want at least 8", len(fixtures))
	}
	bin := buildDevicesCLI(t)
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			args := []string{"-d", filepath.Join(devicesFixtureDir, f.Umockdev)}
			for _, p := range f.Pcaps {
				args = append(args, "-p", p.Sysfs+"="+filepath.Join(devicesFixtureDir, p.File))
			}
			args = append(args, "--", bin, "devices", "--json", "--include-identifiers")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, stdout, stderr, err := runUmockdev(t, func() *exec.Cmd { return exec.CommandContext(ctx, runner, args...) })
			if err != nil {
				t.Fatalf("umockdev-run … restoredoctor devices --json: %v\nstderr: %s", err, stderr.String())
			}
			var got []devlist.DeviceJSON
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("output is not a JSON array: %v\n%s", err, stdout.String())
			}
			if len(f.Expect) == 0 && strings.TrimSpace(stdout.String()) != "[]" {
				t.Errorf("no device: output %q, want []", stdout.String())
			}
			if len(got) != len(f.Expect) {
				t.Fatalf("%d devices, want %d:\n%s", len(got), len(f.Expect), stdout.String())
			}
			for i, want := range f.Expect {
				g := got[i]
				if g.Mode != want.Mode || g.USB.ProductID != want.ProductID || g.USB.VendorID != "05ac" ||
					g.USB.SpeedMbps != want.SpeedMbps || g.USB.Bus != want.Bus || !reflect.DeepEqual(g.USB.PortPath, want.PortPath) ||
					g.USB.BehindHub != want.BehindHub || !g.USB.Present || g.Serial != want.Serial {
					t.Errorf("device %d: got %+v\nwant %+v", i, g, want)
				}
				if (want.OpenError != "") != (g.Error != "") {
					t.Errorf("device %d: error %q, want kind %q", i, g.Error, want.OpenError)
				}
				if want.Recovery == nil {
					if g.Recovery != nil {
						t.Errorf("device %d: unexpected recovery fields %+v", i, g.Recovery)
					}
					continue
				}
				if g.Recovery == nil {
					t.Fatalf("device %d: no recovery fields, want %v", i, want.Recovery)
				}
				rj, _ := json.Marshal(g.Recovery)
				var gotRec map[string]string
				_ = json.Unmarshal(rj, &gotRec)
				if !reflect.DeepEqual(gotRec, want.Recovery) {
					t.Errorf("device %d: recovery %v, want %v", i, gotRec, want.Recovery)
				}
			}
		})
	}
}

// TestDevicesTextUmockdev checks the human output on two phones at once.
func TestDevicesTextUmockdev(t *testing.T) {
	runner, err := exec.LookPath("umockdev-run")
	if err != nil {
		t.Fatal("umockdev-run not found: install umockdev: apt-get install umockdev (or make deps)")
	}
	bin := buildDevicesCLI(t)
	sys := "/sys/devices/pci0000:00/0000:00:14.0/usb1/"
	_, stdout, stderr, err := runUmockdev(t, func() *exec.Cmd {
		return exec.Command(runner, "-d", filepath.Join(devicesFixtureDir, "two-iphones.umockdev"),
			"-p", sys+"1-2="+filepath.Join(devicesFixtureDir, "two-iphones-1-2.pcap"),
			"-p", sys+"1-1/1-1.3="+filepath.Join(devicesFixtureDir, "two-iphones-1-1.3.pcap"),
			"--", bin, "devices", "--include-identifiers")
	})
	out := stdout.Bytes()
	if err != nil {
		t.Fatalf("%v\nstdout: %s\nstderr: %s", err, out, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got:\n%s", out)
	}
	for i, want := range [][]string{
		{"normal", "05ac:12a8", "480 Mbit/s", "bus 1 port 1.3", "behind hub (depth 1)", "serial a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"},
		{"normal", "05ac:12a8", "480 Mbit/s", "bus 1 port 2", "direct", "serial 00008110001A2B3C4D5E6F70"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q lacks %q", i, lines[i], w)
			}
		}
	}
}

type fakeUSBLister struct {
	devs []usb.Device
	err  error
}

func (f fakeUSBLister) Snapshot(ctx context.Context) ([]usb.Device, error) { return f.devs, f.err }
func (f fakeUSBLister) Close() error                                       { return nil }

func withUSBLister(t *testing.T, l usbLister, err error) {
	t.Helper()
	old := newLister
	newLister = func() (usbLister, error) { return l, err }
	t.Cleanup(func() { newLister = old })
}

func TestDevicesUsageAndErrors(t *testing.T) {
	recovery := usb.Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: mode.Recovery, Bus: 1, Address: 5, PortPath: []int{2},
		SpeedMbps: 480, USBVersion: "2.00", Recovery: &usb.RecoveryInfo{CPID: "8110", BDID: "0E", ECID: "001A2B3C4D5E6F70"}}
	denied := recovery
	denied.Recovery = nil
	denied.OpenErr = &usb.AccessDeniedError{Location: "1-2", VendorID: 0x05AC, ProductID: 0x1281, Err: gousb.ErrorAccess}

	tests := []struct {
		name       string
		args       []string
		lister     usbLister
		listerErr  error
		code       int
		stdout     []string
		stderr     []string
		stderrOne  bool
		noStdout   bool
		jsonLength int // -1: not JSON
	}{
		{name: "help", args: []string{"--help"}, code: exitOK, stdout: []string{"Usage: restoredoctor devices", "--json"}, jsonLength: -1},
		{name: "unknown flag", args: []string{"--bogus"}, code: exitUsage, stderr: []string{"bogus"}, stderrOne: true, noStdout: true, jsonLength: -1},
		{name: "stray argument", args: []string{"list"}, code: exitUsage, stderr: []string{`"list"`}, stderrOne: true, noStdout: true, jsonLength: -1},
		{name: "bad timeout", args: []string{"--timeout", "0s"}, code: exitUsage, stderrOne: true, noStdout: true, jsonLength: -1},
		{name: "libusb unavailable", args: []string{"--json"}, listerErr: &usb.UnavailableError{Op: "init", Err: gousb.ErrorOther},
			code: exitFail, stderr: []string{"cannot use USB", "not usable"}, stderrOne: true, noStdout: true, jsonLength: -1},
		{name: "listing fails", args: nil, lister: fakeUSBLister{err: &usb.UnavailableError{Op: "list devices", Err: gousb.ErrorNoMem}},
			code: exitFail, stderr: []string{"listing USB devices failed"}, noStdout: true, jsonLength: -1},
		{name: "none, json", args: []string{"--json"}, lister: fakeUSBLister{}, code: exitOK, stdout: []string{"[]"}, jsonLength: 0},
		{name: "none, text", args: nil, lister: fakeUSBLister{}, code: exitOK, stdout: []string{"No Apple device"}, jsonLength: -1},
		{name: "recovery, text", args: []string{"--include-identifiers"}, lister: fakeUSBLister{devs: []usb.Device{recovery}}, code: exitOK,
			stdout: []string{"recovery", "05ac:1281", "480 Mbit/s", "bus 1 port 2", "direct", "ECID 001A2B3C4D5E6F70", "CPID 8110"}, jsonLength: -1},
		{name: "recovery, text, redacted", args: nil, lister: fakeUSBLister{devs: []usb.Device{recovery}}, code: exitOK,
			stdout: []string{"recovery", "ECID id-", "CPID 8110"}, jsonLength: -1},
		{name: "access denied, json", args: []string{"--json"}, lister: fakeUSBLister{devs: []usb.Device{denied}}, code: exitFail,
			stdout: []string{`"mode": "recovery"`, `"error"`}, stderr: []string{"39-restoredoctor.rules", "udevadm control --reload", "replug"}, jsonLength: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withUSBLister(t, tt.lister, tt.listerErr)
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"devices"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout %q lacks %q", stdout.String(), s)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr %q lacks %q", stderr.String(), s)
				}
			}
			if tt.stderrOne && strings.Count(strings.TrimRight(stderr.String(), "\n"), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", stderr.String())
			}
			if tt.noStdout && stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
			if tt.jsonLength >= 0 {
				var arr []devlist.DeviceJSON
				if err := json.Unmarshal(stdout.Bytes(), &arr); err != nil || len(arr) != tt.jsonLength {
					t.Errorf("JSON %q: %v, %d entries, want %d", stdout.String(), err, len(arr), tt.jsonLength)
				}
			}
		})
	}
}

// devicesBreakScript runs inside umockdev-run and takes away what a user
// without the udev rule (access) or a sandbox without udev (unavailable)
// lacks, then runs "$@" unprivileged (device/usb's unprivileged_test.go
// explains the mechanics).
const devicesBreakScript = `set -e
d="$UMOCKDEV_DIR"
root=no; [ "$(id -u)" = 0 ] && root=yes
case "$RD_BREAK" in
access) chmod -R a+rwX "$d"; chmod a-w "$d/dev/bus/usb/001/005" ;;
unavailable) if [ $root = yes ]; then chmod -R a+rX "$d"; else chmod -R a-w "$d"; fi ;;
esac
if [ $root = yes ]; then exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; fi
exec "$@"
`

// TestDevicesUnprivilegedUmockdev: the real CLI over real libusb that may not
// open the phone, or cannot start at all, says why on stderr and exits 1.
func TestDevicesUnprivilegedUmockdev(t *testing.T) {
	runner, err := exec.LookPath("umockdev-run")
	if err != nil {
		t.Fatal("umockdev-run not found: install umockdev: apt-get install umockdev (or make deps)")
	}
	bin := buildDevicesCLI(t)
	for _, tt := range []struct {
		breakKind string
		args      []string
		stdout    []string
		stderr    []string
	}{
		{breakKind: "access", args: []string{"devices"},
			stdout: []string{"recovery", "05ac:1281", "serial not read: permission denied"},
			stderr: []string{"permission denied", "39-restoredoctor.rules", "/etc/udev/rules.d/", "udevadm control --reload && sudo udevadm trigger", "replug"}},
		{breakKind: "access", args: []string{"devices", "--json"},
			stdout: []string{`"mode": "recovery"`, `"error": "usb: open 1-2`},
			stderr: []string{"39-restoredoctor.rules"}},
		{breakKind: "unavailable", args: []string{"devices", "--json"},
			stderr: []string{"cannot use USB on this computer", "libusb is not usable"}},
	} {
		t.Run(tt.breakKind+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, stdout, stderr, err := runUmockdev(t, func() *exec.Cmd {
				cmd := exec.CommandContext(ctx, runner, "-d", filepath.Join(devicesFixtureDir, "iphone-recovery.umockdev"),
					"-p", "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2="+filepath.Join(devicesFixtureDir, "iphone-recovery-1-2.pcap"),
					"--", "sh", "-c", devicesBreakScript, "sh", bin)
				cmd.Args = append(cmd.Args, tt.args...)
				cmd.Env = append(os.Environ(), "RD_BREAK="+tt.breakKind)
				return cmd
			})
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitFail {
				t.Fatalf("exit: %v, want status %d\nstdout: %s\nstderr: %s", err, exitFail, stdout.String(), stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout %q lacks %q", stdout.String(), s)
				}
			}
			if len(tt.stdout) == 0 && stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr %q lacks %q", stderr.String(), s)
				}
			}
		})
	}
}
