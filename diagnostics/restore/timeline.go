package restore

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Stage is one span of the timeline: the phone in one stage from StartMS to
// EndMS (milliseconds since the recording started).
type Stage struct {
	Kind Kind
	// Inferred says why Kind was inferred from the sequence ("" when the
	// product id alone says it).
	Inferred string
	StartMS  int64
	EndMS    int64 // while Open: the time of the newest event
	Open     bool  // the phone is still in this stage
	// ProductID and USBMode are the USB facts of the stage (0 and "" for Gone).
	ProductID uint16
	USBMode   string
	PortPath  []int
	// SpeedsMbps are the link speeds seen in the stage, in order, no repeats.
	SpeedsMbps []float64
	// Drops: detach and re-attach in the same stage sooner than DropGap, or
	// a re-enumeration shorter than the poll (address change).
	Drops          int
	AddressChanges int
	PortChanges    int
	// Listed: usbmuxd listed the phone during the stage. ListingKnown is
	// false when usbmuxd was not watched, or its Listen stream was down.
	Listed       bool
	ListingKnown bool
	// KnownFromMS is when the listing became known (usbmuxd came back
	// during the stage), else the stage's start.
	KnownFromMS int64
	// MuxDown: usbmuxd's Listen stream was down for the whole stage (the
	// computer's Apple Mobile Device service was not reachable).
	MuxDown bool
	// IBoot are the iBoot fields first seen in the stage.
	IBoot map[string]string
	// Wrong marks a stage the phone came back in that is not what the
	// restore expects (recovery after restore mode, …); WrongWhy says why.
	Wrong    bool
	WrongWhy string
	// From is the stage before the phone left USB (for Gone), or the stage
	// the phone came from.
	From Kind
}

// DurationMS is how long the stage lasted (so far, while Open).
func (s Stage) DurationMS() int64 { return s.EndMS - s.StartMS }

// MarkKind is what a Mark marks.
type MarkKind string

// Mark kinds.
const (
	MarkDrop        MarkKind = "drop"
	MarkAddress     MarkKind = "address_change"
	MarkPort        MarkKind = "port_change"
	MarkSpeed       MarkKind = "speed_change"
	MarkMuxAttach   MarkKind = "usbmux_attach"
	MarkMuxDetach   MarkKind = "usbmux_detach"
	MarkMuxDown     MarkKind = "usbmux_down"
	MarkMuxUp       MarkKind = "usbmux_up"
	MarkGap         MarkKind = "gap"
	MarkWrong       MarkKind = "wrong_mode"
	MarkOtherDevice MarkKind = "other_device"
	MarkKeyChange   MarkKind = "key_change"
)

// Mark is a moment on the timeline worth showing.
type Mark struct {
	TimeMS int64
	Kind   MarkKind
	Detail string
	// DurationMS is how long a gap lasted, ending at TimeMS (0: unknown or not a gap).
	DurationMS int64
}

// Timeline is built incrementally from the events of one recording
// (Apply), so the window and the CLI can show it live. It follows one phone:
// the first one seen on USB. It is not safe for concurrent use.
type Timeline struct {
	cfg    Config
	header restoretrace.Header

	key     string
	others  map[string]bool // other phones present now (bounded)
	started bool
	stopped bool
	stopWhy string
	lastMS  int64
	cutLine int // the trace file was cut at this line (0: not cut)

	stages        []Stage
	stagesOmitted int
	marks         []Mark
	marksOmitted  int
	facts         *restoretrace.USBFacts // the followed phone's last USB facts

	// counters that go on past the caps
	events, ignored, outOfOrder int
	drops, addrChanges          int
	portChanges                 int
	bootStages                  int
	viaDFU                      bool        // the flow went through DFU: iBSS and iBEC are both boot stages
	wrong                       []wrongCome // bounded to 8, wrongCount counts all
	wrongCount                  int
	gaps                        []string // reasons, bounded to 8
	gapCount                    int
	muxListed, muxSeen, muxDown bool
	// flow: when the restore began (the phone left the first normal stage or
	// was first seen in a low-level stage), -1 before.
	flowStartMS int64
	// restoreSeen: a restore (or normal_or_restore) stage was seen; its first
	// start, and the start of the normal stage after it (-1: none).
	restoreSeen    bool
	restoreStartMS int64
	finishedMS     int64
	firstSpeed     float64
	lowSpeed       *speedFall
}

