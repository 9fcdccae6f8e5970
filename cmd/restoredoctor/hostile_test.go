package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/usb"
)

// TestCheckUsageGaps: options that cannot work are usage errors (exit 2)
// before anything runs (issue 14, defect 8).
func TestCheckUsageGaps(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--no-network", "--usbmuxd", "unix://" + filepath.Join(dir, "none")}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"window overflow", []string{"--window", "2562047h"}, "--window"},
		{"apple hosts garbage", []string{"--apple-hosts", "garbage"}, "--apple-hosts"},
		{"hosts file missing", []string{"--hosts-file", "/nonexistent"}, "--hosts-file"},
		{"lockdown requests 0", []string{"--lockdown-requests", "0"}, "--lockdown-requests"},
		// A FIFO would block the run until a writer came; /dev/zero never ends (issue 18, item 6 and 7).
		{"apple-ca fifo", []string{"--apple-ca", mkfifo(t, dir)}, "--apple-ca"},
		{"apple-ca device", []string{"--apple-ca", "/dev/zero"}, "--apple-ca"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := runCheck(append(base, tc.args...), &out, &errb); code != exitUsage || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d naming %s", code, errb.String(), exitUsage, tc.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed a report: %q", out.String())
			}
		})
	}
}

// TestMarkdownTargets: a --markdown path that must not be replaced fails at
// once (exit 1), and /dev/null stays a device.
func TestMarkdownTargets(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink(filepath.Join(dir, "real.md"), link); err != nil {
		t.Fatal(err)
	}
	base := []string{"--window", "10s", "--no-network", "--usbmuxd", "unix://" + filepath.Join(dir, "none"), "--hosts-file", "/dev/null"}
	for _, p := range []string{"/dev/null", dir, filepath.Join(dir, "nonexistent", "r.md"), link} {
		var out, errb bytes.Buffer
		if code := runCheck(append(base, "--markdown", p), &out, &errb); code != exitFail || !strings.Contains(errb.String(), "--markdown") {
			t.Errorf("--markdown %s: exit %d, stderr %q", p, code, errb.String())
		}
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a character device")
	}
}

// TestOutputToDevFull: devices and watch fail (exit 1, with a message) when
// stdout cannot be written.
func TestOutputToDevFull(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	withUSBLister(t, fakeUSBLister{devs: []usb.Device{{VendorID: 0x05AC, ProductID: 0x12A8, Mode: "normal", Serial: "x"}}}, nil)
	var errb bytes.Buffer
	if code := runDevices(nil, full, &errb); code != exitFail || !strings.Contains(errb.String(), "writing to stdout") {
		t.Errorf("devices > /dev/full: exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	dir := t.TempDir()
	if code := runWatch([]string{"--no-checks", "--for", "3s", "--usbmuxd", "unix://" + filepath.Join(dir, "none")}, full, &errb); code != exitFail || !strings.Contains(errb.String(), "writing to stdout") {
		t.Errorf("watch > /dev/full: exit %d, stderr %q", code, errb.String())
	}
}
