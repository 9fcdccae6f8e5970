//go:build cgo && linux

package usb

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// breakScript runs inside umockdev-run and takes away what a desktop user
// without the udev rule (or a sandbox) lacks, then runs "$@" unprivileged:
//   - access: the device node of the phone ($RD_NODE) is not writable, so
//     libusb_open fails with EACCES, as on Linux without the udev rule;
//   - unavailable: the testbed (and with it umockdev's emulated udev monitor
//     socket) is not writable, so libusb_init fails, as in a sandbox without
//     udev access.
//
// As root it drops to nobody with setpriv (root ignores file modes); as
// another user the modes alone do it.
const breakScript = `set -e
d="$UMOCKDEV_DIR"
root=no; [ "$(id -u)" = 0 ] && root=yes
case "$RD_BREAK" in
access) chmod -R a+rwX "$d"; chmod a-w "$d/dev/bus/usb/$RD_NODE" ;;
unavailable) if [ $root = yes ]; then chmod -R a+rX "$d"; else chmod -R a-w "$d"; fi ;;
esac
if [ $root = yes ]; then exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; fi
exec "$@"
`

// worldReadableCopy copies the file at src into a fresh directory that any
// user may enter and returns the copy's path.
func worldReadableCopy(t *testing.T, src string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "restoredoctor-usb-unpriv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(dir, filepath.Base(src))
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

func runBroken(t *testing.T, fixture, pcap, node, breakKind string) childResult {
	t.Helper()
	bin := worldReadableCopy(t, os.Args[0])
	args := []string{"-d", filepath.Join(fixtureDir, fixture)}
	if pcap != "" {
		args = append(args, "-p", "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2="+filepath.Join(fixtureDir, pcap))
	}
	args = append(args, "--", "sh", "-c", breakScript, "sh", bin, "-test.run", "^TestUmockdev$")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, umockdevRun(t), args...)
	cmd.Env = append(os.Environ(), childEnv+"=scan", "RD_BREAK="+breakKind, "RD_NODE="+node)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("umockdev-run: %v\nstderr:\n%s", err, stderr.String())
	}
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("child output is not JSON: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return res
}

// TestUmockdevAccessDenied: real libusb refuses to open the phone's node
// (EACCES); the scan still lists the phone, with an *AccessDeniedError.
func TestUmockdevAccessDenied(t *testing.T) {
	res := runBroken(t, "iphone-recovery.umockdev", "iphone-recovery-1-2.pcap", "001/005", "access")
	if res.Error != "" {
		t.Fatalf("scan failed: %s", res.Error)
	}
	if len(res.Devices) != 1 {
		t.Fatalf("devices = %+v, want the recovery phone", res.Devices)
	}
	d := res.Devices[0]
	if d.Mode != "recovery" || d.OpenError != "access_denied" || d.Serial != "" || d.Recovery != nil {
		t.Errorf("device = %+v, want recovery with open_error access_denied and nothing read", d)
	}
}

// TestUmockdevUnavailable: libusb_init itself fails (no udev monitor); NewScanner
// returns an *UnavailableError instead of gousb's panic.
func TestUmockdevUnavailable(t *testing.T) {
	res := runBroken(t, "iphone-normal.umockdev", "", "", "unavailable")
	if res.ErrorKind != "unavailable" || !strings.Contains(res.Error, "libusb is not usable on this computer (init)") {
		t.Fatalf("error = %q, want an UnavailableError from init", res.Error)
	}
}
