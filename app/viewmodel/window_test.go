package viewmodel

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// risky are instructions that may break a running restore.
var risky = regexp.MustCompile(`(?i)unplug|restart|press|hold|volume|side button|home button`)

// Issue 19, finding 2: while a restore runs no step tells the user to
// unplug, restart or press buttons, even opened and acknowledged.
func TestRestoreWithholdsEveryRiskyInstruction(t *testing.T) {
	cat := testCatalog
	cat.Steps = append([]StepText(nil), cat.Steps...)
	cat.Steps[3].Instructions = []string{"Unplug the iPhone.", "Restart the computer."}
	open := map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true}
	for _, in := range []StepsInput{
		{Report: load(t, "report-restore.json"), Catalog: cat, Family: "face-id-or-8-later", Expanded: open, Acknowledged: map[int]bool{5: true}},
		{Catalog: cat, Family: "face-id-or-8-later", Expanded: open, Acknowledged: map[int]bool{5: true}, Restoring: true},
	} {
		for _, c := range BuildSteps(in) {
			shown := strings.Join(append(append([]string{}, c.Instructions...), c.RecoveryButtons...), " ")
			if c.ShowInstructions || shown != "" {
				t.Errorf("step %d shows %q during a restore", c.Number, shown)
			}
			if c.Withheld == "" || risky.MatchString(c.Withheld) {
				t.Errorf("step %d: withheld text %q", c.Number, c.Withheld)
			}
		}
	}
}

// Issue 19, finding 6: the mode the user asked for is the outcome.
func TestAskedForSpeaksInTheActionsTerms(t *testing.T) {
	before, after := load(t, "report-healthy.json"), load(t, "report-recovery.json")
	after.Devices[0].Key = before.Devices[0].Key
	changes := BuildChanges(before, after, before.Devices[0].Key, Tried{}, Tried{})
	got := AskedFor(before, after, before.Devices[0].Key, changes, actions.EnterRecovery)
	if len(got) == 0 || got[0].Text != "now in recovery mode, as asked" || got[0].Direction != AsAsked {
		t.Fatalf("changes %+v", got)
	}
	for _, c := range got {
		if c.Direction == Worse && strings.Contains(c.Text, "recovery mode") {
			t.Errorf("entering recovery as asked shown as worse: %q", c.Text)
		}
	}
	back := AskedFor(after, before, before.Devices[0].Key, BuildChanges(after, before, before.Devices[0].Key, Tried{}, Tried{}), actions.ExitRecovery)
	for _, c := range back {
		if strings.HasPrefix(c.Text, "fixed: ") && strings.Contains(c.Text, "recovery mode") {
			t.Errorf("leaving recovery as asked shown as a fix: %q", c.Text)
		}
	}
	if back[0].Direction != AsAsked {
		t.Errorf("exit: %+v", back)
	}
}

// Issue 19, finding 7: the confirmation starts with a capital, says to keep
// the phone connected and names it apart from others of the same model.
func TestConfirmation(t *testing.T) {
	a := Device{Key: "00008110-000000000000AAAA", Name: "iPhone 13 Pro Max", Mode: mode.Normal}
	b := Device{Key: "00008110-000000000000BBBB", Name: "iPhone 13 Pro Max", Mode: mode.Normal}
	name := ConfirmName([]Device{a, b}, b)
	if name == "iPhone 13 Pro Max" || !strings.Contains(name, "iPhone 13 Pro Max") {
		t.Errorf("name %q does not tell the two phones apart", name)
	}
	if other := ConfirmName([]Device{a, b}, a); other == name {
		t.Errorf("both phones are %q", name)
	}
	for _, k := range actions.Kinds() {
		s := ConfirmText(k, "the iPhone")
		if s[0] < 'A' || s[0] > 'Z' {
			t.Errorf("%s: starts in lowercase: %q", k, s)
		}
		if !strings.Contains(s, "Keep it connected") {
			t.Errorf("%s: does not say to keep it connected: %q", k, s)
		}
	}
}

// Issue 19, findings 1 and 3: the headline of a check cut by the service,
// and of answers given after the check.
func TestQualify(t *testing.T) {
	fault := Verdict{Kind: VerdictFault, Step: 1, Text: "Try step 1 first."}
	if v := Qualify(fault, Context{Untested: Tried{Cable: true}}); !strings.HasPrefix(v.Text, "Check again with the other cable") {
		t.Errorf("untested answers: %q", v.Text)
	}
	if v := Qualify(fault, Context{ServiceLost: true}); v.Kind != VerdictError || strings.Contains(v.Text, "Try step") {
		t.Errorf("service lost: %+v", v)
	}
	if v := Qualify(fault, Context{}); v.Text != fault.Text || v.Kind != fault.Kind {
		t.Errorf("nothing to add: %+v", v)
	}
}

