package restore

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

// script builds events in a few words.
type script struct {
	evs  []restoretrace.Event
	addr int
	last restoretrace.USBFacts
}

const key = "id-5e0c1d2a"

func facts(pid uint16, m string, addr int, speed float64, ibfl string) restoretrace.USBFacts {
	f := restoretrace.USBFacts{VendorID: 0x05ac, ProductID: pid, Mode: m, Bus: 1, Address: addr, PortPath: []int{1, 2}, SpeedMbps: speed}
	if m == "recovery" || m == "dfu" {
		f.IBoot = map[string]string{"CPID": "8101", "IBFL": ibfl}
	}
	return f
}

func (s *script) on(ms int64, m string) *script { return s.onAt(ms, m, 480, "3C") }

func (s *script) onAt(ms int64, m string, speed float64, ibfl string) *script {
	pid := map[string]uint16{"normal": 0x12a8, "recovery": 0x1281, "dfu": 0x1227, "other": 0x1234}[m]
	s.addr++
	s.last = facts(pid, m, s.addr, speed, ibfl)
	f := s.last
	s.evs = append(s.evs, restoretrace.Event{TimeMS: ms, Kind: restoretrace.USBAttach, Key: key, USB: &f})
	return s
}

func (s *script) off(ms int64) *script {
	f := s.last
	s.evs = append(s.evs, restoretrace.Event{TimeMS: ms, Kind: restoretrace.USBDetach, Key: key, USB: &f})
	return s
}

func (s *script) change(ms int64, edit func(*restoretrace.USBFacts)) *script {
	f := s.last
	f.PortPath = slices.Clone(f.PortPath)
	edit(&f)
	s.last = f
	s.evs = append(s.evs, restoretrace.Event{TimeMS: ms, Kind: restoretrace.USBChange, Key: key, USB: &f})
	return s
}

func (s *script) ev(ms int64, k restoretrace.Kind, reason string) *script {
	s.evs = append(s.evs, restoretrace.Event{TimeMS: ms, Kind: k, Reason: reason})
	return s
}

func (s *script) mux(ms int64, k restoretrace.Kind) *script {
	s.evs = append(s.evs, restoretrace.Event{TimeMS: ms, Kind: k, Key: key, Mux: &restoretrace.MuxFacts{DeviceID: 1}})
	return s
}

func (s *script) stop(ms int64) *script { return s.ev(ms, restoretrace.RecordStop, "done") }

func (s *script) timeline(cfg Config) *Timeline {
	tl := New(restoretrace.Header{Schema: restoretrace.Schema, StartedAt: "2026-03-02T10:00:00Z", Source: "libusb+usbmuxd", PollMS: 500}, cfg)
	for _, e := range s.evs {
		tl.Apply(e)
	}
	return tl
}

func run() *script { return (&script{}).ev(0, restoretrace.RecordStart, "") }

// toBoot: normal → recovery → iBEC, up to the boot stage at 304 s.
func toBoot() *script {
	return run().on(200, "normal").mux(300, restoretrace.MuxAttach).
		off(95_000).mux(95_100, restoretrace.MuxDetach).on(118_000, "recovery").
		off(300_000).on(304_000, "recovery")
}

// flow: normal → recovery → iBEC → restore (listed), up to restore mode at 362 s.
func flow() *script {
	return run().on(200, "normal").mux(300, restoretrace.MuxAttach).
		off(95_000).mux(95_100, restoretrace.MuxDetach).on(118_000, "recovery").
		off(300_000).on(304_000, "recovery").
		off(340_000).on(362_000, "normal").mux(362_500, restoretrace.MuxAttach)
}

