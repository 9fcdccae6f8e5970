package rules

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// allFindingIDs are the finding ids of DESIGN.md (report/ids.go).
var allFindingIDs = []string{
	report.FindingUSBNoDevice, report.FindingUSBAccessDenied, report.FindingUSBUnavailable,
	report.FindingUSBFullSpeed, report.FindingUSBBehindHub, report.FindingUSBUnstable,
	report.FindingUSBControlTimeouts, report.FindingDeviceRecoveryMode, report.FindingDeviceDFUMode,
	report.FindingUsbmuxUnreachable, report.FindingUsbmuxNotResponding, report.FindingUsbmuxDeviceMissing,
	report.FindingLockdownSlow, report.FindingLockdownTimeouts, report.FindingLockdownUntrusted,
	report.FindingHostServersUnreachable, report.FindingHostHostsFileRedirect,
	report.FindingHostSecuritySoftware, report.FindingHostSoftwareOutdated,
}

func fnd(id, sev string, ev map[string]any) report.Finding {
	return report.Finding{ID: id, Severity: sev, Summary: "summary of " + id, Evidence: ev, DeviceKey: "dev"}
}

const (
	info = report.SeverityInfo
	warn = report.SeverityWarning
	crit = report.SeverityCritical
)

var (
	unstable  = fnd(report.FindingUSBUnstable, crit, map[string]any{"detaches": 3, "attaches": 3, "flaps": 3, "window_s": 10.0})
	fullSpeed = fnd(report.FindingUSBFullSpeed, warn, map[string]any{"speed_mbps": 12.0, "expected_mbps": 480})
	hub       = fnd(report.FindingUSBBehindHub, warn, map[string]any{"hub_depth": 1, "port_path": []int{1, 3}})
	noDevice  = fnd(report.FindingUSBNoDevice, crit, map[string]any{"apple_devices": 0})
	ctrlTO    = fnd(report.FindingUSBControlTimeouts, crit, map[string]any{"requests": 10, "timeouts": 3, "failures": 1})
	ldTO      = fnd(report.FindingLockdownTimeouts, crit, map[string]any{"requests": 20, "timeouts": 2, "failures": 0})
	ldSlow    = fnd(report.FindingLockdownSlow, warn, map[string]any{"p95_ms": 612.4, "threshold_ms": 250.0})
	recovery  = fnd(report.FindingDeviceRecoveryMode, info, map[string]any{"mode": "recovery"})
	dfu       = fnd(report.FindingDeviceDFUMode, info, map[string]any{"mode": "dfu"})
	muxDown   = fnd(report.FindingUsbmuxUnreachable, crit, map[string]any{"address": "/var/run/usbmuxd"})
	muxHung   = fnd(report.FindingUsbmuxNotResponding, crit, nil)
	muxMiss   = fnd(report.FindingUsbmuxDeviceMissing, crit, map[string]any{"product_id": "12a8"})
	untrusted = fnd(report.FindingLockdownUntrusted, warn, nil)
	denied    = fnd(report.FindingUSBAccessDenied, warn, map[string]any{"location": "1-2"})
	noLibusb  = fnd(report.FindingUSBUnavailable, warn, map[string]any{"error": "libusb: init failed"})
	servers   = fnd(report.FindingHostServersUnreachable, crit, map[string]any{"host": "gs.apple.com", "stage": "tls"})
	redirect  = fnd(report.FindingHostHostsFileRedirect, warn, map[string]any{"host": "gs.apple.com", "redirects_to": "127.0.0.1"})
	security  = fnd(report.FindingHostSecuritySoftware, warn, map[string]any{"products": []string{"Acme Shield"}})
	outdated  = fnd(report.FindingHostSoftwareOutdated, warn, map[string]any{"component": "usbmuxd", "version": "1.1.0", "minimum": "1.1.1"})
)

func fs(f ...report.Finding) []report.Finding { return f }

type ruleCase struct {
	name    string
	in      Input
	order   []int          // applying steps by rank
	conf    map[int]string // confidence of some steps
	pro     bool
	reasons map[int]string // substring of some step's reasons
	// notReasons must not appear in a step's reasons.
	notReasons map[int]string
	summary    []string // substrings of Summary
	notInSum   []string
}

