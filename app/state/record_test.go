package state

import (
	"errors"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
)

// recovery is a phone in iBoot recovery mode on USB, as the recorder sees it.
func recoveryFacts(addr int) *restoretrace.USBFacts {
	return &restoretrace.USBFacts{VendorID: 0x05AC, ProductID: 0x1281, Mode: "recovery", Bus: 1, Address: addr,
		PortPath: []int{1, 2}, SpeedMbps: 480, IBoot: map[string]string{"CPID": "8110", "ECID": "id-1"}}
}

func recEv(seq int, ms int64, k restoretrace.Kind, f *restoretrace.USBFacts) RecordEvent {
	e := restoretrace.Event{TimeMS: ms, Kind: k, USB: f}
	if f != nil {
		e.Key = "id-1"
	}
	return RecordEvent{Seq: seq, Event: e}
}

var recHeader = restoretrace.Header{Schema: restoretrace.Schema, StartedAt: "2026-05-20T10:00:00Z", PollMS: 500, Redacted: true, Source: "test"}

// recording is a window with a phone whose check runs, then "Watch my
// restore" pressed and the recorder started.
func recording(t *testing.T) State {
	t.Helper()
	s := run(fresh(), attach(0, phone()))
	if !s.Check.Running {
		t.Fatal("the plug-in did not start a check")
	}
	s = run(s, RecordRequested{Time: at(1)}, RecordStarted{Seq: 1, Header: recHeader, TracePath: "/tmp/t.jsonl"},
		recEv(1, 0, restoretrace.RecordStart, nil))
	return s
}

func TestRecordReduce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		evs   func(s State) State
		check func(t *testing.T, s State)
	}{
		{"start cancels the check and pauses checks and actions", func(s State) State { return s },
			func(t *testing.T, s State) {
				if !s.Recording.Running || s.Recording.Seq != 1 || s.Recording.Timeline == nil {
					t.Fatalf("recording = %+v", s.Recording)
				}
				if s.Check.Running || !s.Busy() || s.RecordOffered() {
					t.Fatalf("check running %v, busy %v, offered %v", s.Check.Running, s.Busy(), s.RecordOffered())
				}
				s2 := Reduce(s, CheckRequested{Time: at(2)})
				if s2.Check.Running {
					t.Fatal("a check started while recording")
				}
				for _, k := range actions.Kinds() {
					if s2.Offered(k) {
						t.Fatalf("action %s is offered while recording", k)
					}
				}
			}},
		{"the late result of the cancelled check is ignored", func(s State) State {
			return Reduce(s, CheckDone{Seq: 1, Err: errors.New("context canceled")})
		}, func(t *testing.T, s State) {
			if s.RunErr != nil || s.Last != nil {
				t.Fatalf("the cancelled check's end changed the state: %v", s.RunErr)
			}
		}},
		{"events: stage by stage", func(s State) State {
			return run(s, recEv(1, 1000, restoretrace.USBAttach, recoveryFacts(5)))
		}, func(t *testing.T, s State) {
			st := s.Recording.Status
			if st.Stage != restore.Recovery || st.Timer != restore.TimerOK || st.Next == "" {
				t.Fatalf("status = %+v", st)
			}
			if s.Recording.Events != 2 {
				t.Fatalf("events = %d", s.Recording.Events)
			}
		}},
		{"stall: recovery for minutes with no progress", func(s State) State {
			return run(s, recEv(1, 1000, restoretrace.USBAttach, recoveryFacts(5)), RecordTick{Seq: 1, NowMS: 6*60*1000 + 1000})
		}, func(t *testing.T, s State) {
			if st := s.Recording.Status; st.Timer != restore.TimerStalled || st.SinceMS != 6*60*1000 {
				t.Fatalf("status = %+v", st)
			}
		}},
		{"phone gone: off USB longer than the handover takes", func(s State) State {
			return run(s, recEv(1, 1000, restoretrace.USBAttach, recoveryFacts(5)),
				recEv(1, 2000, restoretrace.USBDetach, recoveryFacts(5)), RecordTick{Seq: 1, NowMS: 30000})
		}, func(t *testing.T, s State) {
			if st := s.Recording.Status; st.Stage != restore.Gone || st.Timer != restore.TimerOK {
				t.Fatalf("status at 30 s = %+v", st)
			}
			s = Reduce(s, RecordTick{Seq: 1, NowMS: 2000 + 61000})
			if st := s.Recording.Status; st.Stage != restore.Gone || st.Timer != restore.TimerLost {
				t.Fatalf("status at 63 s = %+v", st)
			}
		}},
		{"service lost and back during a recording: no check, the timeline marks it", func(s State) State {
			return run(s,
				DeviceEvent{Kind: EventServiceLost, Source: "usbmux", Time: at(3)},
				recEv(1, 3000, restoretrace.MuxDown, nil),
				DeviceEvent{Kind: EventServiceBack, Source: "usbmux", Time: at(4)},
				recEv(1, 4000, restoretrace.MuxUp, nil))
		}, func(t *testing.T, s State) {
			if s.Check.Running || s.Service == ServiceLost {
				t.Fatalf("the paused live view changed the state: check %v, service %q", s.Check.Running, s.Service)
			}
			marks, _ := s.Recording.Timeline.Marks()
			if len(marks) != 2 || marks[0].Kind != restore.MarkMuxDown || marks[1].Kind != restore.MarkMuxUp {
				t.Fatalf("marks = %+v", marks)
			}
		}},
		{"stop: done, the verdict computed once", func(s State) State {
			s = run(s, recEv(1, 1000, restoretrace.USBAttach, recoveryFacts(5)), RecordStopRequested{})
			if !s.Recording.StopAsked || !s.Recording.Running {
				panic("stop did not ask the recorder to end")
			}
			s = Reduce(s, RecordEvent{Seq: 1, Event: restoretrace.Event{TimeMS: 2000, Kind: restoretrace.RecordStop, Reason: "done"}})
			return Reduce(s, RecordEnded{Seq: 1})
		}, func(t *testing.T, s State) {
			r := s.Recording
			if r.Running || !r.Ended || r.Verdict == nil || r.Report == nil || !r.Stopped() {
				t.Fatalf("recording = %+v", r)
			}
			if r.Report.Verdict.ID != string(r.Verdict.ID) || r.Report.Verdict.Summary != r.Verdict.Summary {
				t.Fatalf("report verdict %+v, verdict %+v", r.Report.Verdict, r.Verdict)
			}
			if s.Busy() || !s.RecordOffered() {
				t.Fatal("still busy after the recording")
			}
		}},
		{"interrupted (window closed): incomplete, never a success", func(s State) State {
			s = Reduce(s, RecordEvent{Seq: 1, Event: restoretrace.Event{TimeMS: 2000, Kind: restoretrace.RecordStop, Reason: "interrupted"}})
			return Reduce(s, RecordEnded{Seq: 1, Err: errors.New("boom")})
		}, func(t *testing.T, s State) {
			r := s.Recording
			if r.Verdict == nil || r.Verdict.ID != restore.Incomplete || r.Verdict.Complete || r.Stopped() || r.Err == nil {
				t.Fatalf("verdict = %+v, err %v", r.Verdict, r.Err)
			}
		}},
		{"events of another recording are ignored", func(s State) State {
			return run(s, recEv(7, 1000, restoretrace.USBAttach, recoveryFacts(5)), RecordTick{Seq: 7, NowMS: 9e6}, RecordEnded{Seq: 7})
		}, func(t *testing.T, s State) {
			if s.Recording.Events != 1 || s.Recording.NowMS != 0 || !s.Recording.Running {
				t.Fatalf("recording = %+v", s.Recording)
			}
		}},
		{"no second recording while one runs", func(s State) State {
			return Reduce(s, RecordRequested{Time: at(5)})
		}, func(t *testing.T, s State) {
			if s.Recording.Seq != 1 || s.Recording.Timeline == nil {
				t.Fatalf("recording = %+v", s.Recording)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, tc.evs(recording(t)))
		})
	}
}

