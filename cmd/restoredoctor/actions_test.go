package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// TestActionCLI runs the three actions end to end against the demo
// simulator (real usbmuxd wire protocol, simulated iBoot on the USB side).
func TestActionCLI(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     int
		stdout   []string
		finding  string // outcome in the JSON finding, "" when no JSON
		noOutput bool
	}{
		{name: "exit recovery", args: []string{"recovery", "exit", "--yes", "--demo", "recovery", "--json"}, want: exitOK, finding: "done"},
		{name: "exit recovery, text", args: []string{"recovery", "exit", "--yes", "--demo", "recovery"}, want: exitOK,
			stdout: []string{"back in normal mode in", "Before: recovery mode. After: normal mode.", "Checked again:", "action.recovery_exit"}},
		{name: "iOS does not start", args: []string{"recovery", "exit", "--yes", "--demo", "recovery-stuck", "--json"}, want: exitOK, finding: "back_in_recovery"},
		{name: "DFU refused", args: []string{"recovery", "exit", "--yes", "--demo", "dfu"}, want: exitFail,
			stdout: []string{"cannot be left over USB", "Press and hold the Side button"}},
		{name: "enter recovery", args: []string{"recovery", "enter", "--yes", "--demo", "healthy", "--json"}, want: exitOK, finding: "done"},
		{name: "enter recovery untrusted, JSON", args: []string{"recovery", "enter", "--yes", "--demo", "untrusted", "--json"}, want: exitFail, finding: "refused"},
		{name: "enter recovery untrusted", args: []string{"recovery", "enter", "--yes", "--demo", "untrusted"}, want: exitFail,
			stdout: []string{"needs the iPhone to trust it", "keep holding past the Apple logo"}},
		{name: "restart", args: []string{"restart", "--yes", "--demo", "healthy"}, want: exitOK,
			stdout: []string{"the iPhone restarted and is back in normal mode in"}},
		{name: "restart during a restore", args: []string{"restart", "--yes", "--demo", "restore"}, want: exitFail,
			stdout: []string{"could interrupt the restore"}},
		{name: "no phone", args: []string{"recovery", "exit", "--yes", "--demo", "none"}, want: exitFail},
		{name: "no confirmation, no terminal", args: []string{"restart", "--demo", "healthy"}, want: exitUsage},
		{name: "bad subcommand", args: []string{"recovery", "sideways"}, want: exitUsage},
		{name: "recovery alone", args: []string{"recovery"}, want: exitUsage},
		{name: "bad flag", args: []string{"restart", "--frob"}, want: exitUsage},
		{name: "bad follow", args: []string{"restart", "--follow", "0s"}, want: exitUsage},
		{name: "bad demo", args: []string{"restart", "--demo", "nope"}, want: exitUsage},
		{name: "help", args: []string{"recovery", "--help"}, want: exitOK, stdout: []string{"restoredoctor recovery exit"}},
	}
	for _, tt := range tests {
		// Not parallel: the simulated phones of every demo share one key, and
		// the one-action-per-phone lock is process-wide by design.
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := runActionWith(tt.args, strings.NewReader("yes\n"), &stdout, &stderr)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tt.want, stdout.String(), stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout does not say %q:\n%s", s, stdout.String())
				}
			}
			if tt.finding == "" {
				return
			}
			// The JSON report follows the summary lines; it is the last object on stdout.
			out := stdout.String()
			i := strings.Index(out, "{")
			if i < 0 {
				t.Fatalf("no JSON on stdout:\n%s", out)
			}
			if err := report.Validate([]byte(out[i:])); err != nil {
				t.Fatalf("report invalid: %v", err)
			}
			var rep report.Report
			if err := json.Unmarshal([]byte(out[i:]), &rep); err != nil {
				t.Fatal(err)
			}
			var f *report.Finding
			for j := range rep.Findings {
				if strings.HasPrefix(rep.Findings[j].ID, "action.") {
					f = &rep.Findings[j]
				}
			}
			if f == nil || f.Evidence["outcome"] != tt.finding {
				t.Fatalf("action finding = %+v, want outcome %s", f, tt.finding)
			}
			if strings.Contains(out[i:], "001A2B3C4D5E6F70") {
				t.Error("the JSON report carries the ECID/UDID without --include-identifiers")
			}
		})
	}
}

// TestActionCLIUmockdev runs the built binary under umockdev with the
// device/usb exit-recovery captures: the iBoot commands go through real
// libusb and must match the recorded bytes. umockdev's bus is static, so
// the phone never leaves: a sent "reboot" ends in "did not restart".
func TestActionCLIUmockdev(t *testing.T) {
	umockdev, err := exec.LookPath("umockdev-run")
	if err != nil {
		t.Fatal("umockdev-run not found: install umockdev (make deps)")
	}
	tests := []struct {
		fixture string
		want    int
		stdout  string
	}{
		{"iphone-recovery-exit", exitOK, "the command was accepted, but the iPhone did not restart within 1 s"},
		{"iphone-recovery-exit-stall", exitFail, "the iBoot commands did not go through (the iPhone refused a USB request)"},
		{"iphone-dfu-exit", exitFail, "DFU mode, which cannot be left over USB"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			f := e2eLoadFixture(t, tt.fixture)
			args := []string{"-d", filepath.Join(e2eFixtureDir, f.Umockdev)}
			for _, p := range f.Pcaps {
				args = append(args, "-p", p.Sysfs+"="+filepath.Join(e2eFixtureDir, p.File))
			}
			args = append(args, "--", binPath, "recovery", "exit", "--yes", "--follow", "1s",
				"--usbmuxd", "unix://"+filepath.Join(t.TempDir(), "no-usbmuxd"))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, stdout, stderr, err := runUmockdev(t, func() *exec.Cmd { return exec.CommandContext(ctx, umockdev, args...) })
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.want || !strings.Contains(stdout.String(), tt.stdout) {
				t.Fatalf("exit %d (want %d); stdout lacks %q?\nstdout:\n%s\nstderr:\n%s", code, tt.want, tt.stdout, stdout.String(), stderr.String())
			}
		})
	}
}