var ruleCases = []ruleCase{
	{name: "healthy normal", in: Input{Mode: "normal"}, order: nil, summary: []string{NoFaultSummary()}},
	{name: "healthy nothing plugged, no finding", in: Input{}, order: nil, summary: []string{"No fault found"}},
	{name: "restore mode: a restore is running, no clean bill", in: Input{Mode: "restore"}, order: nil,
		summary: []string{"A restore is in progress", "do not unplug"}, notInSum: []string{"No fault found", "try the restore again"}},
	{name: "restore mode finding", in: Input{Mode: "restore", Findings: []report.Finding{{ID: report.FindingDeviceRestoreMode, Severity: report.SeverityInfo}}},
		order: nil, summary: []string{"A restore is in progress"}, notInSum: []string{"No fault found"}},
	{name: "listed but lockdownd refuses", in: Input{Mode: "normal", Findings: []report.Finding{{ID: report.FindingLockdownUnreachable, Severity: report.SeverityCritical}}},
		order: []int{4, 1}, reasons: map[int]string{4: "cannot talk to it"}, summary: []string{"Try step 4 first"}, notInSum: []string{"No fault found"}},
	{name: "healthy in recovery, no finding", in: Input{Mode: "recovery"}, order: []int{5},
		conf: map[int]string{5: "medium"}, reasons: map[int]string{5: "already in recovery mode"}, summary: []string{"Try step 5 first", "ERASES ALL DATA"}},
	{name: "recovery finding", in: Input{Mode: "recovery", Findings: fs(recovery)}, order: []int{5}},
	{name: "dfu finding", in: Input{Mode: "dfu", Findings: fs(dfu)}, order: []int{5}, reasons: map[int]string{5: "DFU mode"}},
	{name: "dfu mode without finding", in: Input{Mode: "dfu"}, order: []int{5}, reasons: map[int]string{5: "DFU mode"}},
	{name: "no device", in: Input{Findings: fs(noDevice)}, order: []int{1}, conf: map[int]string{1: "high"},
		reasons: map[int]string{1: "does not see an iPhone"}},
	{name: "access denied only", in: Input{Mode: "normal", Findings: fs(denied)}, order: nil,
		summary: []string{"udev"}, notInSum: []string{"No fault found"}},
	{name: "untrusted only", in: Input{Mode: "normal", Findings: fs(untrusted)}, order: nil,
		summary: []string{"tap Trust"}, notInSum: []string{"No fault found"}},
	{name: "libusb unavailable", in: Input{Findings: fs(noLibusb)}, order: []int{2, 6}, conf: map[int]string{2: "high", 6: "low"}},
	{name: "full speed", in: Input{Mode: "normal", Findings: fs(fullSpeed)}, order: []int{1}, conf: map[int]string{1: "high"},
		reasons: map[int]string{1: "it negotiated USB full speed (12 Mbit/s) instead of high speed (480)"}},
	{name: "behind hub", in: Input{Findings: fs(hub)}, order: []int{1}, conf: map[int]string{1: "medium"},
		reasons: map[int]string{1: "hub, dock or adapter"}},
	{name: "unstable", in: Input{Findings: fs(unstable)}, order: []int{1, 4}, conf: map[int]string{1: "high", 4: "medium"},
		reasons: map[int]string{1: "the iPhone dropped off USB 3 times in 10 s"}, summary: []string{"Try step 1 first (high confidence): Check USB Connection and Cable, because the iPhone dropped off USB 3 times in 10 s."}},
	{name: "control timeouts", in: Input{Mode: "recovery", Findings: fs(ctrlTO, recovery)}, order: []int{1, 4, 5},
		reasons: map[int]string{1: "4 of 10 USB control transfers timed out or failed"}},
	{name: "usbmux unreachable", in: Input{Findings: fs(muxDown)}, order: []int{2, 4}, conf: map[int]string{2: "high", 4: "high"}},
	{name: "usbmux not responding", in: Input{Findings: fs(muxHung)}, order: []int{4, 2}, conf: map[int]string{2: "medium"}},
	{name: "usbmux device missing", in: Input{Findings: fs(muxMiss)}, order: []int{2, 4}},
	{name: "lockdown slow", in: Input{Findings: fs(ldSlow)}, order: []int{4, 1}, conf: map[int]string{4: "medium", 1: "low"},
		reasons: map[int]string{4: "up to 612 ms, where under 250 ms is normal"}},
	{name: "lockdown timeouts", in: Input{Findings: fs(ldTO)}, order: []int{1, 4}, reasons: map[int]string{1: "2 of 20 requests to the iPhone"}},
	{name: "servers unreachable", in: Input{Findings: fs(servers)}, order: []int{3}, conf: map[int]string{3: "high"},
		reasons: map[int]string{3: "cannot reach Apple's restore servers"}},
	{name: "hosts redirect", in: Input{Findings: fs(redirect)}, order: []int{3}, reasons: map[int]string{3: "redirects gs.apple.com to 127.0.0.1"}},
	{name: "security software", in: Input{Findings: fs(security)}, order: []int{3}, conf: map[int]string{3: "medium"},
		reasons: map[int]string{3: "Acme Shield"}},
	{name: "software outdated", in: Input{Findings: fs(outdated)}, order: []int{2}, reasons: map[int]string{2: "usbmuxd 1.1.0 is out of date (needs 1.1.1 or later)"}},
	{name: "full speed behind hub corroborate", in: Input{Findings: fs(fullSpeed, hub)}, order: []int{1}, conf: map[int]string{1: "high"}},
	{name: "hub and slow lockdown", in: Input{Findings: fs(hub, ldSlow)}, order: []int{1, 4}, conf: map[int]string{1: "medium", 4: "medium"}},
	{name: "tie broken by step number", in: Input{Findings: fs(security, ldSlow)}, order: []int{3, 4, 1}},
	{name: "unstable in recovery", in: Input{Mode: "recovery", Findings: fs(unstable, recovery)}, order: []int{1, 4, 5}},
	{name: "all host findings", in: Input{Findings: fs(servers, redirect, security, outdated)}, order: []int{3, 2}},
	{name: "tried cable, unstable", in: Input{Findings: fs(unstable), Tried: Tried{Cable: true}}, order: []int{1, 6, 4},
		reasons: map[int]string{1: "you already tried another cable", 6: "persists although you already tried another cable"}},
	{name: "tried cable+port, unstable", in: Input{Findings: fs(unstable), Tried: Tried{Cable: true, Port: true}}, order: []int{6, 4, 1},
		conf: map[int]string{1: "medium", 6: "high"}, reasons: map[int]string{1: "you already tried another cable and another USB port"}},
	{name: "tried port only, full speed", in: Input{Findings: fs(fullSpeed), Tried: Tried{Port: true}}, order: []int{1, 6},
		reasons: map[int]string{1: "try another cable next"}},
	{name: "tried cable+computer, unstable: professional", in: Input{Findings: fs(unstable), Tried: Tried{Cable: true, Computer: true}},
		order: []int{1, 4, 6}, pro: true, conf: map[int]string{6: "medium"},
		reasons: map[int]string{6: "you already tried another computer"}, notReasons: map[int]string{6: "next suspect"}, summary: []string{"See a professional"}},
	{name: "tried cable+computer, full speed: professional", in: Input{Findings: fs(fullSpeed), Tried: Tried{Cable: true, Computer: true}},
		order: []int{1, 6}, pro: true},
	{name: "tried cable+computer, lockdown timeouts: professional", in: Input{Findings: fs(ldTO), Tried: Tried{Cable: true, Computer: true}},
		order: []int{1, 4, 6}, pro: true},
	{name: "tried cable+computer, control timeouts: professional", in: Input{Mode: "recovery", Findings: fs(ctrlTO, recovery), Tried: Tried{Cable: true, Computer: true}},
		order: []int{1, 4, 5, 6}, pro: true},
	{name: "tried cable+computer, no device: professional", in: Input{Findings: fs(noDevice), Tried: Tried{Cable: true, Computer: true}},
		order: []int{1, 6}, pro: true},
	{name: "tried cable+computer, only a hub: no professional", in: Input{Findings: fs(hub), Tried: Tried{Cable: true, Computer: true}}, order: []int{1}},
	{name: "tried computer only, unstable: no professional", in: Input{Findings: fs(unstable), Tried: Tried{Computer: true}}, order: []int{1, 4}},
	{name: "tried cable only, no device: no professional", in: Input{Findings: fs(noDevice), Tried: Tried{Cable: true}}, order: []int{1, 6}},
	{name: "tried restart, usbmux down", in: Input{Findings: fs(muxDown), Tried: Tried{Restart: true}}, order: []int{2, 6, 4},
		conf: map[int]string{4: "medium"}, reasons: map[int]string{4: "you already restarted", 6: "already tried restarting"}},
	{name: "tried restart, slow lockdown", in: Input{Findings: fs(ldSlow), Tried: Tried{Restart: true}}, order: []int{6, 1, 4}},
	{name: "tried everything, lockdown timeouts", in: Input{Findings: fs(ldTO), Tried: Tried{Cable: true, Port: true, Computer: true, Restart: true}},
		order: []int{1, 4, 6}, pro: true, conf: map[int]string{1: "medium", 4: "medium", 6: "medium"}},
	{name: "healthy, tried everything", in: Input{Mode: "normal", Tried: Tried{Cable: true, Port: true, Computer: true, Restart: true}},
		order: nil, summary: []string{NoFaultSummary()}},
	{name: "healthy dfu, tried cable+computer", in: Input{Mode: "dfu", Tried: Tried{Cable: true, Computer: true}}, order: []int{5}},
	{name: "denied, untrusted and unstable", in: Input{Findings: fs(denied, untrusted, unstable)}, order: []int{1, 4},
		summary: []string{"Try step 1 first", "udev", "tap Trust"}},
	{name: "unknown id uses its own steps", in: Input{Findings: fs(report.Finding{ID: "host.new_thing", Severity: warn, Summary: "Something new happened", Steps: []int{6, 9}})},
		order: []int{6}, conf: map[int]string{6: "medium"}, reasons: map[int]string{6: "something new happened"}},
	{name: "unknown severity treated as warning", in: Input{Findings: fs(report.Finding{ID: report.FindingUSBFullSpeed, Severity: "bogus"})},
		order: []int{1}, conf: map[int]string{1: "high"}, reasons: map[int]string{1: "slower USB speed"}},
	{name: "two devices unstable, reasons deduplicated", in: Input{Findings: fs(unstable, unstable, hub)}, order: []int{1, 4}},
	// Evidence shapes as diagnostics/host produces them.
	{name: "servers unreachable (host check evidence)", in: Input{Findings: fs(fnd(report.FindingHostServersUnreachable, crit, map[string]any{
		"hosts": []any{map[string]any{"target": "gs.apple.com:443"}}, "failed": 1, "total": 2, "failed_hosts": []string{"gs.apple.com:443"}}))},
		order: []int{3}, reasons: map[int]string{3: "cannot reach Apple's restore servers"}},
	{name: "hosts redirect (host check evidence)", in: Input{Findings: fs(report.Finding{ID: report.FindingHostHostsFileRedirect, Severity: crit,
		Summary:  "the hosts file redirects Apple restore server gs.apple.com to 127.0.0.1 (line 3)",
		Evidence: map[string]any{"path": "/etc/hosts", "restore_hosts": []string{"gs.apple.com"}}})},
		order: []int{3}, reasons: map[int]string{3: "the hosts file redirects Apple restore server gs.apple.com to 127.0.0.1 (line 3)"}},
	{name: "only built-in security software: no step", in: Input{Mode: "normal", Findings: fs(report.Finding{ID: report.FindingHostSecuritySoftware,
		Severity: info, Summary: "only built-in security software is active: Microsoft Defender", Evidence: map[string]any{"active_third_party": []any{}}})},
		order: nil, summary: []string{NoFaultSummary()}},
	{name: "usbmuxd idle on demand (info) with no phone: step 1 only", in: Input{Findings: fs(
		fnd(report.FindingUSBNoDevice, crit, nil),
		report.Finding{ID: report.FindingUsbmuxUnreachable, Severity: info, Summary: "usbmuxd is not running; on this computer it starts when an iPhone is plugged in"})},
		order: []int{1}},
	{name: "usbmuxd idle on demand (info) escalates nothing after a restart", in: Input{Tried: Tried{Restart: true}, Findings: fs(
		report.Finding{ID: report.FindingUsbmuxUnreachable, Severity: info, Summary: "usbmuxd is not running; on this computer it starts when an iPhone is plugged in"})},
		order: nil, summary: []string{NoFaultSummary()}},
	{name: "active third-party security (host check evidence)", in: Input{Findings: fs(fnd(report.FindingHostSecuritySoftware, warn,
		map[string]any{"source": "wsc", "active_third_party": []any{"Acme AV"}}))}, order: []int{3}, reasons: map[int]string{3: "security software is active: Acme AV"}},
	{name: "outdated (host check evidence)", in: Input{Findings: fs(fnd(report.FindingHostSoftwareOutdated, warn,
		map[string]any{"os": "windows", "problems": []any{"Apple Mobile Device Support 14.0 is older than 17.0"}}))},
		order: []int{2}, reasons: map[int]string{2: "Apple Mobile Device Support 14.0 is older than 17.0"}},
	{name: "evidence after a JSON round trip", in: Input{Findings: fs(fnd(report.FindingUSBUnstable, warn,
		map[string]any{"flaps": json.Number("1"), "window_s": json.Number("2.5")}))}, order: []int{1, 4},
		reasons: map[int]string{1: "dropped off USB once in 2.5 s"}},
	{name: "unstable: the reason counts drops, not returns", in: Input{Findings: fs(fnd(report.FindingUSBUnstable, warn,
		map[string]any{"detaches": 2, "flaps": 1, "window_s": 5}))}, order: []int{1, 4},
		reasons: map[int]string{1: "the iPhone dropped off USB 2 times in 5 s"}},
	{name: "evidence of the wrong type falls back to summary", in: Input{Findings: fs(fnd(report.FindingUSBUnstable, warn,
		map[string]any{"flaps": "many"}))}, order: []int{1, 4}, reasons: map[int]string{1: "summary of usb.unstable"}},
}

