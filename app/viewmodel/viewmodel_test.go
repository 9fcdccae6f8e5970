package viewmodel

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func load(t testing.TB, name string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func ptr[T any](v T) *T { return &v }

var testCatalog = Catalog{
	Steps: []StepText{
		{Number: 1, Title: "Check USB Connection and Cable", Instructions: []string{"swap the cable"}},
		{Number: 2, Title: "Update iTunes or Use Alternative Software"},
		{Number: 3, Title: "Disable Security and Firewall Software Temporarily", Warning: "Turn it back on."},
		{Number: 4, Title: "Restart iPhone and Computer"},
		{Number: 5, Title: "Put iPhone in Recovery Mode and Restore Again", Warning: "Erases all data.", MustAcknowledge: true, AcknowledgeLabel: "I have a backup", Instructions: []string{"restore"}},
		{Number: 6, Title: "Try a Different Computer"},
	},
	Recovery: map[string]Recovery{
		"face-id-or-8-later": {Family: "face-id-or-8-later", Models: "iPhone 8 and later", Steps: []string{"Volume Up", "Volume Down", "hold Side"}},
		"iphone-7":           {Family: "iphone-7", Models: "iPhone 7", Steps: []string{"hold Volume Down + Side"}},
		"home-button":        {Family: "home-button", Models: "iPhone 6s and earlier", Steps: []string{"hold Home + Top"}},
		"unknown":            {Family: "unknown", Models: "any", Steps: []string{"depends on the model", "iPhone 8 and later: Volume Up …"}},
	},
	Fixes: map[string]string{report.FindingLockdownUntrusted: "Tap Trust on the iPhone."},
}

func TestBuildDeviceCard(t *testing.T) {
	hostOK := Host{Known: true, UsbmuxdStatus: report.UsbmuxdOK, USBStatus: USBOK}
	cases := []struct {
		name      string
		devs      []Device
		selected  string
		host      Host
		heading   string
		connected bool
		choices   int
		lines     []string // "Label=Value" that must be present
		bad       []string // labels marked Bad
	}{
		{name: "no phone", host: hostOK, heading: "Connect your iPhone with a USB cable",
			lines: []string{"iPhone service=running", "USB access=ok"}},
		{name: "no phone, usbmuxd down, USB denied", host: Host{Known: true, UsbmuxdStatus: report.UsbmuxdUnreachable, USBStatus: USBDenied},
			heading: "Connect your iPhone with a USB cable",
			lines:   []string{"iPhone service=not running", "USB access=denied: install the udev rule"},
			bad:     []string{"iPhone service", "USB access"}},
		{name: "no phone, Linux usbmuxd idle (starts on demand)", host: Host{Known: true, UsbmuxdStatus: report.UsbmuxdUnreachable, UsbmuxdOnDemand: true, USBStatus: USBOK},
			heading: "Connect your iPhone with a USB cable",
			lines:   []string{"iPhone service=not running; it starts when an iPhone is plugged in", "USB access=ok"}},
		{name: "host not probed yet", heading: "Connect your iPhone with a USB cable", lines: []string{"iPhone service=checking…", "USB access=checking…"}},
		{name: "healthy phone", host: hostOK, connected: true, heading: "iPhone 13 Pro Max",
			devs:  []Device{{Key: "A", Name: "iPhone 13 Pro Max", Mode: mode.Normal, IOSVersion: "17.5.1", SpeedMbps: 480, OnUSB: true, Listed: true, Trusted: ptr(true)}},
			lines: []string{"Mode=Normal", "iOS=17.5.1", "Connection=USB 2 high speed (480 Mbit/s), direct to the computer", "Trust=this computer is trusted"}},
		{name: "full speed behind a hub, untrusted", host: hostOK, connected: true, heading: "iPhone 8",
			devs:  []Device{{Key: "B", Name: "iPhone 8", Mode: mode.Normal, SpeedMbps: 12, BehindHub: true, OnUSB: true, Trusted: ptr(false)}},
			lines: []string{"iOS=version not read", "Connection=USB full speed (12 Mbit/s): too slow, usually a bad cable or port, through a hub, dock or adapter", "Trust=not trusted yet"},
			bad:   []string{"Connection", "Trust"}},
		{name: "recovery mode", host: hostOK, connected: true, heading: "iPhone 13 Pro Max",
			devs:  []Device{{Key: "R", Name: "iPhone 13 Pro Max", Mode: mode.Recovery, SpeedMbps: 480, OnUSB: true}},
			lines: []string{"Mode=Recovery mode", "Trust=not needed in recovery mode"},
			bad:   []string{"Mode"}},
		{name: "unknown DFU phone", host: hostOK, connected: true, heading: "iPhone (DFU mode)",
			devs: []Device{{Key: "D", Mode: mode.DFU, OnUSB: true, SpeedMbps: 480}}, lines: []string{"Mode=DFU mode", "Trust=not needed in DFU mode"}},
		{name: "usbmuxd only", host: hostOK, connected: true, heading: "iPhone14,3",
			devs:  []Device{{Key: "U", ProductType: "iPhone14,3", Mode: mode.Normal, Listed: true}},
			lines: []string{"Connection=seen by this computer's iPhone service (USB details not available)"}},
		{name: "two phones, second selected", host: hostOK, connected: true, heading: "iPhone 8", selected: "B", choices: 2,
			devs: []Device{{Key: "A", Name: "iPhone 13 Pro Max", Mode: mode.Normal, OnUSB: true}, {Key: "B", Name: "iPhone 8", Mode: mode.Normal, OnUSB: true}}},
		{name: "two phones, selection gone", host: hostOK, connected: true, heading: "iPhone 13 Pro Max", selected: "gone", choices: 2,
			devs: []Device{{Key: "B", Name: "iPhone 8", Mode: mode.Normal, OnUSB: true}, {Key: "A", Name: "iPhone 13 Pro Max", Mode: mode.Normal, OnUSB: true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := BuildDeviceCard(c.devs, c.selected, c.host)
			if card.Heading != c.heading || card.Connected != c.connected || len(card.Choices) != c.choices {
				t.Fatalf("heading %q connected %v choices %v", card.Heading, card.Connected, card.Choices)
			}
			got := map[string]Line{}
			for _, l := range append(append([]Line{}, card.Lines...), card.Host...) {
				got[l.Label] = l
			}
			for _, want := range c.lines {
				label, value, _ := strings.Cut(want, "=")
				if got[label].Value != value {
					t.Errorf("%s = %q, want %q", label, got[label].Value, value)
				}
			}
			for _, label := range c.bad {
				if !got[label].Bad {
					t.Errorf("%s not marked bad", label)
				}
			}
			if c.connected && card.ModeExplanation == "" {
				t.Error("no mode explanation")
			}
		})
	}
}

func TestBuildSteps(t *testing.T) {
	cases := []struct {
		name       string
		report     string
		family     string
		ack        map[int]bool
		expanded   map[int]bool
		order      []int
		primary    int
		showInstr5 bool
		buttons    []string
	}{
		{name: "no report: catalogue order, nothing applies", order: []int{1, 2, 3, 4, 5, 6}},
		{name: "flapping: 1 then 4 first", report: "report-flapping.json", order: []int{1, 4, 2, 3, 5, 6}, primary: 1},
		{name: "healthy: nothing applies", report: "report-healthy.json", order: []int{1, 2, 3, 4, 5, 6}},
		{name: "recovery before acknowledging", report: "report-recovery.json", family: "face-id-or-8-later", order: []int{5, 1, 2, 3, 4, 6}, primary: 5,
			buttons: []string{"Volume Up", "Volume Down", "hold Side"}},
		{name: "recovery acknowledged", report: "report-recovery.json", family: "iphone-7", ack: map[int]bool{5: true}, order: []int{5, 1, 2, 3, 4, 6}, primary: 5,
			showInstr5: true, buttons: []string{"hold Volume Down + Side"}},
		{name: "recovery, unknown model", report: "report-recovery.json", family: "", order: []int{5, 1, 2, 3, 4, 6}, primary: 5,
			buttons: []string{"depends on the model", "iPhone 8 and later: Volume Up …"}},
		{name: "user collapsed the primary step", report: "report-flapping.json", expanded: map[int]bool{1: false, 3: true}, order: []int{1, 4, 2, 3, 5, 6}, primary: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r *report.Report
			if c.report != "" {
				r = load(t, c.report)
			}
			cards := BuildSteps(StepsInput{Report: r, Catalog: testCatalog, Family: c.family, ModelName: "iPhone X", Acknowledged: c.ack, Expanded: c.expanded})
			var order []int
			byNum := map[int]StepCard{}
			for _, card := range cards {
				order = append(order, card.Number)
				byNum[card.Number] = card
			}
			if !reflect.DeepEqual(order, c.order) {
				t.Errorf("order %v, want %v", order, c.order)
			}
			for _, card := range cards {
				isPrimary := card.Number == c.primary
				if card.Primary != isPrimary {
					t.Errorf("step %d primary = %v", card.Number, card.Primary)
				}
				wantExpanded := isPrimary
				if v, ok := c.expanded[card.Number]; ok {
					wantExpanded = v
				}
				if card.Expanded != wantExpanded {
					t.Errorf("step %d expanded = %v, want %v", card.Number, card.Expanded, wantExpanded)
				}
				if card.Applies != (card.Badge != "") {
					t.Errorf("step %d applies %v but badge %q", card.Number, card.Applies, card.Badge)
				}
				for _, why := range card.Reasons {
					if !strings.HasPrefix(why, "Why: ") {
						t.Errorf("reason %q lacks \"Why: \"", why)
					}
				}
			}
			if c.primary != 0 && byNum[c.primary].Badge != "Try first" {
				t.Errorf("primary badge = %q", byNum[c.primary].Badge)
			}
			s5 := byNum[5]
			if !s5.MustAcknowledge || s5.Warning == "" {
				t.Errorf("step 5 must warn and need an acknowledgement: %+v", s5)
			}
			if s5.ShowInstructions != c.showInstr5 {
				t.Errorf("step 5 ShowInstructions = %v, want %v", s5.ShowInstructions, c.showInstr5)
			}
			if c.buttons != nil && !reflect.DeepEqual(s5.RecoveryButtons, c.buttons) {
				t.Errorf("step 5 buttons = %v, want %v", s5.RecoveryButtons, c.buttons)
			}
			if s3 := byNum[3]; s3.Warning == "" || s3.MustAcknowledge || !s3.ShowInstructions {
				t.Errorf("step 3 must show its warning without an acknowledgement: %+v", s3)
			}
		})
	}
}

func TestBuildVerdict(t *testing.T) {
	cases := []struct {
		name               string
		report             string
		running, connected bool
		err                error
		kind, prefix       string
	}{
		{name: "waiting, no phone", kind: VerdictWaiting, prefix: "Connect your iPhone"},
		{name: "waiting, phone", connected: true, kind: VerdictWaiting, prefix: "iPhone found"},
		{name: "running", running: true, connected: true, kind: VerdictRunning, prefix: "Checking"},
		{name: "error", err: os.ErrDeadlineExceeded, kind: VerdictError, prefix: "The check could not run: the computer's iPhone connection service did not answer in time."},
		{name: "flapping", report: "report-flapping.json", kind: VerdictFault, prefix: "Try step 1 first: Check USB Connection and Cable. The iPhone dropped off USB 3 times in 10 s."},
		{name: "healthy", report: "report-healthy.json", kind: VerdictHealthy, prefix: "No fault found in the checks that ran (not checked: Apple's servers): try the restore again; if error 1002 returns, step 6 (Try a Different Computer)."},
		{name: "recovery", report: "report-recovery.json", kind: VerdictFault, prefix: "Step 5: the iPhone is already in recovery mode, so restore it now"},
		{name: "untrusted, no step", report: "untrusted", kind: VerdictFault, prefix: "Fix this first: the iPhone does not trust this computer."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r *report.Report
			switch c.report {
			case "":
			case "untrusted":
				r = load(t, "report-healthy.json")
				r.Findings = []report.Finding{{ID: report.FindingLockdownUntrusted, Severity: report.SeverityWarning, Summary: "The iPhone does not trust this computer"}}
			default:
				r = load(t, c.report)
			}
			v := BuildVerdict(r, testCatalog, c.running, c.connected, c.err)
			if v.Kind != c.kind || !strings.HasPrefix(v.Text, c.prefix) {
				t.Errorf("verdict %s %q, want %s %q…", v.Kind, v.Text, c.kind, c.prefix)
			}
		})
	}
}

