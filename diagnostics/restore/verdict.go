package restore

import (
	"fmt"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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

// sentences joins sentences the current language's way: a space between
// them in most languages, none after a full-width stop in Japanese and
// Chinese.
func sentences(first string, more ...string) string {
	for _, m := range more {
		first = i18n.T("restore.sentences", i18n.Args{"First": first, "Then": m})
	}
	return first
}

// error1002 says which error the apps show for a failed restore.
func error1002() string { return i18n.T("restore.error1002") }

// stepWords says what to do for step n (1 to 6), as a sentence.
func stepWords(n int) string { return i18n.T(fmt.Sprintf("restore.step.%d", n)) }

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
		v.Summary = i18n.T("restore.verdict.incomplete", i18n.Args{"Reasons": strings.Join(reasons, "; ")})
		if c != nil {
			v.Stage, v.AtMS = c.Kind, c.StartMS
			v.Summary = sentences(v.Summary, i18n.T("restore.verdict.incomplete_last", i18n.Args{"InStage": c.Kind.In(), "For": fmtMS(end - c.StartMS)}))
		}
	case c == nil:
		v.ID = NoRestore
		v.Summary = i18n.T("restore.verdict.no_iphone")
	case t.flowStartMS < 0:
		v.ID = NoRestore
		v.Stage, v.AtMS = c.Kind, c.StartMS
		v.Summary = i18n.T("restore.verdict.no_restore", i18n.Args{"InStage": c.Kind.In()})
	default:
		v.ID = Unfinished
		v.Stage, v.AtMS = c.Kind, c.StartMS
		v.Summary = i18n.T("restore.verdict.unfinished", i18n.Args{"Into": fmtMS(end - t.flowStartMS), "InStage": c.Kind.In(), "For": fmtMS(end - c.StartMS)})
	}
	return v
}

func (t *Timeline) incompleteReasons() []string {
	r := []string{}
	switch {
	case !t.stopped:
		r = append(r, i18n.T("restore.incomplete.no_stop"))
	case t.stopWhy == "interrupted" || t.stopWhy == "":
		r = append(r, i18n.T("restore.incomplete.interrupted"))
	case t.stopWhy != "done":
		r = append(r, i18n.T("restore.incomplete.interrupted_why", i18n.Args{"Why": t.stopWhy}))
	}
	if t.cutLine > 0 {
		r = append(r, i18n.T("restore.incomplete.cut", i18n.Args{"Line": t.cutLine}))
	}
	if t.gapCount > 0 {
		r = append(r, i18n.T("restore.incomplete.gaps", i18n.Args{"Times": times(t.gapCount), "Gaps": strings.Join(t.gaps, "; ")}))
	}
	return r
}

func (t *Timeline) evidence() []string {
	var e []string
	if t.drops > 0 {
		e = append(e, i18n.T("restore.evidence.drops", i18n.Args{"Times": times(t.drops)}))
	}
	if t.portChanges > 0 {
		e = append(e, i18n.T("restore.evidence.ports", i18n.Args{"N": i18n.Int(t.portChanges)}))
	}
	if t.lowSpeed != nil {
		e = append(e, i18n.T("restore.evidence.speed", i18n.Args{"Mbps": fmtNum(t.lowSpeed.mbps), "InStage": t.lowSpeed.stage.In(), "At": fmtMS(t.lowSpeed.atMS)}))
	}
	if t.stagesOmitted > 0 {
		e = append(e, i18n.T("restore.evidence.omitted", i18n.Args{"N": i18n.Int(t.stagesOmitted)}))
	}
	return e
}