func TestVerdictRules(t *testing.T) {
	tests := []struct {
		name  string
		s     *script
		tried rules.Tried
		id    VerdictID
		stage Kind
		steps []int
		pro   bool
		says  string
	}{
		{"success", flow().off(705_000).on(758_000, "normal").stop(790_000), rules.Tried{}, Success, Normal, []int{}, false,
			"Restore finished in 11 min 3 s; the link held."},
		{"success needs a complete recording", flow().off(705_000).on(758_000, "normal").ev(790_000, restoretrace.RecordStop, "interrupted"),
			rules.Tried{}, Incomplete, Normal, nil, false, "incomplete"},
		{"truncated file is incomplete", flow().off(705_000).on(758_000, "normal"), rules.Tried{}, Incomplete, Normal, nil, false,
			"did not end properly"},
		{"success with drops still says step 1", flow().off(400_000).on(401_000, "normal").off(705_000).on(758_000, "normal").stop(790_000),
			rules.Tried{}, Success, Normal, []int{1}, false, "dropped once"},
		{"lost from the boot stage after 300 s", toBoot().evs2(340_000, 640_000), rules.Tried{}, Lost, BootStage, []int{1}, false,
			"did not come back within 5 min"},
		{"gone shorter than the handover: unfinished", toBoot().evs2(340_000, 500_000), rules.Tried{}, Unfinished, Gone, nil, false,
			"had not finished"},
		{"lost, another computer tried: professional", flow().off(375_000).stop(500_000), rules.Tried{Computer: true}, Lost, Restore, []int{1}, true,
			"professional"},
		{"left after a long restore stage: 5 min to come back", flow().off(700_000).stop(950_000), rules.Tried{}, Unfinished, Gone, nil, false, "had not finished"},
		{"left after a long restore stage, not back in 5 min", flow().off(700_000).stop(1_000_000), rules.Tried{}, Lost, Restore, []int{1}, false, "within 5 min"},
		{"lost, only a cable tried: no professional", flow().off(375_000).stop(500_000), rules.Tried{Cable: true}, Lost, Restore, []int{1}, false,
			"(step 1)"},
		{"restore then recovery: wrong mode", flow().off(400_000).on(420_000, "recovery").stop(500_000), rules.Tried{}, WrongMode, Recovery, []int{5}, false,
			"after restore mode"},
		{"wrong twice: professional", flow().off(400_000).on(420_000, "recovery").off(430_000).on(440_000, "recovery").off(450_000).on(470_000, "normal").off(480_000).on(490_000, "recovery").stop(500_000),
			rules.Tried{}, WrongMode, Recovery, []int{5}, true, "twice"},
		{"restore then DFU: wrong mode", flow().off(400_000).on(420_000, "dfu").stop(500_000), rules.Tried{}, WrongMode, DFU, []int{5}, false,
			"DFU mode"},
		{"DFU flow has two boot stages: success", run().on(100, "dfu").off(60_000).on(64_000, "recovery").off(70_000).on(75_000, "recovery").
			off(90_000).on(110_000, "normal").mux(110_500, restoretrace.MuxAttach).off(500_000).on(560_000, "normal").stop(600_000),
			rules.Tried{}, Success, Normal, []int{}, false, "Restore finished in 9 min 20 s"},
		{"not listed in restore mode", toBoot().off(340_000).on(362_000, "normal").stop(700_000), rules.Tried{}, NotListed, Restore, []int{2, 4}, false,
			"never listed"},
		{"usbmuxd down through restore mode: not listed", run().on(200, "normal").mux(300, restoretrace.MuxAttach).
			off(95_000).on(118_000, "recovery").off(300_000).on(304_000, "recovery").ev(330_000, restoretrace.MuxDown, "connection refused").
			off(340_000).on(362_000, "normal").stop(700_000), rules.Tried{}, NotListed, Restore, []int{2, 4}, false, "was not running"},
		{"usbmuxd back within the restore stage, phone never listed", run().on(200, "normal").mux(300, restoretrace.MuxAttach).
			off(95_000).on(118_000, "recovery").off(300_000).on(304_000, "recovery").ev(330_000, restoretrace.MuxDown, "restarted").
			off(340_000).on(362_000, "normal").ev(365_000, restoretrace.MuxUp, "").stop(700_000), rules.Tried{}, NotListed, Restore, []int{2, 4}, false, "never listed"},
		{"usbmuxd back and lists the phone: no verdict on listing", run().on(200, "normal").mux(300, restoretrace.MuxAttach).
			off(95_000).on(118_000, "recovery").off(300_000).on(304_000, "recovery").ev(330_000, restoretrace.MuxDown, "restarted").
			off(340_000).on(362_000, "normal").ev(365_000, restoretrace.MuxUp, "").mux(365_100, restoretrace.MuxAttach).stop(700_000),
			rules.Tried{}, Unfinished, Restore, nil, false, "had not finished"},
		{"usbmuxd back 10 s before the end: too short to say", run().on(200, "normal").mux(300, restoretrace.MuxAttach).
			off(95_000).on(118_000, "recovery").off(300_000).on(304_000, "recovery").ev(330_000, restoretrace.MuxDown, "restarted").
			off(340_000).on(362_000, "normal").ev(690_000, restoretrace.MuxUp, "").stop(700_000), rules.Tried{}, Unfinished, Restore, nil, false, "had not finished"},
		{"address change in restore mode is a drop", flow().change(400_000, func(f *restoretrace.USBFacts) { f.Address += 5 }).stop(500_000),
			rules.Tried{}, LinkTrouble, Restore, []int{1}, false, "dropped once"},
		{"fall to full speed", flow().change(400_000, func(f *restoretrace.USBFacts) { f.SpeedMbps = 12 }).stop(500_000),
			rules.Tried{}, LinkTrouble, Restore, []int{1}, false, "full speed (12 Mbit/s)"},
		{"stuck in recovery until the end", run().on(100, "recovery").stop(400_000), rules.Tried{}, StuckWaiting, Recovery, []int{6, 3}, false,
			"still waiting"},
		{"recovery for 4 min is not stuck yet", run().on(100, "recovery").stop(240_000), rules.Tried{}, Unfinished, Recovery, nil, false, ""},
		{"no restore", run().on(100, "normal").stop(60_000), rules.Tried{}, NoRestore, Normal, nil, false, "stayed in normal mode"},
		{"nothing on USB", run().stop(60_000), rules.Tried{}, NoRestore, "", nil, false, "no iPhone"},
		{"gap makes it incomplete", flow().ev(400_000, restoretrace.Gap, "suspended 42 s").off(705_000).on(758_000, "normal").stop(790_000),
			rules.Tried{}, Incomplete, Normal, nil, false, "suspended 42 s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.s.timeline(Config{}).Decide(Inputs{Tried: tc.tried})
			if v.ID != tc.id || v.Stage != tc.stage || !slices.Equal(v.Steps, tc.steps) || v.Professional != tc.pro {
				t.Fatalf("got %s in %q steps %v pro %v; want %s in %q steps %v pro %v\n%s", v.ID, v.Stage, v.Steps, v.Professional,
					tc.id, tc.stage, tc.steps, tc.pro, v.Summary)
			}
			if !strings.Contains(v.Summary, tc.says) {
				t.Errorf("summary lacks %q:\n%s", tc.says, v.Summary)
			}
			if v.ID == Success && !v.Complete {
				t.Error("an incomplete recording called a success")
			}
		})
	}
}

