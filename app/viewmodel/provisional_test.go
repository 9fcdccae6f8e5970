package viewmodel

import (
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// TestProvisionalVerdict: a fault so far is named at once with the
// countdown; nothing found yet is never "No fault found"; the drops so far
// come from the report.
func TestProvisionalVerdict(t *testing.T) {
	for _, c := range []struct {
		name            string
		report          string
		drops           int
		elapsed, window time.Duration
		kind, want      string
	}{
		{name: "healthy, watching", report: "report-healthy.json", elapsed: 4 * time.Second, window: 10 * time.Second,
			kind: VerdictRunning, want: "So far (6 s left): nothing wrong found yet, no drops in 4 of 10 s. The verdict comes when the watch ends."},
		{name: "healthy, two drops", report: "report-healthy.json", drops: 2, elapsed: 4500 * time.Millisecond, window: 10 * time.Second,
			kind: VerdictRunning, want: "So far (6 s left): the iPhone dropped off 2 times so far. The verdict comes when the watch ends."},
		{name: "healthy, after the window", report: "report-healthy.json", elapsed: 11 * time.Second, window: 10 * time.Second,
			kind: VerdictRunning, want: "So far: nothing wrong found yet. Finishing the last checks."},
		{name: "recovery at once", report: "report-recovery.json", elapsed: 300 * time.Millisecond, window: 10 * time.Second,
			kind: VerdictFault, want: "So far (10 s left): Step 5: the iPhone is already in recovery mode"},
		{name: "flapping", report: "report-flapping.json", drops: 3, elapsed: 7 * time.Second, window: 10 * time.Second,
			kind: VerdictFault, want: "So far (3 s left): Try step 1 first"},
		{name: "recovery, dropping", report: "report-recovery.json", drops: 3, elapsed: 7 * time.Second, window: 10 * time.Second,
			kind: VerdictFault, want: "So far (3 s left): Step 5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := load(t, c.report)
			r.InProgress = &report.InProgress{WindowS: c.window.Seconds(), ElapsedS: c.elapsed.Seconds()}
			for i := range r.Devices {
				r.Devices[i].Stability.Detaches = c.drops
			}
			v := ProvisionalVerdict(r, testCatalog, c.elapsed, c.window)
			if v.Kind != c.kind || !strings.HasPrefix(v.Text, c.want) {
				t.Errorf("verdict %s %q, want %s %q…", v.Kind, v.Text, c.kind, c.want)
			}
			if strings.Contains(v.Text, "No fault found") {
				t.Errorf("verdict so far says no fault found: %q", v.Text)
			}
			// The drops so far are named once: by the usb.unstable headline
			// when there is one, else after the verdict.
			if n := strings.Count(v.Text, "dropped off"); c.drops > 0 && n != 1 {
				t.Errorf("drops so far named %d times: %q", n, v.Text)
			}
		})
	}
}
