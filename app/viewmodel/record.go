package viewmodel

import (
	"fmt"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
)

// The words of "Watch my restore".
const (
	WatchRestoreLabel = "Watch my restore"
	StopRecordLabel   = "Stop"
	RecordTitle       = "Watching your restore"
	RecordDoneTitle   = "Your restore, as Restore Doctor saw it"
	RecordStartHint   = "Start the restore in Finder, iTunes or Apple Devices now, and leave the iPhone connected. " +
		"Restore Doctor only watches: it sends nothing to the iPhone while it records (checks and actions wait). " +
		"Press Stop when the restore is over."
	RecordServiceDown = "The computer's iPhone service (usbmuxd / Apple Mobile Device Service) is not answering right now; " +
		"Finder and iTunes restart it during a restore. USB is still recorded."
	RecordPhoneCard = "The phone card is paused while Restore Doctor watches the restore: see the recording."
	RecordStarting  = "Starting the recorder…"
)

// RecordView is what the restore recorder's pane shows, computed once per
// state from the recording (diagnostics/restore's status and verdict).
type RecordView struct {
	// Shown is false before the first recording.
	Shown   bool
	Running bool
	Title   string
	// Hint says what to do now (start the restore; or where the trace is).
	Hint string
	// Stage is the stage now and for how long; Next what is expected next;
	// Alarm the timer's warning ("" while on time); Service says the
	// computer's service is down ("" otherwise).
	Stage, Next, Alarm, Service string
	// Verdict, at the end: its words, the step to take (0: none) and its
	// title, whether to see a professional, the evidence, and why the
	// recording is incomplete ("" when complete).
	Verdict      string
	VerdictID    string
	Step         int
	StepTitle    string
	StepSummary  string
	Professional bool
	Evidence     []string
	Incomplete   string
	Error        string
}

// RecordInput is what BuildRecordView needs of a recording.
type RecordInput struct {
	Running, Started, Ended bool
	Status                  restore.Status
	Verdict                 *restore.Verdict
	MuxDown                 bool
	TracePath               string
	Err                     error
}

// BuildRecordView puts a recording into words.
func BuildRecordView(in RecordInput, cat Catalog) RecordView {
	v := RecordView{Shown: in.Running || in.Ended, Running: in.Running, Title: RecordTitle, Hint: RecordStartHint}
	if !v.Shown {
		return v
	}
	if in.Running && !in.Started {
		v.Stage = RecordStarting
		return v
	}
	st := in.Status
	if st.Timer == restore.TimerNone {
		v.Stage = "Waiting for an iPhone on USB."
	} else {
		v.Stage = fmt.Sprintf("Now: %s, for %s.", st.Stage.Words(), Duration(time.Duration(st.SinceMS)*time.Millisecond))
		v.Next = "Expected next: " + strings.TrimPrefix(st.Next, "next: ") + "."
	}
	switch st.Timer {
	case restore.TimerStalled:
		v.Alarm = fmt.Sprintf("Stalled: no progress for over %s.", Duration(time.Duration(st.LimitMS)*time.Millisecond))
	case restore.TimerLost:
		v.Alarm = fmt.Sprintf("Lost: the iPhone has not come back on USB within %s.", Duration(time.Duration(st.LimitMS)*time.Millisecond))
	case restore.TimerWrong:
		v.Alarm = "The iPhone came back in a mode the restore does not expect."
	}
	if in.MuxDown {
		v.Service = RecordServiceDown
	}
	if in.Running {
		return v
	}
	v.Title = RecordDoneTitle
	v.Next = ""
	if st.Timer != restore.TimerNone {
		v.Stage = fmt.Sprintf("At the end: %s, for %s.", st.Stage.Words(), Duration(time.Duration(st.SinceMS)*time.Millisecond))
	}
	v.Hint = ""
	if in.TracePath != "" {
		v.Hint = "The recording is kept in " + in.TracePath + "."
	}
	if in.Err != nil {
		v.Error = "The recorder stopped with an error: " + in.Err.Error()
	}
	if vd := in.Verdict; vd != nil {
		v.Verdict, v.VerdictID, v.Professional = vd.Summary, string(vd.ID), vd.Professional
		v.Evidence = vd.Evidence
		if !vd.Complete {
			v.Incomplete = "Incomplete recording: " + strings.Join(vd.IncompleteReasons, "; ") + "."
		}
		if len(vd.Steps) > 0 {
			v.Step = vd.Steps[0]
			for _, s := range cat.Steps {
				if s.Number == v.Step {
					v.StepTitle, v.StepSummary = fmt.Sprintf("Step %d: %s", s.Number, s.Title), s.Summary
				}
			}
			if v.StepTitle == "" {
				v.StepTitle = fmt.Sprintf("Step %d", v.Step)
			}
		}
	}
	return v
}

// Duration is d in plain words: "45 s", "2 min 10 s", "1 h 5 min".
func Duration(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%d min", s/60)
		}
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	default:
		return fmt.Sprintf("%d h %d min", s/3600, s%3600/60)
	}
}
