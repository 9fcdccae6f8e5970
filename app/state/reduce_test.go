package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

var t0 = time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func loadReport(t *testing.T, name string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &r
}

const phoneKey = "00008110-001A2B3C4D5E6F70"

func yes() *bool { b := true; return &b }

// phone is a trusted iPhone in normal mode as usbmuxd and lockdownd see it.
func phone() viewmodel.Device {
	return viewmodel.Device{Key: phoneKey, Name: "iPhone 13 Pro Max", Mode: mode.Normal, Listed: true, Trusted: yes(), IOSVersion: "17.5"}
}

func attach(s int, d viewmodel.Device) DeviceEvent {
	return DeviceEvent{Kind: EventAttach, Source: "usbmux", Time: at(s), Device: d}
}

func fresh() State { return New(catalog.MustDefault(), "", true, true) }

func run(s State, evs ...Event) State {
	for _, e := range evs {
		s = Reduce(s, e)
	}
	return s
}

// done is the running check's end with report name.
func done(t *testing.T, s State, name string) State {
	t.Helper()
	if !s.Check.Running {
		t.Fatal("no check runs")
	}
	return Reduce(s, CheckDone{Seq: s.Check.Seq, Report: loadReport(t, name)})
}

func card(s State) viewmodel.DeviceCard {
	return viewmodel.BuildDeviceCard(s.Devices(), s.Selected, s.Host)
}

