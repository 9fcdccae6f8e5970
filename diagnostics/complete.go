package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"math"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

// IncompletePrefix starts the summary of a report that is not complete.
const IncompletePrefix = "Incomplete check: "

// phoneCheck reports whether a check id concerns a phone (USB and lockdown
// checks) rather than the computer or usbmuxd: an error there means the
// phone was not fully checked.
func phoneCheck(id string) bool {
	return strings.HasPrefix(id, "usb.") || strings.HasPrefix(id, "lockdown.")
}

// MarkCompleteness sets rep.Complete and rep.IncompleteReasons, after the
// rules have written the summary. cause is why the run's context ended
// (context.Cause; nil when it ran to the end) and watched is how long the
// stability window actually ran. A run cut short, or with a phone check in
// error, is not complete: its summary starts with IncompletePrefix and never
// says "No fault found", and a window that did not finish reports the time
// actually watched. Call it once per report, before rendering.
func MarkCompleteness(rep *report.Report, cause error, watched time.Duration) {
	var reasons []string
	switch {
	case cause == nil:
	case errors.Is(cause, context.DeadlineExceeded):
		reasons = append(reasons, "the time limit (--timeout) ran out before every check finished")
	default:
		reasons = append(reasons, "the run was interrupted before every check finished")
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
	reasons = append(reasons, phoneChecksInError(rep)...)
	markIncomplete(rep, reasons, nothingFoundIncomplete)
}

// phoneChecksInError are the reasons a phone check in error gives.
func phoneChecksInError(rep *report.Report) []string {
	var reasons []string
	for _, c := range rep.Checks {
		if c.Status == report.StatusError && phoneCheck(c.ID) {
			reasons = append(reasons, fmt.Sprintf("check %s ended in error", c.ID))
		}
	}
	return reasons
}

// markIncomplete sets rep.Complete and rep.IncompleteReasons from reasons
// (none: complete) and, when incomplete, starts the summary with
// IncompletePrefix and the reasons; a "no fault found" summary becomes
// nothingFound instead, never a clean bill.
func markIncomplete(rep *report.Report, reasons []string, nothingFound string) {
	rep.Complete = len(reasons) == 0
	rep.IncompleteReasons = reasons
	if rep.Complete {
		rep.IncompleteReasons = []string{}
		return
	}
	head := IncompletePrefix + strings.Join(reasons, "; ") + "."
	switch rest, ok := strings.CutPrefix(rep.Summary, rules.NoFaultSummary); {
	case ok:
		rep.Summary = head + " " + nothingFound + rest
	case rep.Summary == "":
		rep.Summary = head
	default:
		rep.Summary = head + " So far: " + rep.Summary
	}
}

// SoFar is the verdict part of an incomplete report's summary (what
// markIncomplete put after the reasons): for a provisional report, the
// verdict so far without the "in progress" head.
func SoFar(rep *report.Report) string {
	head := IncompletePrefix + strings.Join(rep.IncompleteReasons, "; ") + "."
	rest := strings.TrimPrefix(rep.Summary, head)
	return strings.TrimSpace(strings.TrimPrefix(rest, " So far: "))
}

// nothingFoundIncomplete replaces "no fault found" in a report that did not finish.
const nothingFoundIncomplete = "Nothing was found in what did run, which is not a clean bill of health: run the check again."

// Reevaluate applies the rules to rep's findings again (what the user tried
// changed, or the report was narrowed to one phone) and keeps its
// completeness: an incomplete report keeps its reasons and its "Incomplete
// check" summary. cat nil: the embedded catalogue.
func Reevaluate(rep *report.Report, cat *catalog.Catalog, tried rules.Tried) {
	complete, reasons := rep.Complete, rep.IncompleteReasons
	v := rules.Evaluate(cat, rules.InputFromReport(rep, tried))
	v.Apply(rep)
	if !complete && len(reasons) > 0 {
		markIncomplete(rep, reasons, nothingFoundIncomplete)
	}
}
