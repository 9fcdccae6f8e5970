package viewmodel

import (
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Tried is what the user says they already tried; it feeds the rules.
type Tried struct {
	Cable    bool // another cable
	Port     bool // another USB port
	Computer bool // another computer
	Restart  bool // restarted both iPhone and computer
}

// Any reports whether anything was ticked.
func (t Tried) Any() bool { return t.Cable || t.Port || t.Computer || t.Restart }

// Direction says whether a measured value got better or worse.
type Direction string

// Directions of a Change.
const (
	Better Direction = "better"
	Worse  Direction = "worse"
	Same   Direction = "same"
)

// Change is one before/after line: "drops: 3 → 0 after changing the cable".
type Change struct {
	Text      string
	Direction Direction
}

// newlyTried says what the user changed between two checks, for "… after
// changing the cable" ("" when nothing).
func newlyTried(before, after Tried) string {
	var parts []string
	if after.Cable && !before.Cable {
		parts = append(parts, i18n.T("window.tried.cable"))
	}
	if after.Port && !before.Port {
		parts = append(parts, i18n.T("window.tried.port"))
	}
	if after.Computer && !before.Computer {
		parts = append(parts, i18n.T("window.tried.computer"))
	}
	if after.Restart && !before.Restart {
		parts = append(parts, i18n.T("window.tried.restart"))
	}
	if len(parts) == 0 {
		return ""
	}
	return i18n.T("window.tried.after", i18n.Args{"What": andAll(parts)})
}

// andAll joins every phrase with "and": "a and b and c".
func andAll(p []string) string {
	out := p[0]
	for _, x := range p[1:] {
		out = i18n.T("window.list.and", i18n.Args{"A": out, "B": x})
	}
	return out
}

// withCause adds the user's change (newlyTried) to a before/after line.
func withCause(text, cause string) string {
	if cause == "" {
		return text
	}
	return i18n.T("window.changes.with_cause", i18n.Args{"Change": text, "Cause": cause})
}

// changeModeLine is the before/after line of a mode change.
func changeModeLine(before, after string) string {
	return i18n.T("window.changes.mode", i18n.Args{"Before": modeWord(before), "After": modeWord(after)})
}

// newProblemLine is the before/after line of a finding that is new.
func newProblemLine(summary string) string {
	return i18n.T("window.changes.new_problem", i18n.Args{"Summary": summary})
}

// fixedLine is the before/after line of a finding that is gone.
func fixedLine(summary string) string {
	return i18n.T("window.changes.fixed", i18n.Args{"Summary": summary})
}

// pickDevice is the phone with key in r; with an empty key or a report of
// one phone, the first phone. Among several phones an unknown key matches
// none: numbers of one phone are never shown as, or compared with, another's.
func pickDevice(r *report.Report, key string) (report.Device, bool) {
	if r == nil || len(r.Devices) == 0 {
		return report.Device{}, false
	}
	for _, d := range r.Devices {
		if key != "" && d.Key == key {
			return d, true
		}
	}
	if key != "" && len(r.Devices) > 1 {
		return report.Device{}, false
	}
	return r.Devices[0], true
}

// The noise rule: when a re-check calls a number better or worse. One
// 10–30 s window catches a drop more or less by chance, and round trips on a
// healthy link vary by many times while staying far below what matters.
//
//   - Counts (drops, unanswered questions): better or worse when the count
//     reaches or leaves 0, or changes by more than noiseCount; a change of
//     noiseCount or less between two non-zero counts is "about the same"
//     (still shown, so a user sees the fault is still there).
//   - Answer time (lockdown p95): better or worse only when it changes by
//     more than noiseRatio times and by more than noiseMs; otherwise not shown.
//   - USB speed and hub: discrete facts, every change counts.
//
// "… after changing the cable" names only what the user ticked since the
// previous check, and only on a change beyond noise.
const (
	noiseCount = 1
	noiseRatio = 2.0
	noiseMs    = 50.0
)

// countDirection applies the noise rule to a count.
func countDirection(before, after int) Direction {
	diff := after - before
	switch {
	case diff == 0:
		return Same
	case before != 0 && after != 0 && diff >= -noiseCount && diff <= noiseCount:
		return Same
	case diff < 0:
		return Better
	default:
		return Worse
	}
}

// latencyDirection applies the noise rule to an answer time in ms.
func latencyDirection(before, after float64) Direction {
	lo, hi := min(before, after), max(before, after)
	if hi-lo <= noiseMs || hi <= lo*noiseRatio {
		return Same
	}
	if after < before {
		return Better
	}
	return Worse
}

// BuildChanges compares the previous check with the latest one for the phone
// with key (the first phone when key is empty or absent) and says, finding by
// finding, what got better or worse. It returns nil when either report is nil.
func BuildChanges(before, after *report.Report, key string, triedBefore, triedAfter Tried) []Change {
	if before == nil || after == nil {
		return nil
	}
	suffix := newlyTried(triedBefore, triedAfter)
	var out []Change
	add := func(label, b, a string, d Direction) {
		line := i18n.T("window.changes.value", i18n.Args{"What": label, "Before": b, "After": a})
		out = append(out, Change{Text: withCause(line, suffix), Direction: d})
	}
	addCount := func(label string, b, a int) {
		switch d := countDirection(b, a); {
		case d != Same:
			add(label, i18n.Int(b), i18n.Int(a), d)
		case b != a:
			// Within noise: still there, credited to nothing.
			out = append(out, Change{Text: i18n.T("window.changes.about_same", i18n.Args{"What": label, "Before": i18n.Int(b), "After": i18n.Int(a)}), Direction: Same})
		}
	}
	mbit := func(v float64) string { return i18n.T("window.unit.mbit", i18n.Args{"N": num(v)}) }
	ms := func(v float64) string { return i18n.T("window.unit.ms", i18n.Args{"N": num(v)}) }
	db, okb := pickDevice(before, key)
	da, oka := pickDevice(after, key)
	switch {
	case okb && oka:
		addCount(i18n.T("window.changes.drops"), db.Stability.Detaches, da.Stability.Detaches)
		if db.USB.Present && da.USB.Present && db.USB.SpeedMbps != da.USB.SpeedMbps {
			d := Better
			if da.USB.SpeedMbps < db.USB.SpeedMbps {
				d = Worse
			}
			add(i18n.T("window.changes.usb_speed"), mbit(db.USB.SpeedMbps), mbit(da.USB.SpeedMbps), d)
		}
		if db.USB.Present && da.USB.Present {
			if db.USB.BehindHub != da.USB.BehindHub {
				d := Better
				text := i18n.T("window.changes.hub_gone")
				if da.USB.BehindHub {
					d, text = Worse, i18n.T("window.changes.hub_new")
				}
				out = append(out, Change{Text: withCause(text, suffix), Direction: d})
			}
		}
		if db.Lockdown.Reachable && da.Lockdown.Reachable {
			if d := latencyDirection(db.Lockdown.RTTms.P95, da.Lockdown.RTTms.P95); d != Same {
				add(i18n.T("window.changes.answer_time"), ms(db.Lockdown.RTTms.P95), ms(da.Lockdown.RTTms.P95), d)
			}
		}
		addCount(i18n.T("window.changes.unanswered"), db.Lockdown.Timeouts, da.Lockdown.Timeouts)
		if db.Mode != da.Mode {
			out = append(out, Change{Text: changeModeLine(db.Mode, da.Mode), Direction: Same})
		}
	case okb && !oka:
		out = append(out, Change{Text: i18n.T("window.changes.gone"), Direction: Worse})
	case !okb && oka:
		out = append(out, Change{Text: withCause(i18n.T("window.changes.back"), suffix), Direction: Better})
	}
	had := map[string]report.Finding{}
	for _, f := range before.Findings {
		had[f.ID] = f
	}
	has := map[string]bool{}
	for _, f := range after.Findings {
		has[f.ID] = true
		if _, ok := had[f.ID]; !ok && f.Severity != report.SeverityInfo {
			out = append(out, Change{Text: newProblemLine(f.Summary), Direction: Worse})
		}
	}
	for _, f := range before.Findings {
		if !has[f.ID] && f.Severity != report.SeverityInfo {
			out = append(out, Change{Text: withCause(fixedLine(f.Summary), suffix), Direction: Better})
		}
	}
	if len(out) == 0 {
		out = append(out, Change{Text: withCause(i18n.T("window.changes.none"), suffix), Direction: Same})
	}
	return out
}

// num is v whole when it is whole, else with one decimal, in the current
// language's digits ("16.1", "16,1").
func num(v float64) string {
	if v == float64(int64(v)) {
		return fixed(v, 0)
	}
	return fixed(v, 1)
}

// IsNoChange reports whether c is the "no change since the previous check"
// line (with or without what the user changed), in the current language.
func IsNoChange(c Change) bool {
	return c.Direction == Same && strings.Contains(c.Text, i18n.T("window.changes.none"))
}

// BackupChangeText is the before/after line of a phone's backup state:
// "backups: " and the backup box's first line.
func BackupChangeText(line string) string {
	return i18n.T("window.changes.backups", i18n.Args{"Line": line})
}
