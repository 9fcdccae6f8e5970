package app

import (
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestMain(m *testing.M) {
	// The window shows times in local time; golden files are in UTC.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// The whole window as Fyne markup, for the states a user sees. A layout or
// wording change shows up as a diff in app/testdata/*.xml (Fyne writes the
// new rendering to app/testdata/failed/ for review).
func TestGoldenNoPhone(t *testing.T) {
	h := newHarness(t, newFake(t), Options{})
	test.AssertRendersToMarkup(t, "window-no-phone.xml", h.u.Window().Canvas())
}

func TestGoldenFlapping(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	test.AssertRendersToMarkup(t, "window-flapping.xml", h.u.Window().Canvas())
}

func TestGoldenRecoveryAcknowledged(t *testing.T) {
	h := newHarness(t, newFake(t, "report-recovery.json"), Options{Demo: "recovery"})
	h.attach(phoneARecovery)
	h.waitVerdict()
	test.Tap(h.u.steps.widgets[5].ack)
	test.AssertRendersToMarkup(t, "window-recovery.xml", h.u.Window().Canvas())
}