type wrongCome struct {
	atMS, gapMS int64
	from, to    Kind
	pid         uint16
	why         string
}

type speedFall struct {
	atMS  int64
	stage Kind
	mbps  float64
	was   float64
}

// New returns an empty timeline for a recording with header h.
func New(h restoretrace.Header, cfg Config) *Timeline {
	src := strings.ToLower(h.Source)
	return &Timeline{cfg: cfg.withDefaults(), header: h, others: map[string]bool{},
		flowStartMS: -1, restoreStartMS: -1, finishedMS: -1,
		// a recorder that watches usbmuxd says so in its source
		muxSeen: strings.Contains(src, "usbmux") || strings.Contains(src, "amds")}
}

// FromTrace returns the timeline of a whole trace file (a replay, a demo
// trace, a trace a user sent): every event applied, and a cut last line
// noted as a reason the recording is incomplete.
func FromTrace(tr *restoretrace.Trace, cfg Config) *Timeline {
	t := New(tr.Header, cfg)
	for _, e := range tr.Events {
		t.Apply(e)
	}
	if tr.Truncated {
		t.cutLine = max(tr.TruncatedLine, 1)
	}
	return t
}

// Header returns the recording's header.
func (t *Timeline) Header() restoretrace.Header { return t.header }

// Key returns the followed phone's key ("" before one was seen).
func (t *Timeline) Key() string { return t.key }

// Stages returns a copy of the kept stages, oldest first, and how many were
// left out to bound memory (from the second one on).
func (t *Timeline) Stages() ([]Stage, int) {
	out := make([]Stage, len(t.stages))
	for i, s := range t.stages {
		s.PortPath = slices.Clone(s.PortPath)
		s.SpeedsMbps = slices.Clone(s.SpeedsMbps)
		s.IBoot = maps.Clone(s.IBoot)
		out[i] = s
	}
	return out, t.stagesOmitted
}

// Marks returns a copy of the kept marks and how many older ones were left out.
func (t *Timeline) Marks() ([]Mark, int) { return slices.Clone(t.marks), t.marksOmitted }

// Drops is the number of drops of the followed phone in the whole recording.
func (t *Timeline) Drops() int { return t.drops }

// LastMS is the time of the newest event.
func (t *Timeline) LastMS() int64 { return t.lastMS }

// Stopped reports whether a record.stop was seen, and its reason.
func (t *Timeline) Stopped() (bool, string) { return t.stopped, t.stopWhy }

func (t *Timeline) cur() *Stage {
	if len(t.stages) == 0 {
		return nil
	}
	return &t.stages[len(t.stages)-1]
}

func (t *Timeline) mark(ms int64, k MarkKind, detail string) {
	if len(t.marks) >= t.cfg.MaxMarks {
		copy(t.marks, t.marks[1:])
		t.marks = t.marks[:len(t.marks)-1]
		t.marksOmitted++
	}
	t.marks = append(t.marks, Mark{TimeMS: ms, Kind: k, Detail: detail})
}