// into says how far into the restore ms is.
func (t *Timeline) into(ms int64) string {
	if t.flowStartMS < 0 || ms < t.flowStartMS {
		return i18n.T("restore.into.recording", i18n.Args{"D": fmtMS(ms)})
	}
	return i18n.T("restore.into.restore", i18n.Args{"D": fmtMS(ms - t.flowStartMS)})
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
		a := i18n.Args{"Into": t.into(s.StartMS), "For": fmtMS(dur), "From": fmtMS(s.StartMS), "PID": fmt.Sprintf("%04x", s.ProductID)}
		sum, ev := "restore.verdict.not_listed", "restore.evidence.not_listed"
		if s.MuxDown {
			sum, ev = "restore.verdict.mux_down", "restore.evidence.mux_down"
		}
		return Verdict{ID: NotListed, Stage: Restore, AtMS: s.StartMS, Steps: []int{2, 4},
			Summary:  sentences(i18n.T(sum, a), error1002(), stepWords(2), stepWords(4)),
			Evidence: []string{i18n.T(ev, a)},
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
	a := i18n.Args{"Into": t.into(c.StartMS), "Stage": c.From.Words(), "InStage": c.From.In(), "Within": fmtMS(goneMS),
		"From": fmtMS(c.StartMS), "Limit": fmtMS(limit.Milliseconds())}
	a["After"] = i18n.T("restore.lost.after_leaving", a)
	if prev := t.previous(); prev != nil {
		a["For"] = fmtMS(prev.DurationMS())
		a["After"] = i18n.T("restore.lost.after_time", a)
		if prev.DurationMS() < 30_000 {
			a["After"] = i18n.T("restore.lost.right_after", a)
		}
	}
	v := Verdict{ID: Lost, Stage: c.From, AtMS: c.StartMS, Steps: []int{1},
		Summary:  sentences(i18n.T("restore.verdict.lost", a), error1002(), stepWords(1)),
		Evidence: []string{i18n.T("restore.evidence.lost", a)},
	}
	if in.Tried.Computer {
		v.Professional = true
		v.Summary = sentences(v.Summary, i18n.T("restore.verdict.lost_professional"))
	}
	return v, true
}

func ruleWrongMode(t *Timeline, _ int64, _ Inputs) (Verdict, bool) {
	if t.wrongCount == 0 {
		return Verdict{}, false
	}
	w := t.wrong[0]
	v := Verdict{ID: WrongMode, Stage: w.to, AtMS: w.atMS, Steps: []int{5},
		Summary: sentences(i18n.T("restore.verdict.wrong_mode", i18n.Args{"Why": w.why, "Into": t.into(w.atMS)}), error1002(), stepWords(5)),
		Evidence: []string{i18n.T("restore.evidence.wrong_mode", i18n.Args{"For": fmtMS(w.gapMS), "Stage": w.from.Words(),
			"Back": w.to.Words(), "PID": fmt.Sprintf("%04x", w.pid), "At": fmtMS(w.atMS)})},
	}
	if t.wrongCount > 1 {
		v.Professional = true
		v.Summary = sentences(v.Summary, i18n.T("restore.verdict.wrong_professional", i18n.Args{"Times": times(t.wrongCount)}))
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
			Summary: sentences(i18n.T("restore.verdict.drops", i18n.Args{"Times": times(drops), "Into": t.into(first.TimeMS),
				"InStage": t.stageAt(first.TimeMS).In()}), error1002(), stepWords(1)),
			Evidence: []string{first.Detail},
		}, true
	}
	if f := t.lowSpeed; f != nil {
		return Verdict{ID: LinkTrouble, Stage: f.stage, AtMS: f.atMS, Steps: []int{1},
			Summary: sentences(i18n.T("restore.verdict.slow", i18n.Args{"Speed": speedName(f.mbps), "Mbps": fmtNum(f.mbps),
				"InStage": f.stage.In(), "Into": t.into(f.atMS)}), stepWords(1)),
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
		a := i18n.Args{"Stage": s.Kind.Words(), "InStage": s.Kind.In(), "For": fmtMS(dur), "From": fmtMS(s.StartMS), "Limit": fmtMS(limit.Milliseconds())}
		sum := "restore.verdict.stuck_left"
		if s.Open {
			sum = "restore.verdict.stuck_waiting"
		}
		return Verdict{ID: StuckWaiting, Stage: s.Kind, AtMS: s.StartMS, Steps: []int{6, 3},
			Summary:  sentences(i18n.T(sum, a), stepWords(6), stepWords(3)),
			Evidence: []string{i18n.T("restore.evidence.stuck", a)},
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
		Evidence: []string{i18n.T("restore.evidence.success", i18n.Args{"At": fmtMS(t.finishedMS), "From": fmtMS(t.restoreStartMS)})}}
	drops := 0
	for _, m := range t.marks {
		if m.Kind == MarkDrop && m.TimeMS >= t.flowStartMS {
			drops++
		}
	}
	switch {
	case drops > 0:
		v.Summary = i18n.T("restore.verdict.success_drops", i18n.Args{"Took": fmtMS(took), "Times": times(drops), "Step": stepWords(1)})
		v.Steps = []int{1}
	case t.lowSpeed != nil:
		v.Summary = i18n.T("restore.verdict.success_slow", i18n.Args{"Took": fmtMS(took), "Mbps": fmtNum(t.lowSpeed.mbps),
			"InStage": t.lowSpeed.stage.In(), "Step": stepWords(1)})
		v.Steps = []int{1}
	default:
		v.Summary = i18n.T("restore.verdict.success", i18n.Args{"Took": fmtMS(took)})
		v.Steps = []int{}
	}
	return v, true
}

// times says how often: "once", "twice", "3 times".
func times(n int) string {
	switch n {
	case 1:
		return i18n.T("restore.times.once")
	case 2:
		return i18n.T("restore.times.twice")
	}
	return i18n.T("restore.times.n", i18n.Args{"N": i18n.Int(n)})
}

// speedName names a USB link speed class ("full speed").
func speedName(mbps float64) string {
	switch {
	case mbps <= 1.5:
		return i18n.T("restore.speed.low")
	case mbps <= 12:
		return i18n.T("restore.speed.full")
	case mbps <= 480:
		return i18n.T("restore.speed.high")
	}
	return i18n.T("restore.speed.super")
}

// fmtNum writes a number for people in the current locale ("1.5", "1,5").
func fmtNum(f float64) string { return i18n.Num(f, 3) }

func fmtMS(ms int64) string { return fmtDur(time.Duration(ms) * time.Millisecond) }

// fmtDur writes a duration the way people read it, in the current
// language: "45 s", "2 min 10 s", "1 h 3 min", "0.4 s".
func fmtDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < 10*time.Second {
		return i18n.T("unit.duration.s", i18n.Args{"S": i18n.Num(d.Seconds(), 1)})
	}
	s := int(d.Round(time.Second) / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	switch {
	case h > 0 && m > 0:
		return i18n.T("unit.duration.h_min", i18n.Args{"H": i18n.Int(h), "Min": i18n.Int(m)})
	case h > 0:
		return i18n.T("unit.duration.h", i18n.Args{"H": i18n.Int(h)})
	case m > 0 && sec > 0:
		return i18n.T("unit.duration.min_s", i18n.Args{"Min": i18n.Int(m), "S": i18n.Int(sec)})
	case m > 0:
		return i18n.T("unit.duration.min", i18n.Args{"Min": i18n.Int(m)})
	}
	return i18n.T("unit.duration.s", i18n.Args{"S": i18n.Int(sec)})
}
