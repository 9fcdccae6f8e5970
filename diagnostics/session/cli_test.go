package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		p    diagnostics.Progress
		want string
	}{
		{diagnostics.Progress{Done: 2, Total: 13, Current: "usb.stability", Label: "Watching the connection for drops (10 s)"}, "[2/13] Watching the connection for drops (10 s)"},
		{diagnostics.Progress{Done: 13, Total: 13}, "[13/13] done"},
		{diagnostics.Progress{Done: 9, Total: 13, Current: "usb.stability", Report: &report.Report{Summary: "Incomplete check: in progress: x. So far: Fix the cable.",
			IncompleteReasons: []string{"in progress: x"}, InProgress: &report.InProgress{WindowS: 10, ElapsedS: 3.5}}},
			"[9/13] So far (7 s left): Fix the cable."},
		{diagnostics.Progress{Done: 12, Total: 13, Current: "lockdown.rtt", Report: &report.Report{Summary: "Incomplete check: in progress: y. Nothing wrong found so far.",
			IncompleteReasons: []string{"in progress: y"}, InProgress: &report.InProgress{}}},
			"[12/13] So far: Nothing wrong found so far."},
		{diagnostics.Progress{Done: 0, Total: 1, Current: "x", Label: strings.Repeat("é", 100)}, "[0/1] " + strings.Repeat("é", 71) + "…"},
	}
	for _, tc := range tests {
		if got := ProgressLine(tc.p); got != tc.want {
			t.Errorf("ProgressLine(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestCLICheckTimeout: without --timeout a check may run its window plus
// CheckSlack (70 s for the default 10 s window); a given one is kept.
func TestCLICheckTimeout(t *testing.T) {
	for _, tc := range []struct {
		window, timeout, want time.Duration
	}{
		{10 * time.Second, 0, 70 * time.Second},
		{0, 0, CheckSlack},
		{10 * time.Second, 5 * time.Second, 5 * time.Second},
	} {
		c := CLICheck{Options: diagnostics.Options{Window: tc.window}, Timeout: tc.timeout}
		if got := c.timeout(); got != tc.want {
			t.Errorf("window %v, --timeout %v: %v, want %v", tc.window, tc.timeout, got, tc.want)
		}
	}
}

// TestRunCLITimeout: the check's own --timeout cuts the run short, the
// incomplete report is still printed, and the failure names the timeout.
func TestRunCLITimeout(t *testing.T) {
	ctx := context.Background()
	sess, err := Open(ctx, Setup{Demo: "healthy"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	err = sess.RunCLI(ctx, CLICheck{Options: diagnostics.Options{Window: 5 * time.Second, UsbmuxdAddress: sess.UsbmuxdAddress(), NoNetwork: true,
		LockdownRequests: 1}, Timeout: 300 * time.Millisecond, JSON: true, Stdout: &out, Stderr: &errb, Prefix: "check: "})
	if !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("err = %v, want ErrCheckFailed", err)
	}
	if errb.String() != "check: gave up after --timeout 300ms; the report is incomplete\n" {
		t.Errorf("stderr %q", errb.String())
	}
	var rep report.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.IncompleteReasons) == 0 {
		t.Errorf("stdout is not the incomplete report (%v): %.200s", err, out.String())
	}
}