// Apply adds one event. Events for other phones, of unknown kinds or
// without the facts their kind needs are counted and otherwise ignored; an
// event older than the newest one is taken at the newest one's time.
func (t *Timeline) Apply(ev restoretrace.Event) {
	t.events++
	ms := ev.TimeMS
	if ms < t.lastMS {
		t.outOfOrder++
		ms = t.lastMS
	}
	t.lastMS = ms
	if c := t.cur(); c != nil && c.Open {
		c.EndMS = ms
	}
	switch ev.Kind {
	case restoretrace.RecordStart:
		t.started = true
	case restoretrace.RecordStop:
		t.stopped = true
		t.stopWhy = ev.Reason
	case restoretrace.Gap:
		t.gapCount++
		if len(t.gaps) < 8 {
			t.gaps = append(t.gaps, ev.Reason)
		}
		t.mark(ms, MarkGap, ev.Reason)
		if ev.DurationMS > 0 {
			t.marks[len(t.marks)-1].DurationMS = min(ev.DurationMS, ms)
		}
	case restoretrace.MuxDown:
		t.muxSeen = true
		t.muxDown = true
		t.muxListed = false // its listing is gone with it
		if c := t.cur(); c != nil && c.Open {
			c.ListingKnown = false
		}
		t.mark(ms, MarkMuxDown, i18n.T("restore.mark.mux_down", i18n.Args{"Reason": ev.Reason}))
	case restoretrace.MuxUp:
		t.muxSeen = true
		t.muxDown = false
		if c := t.cur(); c != nil && c.Open {
			c.MuxDown = false
			if !c.ListingKnown {
				c.ListingKnown, c.KnownFromMS = true, ms
			}
		}
		t.mark(ms, MarkMuxUp, i18n.T("restore.mark.mux_up"))
	case restoretrace.MuxAttach, restoretrace.MuxDetach:
		t.applyMux(ms, ev)
	case restoretrace.USBAttach, restoretrace.USBDetach, restoretrace.USBChange:
		if ev.USB == nil && ev.Kind != restoretrace.USBDetach {
			t.ignored++
			return
		}
		t.applyUSB(ms, ev)
	default:
		t.ignored++
	}
}

// ours reports whether a USB event's key is the followed phone's, adopting
// it when none is followed yet, or when the followed phone is off USB and no
// other phone is present (keys can differ between modes when the ECID is not
// in the normal-mode serial).
func (t *Timeline) ours(ms int64, ev restoretrace.Event) bool {
	switch {
	case t.key == "":
		t.key = ev.Key
		return true
	case ev.Key == t.key:
		return true
	}
	// The recorder sends a change, not a detach and attach, when the same
	// port shows the phone under a better key (its serial became readable):
	// the same bus and port as ours is ours.
	if ev.Kind == restoretrace.USBChange && ev.USB != nil && t.facts != nil && ev.USB.Bus == t.facts.Bus &&
		len(ev.USB.PortPath) > 0 && slices.Equal(ev.USB.PortPath, t.facts.PortPath) {
		t.mark(ms, MarkKeyChange, i18n.T("restore.mark.key_same_port"))
		t.key = ev.Key
		return true
	}
	if ev.Kind == restoretrace.USBAttach {
		if c := t.cur(); c != nil && c.Kind == Gone && len(t.others) == 0 {
			t.mark(ms, MarkKeyChange, i18n.T("restore.mark.key_back"))
			t.key = ev.Key
			return true
		}
		if len(t.others) < 16 {
			t.others[ev.Key] = true
		}
		t.mark(ms, MarkOtherDevice, i18n.T("restore.mark.other_device"))
	}
	if ev.Kind == restoretrace.USBDetach {
		delete(t.others, ev.Key)
	}
	t.ignored++
	return false
}

func (t *Timeline) applyMux(ms int64, ev restoretrace.Event) {
	t.muxSeen = true
	// usbmuxd's key may differ from USB's (UDID vs ECID); with one phone on
	// the bus it is the followed one.
	if ev.Key != t.key && (t.key == "" || len(t.others) > 0) {
		t.ignored++
		return
	}
	c := t.cur()
	if c != nil && c.Open {
		c.ListingKnown = !t.muxDown
	}
	if ev.Kind == restoretrace.MuxAttach {
		t.muxListed = true
		t.mark(ms, MarkMuxAttach, i18n.T("restore.mark.mux_attach"))
		if c != nil && c.Open && c.Kind != Gone {
			c.Listed = true
		}
		return
	}
	t.muxListed = false
	t.mark(ms, MarkMuxDetach, i18n.T("restore.mark.mux_detach"))
}

func (t *Timeline) applyUSB(ms int64, ev restoretrace.Event) {
	if !t.ours(ms, ev) {
		return
	}
	c := t.cur()
	switch ev.Kind {
	case restoretrace.USBDetach:
		if c == nil || c.Kind == Gone {
			return
		}
		t.leave(ms)
	case restoretrace.USBAttach:
		f := *ev.USB
		if c != nil && c.Kind != Gone && c.Open {
			// attach without a detach: the recorder missed it; treat as a
			// re-enumeration.
			t.change(ms, f)
			return
		}
		t.arrive(ms, f, false)
	case restoretrace.USBChange:
		f := *ev.USB
		if c == nil || c.Kind == Gone {
			t.arrive(ms, f, false)
			return
		}
		t.change(ms, f)
	}
}