// evs2: the phone leaves at off and the recording stops at stop.
func (s *script) evs2(off, stop int64) *script { return s.off(off).stop(stop) }

func TestStagesAndDrops(t *testing.T) {
	tl := run().on(100, "recovery").
		off(10_000).on(11_000, "recovery"). // 1 s: the iBEC stage that is due, however quick
		off(20_000).on(21_000, "recovery"). // 1 s again, same fields: a drop
		change(30_000, func(f *restoretrace.USBFacts) {
			f.Address += 3
			f.IBoot = map[string]string{"CPID": "8101", "IBFL": "1C"}
		}).
		change(31_000, func(f *restoretrace.USBFacts) { f.PortPath = []int{1, 3} }).
		stop(50_000).timeline(Config{})
	st, omitted := tl.Stages()
	var kinds []Kind
	for _, s := range st {
		kinds = append(kinds, s.Kind)
	}
	want := []Kind{Recovery, Gone, BootStage, Recovery}
	if !slices.Equal(kinds, want) || omitted != 0 {
		t.Fatalf("stages %v (omitted %d), want %v", kinds, omitted, want)
	}
	if st[2].Drops != 1 || tl.Drops() != 1 || st[2].AddressChanges != 1 {
		t.Errorf("boot stage: %+v; total drops %d", st[2], tl.Drops())
	}
	if !st[3].Wrong || st[3].PortChanges != 1 || !strings.Contains(st[3].WrongWhy, "instead of entering restore mode") {
		t.Errorf("a third recovery identity without DFU (changed iBoot fields) is not wrong: %+v", st[3])
	}
	// after DFU, iBSS and iBEC are both boot stages, even within one poll
	tl = run().on(0, "dfu").off(5000).on(5100, "recovery").
		change(9000, func(f *restoretrace.USBFacts) { f.Address++ }).stop(10_000).timeline(Config{})
	st, _ = tl.Stages()
	kinds = kinds[:0]
	for _, s := range st {
		kinds = append(kinds, s.Kind)
	}
	if want := []Kind{DFU, Gone, BootStage, BootStage}; !slices.Equal(kinds, want) || tl.Drops() != 0 || st[3].Wrong {
		t.Errorf("DFU flow: %v, drops %d, want %v", kinds, tl.Drops(), want)
	}
}