// TestRecordNoAutoCheckRightAfter: the phone the live view finds again
// right after a recording starts no check by itself (the restore may still
// run); a phone plugged in later does, and "Check now" always does.
func TestRecordNoAutoCheckRightAfter(t *testing.T) {
	s := run(recording(t), RecordEnded{Seq: 1, Time: at(100)}, attach(101, phone()))
	if s.Check.Running {
		t.Fatal("the phone found again right after the recording started a check")
	}
	if s2 := Reduce(s, CheckRequested{Time: at(102)}); !s2.Check.Running {
		t.Fatal("Check now did not start a check after a recording")
	}
	other := phone()
	other.Key = "other"
	if s3 := Reduce(s, attach(100+int(QuietAfterRecording/time.Second)+1, other)); !s3.Check.Running {
		t.Fatal("a phone plugged in later started no check")
	}
}

func TestRecordNotOfferedDuringAnAction(t *testing.T) {
	s := fresh()
	s.Action.Running = "restart"
	if s.RecordOffered() {
		t.Fatal("offered during an action")
	}
	if s2 := Reduce(s, RecordRequested{Time: at(1)}); s2.Recording.Running {
		t.Fatal("a recording started during an action")
	}
}

// TestRecordDemoVerdicts feeds each demo trace through the reducer: the
// window's verdict is diagnostics/restore's for the trace.
func TestRecordDemoVerdicts(t *testing.T) {
	for _, name := range restore.DemoNames() {
		t.Run(name, func(t *testing.T) {
			tr, err := restore.DemoTrace(name)
			if err != nil {
				t.Fatal(err)
			}
			s := run(fresh(), RecordRequested{Time: at(0)}, RecordStarted{Seq: 1, Header: tr.Header})
			for _, e := range tr.Events {
				s = Reduce(s, RecordEvent{Seq: 1, Event: e})
			}
			s = Reduce(s, RecordEnded{Seq: 1})
			want := restore.FromTrace(tr, restore.DefaultConfig()).Decide(restore.Inputs{})
			if got := s.Recording.Verdict; got == nil || got.ID != want.ID || got.Summary != want.Summary {
				t.Fatalf("verdict = %+v, want %+v", got, want)
			}
		})
	}
}