func TestBuildChanges(t *testing.T) {
	flap, healthy, rec := load(t, "report-flapping.json"), load(t, "report-healthy.json"), load(t, "report-recovery.json")
	slow := load(t, "report-healthy.json")
	slow.Devices[0].Lockdown.RTTms.P95 = 900
	slow.Devices[0].USB.BehindHub = true
	none := load(t, "report-none.json")
	cases := []struct {
		name          string
		before, after *report.Report
		tb, ta        Tried
		want          []Change
	}{
		{name: "no previous check", after: flap},
		{name: "cable fixed the drops", before: flap, after: healthy, ta: Tried{Cable: true}, want: []Change{
			{Text: "drops: 3 → 0 after changing the cable", Direction: Better},
			{Text: "fixed: The iPhone dropped off USB 3 times in 10 s after changing the cable", Direction: Better},
		}},
		{name: "it got worse", before: healthy, after: flap, tb: Tried{Cable: true}, ta: Tried{Cable: true, Restart: true}, want: []Change{
			{Text: "drops: 0 → 3 after restarting", Direction: Worse},
			{Text: "new problem: The iPhone dropped off USB 3 times in 10 s", Direction: Worse},
		}},
		{name: "nothing changed", before: healthy, after: healthy, want: []Change{{Text: "no change since the previous check", Direction: Same}}},
		{name: "hub and slow lockdown", before: healthy, after: slow, want: []Change{
			{Text: "connection: direct → through a hub", Direction: Worse},
			{Text: "iPhone answer time: 40 ms → 900 ms", Direction: Worse},
		}},
		{name: "mode change", before: flap, after: rec, want: []Change{
			{Text: "drops: 3 → 0", Direction: Better},
			{Text: "mode: normal → recovery", Direction: Same},
			{Text: "new problem: The iPhone is in recovery mode", Direction: Worse},
			{Text: "fixed: The iPhone dropped off USB 3 times in 10 s", Direction: Better},
		}},
		{name: "phone gone", before: healthy, after: none, want: []Change{
			{Text: "the iPhone is no longer connected", Direction: Worse},
			{Text: "new problem: No Apple device on the USB bus", Direction: Worse},
		}},
		{name: "phone back", before: none, after: healthy, ta: Tried{Port: true}, want: []Change{
			{Text: "the iPhone is now connected after moving to another USB port", Direction: Better},
			{Text: "fixed: No Apple device on the USB bus after moving to another USB port", Direction: Better},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := BuildChanges(c.before, c.after, "", c.tb, c.ta)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestBuildStrip(t *testing.T) {
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	cases := []struct {
		name    string
		window  time.Duration
		events  []StripEvent
		samples []LatencySample
		marks   []Mark
		points  []Point
		scale   float64
		caption string
	}{
		{name: "no window", caption: "Stability: waiting for a check"},
		{name: "flaps", window: 10 * time.Second,
			events: []StripEvent{{Time: at(1000), Kind: MarkDetach}, {Time: at(2500), Kind: MarkAttach}, {Time: at(-5), Kind: MarkDetach}, {Time: at(11000), Kind: MarkAttach}},
			marks:  []Mark{{0.1, MarkDetach}, {0.25, MarkAttach}}, scale: 20,
			caption: "Stability over 10 s: 1 drop"},
		{name: "latency and a failure", window: 10 * time.Second,
			samples: []LatencySample{{Time: at(0), RTT: 10 * time.Millisecond}, {Time: at(5000), RTT: 50 * time.Millisecond}, {Time: at(9000), Failed: true}},
			points:  []Point{{X: 0, Y: 0.125}, {X: 0.5, Y: 0.625}, {X: 0.9, Y: 1, Failed: true}}, scale: 80,
			caption: "Stability over 10 s: 0 drops, answers took up to 50 ms, 1 question went unanswered"},
		{name: "sub-millisecond", window: 30 * time.Second,
			samples: []LatencySample{{Time: at(0), RTT: 300 * time.Microsecond}},
			points:  []Point{{X: 0, Y: 0.015}}, scale: 20,
			caption: "Stability over 30 s: 0 drops, answers took up to 0.3 ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := t0
			if c.window == 0 {
				start = time.Time{}
			}
			s := BuildStrip(start, c.window, c.events, c.samples)
			if !reflect.DeepEqual(s.Marks, c.marks) {
				t.Errorf("marks %+v, want %+v", s.Marks, c.marks)
			}
			if len(s.Points) != len(c.points) {
				t.Fatalf("points %+v, want %+v", s.Points, c.points)
			}
			for i, p := range s.Points {
				w := c.points[i]
				if p.Failed != w.Failed || abs(p.X-w.X) > 1e-4 || abs(p.Y-w.Y) > 1e-4 {
					t.Errorf("point %d = %+v, want %+v", i, p, w)
				}
			}
			if c.window > 0 && s.ScaleMs != c.scale {
				t.Errorf("scale %v, want %v", s.ScaleMs, c.scale)
			}
			if s.Caption != c.caption {
				t.Errorf("caption %q, want %q", s.Caption, c.caption)
			}
		})
	}
}

func abs(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}

func TestBuildNotes(t *testing.T) {
	r := load(t, "report-healthy.json")
	r.Findings = append(r.Findings,
		report.Finding{ID: report.FindingLockdownUntrusted, Severity: report.SeverityWarning, Summary: "The iPhone does not trust this computer"},
		report.Finding{ID: report.FindingLockdownUntrusted, Severity: report.SeverityWarning, Summary: "duplicate"},
		report.Finding{ID: report.FindingUSBUnstable, Severity: report.SeverityCritical, Summary: "has a step"},
	)
	got := BuildNotes(r, testCatalog)
	want := []Note{{Summary: "The iPhone does not trust this computer", Fix: "Tap Trust on the iPhone."}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notes %+v, want %+v", got, want)
	}
	if BuildNotes(nil, testCatalog) != nil {
		t.Error("notes without a report")
	}
}

func TestDeviceFromReport(t *testing.T) {
	r := load(t, "report-flapping.json")
	live := Device{Key: "k", Mode: mode.Normal, Listed: true}
	got := DeviceFromReport(live, r.Devices[0])
	if got.Name != "iPhone 13 Pro Max" || got.IOSVersion != "17.5.1" || got.Trusted == nil || !*got.Trusted ||
		!got.OnUSB || got.SpeedMbps != 480 || got.RecoveryFamily != "face-id-or-8-later" {
		t.Errorf("merged device %+v", got)
	}
	live.Name, live.IOSVersion = "Live name", "18.0"
	if got := DeviceFromReport(live, r.Devices[0]); got.Name != "Live name" || got.IOSVersion != "18.0" {
		t.Errorf("live facts overwritten: %+v", got)
	}
}

func TestBuildProgress(t *testing.T) {
	s := time.Second
	cases := []struct {
		name         string
		elapsed      time.Duration
		window       time.Duration
		done, total  int
		label        string
		value        float64
		text         string
		noDoubleOpen bool
	}{
		{name: "quick checks done at once do not jump the bar", elapsed: s / 2, window: 10 * s, done: 12, total: 13,
			label: "Watching the connection for drops (10 s)", value: 0.0475, text: "Watching the connection for drops: 10 s left"},
		{name: "half the window", elapsed: 5 * s, window: 10 * s, done: 12, total: 13, value: 0.475, text: "Watching the connection for drops: 5 s left"},
		{name: "counts down to 1", elapsed: 9*s + s/10, window: 10 * s, done: 12, total: 13, value: 0.8645, text: "Watching the connection for drops: 1 s left"},
		{name: "thorough", elapsed: 3 * s, window: 30 * s, value: 0.095, text: "Watching the connection for drops: 27 s left"},
		{name: "after the window", elapsed: 10*s + s/10, window: 10 * s, done: 12, total: 13, label: "Watching the connection for drops (10 s)",
			value: 0.95 + 0.05*12/13, text: "Finishing: Watching the connection for drops (10 s)"},
		{name: "one pass", window: 0, done: 3, total: 12, label: "Apple servers", value: 0.25, text: "Checking: Apple servers"},
		{name: "nothing reported yet", elapsed: 0, window: 0, value: 0, text: "Checking: Starting"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := BuildProgress(c.elapsed, c.window, c.done, c.total, c.label)
			if math.Abs(p.Value-c.value) > 1e-9 || p.Text != c.text {
				t.Errorf("got %.4f %q, want %.4f %q", p.Value, p.Text, c.value, c.text)
			}
			if strings.Contains(p.Text, ") (") || strings.Contains(p.Text, " of ") {
				t.Errorf("doubled brackets or a count in %q", p.Text)
			}
		})
	}
}

func TestLiveCaption(t *testing.T) {
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	st := BuildStrip(t0, 10*time.Second, []StripEvent{{Time: t0.Add(time.Second), Kind: MarkDetach}}, nil)
	if got := LiveCaption(st, 4*time.Second, 10*time.Second); got != "So far (4 of 10 s): 1 drop" {
		t.Errorf("during the window: %q", got)
	}
	if got := LiveCaption(st, 10*time.Second, 10*time.Second); got != st.Caption || !strings.HasPrefix(got, "Stability over 10 s") {
		t.Errorf("after the window: %q", got)
	}
}

// The window says "No fault found" exactly when the one completeness rule
// (diagnostics.NoFaultFound) does: a phone check in error makes the report
// incomplete, and the window shows the report's own "Incomplete check"
// summary; an unsupported phone check is no reason (the rule's list), so the
// window says "No fault found" and names the check that did not run.
func TestVerdictFollowsTheCompletenessRule(t *testing.T) {
	for _, tc := range []struct {
		name    string
		check   report.Check
		healthy bool
		want    string
	}{
		{"phone check in error", report.Check{ID: report.CheckLockdownQuery, Status: report.StatusError, Detail: "lockdown query: read unix @->: i/o timeout"},
			false, "Incomplete check: check lockdown.query ended in error"},
		{"phone check unsupported", report.Check{ID: report.CheckUSBControl, Status: report.StatusUnsupported, Detail: "no USB control requests on this platform"},
			true, "not checked: Apple's servers, the iPhone's USB answers"},
		{"computer check in error", report.Check{ID: report.CheckHostHostsFile, Status: report.StatusError, Detail: "open /etc/hosts: permission denied"},
			false, "Incomplete check: check host.hosts_file ended in error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := load(t, "report-healthy.json")
			if v := BuildVerdict(r, Catalog{}, false, true, nil); v.Kind != VerdictHealthy {
				t.Fatalf("fixture not healthy: %+v", v)
			}
			r.Checks = append(r.Checks, tc.check)
			diagnostics.MarkCompleteness(r, nil, 0)
			v := BuildVerdict(r, Catalog{}, false, true, nil)
			if got := v.Kind == VerdictHealthy; got != tc.healthy || got != diagnostics.NoFaultFound(r) {
				t.Errorf("window healthy %v, rule's NoFaultFound %v, want %v: %+v", got, diagnostics.NoFaultFound(r), tc.healthy, v)
			}
			if strings.Contains(v.Text, "No fault") != tc.healthy || !strings.Contains(v.Text, tc.want) {
				t.Errorf("verdict %q, want it to contain %q", v.Text, tc.want)
			}
		})
	}
}
