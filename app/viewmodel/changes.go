package viewmodel

import (
	"fmt"
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
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
// changing the cable".
func newlyTried(before, after Tried) string {
	var parts []string
	if after.Cable && !before.Cable {
		parts = append(parts, "changing the cable")
	}
	if after.Port && !before.Port {
		parts = append(parts, "moving to another USB port")
	}
	if after.Computer && !before.Computer {
		parts = append(parts, "moving to another computer")
	}
	if after.Restart && !before.Restart {
		parts = append(parts, "restarting")
	}
	if len(parts) == 0 {
		return ""
	}
	return " after " + strings.Join(parts, " and ")
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

func dir(before, after float64, lowerIsBetter bool) Direction {
	switch {
	case before == after:
		return Same
	case (after < before) == lowerIsBetter:
		return Better
	default:
		return Worse
	}
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
	add := func(label string, b, a float64, unit string, lowerIsBetter bool) {
		d := dir(b, a, lowerIsBetter)
		if d == Same {
			return
		}
		out = append(out, Change{Text: fmt.Sprintf("%s: %s → %s%s", label, num(b, unit), num(a, unit), suffix), Direction: d})
	}
	db, okb := pickDevice(before, key)
	da, oka := pickDevice(after, key)
	switch {
	case okb && oka:
		add("drops", float64(db.Stability.Detaches), float64(da.Stability.Detaches), "", true)
		if db.USB.Present && da.USB.Present {
			add("USB speed", db.USB.SpeedMbps, da.USB.SpeedMbps, " Mbit/s", false)
			if db.USB.BehindHub != da.USB.BehindHub {
				d := Better
				text := "connection: through a hub → direct"
				if da.USB.BehindHub {
					d, text = Worse, "connection: direct → through a hub"
				}
				out = append(out, Change{Text: text + suffix, Direction: d})
			}
		}
		if db.Lockdown.Reachable && da.Lockdown.Reachable {
			add("iPhone answer time", db.Lockdown.RTTms.P95, da.Lockdown.RTTms.P95, " ms", true)
		}
		add("unanswered questions", float64(db.Lockdown.Timeouts), float64(da.Lockdown.Timeouts), "", true)
		if db.Mode != da.Mode {
			out = append(out, Change{Text: fmt.Sprintf("mode: %s → %s", db.Mode, da.Mode), Direction: Same})
		}
	case okb && !oka:
		out = append(out, Change{Text: "the iPhone is no longer connected", Direction: Worse})
	case !okb && oka:
		out = append(out, Change{Text: "the iPhone is now connected" + suffix, Direction: Better})
	}
	had := map[string]report.Finding{}
	for _, f := range before.Findings {
		had[f.ID] = f
	}
	has := map[string]bool{}
	for _, f := range after.Findings {
		has[f.ID] = true
		if _, ok := had[f.ID]; !ok && f.Severity != report.SeverityInfo {
			out = append(out, Change{Text: "new problem: " + f.Summary, Direction: Worse})
		}
	}
	for _, f := range before.Findings {
		if !has[f.ID] && f.Severity != report.SeverityInfo {
			out = append(out, Change{Text: "fixed: " + f.Summary + suffix, Direction: Better})
		}
	}
	if len(out) == 0 {
		out = append(out, Change{Text: "no change since the previous check" + suffix, Direction: Same})
	}
	return out
}

func num(v float64, unit string) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d%s", int64(v), unit)
	}
	return fmt.Sprintf("%.1f%s", v, unit)
}
