package restore

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb/speed"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

// VerdictID names what happened; the values are the report's
// restore_timeline.verdict.id values.
type VerdictID string

// Verdict ids.
const (
	Success      VerdictID = "success"       // back in normal mode after a restore stage
	Lost         VerdictID = "lost"          // left USB after a handover and did not come back in time
	WrongMode    VerdictID = "wrong_mode"    // came back in recovery/DFU instead of restore mode
	NotListed    VerdictID = "not_listed"    // in restore mode on USB, but usbmuxd did not list it
	LinkTrouble  VerdictID = "link_trouble"  // drops or a fall below high speed during the restore
	StuckWaiting VerdictID = "stuck_waiting" // recovery (or a boot stage, DFU) with no progress for minutes
	Incomplete   VerdictID = "incomplete"    // interrupted recording or gaps: cannot say
	Unfinished   VerdictID = "unfinished"    // the recording ended before the restore did
	NoRestore    VerdictID = "no_restore"    // no restore was seen: the phone stayed in normal mode
)

// VerdictIDs lists every verdict id.
var VerdictIDs = []VerdictID{Success, Lost, WrongMode, NotListed, LinkTrouble, StuckWaiting, Incomplete, Unfinished, NoRestore}

// Verdict is what the recording says about the restore: where, what, when,
// which step, with evidence in plain words.
type Verdict struct {
	ID VerdictID
	// Stage is where it happened; AtMS when (since the recording started).
	Stage Kind
	AtMS  int64
	// Summary is the verdict in plain words, ending with the step.
	Summary      string
	Steps        []int
	Professional bool
	Evidence     []string
	// Complete is false for an interrupted recording, or one with gaps;
	// IncompleteReasons then says why. An incomplete recording is never a
	// Success.
	Complete          bool
	IncompleteReasons []string
	// RestoreMS is how long the restore took (Success only).
	RestoreMS int64
}

// Inputs are what the verdict needs beyond the events.
type Inputs struct {
	// Tried is what the user already tried (the report's --tried).
	Tried rules.Tried
	// EndMS is the time the verdict is made at (0: the newest event's).
	EndMS int64
}

const error1002 = "Finder, iTunes and Apple Devices report this as error 1002."

// stepWords says what to do for a step, as a sentence.
var stepWords = map[int]string{
	1: "Try another USB port directly on the computer, without a hub, and another cable (step 1).",
	2: "Update iTunes or Apple Devices (with Apple Mobile Device Support), or the computer's restore software (step 2).",
	3: "Or turn security and firewall software off for the restore, and on again right after (step 3).",
	4: "Then restart the iPhone and the computer (step 4).",
	5: "Put the iPhone in recovery mode and restore again (step 5).",
	6: "Try the restore on a different computer (step 6).",
}

// Decide returns the verdict of the recording so far. Rules, first match
// wins: not listed in restore mode, lost after a handover, link trouble
// (drops explain a wrong-mode return better than step 5 does), back in the
// wrong mode, stuck waiting, success; otherwise incomplete,
// unfinished or no restore. An incomplete recording keeps a failure it saw,
// but is never a success.
func (t *Timeline) Decide(in Inputs) Verdict {
	end := in.EndMS
	if end < t.lastMS {
		end = t.lastMS
	}
	reasons := t.incompleteReasons()
	v := Verdict{Complete: len(reasons) == 0, IncompleteReasons: reasons}
	evidence := t.evidence()
	for _, rule := range []func(*Timeline, int64, Inputs) (Verdict, bool){
		ruleNotListed, ruleLost, ruleLinkTrouble, ruleWrongMode, ruleStuck, ruleSuccess,
	} {
		if r, ok := rule(t, end, in); ok {
			if r.ID == Success && !v.Complete {
				break
			}
			r.Complete, r.IncompleteReasons = v.Complete, reasons
			r.Evidence = append(r.Evidence, evidence...)
			return r
		}
	}
	v.Evidence = evidence
	c := t.cur()
	switch {
	case !v.Complete:
		v.ID = Incomplete
		v.Summary = "This recording is incomplete (" + strings.Join(reasons, "; ") + "), so Restore Doctor cannot say how the restore ended."
		if c != nil {
			v.Stage, v.AtMS = c.Kind, c.StartMS
			v.Summary += fmt.Sprintf(" The iPhone was last %s, for %s.", c.Kind.In(), fmtMS(end-c.StartMS))
		}
	case c == nil:
		v.ID = NoRestore
		v.Summary = "The recording saw no iPhone on USB."
	case t.flowStartMS < 0:
		v.ID = NoRestore
		v.Stage, v.AtMS = c.Kind, c.StartMS
		v.Summary = "The recording saw no restore: the iPhone stayed " + c.Kind.In() + "."
	default:
		v.ID = Unfinished
		v.Stage, v.AtMS = c.Kind, c.StartMS
		v.Summary = fmt.Sprintf("The recording ended %s into the restore, with the iPhone %s for %s; the restore had not finished. Record the whole restore to get a verdict.",
			fmtMS(end-t.flowStartMS), c.Kind.In(), fmtMS(end-c.StartMS))
	}
	return v
}

