package app

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// jargon must not reach the main view; it stays behind "Details" and in
// the report.
var jargon = regexp.MustCompile(`(?i)usbmuxd|Apple Mobile Device Service|/etc/hosts|\(root\)|\b0\.0 ms|lockdown|\bp95\b|USB bus|lsusb|dmesg|systemctl|idevicerestore|i/o timeout|exceeds 4 MiB|read unix|\b(?:[a-z0-9-]+\.)+[a-z0-9-]+:\d{2,5}\b|localhost:\d+`)

// openAll expands every step card (and acknowledges step 5's warning).
func openAll(h *harness) {
	for n := 1; n <= 6; n++ {
		if sw := h.u.steps.widgets[n]; sw != nil && !sw.card.Expanded {
			test.Tap(sw.toggle)
		}
	}
	if sw := h.u.steps.widgets[5]; sw != nil && sw.ack != nil && !sw.ack.Checked {
		test.Tap(sw.ack)
	}
}

func TestMainViewHasNoJargon(t *testing.T) {
	for _, c := range []struct {
		report string
		dev    viewmodel.Device
	}{
		{"report-flapping.json", phoneA}, {"report-healthy.json", phoneA}, {"report-recovery.json", phoneARecovery},
		{"report-none.json", phoneA}, {"report-hung.json", phoneA}, {"report-garbage.json", phoneA},
		{"report-untrusted.json", phoneA}, {"report-restore.json", phoneA},
	} {
		t.Run(c.report, func(t *testing.T) {
			b := newFake(t, c.report)
			b.host.Detail = "read unix @->/var/run/usbmuxd: i/o timeout"
			h := newHarness(t, b, Options{})
			h.attach(c.dev)
			h.waitVerdict()
			openAll(h)
			all := joined(h)
			for _, m := range jargon.FindAllString(all, -1) {
				t.Errorf("main view shows %q", m)
			}
			if !strings.Contains(h.u.details.text.Text, "i/o timeout") {
				t.Errorf("Details lack the technical text")
			}
			if strings.HasPrefix(strings.ToLower(h.u.verdict.label.Text), "usbmuxd") {
				t.Errorf("verdict starts with usbmuxd: %q", h.u.verdict.label.Text)
			}
			if !strings.Contains(all, "red line = the iPhone dropped off") {
				t.Error("the stability strip has no legend")
			}
		})
	}
}

// A check that failed shows a plain sentence; the raw error is in Details.
func TestRunErrorInPlainWords(t *testing.T) {
	b := newFake(t) // no report: Check fails
	h := newHarness(t, b, Options{})
	h.attach(phoneA)
	h.waitVerdict()
	raw := "frame length 4294967280 exceeds 4 MiB"
	h.u.st.RunErr = errors.New(raw)
	h.u.render()
	if all := joined(h); strings.Contains(all, raw) || strings.Contains(all, "deadline exceeded") {
		t.Errorf("raw error on screen:\n%s", all)
	}
	if !strings.HasPrefix(h.u.verdict.label.Text, "The check could not run: ") || !strings.Contains(h.u.details.text.Text, raw) {
		t.Errorf("verdict %q, details %q", h.u.verdict.label.Text, h.u.details.text.Text)
	}
}

// Hung usbmuxd: the phone keeps its name, and the card does not say "iOS
// not known yet" next to "iOS is running normally".
func TestHungKeepsModelAndNoContradiction(t *testing.T) {
	h := newHarness(t, newFake(t, "report-hung.json"), Options{})
	d := phoneA
	d.IOSVersion = ""
	h.attach(d)
	h.waitVerdict()
	all := joined(h)
	if h.u.phone.heading.Text != "iPhone 13 Pro Max" {
		t.Errorf("heading = %q", h.u.phone.heading.Text)
	}
	if strings.Contains(all, "not known yet") || strings.Contains(all, "iOS is running normally") {
		t.Errorf("contradicting iOS lines:\n%s", all)
	}
}

func TestRestoreModeVerdict(t *testing.T) {
	h := newHarness(t, newFake(t, "report-restore.json"), Options{})
	d := phoneA
	d.Mode = mode.Restore
	h.attach(d)
	h.waitVerdict()
	v := h.u.verdict.label.Text
	if !strings.HasPrefix(v, "A restore is in progress") || !strings.Contains(v, "do not unplug") {
		t.Errorf("verdict = %q", v)
	}
	if all := joined(h); strings.Contains(all, "No fault found") || strings.Contains(all, "try the restore again") {
		t.Errorf("restore mode gets a clean bill:\n%s", all)
	}
}

// usbmuxd lists the phone but lockdownd refuses: a finding with steps 4 and
// 1, never "No fault found".
func TestLockdownUnreachableIsAFinding(t *testing.T) {
	b := newFake(t, "report-healthy.json")
	r := b.reports[0]
	r.Findings = append(r.Findings, report.Finding{ID: report.FindingLockdownUnreachable, Severity: report.SeverityCritical,
		Summary: "The computer sees the iPhone but cannot talk to it", Evidence: map[string]any{"error": "connection refused"}})
	h := newHarness(t, b, Options{})
	h.attach(phoneA)
	h.waitVerdict()
	if !strings.HasPrefix(h.u.verdict.label.Text, "Try step 4 first") || strings.Contains(h.u.verdict.label.Text, "No fault") {
		t.Errorf("verdict = %q", h.u.verdict.label.Text)
	}
	if sw := h.u.steps.widgets[1]; sw == nil || !sw.card.Applies {
		t.Error("step 1 does not apply")
	}
}