func TestEvaluate(t *testing.T) {
	cat := catalog.MustDefault()
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			v := Evaluate(cat, tc.in)
			checkShape(t, v)
			var order []int
			byRank := map[int]int{}
			for _, s := range v.Steps {
				if s.Applies {
					byRank[*s.Rank] = s.Number
				}
			}
			for r := 1; r <= len(byRank); r++ {
				order = append(order, byRank[r])
			}
			if !slices.Equal(order, tc.order) {
				t.Errorf("order = %v, want %v\n%s", order, tc.order, dump(v))
			}
			if len(tc.order) == 0 && v.PrimaryStep != nil {
				t.Errorf("primary = %d, want nil", *v.PrimaryStep)
			}
			if len(tc.order) > 0 && (v.PrimaryStep == nil || *v.PrimaryStep != tc.order[0]) {
				t.Errorf("primary = %v, want %d", v.PrimaryStep, tc.order[0])
			}
			for n, want := range tc.conf {
				s := v.Steps[n-1]
				if s.Confidence == nil || *s.Confidence != want {
					t.Errorf("step %d confidence = %v, want %s", n, deref(s.Confidence), want)
				}
			}
			for n, want := range tc.reasons {
				if r := strings.Join(v.Steps[n-1].Reasons, " | "); !strings.Contains(r, want) {
					t.Errorf("step %d reasons %q lack %q", n, r, want)
				}
			}
			for n, bad := range tc.notReasons {
				if r := strings.Join(v.Steps[n-1].Reasons, " | "); strings.Contains(r, bad) {
					t.Errorf("step %d reasons %q must not contain %q", n, r, bad)
				}
			}
			if v.Professional.Recommended != tc.pro {
				t.Errorf("professional = %v, want %v (%v)", v.Professional.Recommended, tc.pro, v.Professional.Reasons)
			}
			if tc.pro && !strings.Contains(strings.Join(v.Professional.Reasons, " "), "logic board") {
				t.Errorf("professional reasons %q do not name the port or logic board", v.Professional.Reasons)
			}
			for _, s := range tc.summary {
				if !strings.Contains(v.Summary, s) {
					t.Errorf("summary %q lacks %q", v.Summary, s)
				}
			}
			for _, s := range tc.notInSum {
				if strings.Contains(v.Summary, s) {
					t.Errorf("summary %q must not contain %q", v.Summary, s)
				}
			}
		})
	}
}

