package viewmodel

import (
	"fmt"
	"slices"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// ProvisionalVerdict is the verdict line while a check runs, from the
// engine's latest verdict so far r (r.InProgress set), elapsed into a
// sampling window of window (the progress bar's own clock and countdown).
//
// The rule: a fault found so far is named at once, labelled "So far" with
// the seconds left; nothing found yet is never "No fault found" but "no
// drops in 4 of 10 s" (or "dropped off 2 times so far", the count of the
// window's monitor as r carries it), Kind running, until the final report
// replaces it.
func ProvisionalVerdict(r *report.Report, cat Catalog, elapsed, window time.Duration) Verdict {
	// The run is not over, so r is not complete; the verdict is built from
	// what it found so far (a phone check in error still says so).
	base := *r
	base.IncompleteReasons = nil
	v := BuildVerdict(&base, cat, true, true, nil)
	drops := 0
	for _, d := range r.Devices {
		drops = max(drops, d.Stability.Detaches)
	}
	when := "So far"
	watching := window > 0 && elapsed < window
	if watching {
		when = fmt.Sprintf("So far (%d s left)", (window-max(elapsed, 0)+time.Second-1)/time.Second)
	}
	dropped := ""
	switch {
	case drops == 1:
		dropped = "dropped off once so far"
	case drops > 1:
		dropped = fmt.Sprintf("dropped off %d times so far", drops)
	case watching && elapsed < time.Second:
		dropped = "no drops yet"
	case watching:
		dropped = fmt.Sprintf("no drops in %d of %g s", int(max(elapsed, 0)/time.Second), window.Seconds())
	}
	if v.Kind == VerdictHealthy {
		v.Kind, v.Step = VerdictRunning, 0
		switch {
		case drops > 0:
			// A drop is not yet a fault (the rules judge the whole window),
			// but it is not "nothing wrong" either.
			v.Text = when + ": the iPhone " + dropped
		case dropped != "":
			v.Text = when + ": nothing wrong found yet, " + dropped
		default:
			v.Text = when + ": nothing wrong found yet"
		}
		if watching {
			v.Text += ". The verdict comes when the watch ends."
		} else {
			v.Text += ". Finishing the last checks."
		}
		return v
	}
	v.Text = when + ": " + v.Text
	if drops > 0 && !slices.ContainsFunc(r.Findings, func(f report.Finding) bool { return f.ID == report.FindingUSBUnstable }) {
		// The headline does not count the drops itself.
		v.Text += " The connection " + dropped + "."
	}
	return v
}
