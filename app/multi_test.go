package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Three phones of one model (report-multi.json): the first behind a hub, the
// second flapping, the third fine.
var multiPhones = []viewmodel.Device{
	{Key: "00008110-001A2B3C4D5E0001", Name: "iPhone 13 Pro Max", OwnName: "Anna's iPhone", ProductType: "iPhone14,3", Mode: mode.Normal, SpeedMbps: 480, OnUSB: true, BehindHub: true, Listed: true, RecoveryFamily: "face-id-or-8-later"},
	{Key: "00008110-001A2B3C4D5E0002", Name: "iPhone 13 Pro Max", ProductType: "iPhone14,3", Mode: mode.Normal, SpeedMbps: 480, OnUSB: true, Listed: true, RecoveryFamily: "face-id-or-8-later"},
	{Key: "00008110-001A2B3C4D5E0003", Name: "iPhone 13 Pro Max", ProductType: "iPhone14,3", Mode: mode.Normal, SpeedMbps: 480, OnUSB: true, Listed: true, RecoveryFamily: "face-id-or-8-later"},
}

// primaryCard is the step the steps panel highlights (0: none).
func primaryCard(u *UI) int {
	for n, sw := range u.steps.widgets {
		if sw.card.Primary {
			return n
		}
	}
	return 0
}

func selectKey(t *testing.T, u *UI, key string) {
	t.Helper()
	for i := range u.phone.selector.Options {
		u.phone.selector.SetSelectedIndex(i)
		if u.st.Selected == key {
			return
		}
	}
	t.Fatalf("no selector entry for %s (options %q)", key, u.phone.selector.Options)
}

// TestMultiPhoneVerdictFollowsSelection: with several phones the headline,
// the highlighted step, the strip caption and the export are all about the
// selected phone, and "Check again" compares that phone with itself.
func TestMultiPhoneVerdictFollowsSelection(t *testing.T) {
	h := newHarness(t, newFake(t, "report-multi.json", "report-multi-again.json"), Options{})
	for _, d := range multiPhones {
		h.attach(d)
	}
	h.waitVerdict()

	// Distinct selector labels: the owner's name, else the model and a suffix.
	want := []string{"1. Anna's iPhone (Normal)", "2. iPhone 13 Pro Max ·0002 (Normal)", "3. iPhone 13 Pro Max ·0003 (Normal)"}
	if got := strings.Join(h.u.phone.selector.Options, "|"); got != strings.Join(want, "|") {
		t.Errorf("selector = %q, want %q", h.u.phone.selector.Options, want)
	}

	steps := map[string]int{}
	for _, d := range multiPhones {
		selectKey(t, h.u, d.Key)
		h.shot("multi-" + d.Key[len(d.Key)-4:])
		checkConsistent(t, h.u, d.Key)
		steps[d.Key] = h.u.headline.Step
		text := h.u.verdict.label.Text
		hub := strings.Contains(text, "hub") || strings.Contains(joined(h), "through a hub")
		if d.BehindHub != hub {
			t.Errorf("%s: verdict %q mentions a hub = %v, want %v", d.Key, text, hub, d.BehindHub)
		}
		flapping := d.Key == multiPhones[1].Key
		if got := strings.Contains(joined(h), "dropped off USB 3 times"); got != flapping {
			t.Errorf("%s: window mentions the drops = %v, want %v", d.Key, got, flapping)
		}
	}
	if s := steps[multiPhones[1].Key]; s != 1 {
		t.Errorf("flapping phone: step %d, want 1", s)
	}
	if s := steps[multiPhones[2].Key]; s == 1 {
		t.Errorf("healthy third phone: told to try step 1 (%q)", h.u.verdict.label.Text)
	}

	// Check again: the flapping phone is compared with itself (3 → 4 drops
	// is within noise), the third phone with itself (no change).
	selectKey(t, h.u, multiPhones[1].Key)
	h.u.CheckAgain()
	h.waitVerdict()
	h.pump(func() bool { return h.u.st.Prev != nil })
	changes := strings.Join(texts(h.u.verdict.changes), "\n")
	if !strings.Contains(changes, "drops: 3 → 4, about the same") {
		t.Errorf("flapping phone changes:\n%s", changes)
	}
	selectKey(t, h.u, multiPhones[2].Key)
	checkConsistent(t, h.u, multiPhones[2].Key)
	changes = strings.Join(texts(h.u.verdict.changes), "\n")
	if strings.Contains(changes, "drops") || !strings.Contains(changes, "no change") {
		t.Errorf("third phone is compared with another phone:\n%s", changes)
	}
}

