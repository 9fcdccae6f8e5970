package report_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

func changeTexts(cs []report.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Kind) + " " + c.Text
	}
	return out
}

func TestCompareIdentical(t *testing.T) {
	for name, r := range fixtures() {
		if cs := report.Compare(r, r); len(cs) != 0 {
			t.Errorf("%s: Compare(r, r) = %q", name, changeTexts(cs))
		}
	}
	if cs := report.Compare(report.Report{}, report.Report{}); len(cs) != 0 {
		t.Errorf("empty reports differ: %q", changeTexts(cs))
	}
}

// TestCompareAfterFix: the user plugged the iPhone straight into the
// computer with another cable; the drops and the hub are gone.
func TestCompareAfterFix(t *testing.T) {
	before := report.Redact(flappingReport())
	fixed := flappingReport()
	fixed.Devices[0].USB.BehindHub = false
	fixed.Devices[0].USB.SpeedMbps = 480
	fixed.Devices[0].USB.PortPath = []int{2}
	fixed.Devices[0].Stability.Detaches = 0
	fixed.Devices[0].Lockdown.Trusted = ptr(true)
	var keep []report.Finding
	for _, f := range fixed.Findings {
		switch f.ID {
		case report.FindingLockdownTimeouts:
			f.Evidence["timeouts"] = 1
			f.Severity = report.SeverityWarning
			keep = append(keep, f)
		case report.FindingHostSecuritySoftware:
			keep = append(keep, f)
		}
	}
	fixed.Findings = keep
	for i := range fixed.Checks {
		if fixed.Checks[i].ID == report.CheckUSBStability {
			fixed.Checks[i].Status = report.StatusPass
		}
	}
	fixed.Checks = append(fixed.Checks, report.Check{ID: report.CheckUSBControl, Status: report.StatusSkipped})
	fixed = finish(fixed, rules.Tried{Cable: true, Port: true})
	after := report.Redact(fixed)

	got := changeTexts(report.Compare(before, after))
	key := before.Devices[0].Key
	want := []string{
		"changed lockdown.timeouts (" + key + "): severity critical → warning",
		"changed lockdown.timeouts (" + key + "): timeouts 3 → 1",
		"resolved lockdown.untrusted (" + key + ") resolved",
		"resolved usb.behind_hub (" + key + ") resolved",
		"resolved usb.full_speed (" + key + ") resolved",
		"resolved usb.unstable (" + key + ") resolved",
		"changed device " + key + ": usb.speed_mbps 12 → 480",
		"changed device " + key + ": usb.behind_hub true → false",
		"changed device " + key + ": lockdown.trusted false → true",
		"changed device " + key + ": stability.detaches 3 → 0",
		"changed check usb.stability: fail → pass",
		"appeared check usb.control ran: skipped",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing change %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	// Steps: step 1 still applies (lockdown timeouts) but the user tried
	// cable and port now; step 3 keeps applying.
	var stepChanges []string
	for _, c := range report.Compare(before, after) {
		if c.Subject == report.SubjectStep || c.Subject == report.SubjectPrimaryStep {
			stepChanges = append(stepChanges, c.Text)
		}
	}
	if len(stepChanges) == 0 {
		t.Errorf("no step changes in\n%s", strings.Join(got, "\n"))
	}
}

func TestCompareAppearedAndResolvedSubjects(t *testing.T) {
	healthy := finish(baseReport(), rules.Tried{})
	broken := noDeviceReport()
	cs := report.Compare(healthy, broken)
	got := changeTexts(cs)
	for _, w := range []string{
		"appeared usb.no_device appeared: No Apple device on the USB bus",
		"appeared step 1 now applies (rank 1)",
		"changed step to try first: none → 1",
		"appeared seeing a professional is now recommended",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	back := changeTexts(report.Compare(broken, healthy))
	for _, w := range []string{"resolved usb.no_device resolved", "resolved step 1 no longer applies",
		"changed step to try first: 1 → none", "resolved seeing a professional is no longer recommended"} {
		if !slices.Contains(back, w) {
			t.Errorf("missing %q in\n%s", w, strings.Join(back, "\n"))
		}
	}
	// Devices coming and going.
	withPhone := recoveryReport()
	dc := changeTexts(report.Compare(healthy, withPhone))
	if !slices.ContainsFunc(dc, func(s string) bool {
		return strings.HasPrefix(s, "appeared device ") && strings.Contains(s, "recovery mode")
	}) {
		t.Errorf("device appearance missing: %q", dc)
	}
	dc = changeTexts(report.Compare(withPhone, healthy))
	if !slices.ContainsFunc(dc, func(s string) bool {
		return strings.HasPrefix(s, "resolved device ") && strings.HasSuffix(s, "is gone")
	}) {
		t.Errorf("device disappearance missing: %q", dc)
	}
	// Mode change of the same phone.
	inNormal := recoveryReport()
	inNormal.Devices[0].Mode = "normal"
	mc := report.Compare(recoveryReport(), inNormal)
	if !slices.ContainsFunc(mc, func(c report.Change) bool {
		return c.Subject == report.SubjectDevice && c.Field == "mode" && c.Before == "recovery" && c.After == "normal"
	}) {
		t.Errorf("mode change missing: %q", changeTexts(mc))
	}
}

func TestCompareIsDeterministic(t *testing.T) {
	a, b := flappingReport(), noDeviceReport()
	first := changeTexts(report.Compare(a, b))
	for i := 0; i < 20; i++ {
		if got := changeTexts(report.Compare(a, b)); !slices.Equal(got, first) {
			t.Fatalf("order differs between runs:\n%q\n%q", first, got)
		}
	}
}