// checkShape asserts the invariants every verdict has.
func checkShape(t *testing.T, v Verdict) {
	t.Helper()
	if len(v.Steps) != 6 {
		t.Fatalf("%d steps, want 6", len(v.Steps))
	}
	ranks := map[int]bool{}
	for i, s := range v.Steps {
		if s.Number != i+1 || s.Title == "" || s.Reasons == nil {
			t.Errorf("step %d malformed: %+v", i+1, s)
		}
		if s.Applies != (s.Rank != nil) || s.Applies != (s.Confidence != nil) || s.Applies != (len(s.Reasons) > 0) {
			t.Errorf("step %d: applies %v but rank %v confidence %v reasons %v", s.Number, s.Applies, s.Rank, s.Confidence, s.Reasons)
		}
		if s.Rank != nil {
			if ranks[*s.Rank] {
				t.Errorf("rank %d used twice", *s.Rank)
			}
			ranks[*s.Rank] = true
		}
	}
	for r := 1; r <= len(ranks); r++ {
		if !ranks[r] {
			t.Errorf("ranks not contiguous: %v", ranks)
		}
	}
	if v.Professional.Reasons == nil || v.Professional.Recommended != (len(v.Professional.Reasons) > 0) {
		t.Errorf("professional malformed: %+v", v.Professional)
	}
	if v.Summary == "" {
		t.Error("empty summary")
	}
}

