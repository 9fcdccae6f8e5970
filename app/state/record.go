package state

import (
	"time"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// This file holds the reducer's part for "Watch my restore": a passive
// recording of a restore (device/restorewatch), followed live through
// diagnostics/restore's stage model, and its verdict at the end.
//
// While a recording runs the window sends nothing to any phone: no check
// starts (Busy), no action is offered (Busy), and the window's effects stop
// the live view (which asks lockdownd) until it ends. Device events that
// still arrive from the live view are ignored.

// Recording is the window's restore recording: the one running, or the last
// one's result.
type Recording struct {
	// Running is set from the user's "Watch my restore" until the recorder
	// has ended; Seq numbers the recordings (the window starts the
	// recorder for a Seq once).
	Running bool
	Seq     int
	// Requested is when the user asked for it (wall clock).
	Requested time.Time
	// StopAsked is set by the user's Stop: the recorder ends "done".
	StopAsked bool

	// Timeline is the stage model of this recording, fed in order with the
	// recorder's events. It is the one part of State that is changed in
	// place (by Reduce only, on RecordEvent): states that share it share
	// the recording. Nil until the recorder has started.
	Timeline *restore.Timeline
	// TracePath is where the recorder writes the trace file ("" for none).
	TracePath string
	// NowMS is the recording's clock at the last event or tick
	// (milliseconds since it started); Status is the live status then.
	NowMS  int64
	Status restore.Status
	// Events counts the events applied.
	Events int

	// Ended is set once the recorder returned; Verdict and Report are then
	// computed once, from the timeline (diagnostics/restore), and the pane
	// and the export both show them. Err is why the recorder failed.
	Ended   bool
	Verdict *restore.Verdict
	Report  *report.RestoreTimeline
	Err     error
}

// Stopped reports whether the last recording ended with the user's Stop
// ("done") rather than being interrupted.
func (r Recording) Stopped() bool {
	if r.Timeline == nil {
		return false
	}
	ok, why := r.Timeline.Stopped()
	return ok && why == "done"
}

// RecordRequested is the user's "Watch my restore".
type RecordRequested struct{ Time time.Time }

// RecordStarted says the recorder runs: the trace's header (its start is
// time zero of the events) and where the trace file is written.
type RecordStarted struct {
	Seq       int
	Header    restoretrace.Header
	TracePath string
}

// RecordEvent is one event of the recorder, in order.
type RecordEvent struct {
	Seq   int
	Event restoretrace.Event
}

// RecordTick is the recording's clock moving (the window redraws the
// timers and the picture on it, at a bounded rate).
type RecordTick struct {
	Seq   int
	NowMS int64
}

// RecordStopRequested is the user's "Stop".
type RecordStopRequested struct{}

// RecordEnded is the recorder's end (after its record.stop event); Err is
// why it failed, if it did.
type RecordEnded struct {
	Seq  int
	Err  error
	Time time.Time
}

// QuietAfterRecording is how long after a recording the phones the live
// view finds again start no automatic check: the restore may still run (the
// user pressed Stop early), and a check talks to the phone. "Check now"
// still does.
const QuietAfterRecording = ReplugAfter

func (RecordRequested) event()     {}
func (RecordStarted) event()       {}
func (RecordEvent) event()         {}
func (RecordTick) event()          {}
func (RecordStopRequested) event() {}
func (RecordEnded) event()         {}

// RecordOffered reports whether "Watch my restore" may be pressed now: not
// while a recording or an action runs (a running check is cancelled).
func (s State) RecordOffered() bool { return !s.Recording.Running && s.Action.Running == "" }

// reduceRecord applies the recording's events; ok is false for other events.
func (s State) reduceRecord(ev Event) (State, bool) {
	r := &s.Recording
	switch e := ev.(type) {
	case RecordRequested:
		s.Now = e.Time
		if !s.RecordOffered() {
			return s, true
		}
		// A running check talks to the phone: it is abandoned (its late
		// result is ignored, as a result of another Seq is).
		if s.Check.Running {
			s.Check.Running = false
			s.Check.Progress.Report = nil
		}
		s.Action.Confirming = ""
		s.Recording = Recording{Running: true, Seq: r.Seq + 1, Requested: e.Time,
			Status: restore.Status{Stage: restore.Unknown, Timer: restore.TimerNone, Next: i18n.T("app.record.starting")}}
	case RecordStarted:
		if e.Seq != r.Seq || !r.Running || r.Timeline != nil {
			return s, true
		}
		r.Timeline = restore.New(e.Header, restore.DefaultConfig())
		r.TracePath = e.TracePath
		r.Status = r.Timeline.Status(0)
	case RecordEvent:
		if e.Seq != r.Seq || r.Timeline == nil || r.Ended {
			return s, true
		}
		r.Timeline.Apply(e.Event)
		r.Events++
		r.NowMS = max(r.NowMS, e.Event.TimeMS)
		r.Status = r.Timeline.Status(r.NowMS)
	case RecordTick:
		if e.Seq != r.Seq || r.Timeline == nil || r.Ended {
			return s, true
		}
		r.NowMS = max(r.NowMS, e.NowMS)
		r.Status = r.Timeline.Status(r.NowMS)
	case RecordStopRequested:
		if r.Running {
			r.StopAsked = true
		}
	case RecordEnded:
		if e.Seq != r.Seq || !r.Running {
			return s, true
		}
		r.Running, r.Ended, r.Err = false, true, e.Err
		if !e.Time.IsZero() {
			s.Now = e.Time
		}
		s.QuietUntil = s.Now.Add(QuietAfterRecording)
		if r.Timeline != nil {
			// The verdict is made once, here; the pane and the export
			// both show this one.
			v := r.Timeline.Decide(restore.Inputs{Tried: RulesTried(s.Tried), EndMS: r.NowMS})
			r.Verdict = &v
			r.Report = r.Timeline.ToReport(v, r.NowMS)
			r.Status = r.Timeline.Status(r.NowMS)
		}
		// The live view restarts: what it knew before is old news, and the
		// phones it finds now are new plug-ins.
		s.Phones, s.Selected = map[string]Phone{}, ""
		s.updateView()
	default:
		return s, false
	}
	return s, true
}
