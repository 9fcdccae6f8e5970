package session

import (
	"reflect"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

func TestPhoneReport(t *testing.T) {
	a := report.Device{Key: "ecid:0001", Mode: "normal", USB: report.USB{Present: true, BehindHub: true}}
	b := report.Device{Key: "ecid:0002", Mode: "normal", USB: report.USB{Present: true}}
	hubA := report.Finding{ID: report.FindingUSBBehindHub, Severity: report.SeverityWarning, DeviceKey: a.Key}
	flapB := report.Finding{ID: report.FindingUSBUnstable, Severity: report.SeverityCritical, DeviceKey: b.Key}
	twoPhones := func() *report.Report {
		r := &report.Report{Complete: true, Devices: []report.Device{a, b}, Findings: []report.Finding{hubA, flapB}}
		diagnostics.Reevaluate(r, nil, rules.Tried{})
		return r
	}
	// before shares no slice with both, so a change to both's findings,
	// devices or steps in place shows.
	both, before := twoPhones(), twoPhones()

	for _, tc := range []struct {
		key     string
		dev     report.Device
		finding report.Finding
		tried   rules.Tried
	}{
		{a.Key, a, hubA, rules.Tried{}},
		{b.Key, b, flapB, rules.Tried{}},
		{b.Key, b, flapB, rules.Tried{Cable: true, Port: true}},
	} {
		got := PhoneReport(both, tc.key, nil, tc.tried)
		// The same as a check that only ever saw this phone.
		alone := &report.Report{Complete: true, Devices: []report.Device{tc.dev}, Findings: []report.Finding{tc.finding}}
		diagnostics.Reevaluate(alone, nil, tc.tried)
		if len(got.Devices) != 1 || got.Devices[0].Key != tc.key {
			t.Fatalf("%s: devices %+v", tc.key, got.Devices)
		}
		if !reflect.DeepEqual(got.Steps, alone.Steps) || !reflect.DeepEqual(got.PrimaryStep, alone.PrimaryStep) || got.Summary != alone.Summary {
			t.Errorf("%s tried %v: steps %v primary %v %q; the phone alone: %v %v %q", tc.key, tc.tried,
				got.Steps, deref(got.PrimaryStep), got.Summary, alone.Steps, deref(alone.PrimaryStep), alone.Summary)
		}
	}
	if pa, pb := PhoneReport(both, a.Key, nil, rules.Tried{}), PhoneReport(both, b.Key, nil, rules.Tried{}); reflect.DeepEqual(pa.Steps, pb.Steps) {
		t.Errorf("both phones get the same steps %v: the test does not tell them apart", pa.Steps)
	}
	if !reflect.DeepEqual(both, before) {
		t.Error("PhoneReport modified its input")
	}
	if PhoneReport(both, "ecid:none", nil, rules.Tried{}) != both || PhoneReport(nil, a.Key, nil, rules.Tried{}) != nil {
		t.Error("an unknown key or a nil report is not returned as is")
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
