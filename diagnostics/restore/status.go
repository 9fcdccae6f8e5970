package restore

import (
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TimerState is what a stage's timer says.
type TimerState string

// Timer states.
const (
	TimerNone    TimerState = "none"       // no phone seen yet
	TimerOK      TimerState = "ok"         // within the expected time
	TimerStalled TimerState = "stalled"    // in a stage longer than it takes, no progress
	TimerLost    TimerState = "lost"       // off USB longer than a handover takes
	TimerWrong   TimerState = "wrong_mode" // came back in a stage the restore does not expect
)

// Status is the live state: the stage now, for how long, what is expected
// next and what its timer says.
type Status struct {
	Stage   Kind
	SinceMS int64 // time in the stage
	// LimitMS is how long the stage may last before the timer fires (0: no limit).
	LimitMS int64
	Timer   TimerState
	// Next says in plain words what is expected next, labelled for a line
	// of its own ("next: restore mode").
	Next string
	// Expect is Next without its label ("restore mode"), for a view that
	// labels it itself ("" while no iPhone is seen).
	Expect string
}

// Clock gives the time; tests use a fake one.
type Clock interface{ Now() time.Time }

// StatusNow is Status at the clock's time, counted from the header's
// StartedAt (the newest event's time if StartedAt does not parse).
func (t *Timeline) StatusNow(c Clock) Status {
	start, err := time.Parse(time.RFC3339Nano, t.header.StartedAt)
	if err != nil {
		return t.Status(t.lastMS)
	}
	return t.Status(c.Now().Sub(start).Milliseconds())
}

// Status is the live state at nowMS (milliseconds since the recording
// started; never before the newest event).
func (t *Timeline) Status(nowMS int64) Status {
	if nowMS < t.lastMS {
		nowMS = t.lastMS
	}
	c := t.cur()
	if c == nil {
		return Status{Stage: Unknown, Timer: TimerNone, Next: i18n.T("restore.status.waiting")}
	}
	st := Status{Stage: c.Kind, SinceMS: nowMS - c.StartMS, Timer: TimerOK}
	if !c.Open {
		st.SinceMS = c.EndMS - c.StartMS
	}
	switch c.Kind {
	case Gone:
		lim := t.handoverLimit()
		st.LimitMS = lim.Milliseconds()
		st.Next = i18n.T("restore.status.back_within", i18n.Args{"Limit": fmtDur(lim), "Next": labelled(expectedAfter(c.From))})
		st.Expect = st.Next
		if st.SinceMS >= st.LimitMS {
			st.Timer = TimerLost
		}
		return st
	case Normal:
		if t.finishedMS >= 0 {
			st.Next = i18n.T("restore.status.finished")
		} else {
			st.Next = i18n.T("restore.status.before")
		}
		st.Expect = st.Next
	default:
		st.Expect = expectedAfter(c.Kind)
		st.Next = labelled(st.Expect)
	}
	if lim := t.cfg.Stall[c.Kind]; lim > 0 {
		st.LimitMS = lim.Milliseconds()
		if st.SinceMS >= st.LimitMS {
			st.Timer = TimerStalled
		}
	}
	if c.Wrong {
		st.Timer = TimerWrong
	}
	return st
}

// expectedAfter says which stage should follow k ("restore mode").
func expectedAfter(k Kind) string {
	switch k {
	case Normal, Recovery, BootStage, DFU:
		return i18n.T("restore.expect." + k.id())
	case Restore, NormalOrRestore:
		return i18n.T("restore.expect.restore")
	}
	return i18n.T("restore.expect.any")
}

// labelled is an expectation with its label: "next: restore mode".
func labelled(expect string) string { return i18n.T("restore.next", i18n.Args{"Expect": expect}) }

// String says the status in one line for people (the CLI's live line):
// "restore mode for 2 min 10 s; next: normal mode, after the restore".
func (s Status) String() string {
	if s.Timer == TimerNone {
		return s.Next
	}
	a := i18n.Args{"Stage": s.Stage.Words(), "Since": fmtMS(s.SinceMS), "Limit": fmtMS(s.LimitMS), "Next": s.Next}
	switch s.Timer {
	case TimerStalled:
		return i18n.T("restore.status.line_stalled", a)
	case TimerLost:
		return i18n.T("restore.status.line_lost", a)
	case TimerWrong:
		return i18n.T("restore.status.line_wrong", a)
	}
	return i18n.T("restore.status.line", a)
}
