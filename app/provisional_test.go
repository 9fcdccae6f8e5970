package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// The first check after a phone appears shows the engine's verdict so far
// as soon as it arrives, labelled "So far" with the window's countdown; the
// countdown and the drops so far move on; the final verdict replaces it.
func TestProvisionalVerdictShown(t *testing.T) {
	b := newFake(t, "report-recovery.json", "report-healthy.json")
	h := newHarness(t, b, Options{})

	// Check again on a healthy phone: nothing found so far, no drops yet.
	h.attach(phoneA)
	h.waitVerdict()
	so := loadReport(t, "report-healthy.json")
	so.InProgress = &report.InProgress{WindowS: 10, ElapsedS: 0.5}
	b.mu.Lock()
	b.block = make(chan struct{})
	b.progress = []Progress{{Done: 9, Total: 13, Label: "Watching the connection for drops (10 s)", Report: so}}
	b.mu.Unlock()
	test.Tap(h.u.bar.check)
	h.pump(func() bool { return h.u.st.Check.Running && h.u.st.Check.Progress.Report != nil })
	if got := h.u.verdict.label.Text; got != "So far (10 s left): nothing wrong found yet, no drops yet. The verdict comes when the watch ends." {
		t.Errorf("verdict so far = %q", got)
	}
	if h.u.verdict.stale.Visible() {
		t.Error("the verdict so far is marked out of date")
	}

	// Four seconds on, with two drops reported by the engine.
	h.at = h.at.Add(4 * time.Second)
	so2 := loadReport(t, "report-healthy.json")
	so2.InProgress = &report.InProgress{WindowS: 10, ElapsedS: 4}
	for i := range so2.Devices {
		so2.Devices[i].Stability.Detaches = 2
	}
	h.q <- func() { h.u.st.Check.Progress.Report = so2; h.u.st.Check.Progress.Report = so2; h.u.render() }
	h.pump(func() bool { return strings.Contains(h.u.verdict.label.Text, "dropped off 2 times so far") })
	if got := h.u.verdict.label.Text; !strings.HasPrefix(got, "So far (6 s left)") {
		t.Errorf("verdict so far after 4 s = %q", got)
	}
	h.shot("so-far")

	close(b.block)
	h.waitVerdict()
	if got := h.u.verdict.label.Text; strings.HasPrefix(got, "So far") || !strings.HasPrefix(got, "No fault found") {
		t.Errorf("final verdict = %q", got)
	}
	if h.u.st.Check.Progress.Report != nil {
		t.Error("verdict so far kept after the check ended")
	}
}

// A clear fault in the verdict so far is named at once, not held back by
// the window.
func TestProvisionalFaultAtOnce(t *testing.T) {
	b := newFake(t, "report-recovery.json")
	so := loadReport(t, "report-recovery.json")
	so.InProgress = &report.InProgress{WindowS: 10, ElapsedS: 0.2}
	b.block = make(chan struct{})
	b.progress = []Progress{{Done: 8, Total: 13, Label: "Watching the connection for drops (10 s)", Report: so}}
	h := newHarness(t, b, Options{})
	h.attach(phoneA)
	h.pump(func() bool { return h.u.st.Check.Running && h.u.st.Check.Progress.Report != nil })
	if got := h.u.verdict.label.Text; !strings.HasPrefix(got, "So far (10 s left): Step 5: the iPhone is already in recovery mode") {
		t.Errorf("verdict so far = %q", got)
	}
	close(b.block)
	h.waitVerdict()
}