func TestEveryFindingIDCovered(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range ruleCases {
		for _, f := range tc.in.Findings {
			seen[f.ID] = true
		}
	}
	for _, id := range allFindingIDs {
		if !seen[id] {
			t.Errorf("no rule case covers %s", id)
		}
		if !KnownFinding(id) {
			t.Errorf("table lacks %s", id)
		}
	}
	if len(ruleCases) < 30 {
		t.Errorf("only %d rule cases", len(ruleCases))
	}
}

// TestStepsForMatchesDesign: the first step of every id is the one DESIGN.md
// lists first, and the design's steps are all there.
func TestStepsForMatchesDesign(t *testing.T) {
	design := map[string][]int{
		report.FindingUSBNoDevice: {1}, report.FindingUSBAccessDenied: {}, report.FindingUSBUnavailable: {2},
		report.FindingUSBFullSpeed: {1}, report.FindingUSBBehindHub: {1}, report.FindingUSBUnstable: {1},
		report.FindingUSBControlTimeouts: {1, 4}, report.FindingDeviceRecoveryMode: {5}, report.FindingDeviceDFUMode: {5},
		report.FindingUsbmuxUnreachable: {2, 4}, report.FindingUsbmuxNotResponding: {4}, report.FindingUsbmuxDeviceMissing: {2, 4},
		report.FindingLockdownSlow: {4, 1}, report.FindingLockdownTimeouts: {1, 4}, report.FindingLockdownUntrusted: {},
		report.FindingHostServersUnreachable: {3}, report.FindingHostHostsFileRedirect: {3},
		report.FindingHostSecuritySoftware: {3}, report.FindingHostSoftwareOutdated: {2},
	}
	for id, want := range design {
		got := StepsFor(id)
		if len(want) == 0 {
			if len(got) != 0 {
				t.Errorf("StepsFor(%s) = %v, want none", id, got)
			}
			continue
		}
		if got[0] != want[0] {
			t.Errorf("StepsFor(%s) = %v, want %d first", id, got, want[0])
		}
		for _, n := range want {
			if !slices.Contains(got, n) {
				t.Errorf("StepsFor(%s) = %v, lacks %d", id, got, n)
			}
		}
	}
	if got := StepsFor("nope"); got == nil || len(got) != 0 {
		t.Errorf("StepsFor(unknown) = %#v", got)
	}
}