// TestDropComesBackSlow: after a drop the stage takes the new facts: a
// later address change is counted against them, and a return at full
// speed or on another port is seen.
func TestDropComesBackSlow(t *testing.T) {
	s := flow().off(400_000)
	s.addr++
	f := facts(0x12a8, "normal", s.addr, 12, "")
	f.PortPath = []int{2}
	s.last = f
	s.evs = append(s.evs, restoretrace.Event{TimeMS: 401_000, Kind: restoretrace.USBAttach, Key: key, USB: &f})
	s.change(402_000, func(f *restoretrace.USBFacts) {}) // same facts: nothing
	tl := s.stop(500_000).timeline(Config{})
	st, _ := tl.Stages()
	last := st[len(st)-1]
	if last.Kind != Restore || last.Drops != 1 || last.PortChanges != 1 || last.AddressChanges != 0 || !slices.Equal(last.SpeedsMbps, []float64{480, 12}) {
		t.Fatalf("restore stage after a drop: %+v", last)
	}
	if v := tl.Decide(Inputs{}); v.ID != LinkTrouble {
		t.Errorf("verdict %s", v.ID)
	}
}

func TestOtherDevicesAndKeys(t *testing.T) {
	s := run().on(100, "normal")
	other := facts(0x12a8, "normal", 40, 480, "")
	s.evs = append(s.evs, restoretrace.Event{TimeMS: 200, Kind: restoretrace.USBAttach, Key: "id-other000", USB: &other})
	s.off(1000)
	// with another phone present, a new key is not adopted
	rec := facts(0x1281, "recovery", 41, 480, "3C")
	s.evs = append(s.evs, restoretrace.Event{TimeMS: 5000, Kind: restoretrace.USBAttach, Key: "ecid:other", USB: &rec})
	tl := s.timeline(Config{})
	if tl.Key() != key {
		t.Fatalf("followed key %q", tl.Key())
	}
	st, _ := tl.Stages()
	if st[len(st)-1].Kind != Gone {
		t.Errorf("another phone's attach became a stage: %+v", st[len(st)-1])
	}
	// once it left, the next attach while ours is gone is adopted
	s.evs = append(s.evs, restoretrace.Event{TimeMS: 6000, Kind: restoretrace.USBDetach, Key: "id-other000", USB: &other},
		restoretrace.Event{TimeMS: 6000, Kind: restoretrace.USBDetach, Key: "ecid:other", USB: &rec},
		restoretrace.Event{TimeMS: 9000, Kind: restoretrace.USBAttach, Key: "ecid:5e0c", USB: &rec})
	tl = s.timeline(Config{})
	if tl.Key() != "ecid:5e0c" {
		t.Errorf("key after the phone came back under another key: %q", tl.Key())
	}
}

// TestKeyChangeOnSamePort: the recorder reports a better key on the same
// port as a change; the timeline keeps following the phone.
func TestKeyChangeOnSamePort(t *testing.T) {
	s := run().on(100, "recovery")
	f := s.last
	f.Address++
	s.evs = append(s.evs, restoretrace.Event{TimeMS: 2000, Kind: restoretrace.USBChange, Key: "ecid:5e0c", USB: &f})
	s.evs = append(s.evs, restoretrace.Event{TimeMS: 9000, Kind: restoretrace.USBDetach, Key: "ecid:5e0c", USB: &f})
	tl := s.timeline(Config{})
	st, _ := tl.Stages()
	if tl.Key() != "ecid:5e0c" || st[len(st)-1].Kind != Gone {
		t.Fatalf("key %q, stages %+v", tl.Key(), st)
	}
}

