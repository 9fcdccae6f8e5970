package viewmodel

import (
	"slices"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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
	watching := window > 0 && elapsed < window
	when := i18n.T("window.sofar.when")
	if watching {
		left := int((window - max(elapsed, 0) + time.Second - 1) / time.Second)
		when = i18n.T("window.sofar.when_left", i18n.Args{"S": i18n.Int(left)})
	}
	// What the window saw so far: the drops, or how long it has seen none.
	quiet := ""
	switch {
	case drops > 0:
	case watching && elapsed < time.Second:
		quiet = i18n.T("window.sofar.no_drops_yet")
	case watching:
		quiet = i18n.T("window.sofar.no_drops_in", i18n.Args{"S": i18n.Int(int(max(elapsed, 0) / time.Second)), "Window": seconds(window.Seconds())})
	}
	if v.Kind == VerdictHealthy {
		v.Kind, v.Step = VerdictRunning, 0
		var found string
		switch {
		case drops > 0:
			// A drop is not yet a fault (the rules judge the whole window),
			// but it is not "nothing wrong" either.
			found = i18n.N("window.sofar.dropped", drops)
		case quiet != "":
			found = i18n.T("window.sofar.nothing_but", i18n.Args{"Quiet": quiet})
		default:
			found = i18n.T("window.sofar.nothing")
		}
		then := i18n.T("window.sofar.finishing")
		if watching {
			then = i18n.T("window.sofar.watching")
		}
		v.Text = i18n.T("window.sofar.healthy", i18n.Args{"When": when, "Found": found, "Then": then})
		return v
	}
	v.Text = i18n.T("window.sofar.fault", i18n.Args{"When": when, "Verdict": v.Text})
	if drops > 0 && !slices.ContainsFunc(r.Findings, func(f report.Finding) bool { return f.ID == report.FindingUSBUnstable }) {
		// The headline does not count the drops itself.
		v.Text = i18n.N("window.sofar.fault_drops", drops, i18n.Args{"Verdict": v.Text})
	}
	return v
}