func TestTriedDemotesOnlyAgainstEqualConfidence(t *testing.T) {
	// Step 4 tried with high evidence (usbmux hung) still ranks before a
	// weakly supported untried step.
	v := Evaluate(nil, Input{Findings: fs(muxHung), Tried: Tried{Restart: true}})
	s4, s2 := v.Steps[3], v.Steps[1]
	if *s4.Confidence != "medium" || *s2.Confidence != "medium" {
		t.Fatalf("confidences %s %s", *s4.Confidence, *s2.Confidence)
	}
	if *s2.Rank > *s4.Rank {
		t.Errorf("untried step 2 (rank %d) should rank before tried step 4 (rank %d) at equal confidence", *s2.Rank, *s4.Rank)
	}
}

func TestEvaluateDoesNotModifyInput(t *testing.T) {
	in := Input{Mode: "recovery", Findings: fs(unstable, hub)}
	before := len(in.Findings)
	ev := in.Findings[0].Evidence["flaps"]
	Evaluate(nil, in)
	if len(in.Findings) != before || in.Findings[0].Evidence["flaps"] != ev {
		t.Error("Evaluate changed its input")
	}
}

func TestApply(t *testing.T) {
	r := &report.Report{Findings: fs(report.Finding{ID: report.FindingUSBUnstable, Severity: crit}, untrusted)}
	v := Evaluate(nil, InputFromReport(r, Tried{}))
	v.Apply(r)
	if r.PrimaryStep == nil || *r.PrimaryStep != 1 || len(r.Steps) != 6 || r.Summary != v.Summary {
		t.Fatalf("Apply: primary %v steps %d summary %q", r.PrimaryStep, len(r.Steps), r.Summary)
	}
	if !slices.Equal(r.Findings[0].Steps, []int{1, 4}) || len(r.Findings[1].Steps) != 0 {
		t.Errorf("finding steps %v %v", r.Findings[0].Steps, r.Findings[1].Steps)
	}
	*v.PrimaryStep = 3
	v.Steps[0].Title = "changed"
	if *r.PrimaryStep != 1 || r.Steps[0].Title == "changed" {
		t.Error("Apply shares memory with the verdict")
	}
	// The report with the verdict applied satisfies the contract.
	r.Schema = report.Schema
	r.Host.Usbmuxd.Status = report.UsbmuxdOK
	var b strings.Builder
	if err := r.JSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := report.Validate([]byte(b.String())); err != nil {
		t.Errorf("applied report invalid: %v", err)
	}
}

