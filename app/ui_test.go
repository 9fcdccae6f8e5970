package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func joined(h *harness) string {
	return strings.Join(texts(h.u.Window().Content()), "\n")
}

func TestNoPhone(t *testing.T) {
	h := newHarness(t, newFake(t), Options{})
	h.shot("no-phone")
	all := joined(h)
	for _, want := range []string{"Connect your iPhone with a USB cable", "iPhone service", "running", "USB access", "Check now", "Another cable"} {
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
	if !strings.HasPrefix(h.u.verdict.label.Text, "Try step 1 first: Check USB Connection and Cable") {
		t.Errorf("verdict = %q", h.u.verdict.label.Text)
	}
	sw := h.u.steps.widgets[1]
	if sw == nil || !sw.card.Primary || !sw.card.Expanded {
		t.Fatalf("step 1 not primary and expanded: %+v", sw)
	}
	all := joined(h)
	if !strings.Contains(all, "Why: the iPhone dropped off USB 3 times in 10 s") {
		t.Errorf("reason missing:\n%s", all)
	}
}

func TestHealthyPhone(t *testing.T) {
	h := newHarness(t, newFake(t, "report-healthy.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	h.shot("healthy")
	want := "No fault found in the checks that ran (not checked: Apple's servers): try the restore again; if error 1002 returns, step 6 (Try a Different Computer)."
	if h.u.verdict.label.Text != want {
		t.Errorf("verdict = %q, want %q", h.u.verdict.label.Text, want)
	}
	for n, sw := range h.u.steps.widgets {
		if sw.card.Applies || sw.card.Expanded {
			t.Errorf("step %d applies/expanded on a healthy phone", n)
		}
	}
	if len(h.u.verdict.pro.Objects) != 0 {
		t.Error("professional card shown on a healthy phone")
	}
	all := joined(h)
	for _, want := range []string{"iPhone 13 Pro Max", "17.5.1", "USB 2 high speed (480 Mbit/s), direct to the computer", "this computer is trusted"} {
		if !strings.Contains(all, want) {
			t.Errorf("device card lacks %q", want)
		}
	}
}

func TestRecoveryPhoneStep5(t *testing.T) {
	h := newHarness(t, newFake(t, "report-recovery.json"), Options{})
	h.attach(phoneARecovery)
	h.waitVerdict()
	if !strings.HasPrefix(h.u.verdict.label.Text, "Step 5: the iPhone is already in recovery mode, so restore it now") {
		t.Errorf("verdict = %q", h.u.verdict.label.Text)
	}
	sw := h.u.steps.widgets[5]
	if sw == nil || !sw.card.Primary || !sw.card.Expanded {
		t.Fatalf("step 5 is not the expanded primary step: %+v", sw)
	}
	all := joined(h)
	if !strings.Contains(all, "Restoring ERASES ALL DATA") {
		t.Fatalf("data-loss warning not shown:\n%s", all)
	}
	if strings.Contains(all, "Press and quickly release Volume Up") || strings.Contains(all, "choose Restore and wait") {
		t.Fatalf("step 5 instructions shown before the backup was acknowledged:\n%s", all)
	}
	if sw.ack == nil {
		t.Fatal("no acknowledgement checkbox")
	}
	// The warning comes before the acknowledgement, which comes before anything else of the step.
	if wi, ai := strings.Index(all, "Restoring ERASES ALL DATA"), strings.Index(all, "I have a backup"); wi < 0 || ai < wi {
		t.Errorf("warning at %d, acknowledgement at %d: warning must come first", wi, ai)
	}
	h.shot("recovery-before-ack")
	test.Tap(sw.ack)
	all = joined(h)
	for _, want := range []string{
		"recovery-mode buttons for iPhone 13 Pro Max:",
		"already in recovery mode",
		"Press and quickly release Volume Up.",
		"Press and quickly release Volume Down.",
		"Press and hold the Side button",
		"choose Restore and wait",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("after acknowledging, step 5 lacks %q", want)
		}
	}
	if strings.Contains(all, "Home button") {
		t.Errorf("step 5 shows another family's buttons:\n%s", all)
	}
	if !strings.Contains(all, "Recovery mode") || !strings.Contains(all, "waits for a computer") {
		t.Errorf("device card does not explain recovery mode")
	}
	h.shot("recovery")
}

func TestStep5ButtonsFollowTheModel(t *testing.T) {
	cases := []struct {
		family, want, notWant string
	}{
		{"face-id-or-8-later", "Press and quickly release Volume Up", "Volume Down and the Side button together"},
		{"iphone-7", "Press and hold Volume Down and the Side button together", "Volume Up"},
		{"home-button", "Press and hold the Home button and the Top (or Side) button together", "Volume Up"},
	}
	for _, c := range cases {
		t.Run(c.family, func(t *testing.T) {
			h := newHarness(t, newFake(t, "report-recovery.json"), Options{})
			d := phoneARecovery
			d.RecoveryFamily = c.family
			h.attach(d)
			h.waitVerdict()
			test.Tap(h.u.steps.widgets[5].ack)
			all := joined(h)
			if !strings.Contains(all, c.want) {
				t.Errorf("lacks %q", c.want)
			}
			if strings.Contains(all, c.notWant) {
				t.Errorf("shows %q", c.notWant)
			}
		})
	}
}

func TestStep3ShowsReenableWarning(t *testing.T) {
	h := newHarness(t, newFake(t, "report-healthy.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	test.Tap(h.u.steps.widgets[3].toggle)
	all := joined(h)
	if !strings.Contains(all, "Turn the security software and firewall back on") {
		t.Errorf("step 3 lacks the re-enable warning:\n%s", all)
	}
	if h.u.steps.widgets[3].ack != nil {
		t.Error("step 3's warning must not need an acknowledgement")
	}
	if !strings.Contains(all, "Turn off third-party antivirus") {
		t.Error("step 3 instructions hidden")
	}
}

func TestTriedCheckboxesRerank(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	if h.u.steps.widgets[1].card.Rank != 1 {
		t.Fatalf("step 1 rank = %d before ticking", h.u.steps.widgets[1].card.Rank)
	}
	checks := h.b.checkCount()
	test.Tap(h.u.answers.checks["cable"])
	test.Tap(h.u.answers.checks["port"])
	// Re-ranked at once, without a new check.
	if h.b.checkCount() != checks {
		t.Fatalf("ticking started a check")
	}
	if r := h.u.steps.widgets[1].card.Rank; r == 1 {
		t.Errorf("step 1 still first after trying another cable and port")
	}
	if strings.HasPrefix(h.u.verdict.label.Text, "Try step 1 first") {
		t.Errorf("verdict = %q", h.u.verdict.label.Text)
	}
	if len(h.u.verdict.pro.Objects) != 0 {
		t.Error("professional card before trying another computer")
	}
	test.Tap(h.u.answers.checks["computer"])
	// Answers re-rank; they are evidence only once a check ran with them.
	if len(h.u.verdict.pro.Objects) != 0 {
		t.Error("professional card from answers no check ran with")
	}
	test.Tap(h.u.bar.check)
	h.waitVerdict()
	all := joined(h)
	if len(h.u.verdict.pro.Objects) == 0 || !strings.Contains(all, "See a Professional") {
		t.Errorf("professional card missing after a check with another cable, port and computer:\n%s", all)
	}
	h.shot("tried")
	// Unticking restores the original order.
	for _, k := range []string{"cable", "port", "computer"} {
		test.Tap(h.u.answers.checks[k])
	}
	if h.u.steps.widgets[1].card.Rank != 1 || len(h.u.verdict.pro.Objects) != 0 {
		t.Errorf("unticking did not restore the ranking")
	}
}

func TestCheckAgainShowsBeforeAfter(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json", "report-healthy.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	test.Tap(h.u.answers.checks["cable"])
	test.Tap(h.u.bar.check)
	if !h.u.st.Check.Running {
		t.Fatal("Check again did not start a check")
	}
	h.waitVerdict()
	h.shot("before-after")
	if h.b.checkCount() != 2 {
		t.Fatalf("checks = %d, want 2", h.b.checkCount())
	}
	if got := h.b.checks[1].Tried; !got.Cable {
		t.Errorf("second check ran without the tried flags: %+v", got)
	}
	all := joined(h)
	for _, want := range []string{"Since the previous check", "drops: 3 → 0 after changing the cable", "fixed: The iPhone dropped off USB 3 times in 10 s"} {
		if !strings.Contains(all, want) {
			t.Errorf("before/after lacks %q:\n%s", want, all)
		}
	}
}

func TestSeveralPhonesSelector(t *testing.T) {
	h := newHarness(t, newFake(t, "report-healthy.json"), Options{NoAutoCheck: true})
	h.attach(phoneA)
	h.attach(phoneB)
	h.pump(func() bool { return len(h.u.st.Phones) == 2 })
	if !h.u.phone.selector.Visible() || len(h.u.phone.selector.Options) != 2 {
		t.Fatalf("selector visible=%v options=%v", h.u.phone.selector.Visible(), h.u.phone.selector.Options)
	}
	h.u.phone.selector.SetSelectedIndex(1)
	if h.u.phone.heading.Text != "iPhone 8" {
		t.Errorf("heading after choosing the second phone = %q", h.u.phone.heading.Text)
	}
	if !strings.Contains(joined(h), "through a hub") {
		t.Error("iPhone 8 card does not say it is behind a hub")
	}
	h.b.events <- DeviceEvent{Kind: EventDetach, Source: "usb", Time: h.at, Device: phoneB}
	h.pump(func() bool { return !h.u.st.Phones[phoneB.Key].GoneAt.IsZero() })
	if !strings.Contains(h.u.phone.subheading.Text, "Disconnected") {
		t.Errorf("subheading after detach = %q", h.u.phone.subheading.Text)
	}
}

func TestDemoTitleAndBanner(t *testing.T) {
	h := newHarness(t, newFake(t), Options{Demo: "flapping"})
	if got := h.u.Window().Title(); got != "Restore Doctor — Demo: flapping" {
		t.Errorf("title = %q", got)
	}
	if !strings.Contains(joined(h), `Demo: scenario "flapping"`) {
		t.Error("no demo banner")
	}
}

func TestStopCancelsRunningCheck(t *testing.T) {
	b := newFake(t, "report-flapping.json")
	b.block = make(chan struct{}) // never closed: only cancellation ends the check
	b.cancelled = make(chan struct{})
	h := newHarness(t, b, Options{})
	h.attach(phoneA)
	h.pump(func() bool { return h.u.st.Check.Running && h.u.st.Check.Progress.Total == 3 })
	if !strings.Contains(h.u.progress.label.Text, "Watching the connection for drops: 10 s left") {
		t.Errorf("progress label = %q", h.u.progress.label.Text)
	}
	h.shot("running")
	done := make(chan struct{})
	go func() { h.u.Stop(); close(done) }()
	select {
	case <-b.cancelled:
	case <-time.After(3 * time.Second):
		t.Fatal("Stop did not cancel the running check's context")
	}
	select {
	case <-done:
	case <-time.After(stopWait + time.Second):
		t.Fatal("Stop did not return")
	}
	// Every background goroutine (check, watch, host probe) has ended.
	ended := make(chan struct{})
	go func() { h.u.wg.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(time.Second):
		t.Fatal("background goroutines still running after Stop")
	}
}

func TestHostCardFollowsCheck(t *testing.T) {
	b := newFake(t, "report-healthy.json")
	b.host.UsbmuxdStatus = "unreachable"
	b.host.Detail = "dial unix /var/run/usbmuxd: no such file or directory"
	h := newHarness(t, b, Options{})
	if all := joined(h); !strings.Contains(all, "not running") || strings.Contains(all, "no such file") {
		t.Fatalf("host card before the check (raw error text belongs in Details):\n%s", all)
	}
	if !strings.Contains(h.u.details.text.Text, "no such file") {
		t.Fatalf("Details lack the raw error: %q", h.u.details.text.Text)
	}
	h.attach(phoneA)
	h.waitVerdict()
	all := joined(h)
	if strings.Contains(all, "not running") || strings.Contains(all, "no such file") {
		t.Errorf("host card still says usbmuxd is down after a check found it running:\n%s", all)
	}
}