func (t *Timeline) incompleteReasons() []string {
	r := []string{}
	switch {
	case !t.stopped:
		r = append(r, "the recording did not end properly (no stop was recorded)")
	case t.stopWhy == "interrupted" || t.stopWhy == "":
		r = append(r, "the recording was interrupted")
	case t.stopWhy != "done":
		r = append(r, "the recording was interrupted ("+t.stopWhy+")")
	}
	if t.cutLine > 0 {
		r = append(r, fmt.Sprintf("the trace file is cut at line %d (the recorder was stopped mid-write)", t.cutLine))
	}
	if t.gapCount > 0 {
		r = append(r, fmt.Sprintf("the recorder could not observe %s (%s)", times(t.gapCount), strings.Join(t.gaps, "; ")))
	}
	return r
}

func (t *Timeline) evidence() []string {
	var e []string
	if t.drops > 0 {
		e = append(e, fmt.Sprintf("drops: the iPhone dropped off USB %s", times(t.drops)))
	}
	if t.portChanges > 0 {
		e = append(e, fmt.Sprintf("port changes: %d", t.portChanges))
	}
	if t.lowSpeed != nil {
		e = append(e, fmt.Sprintf("link speed: %s Mbit/s in %s at %s", fmtNum(t.lowSpeed.mbps), t.lowSpeed.stage.Words(), fmtMS(t.lowSpeed.atMS)))
	}
	if t.stagesOmitted > 0 {
		e = append(e, fmt.Sprintf("%d stages left out of the timeline (memory bound)", t.stagesOmitted))
	}
	return e
}

// into says how far into the restore ms is.
func (t *Timeline) into(ms int64) string {
	if t.flowStartMS < 0 || ms < t.flowStartMS {
		return fmtMS(ms) + " into the recording"
	}
	return fmtMS(ms-t.flowStartMS) + " into the restore"
}

func ruleNotListed(t *Timeline, end int64, _ Inputs) (Verdict, bool) {
	for i := len(t.stages) - 1; i >= 0; i-- {
		s := t.stages[i]
		if s.Kind != Restore || s.Listed || !s.ListingKnown && !s.MuxDown {
			continue
		}
		dur := s.EndMS - s.StartMS
		if s.Open {
			dur = end - s.StartMS
		}
		if unlisted := dur - (max(s.KnownFromMS, s.StartMS) - s.StartMS); unlisted < t.cfg.NotListedAfter.Milliseconds() {
			continue
		}
		what, ev := "never listed it", "not listed by usbmuxd"
		if s.MuxDown {
			what, ev = "was not running (Restore Doctor could not reach it either)", "usbmuxd's Listen stream down the whole time"
		}
		return Verdict{ID: NotListed, Stage: Restore, AtMS: s.StartMS, Steps: []int{2, 4},
			Summary: fmt.Sprintf("The iPhone entered restore mode %s and stayed on USB for %s, but the computer's Apple Mobile Device service (usbmuxd) %s, so the restore could not go on. %s %s %s",
				t.into(s.StartMS), fmtMS(dur), what, error1002, stepWords[2], stepWords[4]),
			Evidence: []string{fmt.Sprintf("restore mode on USB from %s for %s (product id %04x), %s", fmtMS(s.StartMS), fmtMS(dur), s.ProductID, ev)},
		}, true
	}
	return Verdict{}, false
}

