package checks

import (
	"errors"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// LinkCount is one source's share of a phone's stability, as device.Monitor
// counted it (the only place that counts drops and mode changes).
type LinkCount struct {
	Source, Key string
	// Detaches are drops: departures that did not end in a mode change.
	Detaches int
	Attaches int
	// Flaps are drops followed by a return in the same mode.
	Flaps int
	// ModeChanges are the phone's mode changes (expected while a restore runs).
	ModeChanges int
	// FlapTimes are the times of the drops that were followed by a flap.
	FlapTimes []time.Time
	// Transitions describe the mode changes, e.g. "recovery→normal".
	Transitions []string
}

// PhoneStability is the stability of one phone: the worst source's counts.
type PhoneStability struct {
	Key      string
	Detaches int
	Attaches int
	Flaps    int
	// Worst is the source count the figures come from.
	Worst LinkCount
	// All are every source's counts for this phone.
	All []LinkCount
}

// USBStability is check usb.stability over a sampling window of length
// window. sourcesErr lists event sources that could not be watched (their
// absence is said in the detail, not hidden).
func USBStability(window time.Duration, phones []PhoneStability, sourcesWatched []string, sourcesErr []string) (Outcome, error) {
	if window <= 0 {
		return Skipped(i18n.T("findings.skipped.window_zero")), nil
	}
	if len(sourcesWatched) == 0 {
		return Outcome{}, errors.New(i18n.T("findings.error.no_event_source", i18n.Args{"Errors": strings.Join(sourcesErr, "; ")}))
	}
	var fs []report.Finding
	var parts []string
	for _, p := range phones {
		w := p.Worst
		if w.Detaches == 0 && w.Attaches == 0 && w.ModeChanges == 0 {
			continue
		}
		parts = append(parts, i18n.T("findings.detail.stability_phone", i18n.Args{"Device": p.Key,
			"Drops": i18n.N("findings.detail.drops", w.Detaches), "Returns": i18n.N("findings.detail.returns", w.Flaps),
			"ModeChanges": i18n.N("findings.detail.mode_changes", w.ModeChanges), "Source": w.Source}))
		if w.Flaps == 0 {
			continue
		}
		sev := report.SeverityWarning
		if w.Flaps >= FlapsCritical {
			sev = report.SeverityCritical
		}
		times := make([]string, len(w.FlapTimes))
		for i, t := range w.FlapTimes {
			times[i] = t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
		ev := map[string]any{
			// The phone's drops as the Monitor counts them: the one number
			// the summary, the reasons and the device line all show.
			"detaches":     p.Detaches,
			"attaches":     w.Attaches,
			"flaps":        w.Flaps,
			"mode_changes": w.ModeChanges,
			"window_s":     seconds(window),
			"times":        times,
			"source":       w.Source,
		}
		if len(p.All) > 1 {
			per := map[string]any{}
			for _, c := range p.All {
				per[c.Source] = map[string]any{"detaches": c.Detaches, "attaches": c.Attaches, "flaps": c.Flaps}
			}
			ev["by_source"] = per
		}
		fs = append(fs, finding(report.FindingUSBUnstable, sev, p.Key,
			i18n.N("findings.summary.usb_unstable", p.Detaches, i18n.Args{"Seconds": num(seconds(window))}), ev))
	}
	args := i18n.Args{"Sources": andList(sourcesWatched), "Seconds": num(seconds(window))}
	detail := i18n.T("findings.detail.watched_no_drop", args)
	if len(parts) > 0 {
		args["Phones"] = strings.Join(parts, i18n.T("findings.incomplete.separator"))
		detail = i18n.T("findings.detail.watched", args)
	}
	if len(sourcesErr) > 0 {
		detail = i18n.T("findings.detail.not_watched", i18n.Args{"Detail": detail, "Sources": strings.Join(sourcesErr, "; ")})
	}
	return Outcome{Detail: detail, Findings: fs}, nil
}