func TestPlainRemovesServiceNames(t *testing.T) {
	for _, s := range []string{
		"The Apple device service (usbmuxd / Apple Mobile Device Service) is not running or cannot be reached",
		"Restart the iPhone needs usbmuxd to list the iPhone over USB",
	} {
		if got := Plain(s); strings.Contains(got, "usbmuxd") || strings.Contains(got, "Apple Mobile Device Service") {
			t.Errorf("Plain(%q) = %q", s, got)
		}
	}
}

// Issue 19, finding 13: no "0 of 10 s", no "0.0 ms", "10 s" with a space.
func TestStripWords(t *testing.T) {
	s := BuildStrip(stripT0, quick, nil, []LatencySample{{Time: stripT0, Failed: true}})
	if strings.Contains(s.Caption, "0.0 ms") || !strings.Contains(s.Caption, "10 s") {
		t.Errorf("caption %q", s.Caption)
	}
	if got := LiveCaption(s, 0, quick); strings.Contains(got, "0 of 10") {
		t.Errorf("live caption at the start %q", got)
	}
	r := load(t, "report-healthy.json")
	if got := StabilitySummary(r, r.Devices[0].Key); regexp.MustCompile(`\d+s\b`).MatchString(got) {
		t.Errorf("stability summary %q writes seconds without a space", got)
	}
	r.InProgress = &report.InProgress{WindowS: 10}
	if v := ProvisionalVerdict(r, testCatalog, 0, quick); strings.Contains(v.Text, "0 of 10") {
		t.Errorf("verdict so far at the start %q", v.Text)
	}
}

var stripT0 = time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)

const quick = 10 * time.Second

// Issue 19, finding 5: "No fault found" says which checks did not run.
func TestNoFaultNamesChecksThatDidNotRun(t *testing.T) {
	r := load(t, "report-healthy.json")
	r.Checks = append(r.Checks,
		report.Check{ID: report.CheckHostAppleServers, Status: report.StatusSkipped},
		report.Check{ID: report.CheckHostSecuritySoftware, Status: report.StatusUnsupported})
	v := BuildVerdict(r, testCatalog, false, true, nil)
	if !strings.Contains(v.Text, "Apple's servers") || !strings.Contains(v.Text, "security software") || strings.HasPrefix(v.Text, "No fault found:") {
		t.Errorf("headline %q", v.Text)
	}
}

// Issue 19, finding 13: after "Another computer", step 6 is not "Then".
func TestStepAlreadyTried(t *testing.T) {
	r := load(t, "report-flapping.json")
	six := 6
	for i := range r.Steps {
		if r.Steps[i].Number == 6 {
			r.Steps[i].Applies, r.Steps[i].Rank = true, &six
		}
	}
	cards := BuildSteps(StepsInput{Report: r, Catalog: testCatalog, Tried: Tried{Computer: true}})
	for i, c := range cards {
		if c.Number != 6 {
			continue
		}
		if c.Badge != "Already tried" {
			t.Errorf("step 6 badge %q", c.Badge)
		}
		for _, o := range cards[i+1:] {
			if o.Applies {
				t.Errorf("step %d ranked after step 6, which was already tried", o.Number)
			}
		}
	}
}

// Issue 19, finding 13: the DFU card never says "recovery mode" for the
// mode the phone is in.
func TestDFUCardSpeaksOfDFU(t *testing.T) {
	cat := testCatalog
	cat.Steps = append([]StepText(nil), cat.Steps...)
	cat.Steps[4].InRecovery = []string{"In Finder choose Restore.", "If the download takes longer than 15 minutes, the iPhone leaves recovery mode on its own: put it back into recovery mode."}
	for _, c := range BuildSteps(StepsInput{Catalog: cat, LowLevel: true, ModeName: "DFU mode", Acknowledged: map[int]bool{5: true}, Expanded: map[int]bool{5: true}}) {
		if c.Number != 5 {
			continue
		}
		for _, l := range c.Instructions {
			if strings.Contains(l, "recovery mode") {
				t.Errorf("DFU card says %q", l)
			}
		}
	}
}

// TestStabilitySummaryDrops: the window's caption shows the report's
// devices[].stability.detaches of the selected phone and nothing else, so it
// is the one number diagnostics/session's TestSessionSameNumbers checks
// against the headline and the watch stream.
func TestStabilitySummaryDrops(t *testing.T) {
	for _, tc := range []struct {
		drops int
		want  string
	}{{0, "Last check: 0 drops"}, {1, "Last check: 1 drop in"}, {3, "Last check: 3 drops"}} {
		r := load(t, "report-healthy.json")
		r.Devices[0].Stability.Detaches = tc.drops
		if got := StabilitySummary(r, r.Devices[0].Key); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%d drops: caption %q, want it to start %q", tc.drops, got, tc.want)
		}
	}
}
