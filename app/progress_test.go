package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// The bar follows the sampling window's clock with a countdown instead of
// jumping to the count of finished checks; "Stability over 10 s" shows only
// once 10 s have passed; during "Check again" the old verdict says it may be
// out of date.
func TestProgressFollowsTheWindow(t *testing.T) {
	b := newFake(t, "report-flapping.json", "report-healthy.json")
	h := newHarness(t, b, Options{})
	h.attach(phoneA)
	h.waitVerdict()

	b.mu.Lock()
	b.block = make(chan struct{})
	b.progress = []Progress{{Done: 12, Total: 13, Label: "Watching the connection for drops (10 s)"}}
	b.mu.Unlock()
	test.Tap(h.u.bar.check)
	h.pump(func() bool { return h.u.st.Check.Running && h.u.st.Check.Progress.Total == 13 })

	h.at = h.at.Add(2 * time.Second)
	h.u.render()
	h.u.render()
	if v := h.u.progress.bar.Value; v > 0.25 {
		t.Errorf("bar at %.0f %% after 2 of 10 s although 12 of 13 checks are done", v*100)
	}
	if got := h.u.progress.label.Text; got != "Watching the connection for drops: 8 s left" {
		t.Errorf("progress label = %q", got)
	}
	if strings.Contains(h.u.progress.label.Text, ") (") {
		t.Errorf("doubled brackets: %q", h.u.progress.label.Text)
	}
	if got := h.u.strip.caption.Text; strings.Contains(got, "over 10s") || strings.Contains(got, "10s") || !strings.HasPrefix(got, "So far (2 of 10 s)") {
		t.Errorf("strip caption after 2 s = %q", got)
	}
	if !h.u.verdict.stale.Visible() || !strings.Contains(h.u.verdict.stale.Text, "out of date") {
		t.Errorf("old verdict not marked out of date while checking again (note %q)", h.u.verdict.stale.Text)
	}
	h.shot("checking-again")

	h.at = h.at.Add(9 * time.Second)
	h.u.render()
	h.u.render()
	if v := h.u.progress.bar.Value; v < 0.95 {
		t.Errorf("bar at %.0f %% after the window passed", v*100)
	}
	if got := h.u.strip.caption.Text; !strings.HasPrefix(got, "Stability over 10 s") {
		t.Errorf("strip caption after the window = %q", got)
	}
	close(b.block)
	h.waitVerdict()
	if h.u.verdict.stale.Visible() {
		t.Error("out-of-date note still shown after the new verdict")
	}
}
