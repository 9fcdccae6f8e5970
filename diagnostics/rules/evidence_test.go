package rules

import (
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Answers given after the check re-rank the steps but are no evidence:
// "see a professional" and "the fault persists although you tried …" need
// a check that ran with them (issue 19, finding 3).
func TestAnswersAreEvidenceOnlyWhenChecked(t *testing.T) {
	flap := []report.Finding{{ID: report.FindingUSBUnstable, Severity: report.SeverityCritical, Summary: "The iPhone dropped off USB 3 times in 10 s"}}
	both := Tried{Cable: true, Computer: true}
	for _, c := range []struct {
		name    string
		checked *Tried
		pro     bool
	}{
		{"answers came with the check (CLI)", nil, true},
		{"the check ran with them", &both, true},
		{"ticked after the check", &Tried{}, false},
		{"only the cable was checked", &Tried{Cable: true}, false},
	} {
		v := Evaluate(nil, Input{Findings: flap, Mode: "normal", Tried: both, Checked: c.checked})
		if v.Professional.Recommended != c.pro {
			t.Errorf("%s: professional %v, want %v", c.name, v.Professional.Recommended, c.pro)
		}
		for _, s := range v.Steps {
			for _, r := range s.Reasons {
				if c.checked != nil && !c.checked.Computer && strings.Contains(r, "persists although") && strings.Contains(r, "another computer") {
					t.Errorf("%s: step %d counts the unchecked computer as evidence: %q", c.name, s.Number, r)
				}
				if c.checked != nil && !c.checked.Any() && strings.Contains(r, "persists although") {
					t.Errorf("%s: step %d counts an answer as evidence: %q", c.name, s.Number, r)
				}
			}
		}
	}
}

func TestReportCarriesTheAnswersItWasCheckedWith(t *testing.T) {
	r := &report.Report{Tried: Tried{Cable: true, Computer: true}.Words()}
	in := InputFromReport(r, Tried{Cable: true, Computer: true, Port: true})
	if in.Checked == nil || !in.Checked.Cable || !in.Checked.Computer || in.Checked.Port {
		t.Errorf("checked %+v", in.Checked)
	}
	if InputFromReport(&report.Report{}, Tried{}).Checked != nil {
		t.Error("a report without Tried sets Checked")
	}
	if w := (Tried{}).Words(); w == nil || len(w) != 0 {
		t.Errorf("nothing tried: %#v, want an empty list", w)
	}
}

// An informational record without a rule (an action that did what was
// asked) makes no step apply.
func TestInfoRecordMakesNoStepApply(t *testing.T) {
	v := Evaluate(nil, Input{Mode: "normal", Findings: []report.Finding{{ID: "action.recovery_exit", Severity: report.SeverityInfo, Steps: []int{5}, Summary: "the iPhone left recovery mode"}}})
	if v.PrimaryStep != nil {
		t.Errorf("primary step %d from an informational record", *v.PrimaryStep)
	}
}
