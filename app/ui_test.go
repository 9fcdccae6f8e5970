package app

import (
	"strings"
	"testing"

)

func joined(h *harness) string {
	return strings.Join(texts(h.u.Window().Content()), "\n")
}

func TestNoPhone(t *testing.T) {
	h := newHarness(t, newFake(t), Options{})
	h.shot("no-phone")
	all := joined(h)
	for _, want := range []string{"Connect your iPhone with a USB cable", "usbmuxd", "running", "USB access", "Check again", "Another cable"} {
		if !strings.Contains(all, want) {
			t.Errorf("no-phone window lacks %q:\n%s", want, all)
		}
	}
	if h.b.checkCount() != 0 {
		t.Errorf("a check started without a phone")
	}
}

func TestFlappingPhone(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	h.shot("flapping")
	if got := h.b.checkCount(); got != 1 {
		t.Fatalf("checks started on plug-in = %d, want 1", got)
	}
	if !strings.HasPrefix(h.u.verdict.Text, "Try step 1 first: Check USB Connection and Cable") {
		t.Errorf("verdict = %q", h.u.verdict.Text)
	}
	sw := h.u.stepWidgets[1]
	if sw == nil || !sw.card.Primary || !sw.card.Expanded {
		t.Fatalf("step 1 not primary and expanded: %+v", sw)
	}
	all := joined(h)
	if !strings.Contains(all, "Why: the iPhone dropped off USB 3 times in 10 s") {
		t.Errorf("reason missing:\n%s", all)
	}
}