func ruleLost(t *Timeline, end int64, in Inputs) (Verdict, bool) {
	c := t.cur()
	if c == nil || c.Kind != Gone || c.From == "" {
		return Verdict{}, false
	}
	goneMS := end - c.StartMS
	limit := t.handoverLimit()
	if goneMS < limit.Milliseconds() {
		return Verdict{}, false
	}
	after := "after leaving " + c.From.Words()
	if prev := t.previous(); prev != nil {
		after = "after " + fmtMS(prev.DurationMS()) + " in " + c.From.Words()
		if prev.DurationMS() < 30_000 {
			after = "right after entering " + c.From.Words()
		}
	}
	v := Verdict{ID: Lost, Stage: c.From, AtMS: c.StartMS, Steps: []int{1},
		Summary: fmt.Sprintf("The iPhone left USB %s, %s, and did not come back within %s. %s %s",
			t.into(c.StartMS), after, fmtMS(goneMS), error1002, stepWords[1]),
		Evidence: []string{fmt.Sprintf("off USB from %s to the end of the recording (%s; a handover from %s takes at most %s)",
			fmtMS(c.StartMS), fmtMS(goneMS), c.From.Words(), fmtMS(limit.Milliseconds()))},
	}
	if in.Tried.Computer {
		v.Professional = true
		v.Summary += " You tried another computer already and this recording shows the iPhone lost again: have its port and logic board checked by a professional."
	}
	return v, true
}

func ruleWrongMode(t *Timeline, _ int64, _ Inputs) (Verdict, bool) {
	if t.wrongCount == 0 {
		return Verdict{}, false
	}
	w := t.wrong[0]
	v := Verdict{ID: WrongMode, Stage: w.to, AtMS: w.atMS, Steps: []int{5},
		Summary: fmt.Sprintf("The iPhone %s, %s: the restore system did not start. %s %s",
			w.why, t.into(w.atMS), error1002, stepWords[5]),
		Evidence: []string{fmt.Sprintf("off USB for %s after %s, back as %s (product id %04x) at %s", fmtMS(w.gapMS), w.from.Words(), w.to.Words(), w.pid, fmtMS(w.atMS))},
	}
	if t.wrongCount > 1 {
		v.Professional = true
		v.Summary += fmt.Sprintf(" It came back in the wrong mode %s: if it does again after step 5, have it checked by a professional.", times(t.wrongCount))
	}
	return v, true
}

func ruleLinkTrouble(t *Timeline, _ int64, _ Inputs) (Verdict, bool) {
	if c := t.cur(); c == nil || t.finishedMS >= 0 && c.Kind == Normal {
		return Verdict{}, false // the restore finished: Success says how the link did
	}
	drops := 0
	var first Mark
	for _, m := range t.marks {
		if m.Kind == MarkDrop && (t.flowStartMS < 0 || m.TimeMS >= t.flowStartMS) {
			if drops == 0 {
				first = m
			}
			drops++
		}
	}
	if drops > 0 {
		return Verdict{ID: LinkTrouble, Stage: t.stageAt(first.TimeMS), AtMS: first.TimeMS, Steps: []int{1},
			Summary: fmt.Sprintf("The USB link dropped %s during the restore, first %s in %s. %s %s",
				times(drops), t.into(first.TimeMS), t.stageAt(first.TimeMS).Words(), error1002, stepWords[1]),
			Evidence: []string{first.Detail},
		}, true
	}
	if f := t.lowSpeed; f != nil {
		return Verdict{ID: LinkTrouble, Stage: f.stage, AtMS: f.atMS, Steps: []int{1},
			Summary: fmt.Sprintf("The iPhone's USB link ran at %s (%s Mbit/s) instead of high speed (480 Mbit/s) in %s, %s. %s",
				speed.Name(f.mbps), fmtNum(f.mbps), f.stage.Words(), t.into(f.atMS), stepWords[1]),
		}, true
	}
	return Verdict{}, false
}

