package diagnostics

import (
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

// TestTooManyPhones: events of phones beyond the 64 a run follows become a
// finding with its own fix text (no step), never a silent "no fault".
func TestTooManyPhones(t *testing.T) {
	tests := []struct {
		overflow int
		want     bool
	}{{0, false}, {-1, false}, {1, true}, {500, true}}
	for _, tc := range tests {
		f, ok := tooManyPhones(tc.overflow)
		if ok != tc.want {
			t.Fatalf("overflow %d: finding %v, want %v", tc.overflow, ok, tc.want)
		}
		if !ok {
			continue
		}
		if f.ID != report.FindingUSBTooManyPhones || f.Evidence["events_ignored"] != tc.overflow || f.Evidence["followed"] != maxPhones {
			t.Errorf("overflow %d: %+v", tc.overflow, f)
		}
		r := &report.Report{Findings: []report.Finding{f}}
		rules.Evaluate(catalog.MustDefault(), rules.InputFromReport(r, rules.Tried{})).Apply(r)
		fix, _ := catalog.MustDefault().FixText(report.FindingUSBTooManyPhones)
		if r.PrimaryStep != nil || fix == "" || !strings.Contains(r.Summary, fix) {
			t.Errorf("verdict: primary %v, summary %q; want the fix text %q", r.PrimaryStep, r.Summary, fix)
		}
		if len(r.Findings[0].Steps) != 0 || r.Findings[0].Steps == nil {
			t.Errorf("steps %v, want [] (a fix text, no step)", r.Findings[0].Steps)
		}
	}
}
