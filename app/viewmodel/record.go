package viewmodel

import (
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// The words of "Watch my restore".

// WatchRestoreLabel is the button that starts the restore recorder.
func WatchRestoreLabel() string { return i18n.T("window.record.watch") }

// StopRecordLabel is the button that stops it.
func StopRecordLabel() string { return i18n.T("window.record.stop") }

// RecordPhoneCard stands in for the phone card while the recorder runs.
func RecordPhoneCard() string { return i18n.T("window.record.phone_card") }

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
	v := RecordView{Shown: in.Running || in.Ended, Running: in.Running,
		Title: i18n.T("window.record.title"), Hint: i18n.T("window.record.start_hint", i18n.Args{"Stop": StopRecordLabel()})}
	if !v.Shown {
		return v
	}
	if in.Running && !in.Started {
		v.Stage = i18n.T("window.record.starting")
		return v
	}
	st := in.Status
	ms := func(n int64) string { return Duration(time.Duration(n) * time.Millisecond) }
	if st.Timer == restore.TimerNone {
		v.Stage = i18n.T("window.record.waiting")
	} else {
		v.Stage = i18n.T("window.record.now", i18n.Args{"Stage": st.Stage.Words(), "For": ms(st.SinceMS)})
		v.Next = i18n.T("window.record.next", i18n.Args{"Next": strings.TrimSuffix(st.Expect, ".")})
	}
	switch st.Timer {
	case restore.TimerStalled:
		v.Alarm = i18n.T("window.record.stalled", i18n.Args{"Limit": ms(st.LimitMS)})
	case restore.TimerLost:
		v.Alarm = i18n.T("window.record.lost", i18n.Args{"Limit": ms(st.LimitMS)})
	case restore.TimerWrong:
		v.Alarm = i18n.T("window.record.wrong_mode")
	}
	if in.MuxDown {
		v.Service = i18n.T("window.record.service_down")
	}
	if in.Running {
		return v
	}
	v.Title = i18n.T("window.record.done_title")
	v.Next = ""
	if st.Timer != restore.TimerNone {
		v.Stage = i18n.T("window.record.at_end", i18n.Args{"Stage": st.Stage.Words(), "For": ms(st.SinceMS)})
	}
	v.Hint = ""
	if in.TracePath != "" {
		v.Hint = i18n.T("window.record.kept", i18n.Args{"Path": in.TracePath})
	}
	if in.Err != nil {
		v.Error = i18n.T("window.record.error", i18n.Args{"Error": in.Err.Error()})
	}
	if vd := in.Verdict; vd != nil {
		v.Verdict, v.VerdictID, v.Professional = vd.Summary, string(vd.ID), vd.Professional
		v.Evidence = vd.Evidence
		if !vd.Complete {
			v.Incomplete = i18n.T("window.record.incomplete", i18n.Args{"Reasons": strings.Join(vd.IncompleteReasons, i18n.T("window.list.semicolon"))})
		}
		if len(vd.Steps) > 0 {
			v.Step = vd.Steps[0]
			for _, s := range cat.Steps {
				if s.Number == v.Step {
					v.StepTitle, v.StepSummary = stepTitle(s.Number, s.Title), s.Summary
				}
			}
			if v.StepTitle == "" {
				v.StepTitle = stepNumber(v.Step)
			}
		}
	}
	return v
}

// stepNumber names step n ("Step 5").
func stepNumber(n int) string { return i18n.T("window.step.number", i18n.Args{"N": i18n.Int(n)}) }

// stepTitle is step n with its title ("Step 5: Restore the iPhone").
func stepTitle(n int, title string) string {
	return i18n.T("window.step.number_title", i18n.Args{"N": i18n.Int(n), "Title": title})
}

// Duration is d in plain words, in whole seconds: "45 s", "2 min 10 s",
// "1 h 5 min" (the current language's units).
func Duration(d time.Duration) string {
	s := int(d / time.Second)
	switch {
	case s < 60:
		return i18n.T("unit.duration.s", i18n.Args{"S": i18n.Int(s)})
	case s < 3600:
		if s%60 == 0 {
			return i18n.T("unit.duration.min", i18n.Args{"Min": i18n.Int(s / 60)})
		}
		return i18n.T("unit.duration.min_s", i18n.Args{"Min": i18n.Int(s / 60), "S": i18n.Int(s % 60)})
	default:
		return i18n.T("unit.duration.h_min", i18n.Args{"H": i18n.Int(s / 3600), "Min": i18n.Int(s % 3600 / 60)})
	}
}