// leave closes the current stage and opens Gone.
func (t *Timeline) leave(ms int64) {
	c := t.cur()
	c.Open = false
	c.EndMS = ms
	if t.flowStartMS < 0 && c.Kind == Normal && !t.restoreSeen {
		t.flowStartMS = ms
	}
	t.push(Stage{Kind: Gone, StartMS: ms, EndMS: ms, Open: true, From: c.Kind})
}

func (t *Timeline) push(s Stage) {
	if len(t.stages) >= t.cfg.MaxStages {
		// keep the first stage, drop the oldest after it
		copy(t.stages[1:], t.stages[2:])
		t.stages = t.stages[:len(t.stages)-1]
		t.stagesOmitted++
	}
	t.stages = append(t.stages, s)
}

// handoverLimit is how long the phone may stay off USB in the current Gone
// stage: the handover time of the stage it left, longer after a restore
// stage that ran long enough to have finished.
func (t *Timeline) handoverLimit() time.Duration {
	c := t.cur()
	if c == nil || c.Kind != Gone {
		return 0
	}
	if p := t.previous(); p != nil && p.Kind == Restore && p.DurationMS() >= t.cfg.RestoreRan.Milliseconds() {
		return max(t.cfg.AfterRestore, t.cfg.handover(Restore))
	}
	return t.cfg.handover(c.From)
}

// previous returns the last stage before the current Gone one, or nil.
func (t *Timeline) previous() *Stage {
	if n := len(t.stages); n >= 2 && t.stages[n-1].Kind == Gone {
		return &t.stages[n-2]
	}
	return nil
}

func ibootChanged(a, b map[string]string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, k := range []string{"IBFL", "SRTG", "CPFM", "SDOM"} {
		if a[k] != b[k] {
			return true
		}
	}
	return false
}