// stageAt is the kind of the kept stage that covers ms.
func (t *Timeline) stageAt(ms int64) Kind {
	k := Unknown
	for _, s := range t.stages {
		if s.StartMS <= ms {
			k = s.Kind
		}
	}
	return k
}

func ruleStuck(t *Timeline, end int64, _ Inputs) (Verdict, bool) {
	if t.finishedMS >= 0 {
		return Verdict{}, false
	}
	for i := len(t.stages) - 1; i >= 0; i-- {
		s := t.stages[i]
		if s.Kind == Gone || s.Kind == NormalOrRestore {
			continue
		}
		if !s.Kind.lowLevel() {
			return Verdict{}, false
		}
		dur := s.EndMS - s.StartMS
		if s.Open {
			dur = end - s.StartMS
		}
		limit := t.cfg.Stall[s.Kind]
		if limit <= 0 || dur < limit.Milliseconds() {
			return Verdict{}, false
		}
		left := "and was still waiting when the recording ended"
		if !s.Open {
			left = "and then left it without a restore"
		}
		return Verdict{ID: StuckWaiting, Stage: s.Kind, AtMS: s.StartMS, Steps: []int{6, 3},
			Summary: fmt.Sprintf("The iPhone waited in %s for %s with no progress %s: the computer never sent it the next stage, which happens when it cannot reach Apple's servers or something blocks it. %s %s",
				s.Kind.Words(), fmtMS(dur), left, stepWords[6], stepWords[3]),
			Evidence: []string{fmt.Sprintf("%s from %s for %s (no progress expected to take over %s)", s.Kind.Words(), fmtMS(s.StartMS), fmtMS(dur), fmtMS(limit.Milliseconds()))},
		}, true
	}
	return Verdict{}, false
}

func ruleSuccess(t *Timeline, end int64, _ Inputs) (Verdict, bool) {
	c := t.cur()
	if t.finishedMS < 0 || c == nil || c.Kind != Normal || t.flowStartMS < 0 {
		return Verdict{}, false
	}
	took := t.finishedMS - t.flowStartMS
	v := Verdict{ID: Success, Stage: Normal, AtMS: t.finishedMS, RestoreMS: took,
		Evidence: []string{fmt.Sprintf("back in normal mode at %s after restore mode from %s", fmtMS(t.finishedMS), fmtMS(t.restoreStartMS))}}
	drops := 0
	for _, m := range t.marks {
		if m.Kind == MarkDrop && m.TimeMS >= t.flowStartMS {
			drops++
		}
	}
	switch {
	case drops > 0:
		v.Summary = fmt.Sprintf("Restore finished in %s, but the USB link dropped %s on the way. Before the next restore: %s", fmtMS(took), times(drops), stepWords[1])
		v.Steps = []int{1}
	case t.lowSpeed != nil:
		v.Summary = fmt.Sprintf("Restore finished in %s, but the link ran at %s Mbit/s in %s. Before the next restore: %s", fmtMS(took), fmtNum(t.lowSpeed.mbps), t.lowSpeed.stage.Words(), stepWords[1])
		v.Steps = []int{1}
	default:
		v.Summary = fmt.Sprintf("Restore finished in %s; the link held.", fmtMS(took))
		v.Steps = []int{}
	}
	return v, true
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func fmtMS(ms int64) string { return fmtDur(time.Duration(ms) * time.Millisecond) }

// fmtDur writes a duration the way people read it: "45 s", "2 min 10 s",
// "1 h 3 min", "0.4 s".
func fmtDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < 10*time.Second {
		s := strconv.FormatFloat(d.Seconds(), 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + " s"
	}
	s := int64(d.Round(time.Second) / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case h > 0:
		return fmt.Sprintf("%d h", h)
	case m > 0 && sec > 0:
		return fmt.Sprintf("%d min %d s", m, sec)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d s", sec)
}