func TestPrimaryMode(t *testing.T) {
	for _, tc := range []struct {
		modes []string
		want  string
	}{
		{nil, ""},
		{[]string{"normal"}, "normal"},
		{[]string{"normal", "recovery"}, "recovery"},
		{[]string{"restore", "dfu"}, "dfu"},
	} {
		var ds []report.Device
		for _, m := range tc.modes {
			ds = append(ds, report.Device{Mode: m})
		}
		if got := PrimaryMode(ds); got != tc.want {
			t.Errorf("PrimaryMode(%v) = %q, want %q", tc.modes, got, tc.want)
		}
	}
}

func TestParseTried(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Tried
		err  bool
	}{
		{"", Tried{}, false},
		{"  ", Tried{}, false},
		{"cable", Tried{Cable: true}, false},
		{"cable,port,computer,restart", Tried{true, true, true, true}, false},
		{" Cable , PORT ", Tried{Cable: true, Port: true}, false},
		{"restart,restart", Tried{Restart: true}, false},
		{"cable,,port", Tried{}, true},
		{"usb", Tried{}, true},
		{"cable,phone", Tried{}, true},
	} {
		got, err := ParseTried(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseTried(%q) = %+v, %v; want %+v, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	_, err := ParseTried("cable,usb")
	if !errors.Is(err, ErrUnknownTried) || !strings.Contains(err.Error(), `"usb"`) || !strings.Contains(err.Error(), "cable, port, computer, restart") {
		t.Errorf("error %q should name the word and the accepted ones", err)
	}
	all := Tried{true, true, true, true}
	if back, _ := ParseTried(all.String()); back != all || (Tried{}).String() != "" || !all.Any() || (Tried{}).Any() {
		t.Error("String/Any round trip")
	}
}

func FuzzParseTried(f *testing.F) {
	for _, s := range []string{"", "cable", "cable,port,computer,restart", " Port ,", "x,y", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTried(s)
		if err != nil {
			if got != (Tried{}) {
				t.Fatalf("error with non-zero result %+v", got)
			}
			return
		}
		back, err := ParseTried(got.String())
		if err != nil || back != got {
			t.Fatalf("round trip %q → %+v → %q → %+v, %v", s, got, got.String(), back, err)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func dump(v Verdict) string {
	var b strings.Builder
	for _, s := range v.Steps {
		if s.Applies {
			b.WriteString("  step ")
			b.WriteString(string(rune('0' + s.Number)))
			b.WriteString(" rank ")
			b.WriteString(string(rune('0' + *s.Rank)))
			b.WriteString(" " + *s.Confidence + ": " + strings.Join(s.Reasons, " | ") + "\n")
		}
	}
	return b.String()
}

func TestStepsForFindingHonoursSeverityFloor(t *testing.T) {
	info := report.Finding{ID: report.FindingUsbmuxUnreachable, Severity: report.SeverityInfo}
	if got := StepsForFinding(info); len(got) != 0 {
		t.Errorf("info usbmux.unreachable supports %v, want none", got)
	}
	crit := report.Finding{ID: report.FindingUsbmuxUnreachable, Severity: report.SeverityCritical}
	if got := StepsForFinding(crit); !slices.Equal(got, StepsFor(crit.ID)) || len(got) == 0 {
		t.Errorf("critical usbmux.unreachable supports %v, want %v", got, StepsFor(crit.ID))
	}
}