// arrive: the phone is on USB again (or for the first time) with facts f.
// reenum is true for an address change seen without a detach.
func (t *Timeline) arrive(ms int64, f restoretrace.USBFacts, reenum bool) {
	class := usbClass(f.ProductID, f.Mode)
	gone := t.cur()
	var prev *Stage
	var gapMS int64
	if gone != nil && gone.Kind == Gone {
		prev = t.previous()
		gapMS = ms - gone.StartMS
	} else if gone != nil {
		prev = gone // re-enumeration without detach
	}
	short := prev != nil && gapMS < t.cfg.DropGap.Milliseconds()
	prevKind := Kind("")
	if prev != nil {
		prevKind = prev.Kind
	} else if gone != nil {
		prevKind = gone.From
	}

	next := Stage{StartMS: ms, EndMS: ms, Open: true, From: prevKind, KnownFromMS: ms}
	switch class {
	case mode.Normal:
		switch prevKind {
		case BootStage, DFU:
			next.Kind = Restore
			next.Inferred = i18n.T("restore.inferred.restore", i18n.Args{"Stage": prevKind.Words()})
		case Recovery:
			next.Kind = NormalOrRestore
			next.Inferred = i18n.T("restore.inferred.normal_or_restore")
		case Restore, NormalOrRestore:
			if short {
				t.drop(ms, gapMS, reenum, f)
				return
			}
			next.Kind = Normal
			next.Inferred = i18n.T("restore.inferred.ios_after", i18n.Args{"Stage": prevKind.Words()})
		case Normal:
			if short {
				t.drop(ms, gapMS, reenum, f)
				return
			}
			next.Kind = Normal
		default:
			next.Kind = Normal
			if t.restoreSeen {
				next.Inferred = i18n.T("restore.inferred.after_restore")
			}
		}
	case mode.Recovery:
		switch prevKind {
		case Recovery, BootStage:
			var was map[string]string
			if prev != nil {
				was = prev.IBoot
			}
			changed := ibootChanged(was, f.IBoot)
			allowed := 1 // iBoot → iBEC (idevicerestore.c sends iBEC from recovery)
			if t.viaDFU {
				allowed = t.cfg.MaxBootStages // DFU → iBSS → iBEC (dfu.c)
			}
			// While a boot stage is still due, a re-enumeration is taken as
			// it, however quick (iBEC can be back within one poll); after
			// that, a quick one with the same iBoot fields is a drop.
			if short && !changed && t.bootStages >= allowed {
				t.drop(ms, gapMS, reenum, f)
				return
			}
			t.bootStages++
			next.Kind = BootStage
			next.Inferred = i18n.T("restore.inferred.boot_stage", i18n.Args{"Stage": prevKind.Words()})
			if changed {
				next.Inferred = i18n.T("restore.inferred.boot_stage_changed", i18n.Args{"Stage": prevKind.Words()})
			}
			if t.bootStages > allowed {
				next.Kind = Recovery
				next.Inferred = ""
				next.Wrong = true
				next.WrongWhy = i18n.T("restore.wrong.recovery_again")
			}
		case DFU:
			t.bootStages++
			next.Kind = BootStage
			next.Inferred = i18n.T("restore.inferred.after_dfu")
		case Restore:
			next.Kind = Recovery
			next.Wrong = true
			next.WrongWhy = i18n.T("restore.wrong.recovery_after_restore")
		default:
			next.Kind = Recovery
		}
	case mode.DFU, mode.WTF, mode.PortDFU:
		switch prevKind {
		case DFU:
			if short {
				t.drop(ms, gapMS, reenum, f)
				return
			}
			next.Kind = DFU
		case Restore, BootStage:
			next.Kind = DFU
			next.Wrong = true
			next.WrongWhy = i18n.T("restore.wrong.dfu", i18n.Args{"Stage": prevKind.Words()})
		default:
			next.Kind = DFU
		}
	default:
		next.Kind = Unknown
	}
	next.ProductID = f.ProductID
	next.USBMode = string(class)
	next.PortPath = slices.Clone(f.PortPath)
	next.IBoot = maps.Clone(f.IBoot)
	if f.SpeedMbps > 0 {
		next.SpeedsMbps = []float64{f.SpeedMbps}
	}
	next.ListingKnown = t.muxSeen && !t.muxDown
	next.MuxDown = t.muxDown
	if t.muxListed && (next.Kind == Normal || next.Kind == Restore || next.Kind == NormalOrRestore) {
		next.Listed = true
	}
	if gone != nil && gone.Kind == Gone {
		gone.Open = false
		gone.EndMS = ms
	} else if gone != nil {
		gone.Open = false
		gone.EndMS = ms
	}
	if prev != nil && len(prev.PortPath) > 0 && len(f.PortPath) > 0 && !slices.Equal(prev.PortPath, f.PortPath) {
		next.PortChanges++
		t.portChanges++
		t.mark(ms, MarkPort, i18n.T("restore.mark.port_back", i18n.Args{"Old": fmt.Sprint(prev.PortPath), "New": fmt.Sprint(f.PortPath)}))
	}
	if next.Kind == DFU {
		t.viaDFU = true
	}
	if t.flowStartMS < 0 && next.Kind.lowLevel() {
		t.flowStartMS = ms
	}
	if (next.Kind == Restore || next.Kind == NormalOrRestore) && !t.restoreSeen {
		t.restoreSeen = true
		t.restoreStartMS = ms
	}
	if next.Kind == Normal && (prevKind == Restore || prevKind == NormalOrRestore) {
		t.finishedMS = ms
	}
	if next.Wrong {
		t.wrongCount++
		if len(t.wrong) < 8 {
			t.wrong = append(t.wrong, wrongCome{atMS: ms, gapMS: gapMS, from: prevKind, to: next.Kind, pid: f.ProductID, why: next.WrongWhy})
		}
		t.mark(ms, MarkWrong, next.WrongWhy)
	}
	t.speed(ms, next.Kind, f.SpeedMbps, false)
	ff := f
	t.facts = &ff
	t.push(next)
}

