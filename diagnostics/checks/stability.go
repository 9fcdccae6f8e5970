package checks

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// LinkCount is how often one device came and went on one source.
type LinkCount struct {
	Source, Key string
	Detaches    int
	Attaches    int
	// Flaps are re-appearances in the same mode after a detach.
	Flaps int
	// ModeChanges are re-appearances in a different mode (expected while a
	// restore runs), and mode changes the source reported directly.
	ModeChanges int
	// FlapTimes are the times of the detaches that were followed by a flap.
	FlapTimes []time.Time
	// Transitions describe the mode changes, e.g. "recovery→normal".
	Transitions []string
	// ModeChangeTimes are the times of the detaches (or of the change when
	// no detach was seen) that ended in a mode change.
	ModeChangeTimes []time.Time
}

// CountLinks folds link events into per-source, per-device counts. Events
// need not be sorted. A detach followed by an attach in the same mode is a
// flap; in a different mode it is a mode change; an attach with no detach
// before it in the window (plugged in, or the initial listing) is neither.
func CountLinks(events []LinkEvent) []LinkCount {
	evs := append([]LinkEvent(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	type state struct {
		c           *LinkCount
		lastMode    mode.Mode
		pending     bool
		pendingMode mode.Mode
		pendingAt   time.Time
	}
	byKey := map[[2]string]*state{}
	var order [][2]string
	for _, e := range evs {
		k := [2]string{e.Source, e.Key}
		st, ok := byKey[k]
		if !ok {
			st = &state{c: &LinkCount{Source: e.Source, Key: e.Key}}
			byKey[k] = st
			order = append(order, k)
		}
		m := e.Mode
		if m == "" {
			m = mode.Unknown
		}
		switch e.Kind {
		case LinkDetach:
			st.c.Detaches++
			if m == mode.Unknown {
				m = st.lastMode // usbmuxd's Detached carries no product id
			}
			st.pending, st.pendingMode, st.pendingAt = true, m, e.Time
		case LinkModeChange:
			st.c.ModeChanges++
			prev := e.PrevMode
			if st.pending && st.pendingMode != "" && st.pendingMode != mode.Unknown {
				prev = st.pendingMode
			}
			at := e.Time
			if st.pending {
				st.c.Attaches++
				at = st.pendingAt
			}
			st.c.Transitions = append(st.c.Transitions, fmt.Sprintf("%s→%s", prev, m))
			st.c.ModeChangeTimes = append(st.c.ModeChangeTimes, at)
			st.pending = false
			st.lastMode = m
		case LinkAttach:
			if e.Initial {
				st.lastMode = m
				continue
			}
			st.c.Attaches++
			if st.pending {
				before := st.pendingMode
				if before == "" || before == mode.Unknown || m == mode.Unknown || before == m {
					st.c.Flaps++
					st.c.FlapTimes = append(st.c.FlapTimes, st.pendingAt)
				} else {
					st.c.ModeChanges++
					st.c.Transitions = append(st.c.Transitions, fmt.Sprintf("%s→%s", before, m))
					st.c.ModeChangeTimes = append(st.c.ModeChangeTimes, st.pendingAt)
				}
			}
			st.pending = false
			st.lastMode = m
		}
	}
	out := make([]LinkCount, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k].c)
	}
	return out
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

// ModeChangeTolerance is how close a USB re-enumeration must be to a mode
// change another source saw for it to be the same event.
const ModeChangeTolerance = 5 * time.Second

// ByPhone groups link counts by phone. resolve maps a (source, key) to the
// phone key; when it returns "" the source key itself is used (a phone that
// left and never came back is still reported). Counts from USB and usbmuxd
// for the same phone are not added (they see the same drops): the source with
// the most flaps (then detaches) wins. USB cannot tell restore mode from
// normal mode (same product ids), so a USB re-appearance within
// ModeChangeTolerance of a mode change usbmuxd/lockdownd saw is counted as
// that mode change, not as a flap.
func ByPhone(counts []LinkCount, resolve func(source, key string) string) []PhoneStability {
	idx := map[string]int{}
	var out []PhoneStability
	for _, c := range counts {
		pk := ""
		if resolve != nil {
			pk = resolve(c.Source, c.Key)
		}
		if pk == "" {
			pk = c.Source + ":" + c.Key
		}
		i, ok := idx[pk]
		if !ok {
			i = len(out)
			idx[pk] = i
			out = append(out, PhoneStability{Key: pk})
		}
		out[i].All = append(out[i].All, c)
	}
	for i := range out {
		ps := &out[i]
		var changes []time.Time
		for _, c := range ps.All {
			changes = append(changes, c.ModeChangeTimes...)
		}
		for j := range ps.All {
			ps.All[j] = discountModeChanges(ps.All[j], changes)
		}
		for j, c := range ps.All {
			if j == 0 || c.Flaps > ps.Flaps || (c.Flaps == ps.Flaps && c.Detaches > ps.Detaches) {
				ps.Flaps, ps.Detaches, ps.Attaches, ps.Worst = c.Flaps, c.Detaches, c.Attaches, c
			}
		}
	}
	return out
}

// discountModeChanges turns flaps of c that coincide with a mode change
// seen by another source into mode changes.
func discountModeChanges(c LinkCount, changes []time.Time) LinkCount {
	if len(changes) == 0 || c.Flaps == 0 {
		return c
	}
	var kept []time.Time
	for _, ft := range c.FlapTimes {
		near := false
		for _, mt := range changes {
			if d := ft.Sub(mt); d > -ModeChangeTolerance && d < ModeChangeTolerance {
				near = true
				break
			}
		}
		if near {
			c.Flaps--
			c.ModeChanges++
			c.Transitions = append(c.Transitions, "re-enumerated with a mode change seen by another source")
			continue
		}
		kept = append(kept, ft)
	}
	c.FlapTimes = kept
	return c
}

// USBStability is check usb.stability over a sampling window of length
// window. sourcesErr lists event sources that could not be watched (their
// absence is said in the detail, not hidden).
func USBStability(window time.Duration, phones []PhoneStability, sourcesWatched []string, sourcesErr []string) (Outcome, error) {
	if window <= 0 {
		return Skipped("window is 0: one pass, the connection was not watched over time"), nil
	}
	if len(sourcesWatched) == 0 {
		return Outcome{}, fmt.Errorf("no event source could be watched: %s", strings.Join(sourcesErr, "; "))
	}
	var fs []report.Finding
	var parts []string
	for _, p := range phones {
		w := p.Worst
		if w.Detaches == 0 && w.Attaches == 0 && w.ModeChanges == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s, %s in the same mode, %s (%s)",
			p.Key, plural(w.Detaches, "detach"), plural(w.Flaps, "re-appearance"), plural(w.ModeChanges, "mode change"), w.Source))
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
			"detaches":     w.Detaches,
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
			fmt.Sprintf("The iPhone dropped off the USB connection and came back %s in %g s", plural(w.Flaps, "time"), seconds(window)), ev))
	}
	detail := fmt.Sprintf("watched %s for %g s", strings.Join(sourcesWatched, " and "), seconds(window))
	if len(parts) == 0 {
		detail += ": no detach"
	} else {
		detail += ": " + strings.Join(parts, "; ")
	}
	if len(sourcesErr) > 0 {
		detail += " (not watched: " + strings.Join(sourcesErr, "; ") + ")"
	}
	return Outcome{Detail: detail, Findings: fs}, nil
}