func TestReduce(t *testing.T) {
	cases := []struct {
		name  string
		steps func(t *testing.T) State
		check func(t *testing.T, s State)
	}{{
		name: "a plugged-in phone starts a check",
		steps: func(t *testing.T) State {
			return run(fresh(), attach(0, phone()))
		},
		check: func(t *testing.T, s State) {
			if !s.Check.Running || s.Check.Seq != 1 || s.Selected != phoneKey {
				t.Errorf("check %+v selected %q", s.Check, s.Selected)
			}
		},
	}, {
		name: "finding 1: the service lost mid-check leaves no Connected, no trust and no iOS version",
		steps: func(t *testing.T) State {
			return run(fresh(), attach(0, phone()), DeviceEvent{Kind: EventServiceLost, Time: at(3)})
		},
		check: func(t *testing.T, s State) {
			c := card(s)
			if c.Subheading == "Connected" {
				t.Errorf("card says Connected after the service went away")
			}
			for _, l := range c.Lines {
				if strings.Contains(l.Value, "trusted") || l.Value == "17.5" {
					t.Errorf("card keeps %q: %q", l.Label, l.Value)
				}
			}
			if !s.Check.ServiceLost {
				t.Error("the running check does not know the service went away")
			}
			if s.Offered(actions.Restart) || s.Offered(actions.EnterRecovery) {
				t.Error("actions through the service offered while it is gone")
			}
		},
	}, {
		name: "finding 1: a phone on USB is not Connected while the service is gone",
		steps: func(t *testing.T) State {
			d := phone()
			d.OnUSB, d.SpeedMbps = true, 480
			return run(fresh(), attach(0, d), DeviceEvent{Kind: EventServiceLost, Time: at(3)})
		},
		check: func(t *testing.T, s State) {
			if c := card(s); c.Subheading == "Connected" {
				t.Errorf("card says Connected after the service went away")
			}
		},
	}, {
		name: "finding 1: a check that ends after the service went away does not bring the old facts back",
		steps: func(t *testing.T) State {
			s := run(fresh(), attach(0, phone()), DeviceEvent{Kind: EventServiceLost, Time: at(3)})
			return done(t, s, "report-healthy.json")
		},
		check: func(t *testing.T, s State) {
			if c := card(s); c.Subheading == "Connected" {
				t.Errorf("card says Connected")
			}
			if !s.Last.ServiceLost {
				t.Error("the run is not marked as cut by the lost service")
			}
			if s.Host.UsbmuxdStatus == report.UsbmuxdOK {
				t.Error("host card says the service runs")
			}
		},
	}, {
		name: "finding 1: the service back starts a check and the host card follows",
		steps: func(t *testing.T) State {
			s := run(fresh(), attach(0, phone()))
			s = done(t, s, "report-healthy.json")
			return run(s, DeviceEvent{Kind: EventServiceLost, Time: at(20)}, DeviceEvent{Kind: EventServiceBack, Time: at(25)})
		},
		check: func(t *testing.T, s State) {
			if !s.Check.Running || s.Check.Seq != 2 {
				t.Errorf("no new check: %+v", s.Check)
			}
			if s.Host.UsbmuxdStatus != report.UsbmuxdOK || s.Service != ServiceUp {
				t.Errorf("host %q service %q", s.Host.UsbmuxdStatus, s.Service)
			}
		},
	}, {
		name: "finding 1: the check after the service came back shows the phone connected again",
		steps: func(t *testing.T) State {
			s := run(fresh(), attach(0, phone()))
			s = done(t, s, "report-healthy.json")
			s = run(s, DeviceEvent{Kind: EventServiceLost, Time: at(20)}, DeviceEvent{Kind: EventServiceBack, Time: at(25)})
			return done(t, s, "report-healthy.json")
		},
		check: func(t *testing.T, s State) {
			if c := card(s); c.Subheading != "Connected" {
				t.Errorf("card after the service and a check came back: %q", c.Subheading)
			}
		},
	}, {
		name: "finding 3: ticks re-rank but are no evidence until a check ran with them",
		steps: func(t *testing.T) State {
			s := done(t, run(fresh(), attach(0, phone())), "report-flapping.json")
			return run(s, TriedSet{AnswerCable, true}, TriedSet{AnswerComputer, true})
		},
		check: func(t *testing.T, s State) {
			if s.View.Professional.Recommended {
				t.Error("see a professional from answers given after the check")
			}
			if u := s.UntestedAnswers(); !u.Cable || !u.Computer {
				t.Errorf("untested answers %+v", u)
			}
			for _, st := range s.View.Steps {
				for _, r := range st.Reasons {
					if strings.Contains(r, "persists although") {
						t.Errorf("step %d counts a tick as evidence: %q", st.Number, r)
					}
				}
			}
		},
	}, {
		name: "finding 3: with several phones too, the phone's view keeps the answers its check ran with",
		steps: func(t *testing.T) State {
			r := loadReport(t, "report-multi.json")
			s := fresh()
			for i, d := range r.Devices {
				p := phone()
				p.Key = d.Key
				s = Reduce(s, attach(i, p))
			}
			for _, f := range r.Findings {
				if f.ID == report.FindingUSBUnstable && f.DeviceKey != "" {
					s = Reduce(s, PhoneSelected{Key: f.DeviceKey})
				}
			}
			s = done(t, s, "report-multi.json")
			return run(s, TriedSet{AnswerCable, true}, TriedSet{AnswerComputer, true})
		},
		check: func(t *testing.T, s State) {
			if s.View == nil || s.View.Tried == nil || len(s.View.Tried) != 0 {
				t.Fatalf("the phone's view lost the answers its check ran with: %#v", s.View)
			}
			if s.View.Professional.Recommended {
				t.Error("see a professional from answers given after the check")
			}
		},
	}, {
		name: "finding 3: ticks then a check: now they are evidence",
		steps: func(t *testing.T) State {
			s := done(t, run(fresh(), attach(0, phone())), "report-flapping.json")
			s = run(s, TriedSet{AnswerCable, true}, TriedSet{AnswerComputer, true}, CheckRequested{Time: at(30)})
			if !s.Check.Tried.Cable || !s.Check.Tried.Computer {
				t.Fatalf("the check runs without the answers: %+v", s.Check.Tried)
			}
			return done(t, s, "report-flapping.json")
		},
		check: func(t *testing.T, s State) {
			if !s.View.Professional.Recommended {
				t.Error("no professional after a check with another cable and computer")
			}
			if u := s.UntestedAnswers(); u.Any() {
				t.Errorf("untested answers %+v", u)
			}
		},
	}, {
		name: "finding 7: an action runs, Check again waits, then the phone is checked again",
		steps: func(t *testing.T) State {
			s := done(t, run(fresh(), attach(0, phone())), "report-healthy.json")
			s = run(s, ActionAsked{actions.Restart}, ActionConfirmed{actions.Restart})
			if s.Action.Running != actions.Restart {
				t.Fatalf("action not running: %+v", s.Action)
			}
			before := s.Check.Seq
			s = Reduce(s, CheckRequested{Time: at(40)})
			if s.Check.Running || s.Check.Seq != before {
				t.Fatal("Check again started a check while an action runs")
			}
			return Reduce(s, ActionDone{actions.Result{Kind: actions.Restart, DeviceKey: phoneKey, Before: mode.Normal, After: mode.Normal, Outcome: actions.Done, Summary: "restarted"}})
		},
		check: func(t *testing.T, s State) {
			if !s.Check.Running || s.Action.Recheck != actions.Restart {
				t.Fatalf("no re-check after the action: %+v %+v", s.Check, s.Action)
			}
			s = done(t, s, "report-healthy.json")
			found := false
			for _, f := range s.Last.Report.Findings {
				found = found || f.ID == actions.Restart.FindingID()
			}
			if !found {
				t.Error("the action's finding is not in the next report")
			}
		},
	}, {
		name: "finding 7: no restart while trust is unknown",
		steps: func(t *testing.T) State {
			d := phone()
			d.Trusted = nil
			s := done(t, run(fresh(), attach(0, d)), "report-healthy.json")
			s.Phones[phoneKey] = Phone{Device: d, LastSeen: at(0)} // the report's trust is not the live one
			return Reduce(s, ActionAsked{actions.Restart})
		},
		check: func(t *testing.T, s State) {
			if s.Offered(actions.Restart) || s.Action.Confirming != "" {
				t.Error("restart offered with unknown trust")
			}
		},
	}, {
		name: "finding 2: nothing is offered in restore mode",
		steps: func(t *testing.T) State {
			d := phone()
			d.Mode = mode.Restore
			return done(t, run(fresh(), attach(0, d)), "report-restore.json")
		},
		check: func(t *testing.T, s State) {
			for n := 1; n <= 6; n++ {
				if k := s.OfferedOn(n); len(k) > 0 {
					t.Errorf("step %d offers %v in restore mode", n, k)
				}
			}
		},
	}, {
		name: "finding 11: a second export request while the dialog is open changes nothing",
		steps: func(t *testing.T) State {
			return run(fresh(), ExportOpened{})
		},
		check: func(t *testing.T, s State) {
			if n := Reduce(s, ExportOpened{}); !n.ExportOpen || !s.ExportOpen {
				t.Error("export dialog state lost")
			}
			if Reduce(s, ExportClosed{}).ExportOpen {
				t.Error("export dialog still open after it closed")
			}
		},
	}, {
		name: "a new verdict asks the steps pane to scroll to it",
		steps: func(t *testing.T) State {
			return done(t, run(fresh(), attach(0, phone())), "report-healthy.json")
		},
		check: func(t *testing.T, s State) {
			if s.Scroll != 1 {
				t.Errorf("Scroll %d", s.Scroll)
			}
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, c.steps(t)) })
	}
}