// checkConsistent: the headline's step, the highlighted step and the shown
// report's primary_step agree, the shown report is about key alone, and the
// strip caption's drop count is that phone's.
func checkConsistent(t *testing.T, u *UI, key string) {
	t.Helper()
	r := u.st.View
	if r == nil {
		t.Fatalf("%s: no report shown", key)
	}
	primary := 0
	if r.PrimaryStep != nil {
		primary = *r.PrimaryStep
	}
	if primary != 0 && (u.headline.Step != primary || primaryCard(u) != primary) {
		t.Errorf("%s: headline step %d, highlighted step %d, report primary_step %d (headline %q)", key, u.headline.Step, primaryCard(u), primary, u.verdict.label.Text)
	}
	if primary == 0 && primaryCard(u) != 0 {
		t.Errorf("%s: step %d highlighted without a primary step", key, primaryCard(u))
	}
	if len(r.Devices) != 1 || r.Devices[0].Key != key {
		t.Fatalf("%s: shown report is about %+v", key, r.Devices)
	}
	for _, f := range r.Findings {
		if f.DeviceKey != "" && f.DeviceKey != key {
			t.Errorf("%s: shown report has %s of %s", key, f.ID, f.DeviceKey)
		}
	}
	drops := r.Devices[0].Stability.Detaches
	wantDrops := fmt.Sprintf("%d drops", drops)
	if drops == 1 {
		wantDrops = "1 drop"
	}
	if got := u.strip.caption.Text; !strings.Contains(got, wantDrops) {
		t.Errorf("%s: caption %q, want %q", key, got, wantDrops)
	}
	// The export is the report shown.
	path := filepath.Join(t.TempDir(), "r.json")
	if err := u.ExportTo(path, FormatJSON); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got report.Report
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	gotPrimary := 0
	if got.PrimaryStep != nil {
		gotPrimary = *got.PrimaryStep
	}
	if len(got.Devices) != 1 || gotPrimary != primary || got.Devices[0].Stability.Detaches != drops {
		t.Errorf("%s: export has %d devices, primary_step %d, want 1 device, %d (%d drops)", key, len(got.Devices), gotPrimary, primary, drops)
	}
}

// TestLiveCaptionTakesMonitorDrops: while a check runs, the strip caption
// gives the selected phone's drops as the live model counted them since the
// check started; another phone's drops are not in it.
func TestLiveCaptionTakesMonitorDrops(t *testing.T) {
	b := newFake(t, "report-multi.json")
	h := newHarness(t, b, Options{NoAutoCheck: true})
	a, other := multiPhones[1], multiPhones[2]
	send := func(kind EventKind, d viewmodel.Device, drops int) {
		b.events <- DeviceEvent{Kind: kind, Source: "usb", Time: h.at, Device: d, Drops: drops}
	}
	send(EventAttach, a, 2) // two drops before the check: not this check's
	send(EventAttach, other, 0)
	h.pump(func() bool { return len(h.u.st.Phones) == 2 })
	selectKey(t, h.u, a.Key)

	b.mu.Lock()
	b.block = make(chan struct{})
	b.mu.Unlock()
	h.u.CheckAgain()
	h.pump(func() bool { return h.u.st.Check.Running })
	// The Monitor counted two drops of the selected phone (its returns came
	// back between two USB polls, so no detach reached the window): its
	// count is the truth.
	h.at = h.at.Add(time.Second)
	send(EventAttach, a, 4)
	send(EventDetach, other, 1)
	send(EventAttach, other, 1)
	h.pump(func() bool { return h.u.st.Phones[other.Key].Drops == 1 })
	h.at = h.at.Add(time.Second)
	h.u.render()
	if got := h.u.strip.caption.Text; !strings.HasPrefix(got, "So far (2 of 10 s): 2 drops") {
		t.Errorf("caption %q, want the selected phone's 2 drops", got)
	}
	close(b.block)
	h.waitVerdict()
}

// TestTooManyPhonesNote: more phones than a check follows is said in the
// headline with its fix, not "No fault found".
func TestTooManyPhonesNote(t *testing.T) {
	r := loadReport(t, "report-healthy.json")
	r.Findings = append(r.Findings, report.Finding{ID: report.FindingUSBTooManyPhones, Severity: report.SeverityWarning,
		Summary: "More than 64 phones are connected: the ones beyond the first 64 were not checked", Steps: []int{}})
	b := newFake(t)
	b.reports = []*report.Report{r}
	h := newHarness(t, b, Options{})
	h.attach(phoneA)
	h.waitVerdict()
	if v := h.u.verdict.label.Text; !strings.HasPrefix(v, "Fix this first: more than 64 phones are connected") || strings.Contains(v, "No fault found") {
		t.Errorf("headline %q", v)
	}
	if all := joined(h); !strings.Contains(all, "unplug the ones you are not restoring") {
		t.Errorf("fix text missing:\n%s", all)
	}
}
