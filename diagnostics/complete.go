package diagnostics

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// incompleteHead starts the summary of a report that is not complete:
// "Incomplete check: <reasons>." in the current language.
func incompleteHead(reasons []string) string {
	return i18n.T("findings.incomplete.head", i18n.Args{"Reasons": strings.Join(reasons, i18n.T("findings.incomplete.separator"))})
}

// MarkCompleteness is the one completeness rule, which every view (check's
// text, JSON and Markdown, watch, the export and the window) reads through
// rep.Complete, rep.IncompleteReasons and rep.Summary, or through
// NoFaultFound. It sets rep.Complete and rep.IncompleteReasons after the
// rules have written the summary. cause is why the run's context ended
// (context.Cause; nil when it ran to the end) and watched is how long the
// stability window actually ran.
//
// A report is incomplete when:
//   - the run was cut short (signal, --timeout): the window reports the
//     time actually watched;
//   - any check ended in status error, whatever it concerns. Each of the
//     thirteen checks can point to a step (the phone's checks to steps 1, 4
//     and 5, Apple's servers, the hosts file and security software to step 3,
//     the software versions to step 2), so one that could not look (an
//     unreadable hosts file, an unusable --apple-ca bundle, a package
//     manager that failed) leaves a fault unruled out.
//
// Not reasons: skipped (the user opted out, e.g. --no-network, and the check
// list says so) and unsupported (this platform has no way to look; the check
// list says so, and checking again would not change it).
//
// An incomplete summary starts with IncompletePrefix and never says "No
// fault found". Call it once per report, before rendering.
func MarkCompleteness(rep *report.Report, cause error, watched time.Duration) {
	var reasons []string
	switch {
	case cause == nil:
	case errors.Is(cause, context.DeadlineExceeded):
		reasons = append(reasons, i18n.T("findings.incomplete.timeout"))
	default:
		reasons = append(reasons, i18n.T("findings.incomplete.interrupted"))
	}
	if cause != nil {
		// The window did not run to its end: say how long was watched.
		w := math.Floor(watched.Seconds()*10) / 10
		for i := range rep.Devices {
			if s := &rep.Devices[i].Stability; s.WindowS > w {
				s.WindowS = w
			}
		}
	}
	reasons = append(reasons, checksInError(rep)...)
	markIncomplete(rep, reasons, nothingFoundIncomplete())
}

// NoFaultFound reports whether rep may be called a clean bill ("No fault
// found"): complete by MarkCompleteness and with the rules' no-fault
// verdict (rules.NoFault, read from the report's structure, so it holds in
// any language). Views that word the verdict themselves (watch) ask this.
func NoFaultFound(rep *report.Report) bool {
	return rep.Complete && !rep.Incomplete() && rules.NoFault(rep)
}

// maxReasonDetail bounds the check detail quoted in a reason.
const maxReasonDetail = 160

// checksInError are the reasons the checks in error give, with what each
// said (cut to maxReasonDetail bytes).
func checksInError(rep *report.Report) []string {
	var reasons []string
	for _, c := range rep.Checks {
		if c.Status != report.StatusError {
			continue
		}
		d := strings.TrimSpace(c.Detail)
		if len(d) > maxReasonDetail {
			d = strings.ToValidUTF8(d[:maxReasonDetail], "") + "…"
		}
		if d == "" {
			reasons = append(reasons, i18n.T("findings.incomplete.check_error", i18n.Args{"Check": c.ID}))
			continue
		}
		reasons = append(reasons, i18n.T("findings.incomplete.check_error_detail", i18n.Args{"Check": c.ID, "Detail": d}))
	}
	return reasons
}

// markIncomplete sets rep.Complete and rep.IncompleteReasons from reasons
// (none: complete) and, when incomplete, starts the summary with
// "Incomplete check:" and the reasons; a "no fault found" summary becomes
// nothingFound instead, never a clean bill.
func markIncomplete(rep *report.Report, reasons []string, nothingFound string) {
	rep.Complete = len(reasons) == 0
	rep.IncompleteReasons = reasons
	if rep.Complete {
		rep.IncompleteReasons = []string{}
		return
	}
	head := incompleteHead(reasons)
	switch rest, ok := strings.CutPrefix(rep.Summary, rules.NoFaultSummary()); {
	case ok:
		rep.Summary = rules.JoinSentences(head, nothingFound) + rest
	case rep.Summary == "":
		rep.Summary = head
	default:
		rep.Summary = rules.JoinSentences(head, i18n.T("findings.incomplete.so_far", i18n.Args{"Verdict": rep.Summary}))
	}
}

// SoFar is the verdict part of an incomplete report's summary (what
// markIncomplete put after the reasons): for a provisional report, the
// verdict so far without the "in progress" head.
func SoFar(rep *report.Report) string {
	head := incompleteHead(rep.IncompleteReasons)
	rest := strings.TrimSpace(strings.TrimPrefix(rep.Summary, head))
	soFar := strings.TrimSpace(i18n.T("findings.incomplete.so_far", i18n.Args{"Verdict": ""}))
	return strings.TrimSpace(strings.TrimPrefix(rest, soFar))
}

// nothingFoundIncomplete replaces "no fault found" in a report that did not finish.
func nothingFoundIncomplete() string { return i18n.T("findings.incomplete.nothing_found") }

// Reevaluate applies the rules to rep's findings again (what the user tried
// changed, or the report was narrowed to one phone) and keeps its
// completeness: an incomplete report keeps its reasons and its "Incomplete
// check" summary. cat nil: the embedded catalogue.
func Reevaluate(rep *report.Report, cat *catalog.Catalog, tried rules.Tried) {
	complete, reasons := rep.Complete, rep.IncompleteReasons
	v := rules.Evaluate(cat, rules.InputFromReport(rep, tried))
	v.Apply(rep)
	if !complete && len(reasons) > 0 {
		markIncomplete(rep, reasons, nothingFoundIncomplete())
	}
}