func TestBadEvents(t *testing.T) {
	s := run().on(5000, "normal")
	s.evs = append(s.evs,
		restoretrace.Event{TimeMS: 1000, Kind: restoretrace.USBDetach, Key: key}, // out of order, no facts
		restoretrace.Event{TimeMS: 7000, Kind: restoretrace.USBAttach, Key: key}, // no facts
		restoretrace.Event{TimeMS: 8000, Kind: "usb.sideways", Key: key},
	)
	tl := s.timeline(Config{})
	st, _ := tl.Stages()
	if len(st) != 2 || st[1].Kind != Gone || st[1].StartMS != 5000 {
		t.Fatalf("stages %+v", st)
	}
	if tl.ignored != 2 || tl.outOfOrder != 1 {
		t.Errorf("ignored %d, out of order %d", tl.ignored, tl.outOfOrder)
	}
}

func TestBoundedMemory(t *testing.T) {
	s := run().on(0, "normal")
	ms := int64(0)
	for i := range 5000 {
		ms += 10_000
		s.off(ms)
		if i%2 == 0 {
			s.on(ms+500, "normal") // a drop
		} else {
			s.on(ms+5000, "normal") // a restart: a new stage
		}
	}
	tl := s.timeline(Config{MaxStages: 16, MaxMarks: 32})
	st, omitted := tl.Stages()
	marks, mOmitted := tl.Marks()
	if len(st) > 16 || len(marks) > 32 {
		t.Fatalf("kept %d stages, %d marks", len(st), len(marks))
	}
	if omitted == 0 || mOmitted == 0 || tl.Drops() != 2500 {
		t.Errorf("omitted %d stages, %d marks; drops %d (want 2500)", omitted, mOmitted, tl.Drops())
	}
	if st[0].StartMS != 0 {
		t.Errorf("first stage not kept: %+v", st[0])
	}
	for i := 1; i < len(st); i++ {
		if st[i].StartMS < st[i-1].StartMS {
			t.Fatalf("stages out of order at %d", i)
		}
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// TestTimers decides the stage timers with a fake clock, to the millisecond.
func TestTimers(t *testing.T) {
	start, _ := time.Parse(time.RFC3339, "2026-03-02T10:00:00Z")
	clk := &fakeClock{t: start}
	s := flow()
	tl := s.timeline(Config{})
	// at 362 s the phone entered restore mode
	clk.advance(362_500 * time.Millisecond)
	if st := tl.StatusNow(clk); st.Stage != Restore || st.Timer != TimerOK || st.SinceMS != 500 {
		t.Fatalf("restore: %+v", st)
	}
	clk.advance(60*time.Minute - 500*time.Millisecond - time.Millisecond)
	if st := tl.StatusNow(clk); st.Timer != TimerOK {
		t.Fatalf("restore 1 ms before the stall limit: %+v", st)
	}
	clk.advance(time.Millisecond)
	if st := tl.StatusNow(clk); st.Timer != TimerStalled {
		t.Fatalf("restore at the stall limit: %+v", st)
	}

	// the boot stage → gone: lost at exactly 300 s
	tl = run().on(0, "recovery").off(10_000).on(15_000, "recovery").off(40_000).timeline(Config{})
	if st := tl.Status(40_000 + 299_999); st.Stage != Gone || st.Timer != TimerOK || st.LimitMS != 300_000 {
		t.Fatalf("gone 1 ms before the handover limit: %+v", st)
	}
	if st := tl.Status(40_000 + 300_000); st.Timer != TimerLost || !strings.Contains(st.Next, "5 min") {
		t.Fatalf("gone at the handover limit: %+v", st)
	}
	// recovery with no progress: stalled at 5 min
	tl = run().on(1000, "recovery").timeline(Config{})
	if st := tl.Status(1000 + 299_999); st.Timer != TimerOK {
		t.Fatalf("recovery: %+v", st)
	}
	if st := tl.Status(1000 + 300_000); st.Timer != TimerStalled {
		t.Fatalf("recovery at 5 min: %+v", st)
	}
	// a configured shorter handover
	tl = run().on(0, "normal").off(100).timeline(Config{Handover: map[Kind]time.Duration{Normal: 20 * time.Millisecond}})
	if st := tl.Status(119); st.Timer != TimerOK {
		t.Fatalf("custom handover: %+v", st)
	}
	if st := tl.Status(120); st.Timer != TimerLost {
		t.Fatalf("custom handover at the limit: %+v", st)
	}
	// came back wrong
	tl = flow().off(400_000).on(420_000, "recovery").timeline(Config{})
	if st := tl.Status(421_000); st.Timer != TimerWrong {
		t.Fatalf("wrong mode: %+v", st)
	}
	// nothing yet
	if st := run().timeline(Config{}).Status(5); st.Timer != TimerNone || st.String() != "waiting for an iPhone on USB" {
		t.Fatalf("empty: %+v", st)
	}
	// the live line
	for _, tc := range []struct {
		tl   *Timeline
		now  int64
		want string
	}{
		{flow().timeline(Config{}), 492_000, "restore mode for 2 min 10 s; next: normal mode, after the restore"},
		{toBoot().off(340_000).timeline(Config{}), 640_000, "off USB for 5 min: LOST, not back within 5 min; back on USB within 5 min (next: restore mode)"},
		{run().on(0, "recovery").timeline(Config{}), 300_000, "recovery mode for 5 min: STALLED, no progress for over 5 min; next: the boot stage (iBEC), shown as recovery mode"},
	} {
		if got := tc.tl.Status(tc.now).String(); got != tc.want {
			t.Errorf("status line %q, want %q", got, tc.want)
		}
	}
}

func FuzzApply(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		tl := New(restoretrace.Header{}, Config{MaxStages: 8, MaxMarks: 8})
		kinds := []restoretrace.Kind{restoretrace.USBAttach, restoretrace.USBDetach, restoretrace.USBChange, restoretrace.MuxAttach,
			restoretrace.MuxDetach, restoretrace.MuxDown, restoretrace.MuxUp, restoretrace.Gap, restoretrace.RecordStop, "x"}
		modes := []string{"normal", "recovery", "dfu", "", "restore", "wtf"}
		ms := int64(0)
		for i := 0; i+2 < len(b); i += 3 {
			ms += int64(b[i]) * 997
			e := restoretrace.Event{TimeMS: ms - int64(b[i+2]%3)*500, Kind: kinds[int(b[i+1])%len(kinds)], Key: []string{key, "k2", ""}[b[i+2]%3]}
			if b[i+2]%5 != 0 {
				f := facts([]uint16{0x12a8, 0x1281, 0x1227, 0x1, 0xf014}[b[i]%5], modes[int(b[i+1])%len(modes)], int(b[i+2]), float64(b[i]%3)*240, []string{"", "3C", "1C"}[b[i+1]%3])
				e.USB = &f
			}
			tl.Apply(e)
			_ = tl.Status(ms)
		}
		v := tl.Decide(Inputs{})
		if v.Summary == "" {
			t.Fatal("empty summary")
		}
		st, _ := tl.Stages()
		if len(st) > 8 {
			t.Fatalf("%d stages", len(st))
		}
		if v.ID == Success && !v.Complete {
			t.Fatal("incomplete success")
		}
		// whatever came in, the report's restore_timeline follows the contract
		r := report.Report{Schema: report.Schema, Host: report.Host{Usbmuxd: report.UsbmuxdRef{Status: report.UsbmuxdOK}},
			Devices: []report.Device{}, Checks: []report.Check{}, Findings: []report.Finding{}, Steps: []report.Step{},
			Professional: report.Professional{Reasons: []string{}}, RestoreTimeline: tl.ToReport(v, 0)}
		var out bytes.Buffer
		if err := r.JSON(&out); err != nil {
			t.Fatal(err)
		}
		if err := report.Validate(out.Bytes()); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	})
}