// drop: the phone came back in the same stage; reopen it and count a drop.
func (t *Timeline) drop(ms int64, gapMS int64, reenum bool, f restoretrace.USBFacts) {
	if c := t.cur(); c.Kind == Gone && len(t.stages) >= 2 {
		t.stages = t.stages[:len(t.stages)-1]
	}
	c := t.cur()
	c.Open = true
	c.EndMS = ms
	c.Drops++
	t.drops++
	if reenum {
		t.mark(ms, MarkDrop, i18n.T("restore.mark.reenumerated", i18n.Args{"InStage": c.Kind.In()}))
	} else {
		t.mark(ms, MarkDrop, i18n.T("restore.mark.dropped", i18n.Args{"For": fmtDur(time.Duration(gapMS) * time.Millisecond), "InStage": c.Kind.In()}))
	}
	if old := t.facts; old != nil && len(old.PortPath) > 0 && len(f.PortPath) > 0 && !slices.Equal(old.PortPath, f.PortPath) {
		c.PortChanges++
		t.portChanges++
		t.mark(ms, MarkPort, i18n.T("restore.mark.port_back", i18n.Args{"Old": fmt.Sprint(old.PortPath), "New": fmt.Sprint(f.PortPath)}))
	}
	t.speed(ms, c.Kind, f.SpeedMbps, true)
	ff := f
	t.facts = &ff
}

// change: the same phone shows other facts without leaving USB.
func (t *Timeline) change(ms int64, f restoretrace.USBFacts) {
	c := t.cur()
	old := t.facts
	if old == nil {
		old = &restoretrace.USBFacts{}
	}
	if usbClass(f.ProductID, f.Mode) != usbClass(old.ProductID, old.Mode) || (old.Address != 0 && f.Address != old.Address) {
		// a re-enumeration shorter than the poll: another stage or a drop
		if old.Address != 0 && f.Address != old.Address {
			c.AddressChanges++
			t.addrChanges++
			t.mark(ms, MarkAddress, i18n.T("restore.mark.address", i18n.Args{"Old": old.Address, "New": f.Address}))
		}
		n := len(t.stages)
		t.arrive(ms, f, true)
		if len(t.stages) == n && f.SpeedMbps > 0 { // a drop: the stage goes on
			t.speed(ms, c.Kind, f.SpeedMbps, true)
		}
		ff := f
		t.facts = &ff
		return
	}
	if len(old.PortPath) > 0 && len(f.PortPath) > 0 && !slices.Equal(old.PortPath, f.PortPath) {
		c.PortChanges++
		t.portChanges++
		t.mark(ms, MarkPort, i18n.T("restore.mark.port", i18n.Args{"Old": fmt.Sprint(old.PortPath), "New": fmt.Sprint(f.PortPath)}))
	}
	if f.SpeedMbps > 0 && f.SpeedMbps != old.SpeedMbps {
		t.speed(ms, c.Kind, f.SpeedMbps, true)
	}
	ff := f
	t.facts = &ff
}

// speed records a link speed seen in the current (or about to be pushed)
// stage and notes a fall below high speed after the first stage.
func (t *Timeline) speed(ms int64, k Kind, mbps float64, inCurrent bool) {
	if mbps <= 0 {
		return
	}
	if inCurrent {
		c := t.cur()
		if len(c.SpeedsMbps) == 0 || c.SpeedsMbps[len(c.SpeedsMbps)-1] != mbps {
			if len(c.SpeedsMbps) > 0 {
				t.mark(ms, MarkSpeed, i18n.T("restore.mark.speed", i18n.Args{"Old": fmtNum(c.SpeedsMbps[len(c.SpeedsMbps)-1]), "New": fmtNum(mbps)}))
			}
			if len(c.SpeedsMbps) < 8 {
				c.SpeedsMbps = append(c.SpeedsMbps, mbps)
			}
		}
	}
	if t.firstSpeed == 0 {
		t.firstSpeed = mbps
	}
	if mbps < 480 && t.lowSpeed == nil {
		t.lowSpeed = &speedFall{atMS: ms, stage: k, mbps: mbps, was: t.firstSpeed}
	}
}
