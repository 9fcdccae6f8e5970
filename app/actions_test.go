package app

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
)

// actionFake is the fake backend plus ActionRunner: it records the actions
// asked for and answers with a scripted result.
type actionFake struct {
	*fakeBackend
	mu      sync.Mutex
	asked   []actions.Kind
	devices []viewmodel.Device
	result  func(k actions.Kind) actions.Result
}

func (f *actionFake) RunAction(ctx context.Context, k actions.Kind, d viewmodel.Device) actions.Result {
	f.mu.Lock()
	f.asked = append(f.asked, k)
	f.devices = append(f.devices, d)
	f.mu.Unlock()
	return f.result(k)
}

func (f *actionFake) askedKinds() []actions.Kind {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]actions.Kind(nil), f.asked...)
}

// newActionHarness is newHarness with the action-capable backend in front of the fake.
func newActionHarness(t *testing.T, f *actionFake) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{t: t, b: f.fakeBackend, q: make(chan func(), 1024), at: time.Date(2026, 5, 20, 10, 15, 0, 0, time.UTC)}
	opts := Options{Do: func(fn func()) { h.q <- fn }, Now: func() time.Time { return h.at }}
	h.u = New(fyne.CurrentApp(), f, opts)
	h.u.Window().Resize(fyne.NewSize(1180, 780))
	t.Cleanup(func() {
		h.u.Stop()
		h.u.Window().Close()
	})
	h.u.Start()
	h.pump(func() bool { return h.u.st.Host.Known })
	return h
}

func backOK(k actions.Kind) actions.Result {
	after := mode.Normal
	summary := "the iPhone left recovery mode and is back in normal mode in 38 s"
	if k == actions.EnterRecovery {
		after, summary = mode.Recovery, "the iPhone restarted into recovery mode in 12 s; step 5 (restore) can go ahead"
	}
	return actions.Result{Kind: k, DeviceKey: "1-2", Started: time.Date(2026, 5, 20, 10, 16, 0, 0, time.UTC), Took: 38 * time.Second,
		Before: mode.Recovery, After: after, Outcome: actions.Done, Summary: summary}
}

func TestExitRecoveryButton(t *testing.T) {
	f := &actionFake{fakeBackend: newFake(t, "report-recovery.json", "report-healthy.json"), result: backOK}
	h := newActionHarness(t, f)
	h.attach(phoneARecovery)
	h.waitVerdict()
	b := h.u.steps.buttons[actions.ExitRecovery]
	if b == nil {
		t.Fatalf("no %q button on step 5 for a phone in recovery mode:\n%s", actions.ExitRecovery.Title(), joined(h))
	}
	if h.u.steps.buttons[actions.Restart] != nil || h.u.steps.buttons[actions.EnterRecovery] != nil {
		t.Error("restart or enter-recovery offered for a phone in recovery mode")
	}
	// The first tap only asks.
	test.Tap(b)
	if len(f.askedKinds()) != 0 {
		t.Fatal("the action ran without confirmation")
	}
	if !strings.Contains(joined(h), "leave recovery mode and start iOS") {
		t.Fatalf("no confirmation shown:\n%s", joined(h))
	}
	test.Tap(h.u.steps.cancel)
	if strings.Contains(joined(h), "leave recovery mode and start iOS") || len(f.askedKinds()) != 0 {
		t.Fatal("Cancel did not withdraw the confirmation")
	}
	test.Tap(h.u.steps.buttons[actions.ExitRecovery])
	test.Tap(h.u.steps.confirm)
	h.pump(func() bool { return h.u.st.Action.Running == "" && len(f.askedKinds()) == 1 })
	if got := f.askedKinds(); len(got) != 1 || got[0] != actions.ExitRecovery || f.devices[0].Key != phoneARecovery.Key {
		t.Fatalf("actions run: %v on %+v", got, f.devices)
	}
	// A re-check starts by itself and its report carries the action's finding.
	h.pump(func() bool { return f.checkCount() == 2 && !h.u.st.Check.Running })
	found := false
	for _, fd := range h.u.st.Last.Report.Findings {
		if fd.ID == "action.recovery_exit" && fd.Evidence["outcome"] == "done" {
			found = true
		}
	}
	if !found {
		t.Errorf("the re-check's report has no action.recovery_exit finding: %+v", h.u.st.Last.Report.Findings)
	}
	all := joined(h)
	for _, want := range []string{"back in normal mode in 38 s", "Before: recovery mode. After: normal mode.", "Since the previous check"} {
		if !strings.Contains(all, want) {
			t.Errorf("window lacks %q:\n%s", want, all)
		}
	}
	h.shot("action-exit-recovery")
}

