package app

import (
	"regexp"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

// acknowledgeLabel is the acknowledgement text of a step whose warning must
// be confirmed before its instructions show ("" for the others), in the
// current language.
func acknowledgeLabel(step int) string {
	if step == 5 {
		return viewmodel.AcknowledgeBackup()
	}
	return ""
}

// CatalogView turns the step catalogue into the window's view of it, with the
// instructions for hostOS (a runtime.GOOS value).
func CatalogView(c *catalog.Catalog, hostOS string) viewmodel.Catalog {
	out := viewmodel.Catalog{Recovery: map[string]viewmodel.Recovery{}, Fixes: map[string]string{}}
	for _, s := range c.Steps() {
		out.Steps = append(out.Steps, stepText(s, hostOS))
	}
	out.Professional = stepText(c.Professional(), hostOS)
	for _, fam := range catalog.Families {
		r := c.RecoveryButtons(fam)
		out.Recovery[fam] = viewmodel.Recovery{Family: fam, Models: r.AppliesTo, Steps: r.Lines()}
	}
	for _, id := range []string{report.FindingUSBAccessDenied, report.FindingLockdownUntrusted, report.FindingDeviceRestoreMode, report.FindingUSBTooManyPhones} {
		if t, ok := c.FixText(id); ok {
			out.Fixes[id] = t
		}
	}
	return out
}

// technical marks an instruction line for support staff (file paths,
// commands, the superuser): it goes under the step's Details, not into
// the main view.
var technical = regexp.MustCompile(`/etc/|\(root\)|\bsudo\b|\bsystemctl\b|\busbmuxd\b|%[A-Za-z]+%|\\Windows\\`)

func stepText(s catalog.StepInfo, hostOS string) viewmodel.StepText {
	var main, details []string
	for _, l := range s.InstructionsFor(hostOS) {
		if technical.MatchString(l) {
			details = append(details, l)
		} else {
			main = append(main, l)
		}
	}
	return viewmodel.StepText{
		Number:           s.Number,
		Title:            s.Title,
		Summary:          s.Summary,
		Instructions:     main,
		Details:          append(details, s.DetailsFor(hostOS)...),
		InRecovery:       s.InstructionsInRecovery,
		Warning:          s.Warning,
		MustAcknowledge:  s.WarningMustAcknowledge,
		AcknowledgeLabel: acknowledgeLabel(s.Number),
	}
}

// Rerank re-evaluates the rules on r's findings with what the user tried and
// returns the re-ranked copy; r is not modified. It needs no hardware.
func Rerank(cat *catalog.Catalog, r *report.Report, tried viewmodel.Tried) (*report.Report, error) {
	if r == nil {
		return nil, ErrNoReport
	}
	return state.Rerank(cat, r, tried), nil
}

// RulesTried converts the window's tried flags to the rules' type.
func RulesTried(t viewmodel.Tried) rules.Tried { return state.RulesTried(t) }