// TestReduceDoesNotChangeItsInput: the state before an event stays as it
// was (maps are copied before they are written).
func TestReduceDoesNotChangeItsInput(t *testing.T) {
	s := run(fresh(), attach(0, phone()))
	before := s.Phones[phoneKey]
	_ = Reduce(s, DeviceEvent{Kind: EventServiceLost, Time: at(1)})
	if got := s.Phones[phoneKey]; got.Device.Trusted == nil || got.Device.IOSVersion != before.Device.IOSVersion {
		t.Errorf("Reduce changed its input: %+v", got)
	}
}

// Issue 21: a check asked from step 5's card ("Check again" for a new
// backup) leaves that card open and the scroll where it is; the action
// bar's check closes the cards and brings the verdict into view.
func TestCheckFromStepKeepsItOpen(t *testing.T) {
	s := run(fresh(), attach(0, phone()))
	if s.Check.Running {
		s = done(t, s, "report-healthy.json")
	}
	s = run(s, StepExpanded{Step: 5, Open: true}, CheckRequested{Time: at(20), Step: 5})
	scroll := s.Scroll
	s = done(t, s, "report-healthy.json")
	if !s.Expanded[5] || s.Scroll != scroll {
		t.Errorf("after step 5's check: expanded %v, scroll %d → %d", s.Expanded, scroll, s.Scroll)
	}
	s = run(s, CheckRequested{Time: at(40)})
	s = done(t, s, "report-healthy.json")
	if s.Expanded[5] || s.Scroll != scroll+1 {
		t.Errorf("after the bar's check: expanded %v, scroll %d → %d", s.Expanded, scroll, s.Scroll)
	}
}