func TestNormalPhoneActions(t *testing.T) {
	f := &actionFake{fakeBackend: newFake(t, "report-healthy.json"), result: backOK}
	h := newActionHarness(t, f)
	h.attach(phoneA)
	h.waitVerdict()
	if h.u.steps.buttons[actions.Restart] == nil {
		t.Fatalf("no restart button on step 4 for a phone in normal mode:\n%s", joined(h))
	}
	if h.u.steps.buttons[actions.ExitRecovery] != nil {
		t.Error("exit recovery offered in normal mode")
	}
	if strings.Contains(joined(h), actions.EnterRecovery.Title()) {
		t.Fatal("enter recovery offered before step 5's warning was acknowledged")
	}
	h.u.st.Expanded[5] = true
	h.u.render()
	sw := h.u.steps.widgets[5]
	if sw == nil || sw.ack == nil {
		t.Fatal("step 5 has no acknowledgement checkbox")
	}
	test.Tap(sw.ack)
	b := h.u.steps.buttons[actions.EnterRecovery]
	if b == nil {
		t.Fatalf("no enter-recovery button after \"I have a backup\":\n%s", joined(h))
	}
	test.Tap(b)
	if !strings.Contains(joined(h), "only go ahead with a backup") {
		t.Errorf("enter-recovery confirmation does not repeat the backup warning:\n%s", joined(h))
	}
	test.Tap(h.u.steps.confirm)
	h.pump(func() bool { return len(f.askedKinds()) == 1 && h.u.st.Action.Running == "" })
	if got := f.askedKinds(); got[0] != actions.EnterRecovery {
		t.Errorf("ran %v", got)
	}
}

func TestNoActionButtons(t *testing.T) {
	dfu := phoneARecovery
	dfu.Mode = mode.DFU
	untrusted := phoneA
	no := false
	untrusted.Trusted = &no
	restore := phoneA
	restore.Mode = mode.Restore
	cases := []struct {
		name  string
		b     Backend
		phone viewmodel.Device
	}{
		{"backend without actions", newFake(t, "report-recovery.json"), phoneARecovery},
		{"DFU", &actionFake{fakeBackend: newFake(t, "report-recovery.json"), result: backOK}, dfu},
		{"restore mode", &actionFake{fakeBackend: newFake(t, "report-healthy.json"), result: backOK}, restore},
		{"untrusted: no restart", &actionFake{fakeBackend: newFake(t, "report-healthy.json"), result: backOK}, untrusted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h *harness
			switch b := c.b.(type) {
			case *fakeBackend:
				h = newHarness(t, b, Options{})
			case *actionFake:
				h = newActionHarness(t, b)
			}
			h.attach(c.phone)
			h.waitVerdict()
			all := joined(h)
			for _, k := range actions.Kinds() {
				if strings.Contains(all, k.Title()) && k != actions.EnterRecovery {
					t.Errorf("%s offered:\n%s", k.Title(), all)
				}
				if h.u.steps.buttons[k] != nil {
					t.Errorf("%s button exists", k)
				}
			}
		})
	}
}

// A phone that dropped off is offered no action until it is back: the card
// follows the detach and the re-attach.
func TestNoActionsWhileDisconnected(t *testing.T) {
	f := &actionFake{fakeBackend: newFake(t, "report-healthy.json"), result: backOK}
	h := newActionHarness(t, f)
	h.attach(phoneA)
	h.waitVerdict()
	restart := actions.Restart.Title()
	if !strings.Contains(joined(h), restart) {
		t.Fatalf("no %q for a connected phone:\n%s", restart, joined(h))
	}
	h.b.events <- DeviceEvent{Kind: EventDetach, Source: "usb", Time: h.at, Device: phoneA}
	h.pump(func() bool { return !h.u.st.Phones[phoneA.Key].GoneAt.IsZero() })
	if strings.Contains(joined(h), restart) {
		t.Errorf("%q offered for a phone that is not connected:\n%s", restart, joined(h))
	}
	h.attach(phoneA)
	h.pump(func() bool { return h.u.st.Phones[phoneA.Key].GoneAt.IsZero() })
	h.waitVerdict()
	if !strings.Contains(joined(h), restart) {
		t.Errorf("no %q once the phone is back:\n%s", restart, joined(h))
	}
}

// Issue 19, findings 7 and 12: while an action runs, "Check again" is
// disabled (button and Ctrl+R); the confirmation sits at the top of its
// step, above the step's instructions; after the action's re-check the
// right pane shows the new verdict from its top.
func TestActionFlowInTheWindow(t *testing.T) {
	release := make(chan struct{})
	f := &actionFake{fakeBackend: newFake(t, "report-recovery.json", "report-healthy.json"), result: func(k actions.Kind) actions.Result {
		<-release
		return backOK(k)
	}}
	h := newActionHarness(t, f)
	h.attach(phoneARecovery)
	h.waitVerdict()
	test.Tap(h.u.steps.buttons[actions.ExitRecovery])
	all := joined(h)
	confirm := strings.Index(all, "Keep it connected")
	steps := strings.Index(all, "Recovery mode lets the computer install iOS") // the step's text

	if confirm < 0 || steps < 0 || confirm > steps {
		t.Errorf("confirmation at %d, the step's instructions at %d: the confirmation must come first", confirm, steps)
	}
	test.Tap(h.u.steps.confirm)
	h.pump(func() bool { return h.u.st.Action.Running != "" })
	if !h.u.bar.check.Disabled() {
		t.Error("Check again enabled while an action runs")
	}
	checks := f.checkCount()
	typeShortcut(h, shortcutCheck)
	if f.checkCount() != checks || h.u.st.Check.Running {
		t.Error("Ctrl+R started a check while an action runs")
	}
	h.u.rightScroll.Offset.Y = 400
	close(release)
	h.pump(func() bool { return f.checkCount() == 2 && !h.u.st.Check.Running && h.u.st.Action.Running == "" })
	if y := h.u.rightScroll.Offset.Y; y != 0 {
		t.Errorf("right pane left scrolled to %.0f after the re-check, away from the new verdict", y)
	}
	if !strings.Contains(joined(h), "as asked") {
		t.Errorf("the before/after does not speak in the action's terms:\n%s", joined(h))
	}
}