// When "See a professional" is recommended the headline says so; the
// answers alone never recommend it: the check must run with them (issue 19,
// finding 3).
func TestProfessionalHeadline(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	for _, k := range []string{"cable", "computer"} {
		test.Tap(h.u.answers.checks[k])
	}
	if len(h.u.verdict.pro.Objects) != 0 || strings.Contains(h.u.verdict.label.Text, "Professional") {
		t.Fatalf("professional recommended from answers given after the check: %q", h.u.verdict.label.Text)
	}
	if got := h.u.verdict.label.Text; !strings.HasPrefix(got, "Check again with the other cable and on the other computer") {
		t.Errorf("headline does not ask for a check with the answers: %q", got)
	}
	test.Tap(h.u.bar.check)
	h.waitVerdict()
	if len(h.u.verdict.pro.Objects) == 0 {
		t.Fatal("no professional card")
	}
	if !strings.HasPrefix(h.u.verdict.label.Text, "See a Professional") {
		t.Errorf("professional card shown, but the headline says %q", h.u.verdict.label.Text)
	}
	for n, sw := range h.u.steps.widgets {
		if sw.card.Badge == "Try first" {
			t.Errorf("step %d says \"Try first\" under a See-a-professional headline", n)
		}
	}
}

func TestTailoredSteps(t *testing.T) {
	t.Run("already in recovery", func(t *testing.T) {
		h := newHarness(t, newFake(t, "report-recovery.json"), Options{})
		h.attach(phoneARecovery)
		h.waitVerdict()
		test.Tap(h.u.steps.widgets[5].ack)
		all := joined(h)
		if !strings.Contains(all, "already in recovery mode") || !strings.Contains(all, "choose Restore") {
			t.Errorf("step 5 does not say the phone is already in recovery mode:\n%s", all)
		}
		if strings.Contains(all, "Put the iPhone into recovery mode with the buttons") {
			t.Error("step 5 tells a phone in recovery mode to enter recovery mode")
		}
	})
	t.Run("step 4 retries only after restarting", func(t *testing.T) {
		h := newHarness(t, newFake(t, "report-healthy.json"), Options{})
		h.attach(phoneA)
		h.waitVerdict()
		lines := h.u.steps.widgets[4].card.Instructions
		last := lines[len(lines)-1]
		if !strings.Contains(last, "try the restore again") || !strings.Contains(last, "started again") {
			t.Errorf("step 4's last line is %q, want the retry after both restarted", last)
		}
		for _, l := range lines[:len(lines)-1] {
			if strings.Contains(strings.ToLower(l), "retry") || strings.Contains(l, "restore again") {
				t.Errorf("step 4 says to retry before the restarts: %q", l)
			}
		}
	})
	t.Run("healthy names step 6 and marks it", func(t *testing.T) {
		h := newHarness(t, newFake(t, "report-healthy.json"), Options{})
		h.attach(phoneA)
		h.waitVerdict()
		sw := h.u.steps.widgets[6]
		if !strings.Contains(h.u.verdict.label.Text, "step 6") || sw == nil || !sw.card.Mentioned || sw.card.Badge == "" {
			t.Errorf("verdict %q, step 6 card %+v", h.u.verdict.label.Text, sw)
		}
	})
	t.Run("untrusted says it once", func(t *testing.T) {
		h := newHarness(t, newFake(t, "report-untrusted.json"), Options{})
		h.attach(phoneA)
		h.waitVerdict()
		all := strings.ToLower(joined(h))
		if n := strings.Count(all, "does not trust this computer"); n > 1 {
			t.Errorf("\"does not trust this computer\" %d times:\n%s", n, all)
		}
		if n := strings.Count(all, "tap trust"); n != 1 {
			t.Errorf("\"tap Trust\" %d times, want once:\n%s", n, all)
		}
	})
}

// The headline's step is the highlighted step is the report's primary_step.
func TestHeadlineMatchesHighlightedStep(t *testing.T) {
	for _, name := range []string{"report-flapping.json", "report-healthy.json", "report-recovery.json", "report-none.json",
		"report-hung.json", "report-garbage.json", "report-untrusted.json", "report-restore.json"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, newFake(t, name), Options{})
			h.attach(phoneA)
			h.waitVerdict()
			var highlighted []int
			for n, sw := range h.u.steps.widgets {
				if sw.card.Primary {
					highlighted = append(highlighted, n)
				}
			}
			p := h.u.st.Last.Report.PrimaryStep
			switch {
			case p == nil && len(highlighted) != 0:
				t.Errorf("no primary step, but step %v highlighted", highlighted)
			case p != nil && (len(highlighted) != 1 || highlighted[0] != *p):
				t.Errorf("primary_step %d, highlighted %v", *p, highlighted)
			case p != nil && !strings.Contains(h.u.verdict.label.Text, "tep "+string(rune('0'+*p))):
				t.Errorf("primary_step %d, headline %q", *p, h.u.verdict.label.Text)
			}
		})
	}
}
