package state

import (
	"maps"
	"slices"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// ErrNoReport is a check's error when the engine returned neither a report
// nor an error.
var ErrNoReport error = MessageError("app.error.no_report")

// Reduce applies one event to s and returns the next state. It does no
// I/O: a check to run shows as Check.Running with a new Seq, an action as
// Action.Running with a new Seq.
func Reduce(s State, ev Event) State {
	if out, ok := s.reduceRecord(ev); ok {
		return out
	}
	switch e := ev.(type) {
	case DeviceEvent:
		if s.Recording.Running {
			return s // the live view is paused: late events are old news
		}
		return s.device(e)
	case HostProbed:
		h := e.Host
		h.Known = true
		if s.Service == ServiceLost && h.UsbmuxdStatus == report.UsbmuxdOK {
			// The live view's lost connection is newer news than a probe
			// that started before it.
			h.UsbmuxdStatus = s.Host.UsbmuxdStatus
		}
		s.Host = h
	case Tick:
		s.Now = e.Time
		s.forgetGone(e.Time)
	case CheckRequested:
		s.Now = e.Time
		if !s.Busy() {
			s.startCheck(e.Time)
			s.Check.Step = e.Step
		}
	case CheckProgress:
		if e.Seq == s.Check.Seq && s.Check.Running {
			p := e.Progress
			if p.Report == nil {
				p.Report = s.Check.Progress.Report
			}
			s.Check.Progress = p
		}
	case CheckDone:
		return s.checkDone(e)
	case WindowChosen:
		s.Window = e.Window
	case TriedSet:
		s.Tried = setAnswer(s.Tried, e.Key, e.On)
		s.updateView()
	case PhoneSelected:
		if _, ok := s.Phones[e.Key]; ok && e.Key != s.Selected {
			s.Selected = e.Key
			s.updateView()
		}
	case StepExpanded:
		s.Expanded = maps.Clone(s.Expanded)
		s.Expanded[e.Step] = e.Open
	case StepAcknowledged:
		s.Ack, s.Expanded = maps.Clone(s.Ack), maps.Clone(s.Expanded)
		s.Ack[e.Step] = e.On
		s.Expanded[e.Step] = true
	case IncludeIDsSet:
		s.IncludeIDs = e.On
	case ActionAsked:
		if s.Offered(e.Kind) {
			s.Action.Confirming = e.Kind
			s.Expanded = maps.Clone(s.Expanded)
			s.Expanded[e.Kind.Step()] = true
		}
	case ActionCancelled:
		s.Action.Confirming = ""
	case ActionConfirmed:
		if s.Action.Confirming != e.Kind || !s.Offered(e.Kind) {
			s.Action.Confirming = ""
			return s
		}
		d, _ := s.SelectedPhone()
		s.Action.Confirming, s.Action.Running, s.Action.Device = "", e.Kind, d
		s.Action.Seq++
		s.Action.Results = maps.Clone(s.Action.Results)
		delete(s.Action.Results, e.Kind.Step())
	case ActionDone:
		return s.actionDone(e.Result)
	case ExportOpened:
		s.ExportOpen = true
	case ExportClosed:
		s.ExportOpen = false
	}
	return s
}

func setAnswer(t viewmodel.Tried, key string, on bool) viewmodel.Tried {
	switch key {
	case AnswerCable:
		t.Cable = on
	case AnswerPort:
		t.Port = on
	case AnswerComputer:
		t.Computer = on
	case AnswerRestart:
		t.Restart = on
	}
	return t
}

// startCheck asks for a check with the user's window and answers.
func (s *State) startCheck(now time.Time) {
	s.Check = Check{
		Running: true, Seq: s.Check.Seq + 1, Started: now, Window: s.Window, Tried: s.Tried,
		Progress: Progress{Label: i18n.T("app.progress.starting")},
	}
	s.RunErr = nil
	s.Action.Recheck = "" // set again by an action's own re-check
	s.writePhones()
	for k, p := range s.Phones {
		p.DropsAtCheck = p.Drops
		s.Phones[k] = p
	}
}

func (s State) checkDone(e CheckDone) State {
	if e.Seq != s.Check.Seq || !s.Check.Running {
		return s
	}
	s.Check.Running = false
	s.Check.Progress.Report = nil // the final verdict replaces the one so far
	if e.Err != nil || e.Report == nil {
		s.RunErr = e.Err
		if s.RunErr == nil {
			s.RunErr = ErrNoReport
		}
		return s
	}
	r := *e.Report
	r.Simulated = r.Simulated || s.Demo != ""
	r.Findings = slices.Clone(r.Findings)
	for _, res := range s.Action.Pending {
		r.Findings = append(r.Findings, res.Finding())
	}
	s.Action.Pending = nil
	// The report carries the answers it was checked with: only those are
	// evidence for the rules ("even with another cable").
	r.Tried = RulesTried(s.Check.Tried).Words()
	if s.Last != nil {
		s.Prev = s.Last
	}
	s.Last = &Run{Report: &r, Tried: s.Check.Tried, ServiceLost: s.Check.ServiceLost}
	if st := r.Host.Usbmuxd.Status; st != "" && st != s.Host.UsbmuxdStatus && s.Service != ServiceLost {
		s.Host.Known, s.Host.UsbmuxdStatus = true, st
		if st == report.UsbmuxdOK {
			s.Host.Detail = ""
		}
	}
	if s.Service != ServiceLost {
		// What the check read fills the card; after the service went away
		// nothing of it is known to be true now.
		s.writePhones()
		for _, rd := range r.Devices {
			if p, ok := s.Phones[rd.Key]; ok {
				p.Device = viewmodel.DeviceFromReport(p.Device, rd)
				p.Device.Listed = p.Device.Listed || rd.Usbmux.Listed
				if !p.GoneAt.IsZero() && p.GoneAt.Before(s.Check.Started) && (rd.Usbmux.Listed || rd.USB.Present) {
					p.GoneAt = time.Time{} // gone before the check, seen by it
				}
				s.Phones[rd.Key] = p
			} else if len(s.Phones) == 1 && len(r.Devices) == 1 {
				for k, p := range s.Phones {
					p.Device = viewmodel.DeviceFromReport(p.Device, rd)
					s.Phones[k] = p
				}
			}
		}
	}
	s.Expanded = map[int]bool{}
	if s.Check.Step != 0 {
		// Asked from a step card: keep it open and in view.
		s.Expanded[s.Check.Step] = true
	} else {
		s.Scroll++
	}
	s.updateView()
	return s
}

func (s State) actionDone(res actions.Result) State {
	if s.Action.Running == "" {
		return s
	}
	s.Action.Running = ""
	s.Action.Results = maps.Clone(s.Action.Results)
	s.Action.Results[res.Kind.Step()] = res
	s.Action.Pending = append(slices.Clip(s.Action.Pending), res)
	s.Expanded = maps.Clone(s.Expanded)
	s.Expanded[res.Kind.Step()] = true
	s.followSelection()
	s.Action.Recheck = ""
	if res.Ran() && !s.Check.Running {
		// Before/after: the next check is compared with the last in the
		// action's terms.
		s.startCheck(s.Now)
		s.Action.Recheck = res.Kind
	}
	return s
}

// updateView narrows the last and the previous check to the selected phone
// and ranks them with the answers now (the ranking may follow a tick at
// once; the evidence is what each report was checked with). A previous
// check without that phone gives no comparison.
func (s *State) updateView() {
	s.View, s.PrevView = nil, nil
	if s.Last != nil {
		s.View = s.phoneReport(s.Last.Report, s.Tried)
	}
	if p := s.Prev; p != nil && (len(p.Report.Devices) <= 1 || hasDevice(p.Report, s.Selected)) {
		s.PrevView = s.phoneReport(p.Report, p.Tried)
	}
}

func (s State) phoneReport(r *report.Report, tried viewmodel.Tried) *report.Report {
	ranked := Rerank(s.Catalog, r, tried)
	return session.PhoneReport(ranked, s.Selected, s.Catalog, RulesTried(tried))
}

// Rerank is r ranked again with the user's answers (r is not modified).
func Rerank(cat *catalog.Catalog, r *report.Report, tried viewmodel.Tried) *report.Report {
	out := *r
	out.Findings = slices.Clone(r.Findings)
	diagnostics.Reevaluate(&out, cat, RulesTried(tried))
	return &out
}

func hasDevice(r *report.Report, key string) bool {
	for _, d := range r.Devices {
		if d.Key == key {
			return true
		}
	}
	return false
}

// RulesTried converts the window's answers to the rules' type.
func RulesTried(t viewmodel.Tried) rules.Tried {
	return rules.Tried{Cable: t.Cable, Port: t.Port, Computer: t.Computer, Restart: t.Restart}
}
