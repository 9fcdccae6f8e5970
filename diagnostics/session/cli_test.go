package session

import (
	"strings"
	"testing"

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
