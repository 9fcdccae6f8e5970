package device

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// Source is where a monitor event came from.
type Source string

// Event sources.
const (
	SourceUSB    Source = "usb"
	SourceUsbmux Source = "usbmux"
)

// EventKind is what a monitor event reports.
type EventKind string

// Monitor event kinds. Attach, Detach and ModeChange concern a phone; the
// usbmux ones concern the usbmuxd connection itself (Device is zero).
const (
	Attach             EventKind = "attach"
	Detach             EventKind = "detach"
	ModeChange         EventKind = "mode-change"
	UsbmuxConnected    EventKind = "usbmux-connected"
	UsbmuxDisconnected EventKind = "usbmux-disconnected"
)

// Event is one change seen by one source, with the merged view of the phone
// after it and the phone's counters so far.
type Event struct {
	Source Source
	Kind   EventKind
	Time   time.Time
	// Device is the merged view of the phone after the event; when no source
	// sees it any more (Gone), the phone as last seen.
	Device Device
	Gone   bool
	// USB is the device as the USB watcher reported it (USB events): a
	// detach's device although the merged view no longer has it.
	USB *usb.Device
	// Entry is usbmuxd's entry as Listen reported it (usbmux attach/detach;
	// for a detach, as it was when attached).
	Entry *usbmux.Entry
	// PrevMode is the mode before a mode change.
	PrevMode mode.Mode
	// Flap: a re-appearance in the same mode soon after leaving (counted).
	Flap bool
	// Initial: the phone was already there when the source started (not counted).
	Initial bool
	// Reconciled: usbmux attach/detach derived from usbmuxd's list on reconnect.
	Reconciled bool
	// Err is why the usbmuxd connection was lost (usbmux-disconnected).
	Err error
	// Stability is the phone's counters after this event, without History
	// (Monitor.Stability has it); zero for usbmux state events.
	Stability Stability
}

// ChangeKind is what one entry of a phone's history records.
type ChangeKind string

// History entry kinds.
const (
	// ChangeDrop: a source lost the phone and it did not come back in
	// another mode (an unplug, a flap).
	ChangeDrop ChangeKind = "drop"
	// ChangeReturn: a source sees the phone again in the mode it left in.
	ChangeReturn ChangeKind = "return"
	// ChangeMode: the phone changed mode (From → To). A departure that ended
	// in a mode change is recorded as ChangeDeparture, never as a drop.
	ChangeMode ChangeKind = "mode-change"
	// ChangeDeparture: a source lost the phone on its way to another mode.
	ChangeDeparture ChangeKind = "departure"
)

// Change is one entry of a phone's stability history.
type Change struct {
	Time     time.Time
	Kind     ChangeKind
	Source   Source
	From, To mode.Mode // ChangeMode; From for the others is the mode it was in
}

// Stability is one phone's stability since the monitor started: counters
// per source and a timestamped history. Both sources usually see the same
// physical event, so the combined counts take the larger of the two rather
// than the sum. A mode change is never a drop: a departure followed by the
// phone coming back in another mode (within ModeChangeWindow) is counted as
// that mode change only.
type Stability struct {
	Key                            string
	USBAttaches, USBDetaches       int
	UsbmuxAttaches, UsbmuxDetaches int
	// USBDrops, UsbmuxDrops: departures not explained by a mode change.
	USBDrops, UsbmuxDrops int
	// USBFlaps, UsbmuxFlaps: drops followed by a return in the same mode within FlapWindow.
	USBFlaps, UsbmuxFlaps int
	ModeChanges           int
	FirstSeen, LastChange time.Time
	// History is the phone's changes, oldest first (the latest MaxHistory).
	History []Change
}

// Flaps is the number of same-mode re-appearances, from whichever source saw more.
func (s Stability) Flaps() int { return max(s.USBFlaps, s.UsbmuxFlaps) }

// Drops is the number of times the phone dropped off (not counting mode
// changes), from whichever source saw more.
func (s Stability) Drops() int { return max(s.USBDrops, s.UsbmuxDrops) }

// Attaches is the number of arrivals after the start, from whichever source saw more.
func (s Stability) Attaches() int { return max(s.USBAttaches, s.UsbmuxAttaches) }

// USBEvents is the USB watcher as the monitor uses it (*usb.Watcher).
type USBEvents interface {
	Run(ctx context.Context) <-chan usb.Event
}

// UsbmuxEvents is the usbmuxd listener as the monitor uses it (*usbmux.Client).
type UsbmuxEvents interface {
	Listen(ctx context.Context) <-chan usbmux.Event
}

// MonitorOptions tune a Monitor. The zero value is usable.
type MonitorOptions struct {
	// FlapWindow: a return in the same mode this soon after a drop is a
	// flap (default 10 s).
	FlapWindow time.Duration
	// ModeChangeWindow: a departure followed within this long by the phone
	// in another mode is that mode change, not a drop (default 3 min: a
	// reboot into recovery can take a minute).
	ModeChangeWindow time.Duration
	// MaxPhones caps the phones one monitor tracks (default 64); events of
	// further phones are ignored and counted (Overflow).
	MaxPhones int
	// MaxHistory caps each phone's history (default 256 entries).
	MaxHistory int
	// InitialWindow: USB attaches in the watcher's first poll within this long
	// of Run are the phones already present (default 2 s).
	InitialWindow time.Duration
	// Buffer is the event channel's capacity (default 64).
	Buffer int
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// Now is the monitor's clock (default time.Now): every event is stamped
	// with it when it is processed, so tests drive the windows without sleeping.
	Now func() time.Time
	// QueryMode, when set, is asked for the lockdown mode of every phone
	// usbmuxd attaches (typically a wrapper around (*usbmux.Client).QueryType),
	// in the background with QueryTimeout. It is how the merged view tells
	// restore mode from normal mode: a phone found in restore mode gets a
	// mode-change event, and a usbmuxd/USB "flap" that turns out to be a
	// change between normal and restore mode is counted as a mode change.
	QueryMode func(ctx context.Context, e usbmux.Entry) (mode.Mode, error)
	// QueryChipID, when set, is asked for lockdownd's UniqueChipID (the
	// ECID, in hex) of every phone usbmuxd attaches whose UDID does not carry
	// it (40 hex digits, A11 and earlier), typically
	// (*usbmux.Client).QueryChipID. In recovery and DFU mode such a phone is
	// known only by its ECID: knowing it, the monitor keeps the phone's one
	// key across modes instead of seeing a new phone.
	QueryChipID func(ctx context.Context, e usbmux.Entry) (string, error)
	// QueryTimeout bounds each QueryMode and QueryChipID call (default 10 s).
	QueryTimeout time.Duration
}

// modeResult is a QueryMode answer coming back to the event loop.
type modeResult struct {
	entry usbmux.Entry
	mode  mode.Mode
	err   error
	ecid  string // QueryChipID's answer ("" when not asked or unknown)
}

// Monitor runs the USB watcher and the usbmuxd listener together and keeps
// the merged device view and per-phone stability. It is the only code that
// turns USB and usbmuxd events into phones: it gives each physical phone one
// key across modes and replugs (see Key), tells restore mode from normal
// mode (QueryMode), and counts drops and mode changes. Either source may be
// nil (no libusb access: usbmuxd only; no usbmuxd: USB only). Devices and
// Stability may be called at any time, from any goroutine.
//
// Work per event is bounded by the number of phones (at most MaxPhones),
// not by the number of events seen.
type Monitor struct {
	usbSrc USBEvents
	muxSrc UsbmuxEvents
	opts   MonitorOptions
	log    *slog.Logger

	started atomic.Bool

	mu           sync.Mutex
	start        time.Time
	usbDevs      map[string]usb.Device // by location
	muxDevs      map[int]usbmux.Entry  // by DeviceID
	phones       map[string]*phoneState
	alias        map[string]string // USB location → chip key learnt while the serial was readable
	chipAlias    map[string]string // ECID key → UDID key of a phone whose UDID lacks the ECID (QueryChipID)
	lastDev      map[string]Device // by key, last merged view
	usbFirst     time.Time         // time of the USB watcher's first poll
	muxConnected bool
	muxConnects  int
	muxMode      map[int]mode.Mode // lockdown mode by usbmuxd DeviceID (QueryMode)
	overflow     int
}

// phoneState is one phone's counters and what is pending on them.
type phoneState struct {
	st       Stability
	hist     []*Change
	lastMode mode.Mode
	// tentative: lastMode is mode.Normal from a first USB/usbmuxd sighting
	// that lockdown has not confirmed (it may be restore mode).
	tentative bool
	pending   map[Source]*departure
	// lastUSB and lastEntry are each source's last view of the phone.
	lastUSB   *usb.Device
	lastEntry *usbmux.Entry
	// last is the latest mode change, while a lockdown answer may still
	// correct it (USB cannot tell restore from normal mode).
	last *modeChange
}

// departure is a source losing the phone, until it is known whether the
// phone came back in the same mode (a drop, maybe a flap) or another (a
// mode change).
type departure struct {
	at       time.Time
	change   *Change
	returned bool // came back in the same mode: counted as a flap
}

type modeChange struct {
	at          time.Time
	change      *Change
	provisional bool // To is mode.Normal from USB alone
	undone      map[Source]*departure
	// stale are the sources that still showed the phone in its old mode
	// when the change was seen: their next departure is part of it.
	stale map[Source]bool
}

// NewMonitor returns a monitor over the two sources; nothing runs until Run.
func NewMonitor(usbSrc USBEvents, muxSrc UsbmuxEvents, opts MonitorOptions) *Monitor {
	if opts.FlapWindow <= 0 {
		opts.FlapWindow = 10 * time.Second
	}
	if opts.ModeChangeWindow <= 0 {
		opts.ModeChangeWindow = 3 * time.Minute
	}
	if opts.MaxPhones <= 0 {
		opts.MaxPhones = 64
	}
	if opts.MaxHistory <= 0 {
		opts.MaxHistory = 256
	}
	if opts.InitialWindow <= 0 {
		opts.InitialWindow = 2 * time.Second
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 64
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Monitor{
		usbSrc: usbSrc, muxSrc: muxSrc, opts: opts, log: log,
		usbDevs: map[string]usb.Device{}, muxDevs: map[int]usbmux.Entry{}, phones: map[string]*phoneState{},
		alias: map[string]string{}, chipAlias: map[string]string{}, lastDev: map[string]Device{}, muxMode: map[int]mode.Mode{},
	}
}

// Run starts both sources and returns the merged event stream, closed once
// ctx ends and both sources have stopped. Run starts at most once; a second
// call returns a closed channel.
func (m *Monitor) Run(ctx context.Context) <-chan Event {
	out := make(chan Event, m.opts.Buffer)
	if !m.started.CompareAndSwap(false, true) {
		close(out)
		return out
	}
	m.mu.Lock()
	m.start = m.opts.Now()
	m.mu.Unlock()
	var uch <-chan usb.Event
	if m.usbSrc != nil {
		uch = m.usbSrc.Run(ctx)
	}
	var mch <-chan usbmux.Event
	if m.muxSrc != nil {
		mch = m.muxSrc.Listen(ctx)
	}
	go m.loop(ctx, uch, mch, out)
	return out
}

func (m *Monitor) loop(ctx context.Context, uch <-chan usb.Event, mch <-chan usbmux.Event, out chan<- Event) {
	defer close(out)
	if uch == nil && mch == nil {
		<-ctx.Done()
		return
	}
	modeCh := make(chan modeResult)
	inflight := 0 // QueryMode calls whose answer the loop still waits for
	emit := func(evs []Event) {
		for _, e := range evs {
			select {
			case out <- e:
			case <-ctx.Done():
				return // keep draining the sources until they close
			}
		}
	}
	// Sources that end (a sampling window) still get the lockdown answers
	// to the attaches they reported; each is bounded by QueryTimeout.
	for uch != nil || mch != nil || inflight > 0 {
		select {
		case e, ok := <-uch:
			if !ok {
				uch = nil
				continue
			}
			emit(m.onUSB(e))
		case e, ok := <-mch:
			if !ok {
				mch = nil
				continue
			}
			emit(m.onUsbmux(e))
			askChip := m.opts.QueryChipID != nil && e.Entry.UDID != "" && ECIDFromUDID(e.Entry.UDID) == ""
			if e.Kind == usbmux.EventAttach && (m.opts.QueryMode != nil || askChip) {
				inflight++
				go func(entry usbmux.Entry) {
					r := modeResult{entry: entry, mode: mode.Unknown}
					if m.opts.QueryMode != nil {
						qctx, cancel := context.WithTimeout(ctx, m.opts.QueryTimeout)
						r.mode, r.err = m.opts.QueryMode(qctx, entry)
						cancel()
					}
					if askChip {
						qctx, cancel := context.WithTimeout(ctx, m.opts.QueryTimeout)
						ecid, err := m.opts.QueryChipID(qctx, entry)
						cancel()
						if err == nil {
							r.ecid = ecid
						}
					}
					modeCh <- r
				}(e.Entry)
			}
		case r := <-modeCh:
			inflight--
			emit(m.onMode(r))
		}
	}
}

// onMode applies a QueryMode answer.
func (m *Monitor) onMode(r modeResult) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := r.entry.DeviceID
	if cur, ok := m.muxDevs[id]; !ok || cur.UDID != r.entry.UDID {
		return nil // gone meanwhile
	}
	if k := ECIDKey(r.ecid); k != "" {
		m.chipAlias[k] = m.keyOfEntry(r.entry)
	}
	if r.err != nil || (r.mode != mode.Normal && r.mode != mode.Restore) {
		m.log.Debug("lockdown mode unknown", "udid", r.entry.UDID, "err", r.err)
		return nil
	}
	key := m.keyOfEntry(r.entry)
	ps, ok := m.phones[key]
	if !ok {
		return nil
	}
	before, _ := m.currentLocked(key)
	m.muxMode[id] = r.mode
	after, _ := m.currentLocked(key)
	now := m.opts.Now()
	prev := ps.lastMode
	if !m.noteModeLocked(key, ps, now, SourceUsbmux, r.mode, false) && before.Mode == after.Mode {
		return nil
	}
	if prev == "" || prev == r.mode {
		prev = before.Mode
	}
	e := Event{Source: SourceUsbmux, Kind: ModeChange, Time: now, PrevMode: prev}
	m.finishLocked(&e, key)
	return []Event{e}
}

// Devices is the current merged view, sorted by Key.
func (m *Monitor) Devices() []Device {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mergedLocked()
}

// Stability returns every phone's stability since Run, sorted by Key.
func (m *Monitor) Stability() []Stability {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Stability, 0, len(m.phones))
	for _, ps := range m.phones {
		out = append(out, ps.snapshot())
	}
	slices.SortFunc(out, func(a, b Stability) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Sighting is a phone as the monitor last saw it from each source.
type Sighting struct {
	Key  string
	Mode mode.Mode // last known mode (lockdown's where it told restore from normal)
	// USB and Usbmux are the last views of each source (nil: never seen by it).
	USB    *usb.Device
	Usbmux *usbmux.Entry
	// OnUSB and Listed say whether each source sees it right now.
	OnUSB, Listed bool
}

// Seen returns every phone seen since Run (at most MaxPhones), present or
// not, sorted by key.
func (m *Monitor) Seen() []Sighting {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := map[string]Device{}
	for _, d := range m.mergedLocked() {
		now[d.Key] = d
	}
	out := make([]Sighting, 0, len(m.phones))
	for k, ps := range m.phones {
		s := Sighting{Key: k, Mode: ps.lastMode, USB: ps.lastUSB, Usbmux: ps.lastEntry}
		if d, ok := now[k]; ok {
			s.OnUSB, s.Listed = d.USB != nil, d.Usbmux != nil
			if d.Mode != "" {
				s.Mode = d.Mode
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Sighting) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Overflow is the number of events ignored because they concerned a phone
// beyond MaxPhones.
func (m *Monitor) Overflow() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.overflow
}

func (ps *phoneState) snapshot() Stability {
	s := ps.st
	s.History = make([]Change, len(ps.hist))
	for i, c := range ps.hist {
		s.History[i] = *c
	}
	return s
}

// mergedLocked merges the current state and applies learnt aliases, so a
// phone keeps its key while its serial is unreadable (A11 recovery, a
// serial-less re-enumeration).
func (m *Monitor) mergedLocked() []Device {
	usbList := slices.Collect(maps.Values(m.usbDevs))
	slices.SortFunc(usbList, func(a, b usb.Device) int { return strings.Compare(a.Location(), b.Location()) })
	muxList := slices.Collect(maps.Values(m.muxDevs))
	slices.SortFunc(muxList, func(a, b usbmux.Entry) int { return a.DeviceID - b.DeviceID })
	devs := Merge(usbList, muxList)
	used := map[string]bool{}
	for _, d := range devs {
		used[d.Key] = true
	}
	for i := range devs {
		d := &devs[i]
		if d.Usbmux != nil && d.Mode == mode.Normal && m.muxMode[d.Usbmux.DeviceID] == mode.Restore {
			d.Mode = mode.Restore
		}
		if d.USB == nil {
			continue
		}
		if a, ok := m.chipAlias[d.Key]; ok && !used[a] {
			used[a] = true
			d.Key = a // an older phone in recovery/DFU: the key it has in normal mode
		}
		loc := d.USB.Location()
		if ChipKey(d.Key) {
			m.alias[loc] = d.Key
		} else if k, ok := m.alias[loc]; ok && !used[k] {
			used[k] = true
			d.Key = k
		}
	}
	slices.SortFunc(devs, func(a, b Device) int { return strings.Compare(a.Key, b.Key) })
	for _, d := range devs {
		m.lastDev[d.Key] = d
	}
	return devs
}

func (m *Monitor) usbKey(d usb.Device) string {
	k := Key(&d, nil)
	if a, ok := m.chipAlias[k]; ok {
		return a
	}
	if ChipKey(k) {
		return k
	}
	if a, ok := m.alias[d.Location()]; ok {
		return a
	}
	return k
}

func (m *Monitor) keyOfEntry(e usbmux.Entry) string { return Key(nil, &e) }

// phoneLocked returns key's state, creating it unless that would exceed
// MaxPhones (then nil).
func (m *Monitor) phoneLocked(key string, now time.Time) *phoneState {
	if ps, ok := m.phones[key]; ok {
		return ps
	}
	if len(m.phones) >= m.opts.MaxPhones {
		m.overflow++
		return nil
	}
	ps := &phoneState{st: Stability{Key: key, FirstSeen: now}, pending: map[Source]*departure{}}
	m.phones[key] = ps
	return ps
}

func (m *Monitor) record(ps *phoneState, c Change) *Change {
	p := &c
	ps.hist = append(ps.hist, p)
	if over := len(ps.hist) - m.opts.MaxHistory; over > 0 {
		ps.hist = slices.Delete(ps.hist, 0, over)
	}
	ps.st.LastChange = c.Time
	return p
}

// drops and flaps of one source.
func (ps *phoneState) counters(src Source) (drops, flaps *int) {
	if src == SourceUSB {
		return &ps.st.USBDrops, &ps.st.USBFlaps
	}
	return &ps.st.UsbmuxDrops, &ps.st.UsbmuxFlaps
}

// departLocked records src losing the phone: a drop until it turns out to be
// a mode change.
func (m *Monitor) departLocked(ps *phoneState, src Source, now time.Time) {
	if lc := ps.last; lc != nil && now.Sub(lc.at) <= m.opts.FlapWindow && lc.stale[src] {
		delete(lc.stale, src)
		// A source catching up with a mode change another one reported
		// (USB re-enumerating after lockdown said restore mode).
		lc.undone[src] = &departure{at: now, change: m.record(ps, Change{Time: now, Kind: ChangeDeparture, Source: src, From: ps.lastMode})}
		return
	}
	drops, _ := ps.counters(src)
	*drops++
	c := m.record(ps, Change{Time: now, Kind: ChangeDrop, Source: src, From: ps.lastMode})
	ps.pending[src] = &departure{at: now, change: c}
}

// returnLocked records src seeing the phone again; in the mode it left in
// and soon enough, that is a flap. It reports whether it was one.
func (m *Monitor) returnLocked(ps *phoneState, src Source, now time.Time, md mode.Mode) bool {
	d, ok := ps.pending[src]
	if !ok || d.returned {
		return false
	}
	if md != "" && ps.lastMode != "" && md != ps.lastMode {
		return false // the mode change resolves it
	}
	if now.Sub(d.at) > m.opts.FlapWindow {
		delete(ps.pending, src)
		return false
	}
	_, flaps := ps.counters(src)
	*flaps++
	d.returned = true
	m.record(ps, Change{Time: now, Kind: ChangeReturn, Source: src, From: md})
	return true
}

// noteModeLocked records that key is now in md (from src). A change from the
// last known mode is counted once, and turns the departures that led to it
// into part of the change. USB alone cannot tell restore from normal mode:
// such a change is provisional, and a lockdown answer soon after corrects
// it rather than adding another. It reports whether the mode changed.
func (m *Monitor) noteModeLocked(key string, ps *phoneState, now time.Time, src Source, md mode.Mode, usbOnly bool) bool {
	if md == "" || md == mode.Unknown {
		return false
	}
	prev := ps.lastMode
	ps.lastMode = md
	if prev == "" {
		// First sighting: normal-range product ids on USB may still be restore mode.
		ps.tentative = usbOnly && md == mode.Normal
		return false
	}
	if ps.tentative && !usbOnly && prev == mode.Normal {
		ps.tentative = false // lockdown's first answer tells what the first sighting was
		return false
	}
	if !usbOnly {
		ps.tentative = false
	}
	if prev == md {
		if prev == md && usbOnly {
			return false
		}
		if lc := ps.last; lc != nil && lc.provisional && !usbOnly {
			lc.provisional = false // confirmed by lockdown
		}
		return false
	}
	if lc := ps.last; lc != nil && lc.provisional && !usbOnly && prev == mode.Normal && now.Sub(lc.at) <= m.opts.FlapWindow {
		// USB said normal, lockdown says what it really is.
		lc.provisional = false
		lc.change.To = md
		if lc.change.From == md {
			// No change after all: a re-enumeration in the same mode.
			lc.change.Kind = ChangeReturn
			ps.st.ModeChanges--
			for s, d := range lc.undone {
				drops, flaps := ps.counters(s)
				*drops++
				d.change.Kind = ChangeDrop
				if d.returned || now.Sub(d.at) <= m.opts.FlapWindow {
					*flaps++
				}
			}
			ps.last = nil
		}
		m.log.Debug("mode corrected by lockdown", "key", key, "mode", md)
		return true
	}
	ps.tentative = false
	ps.st.ModeChanges++
	c := m.record(ps, Change{Time: now, Kind: ChangeMode, Source: src, From: prev, To: md})
	mc := &modeChange{at: now, change: c, provisional: usbOnly && md == mode.Normal, undone: map[Source]*departure{}, stale: map[Source]bool{}}
	if d, ok := m.currentLocked(key); ok {
		mc.stale[SourceUSB] = d.USB != nil && src != SourceUSB && ps.pending[SourceUSB] == nil
		mc.stale[SourceUsbmux] = d.Usbmux != nil && src != SourceUsbmux && ps.pending[SourceUsbmux] == nil
	}
	for s, d := range ps.pending {
		if now.Sub(d.at) > m.opts.ModeChangeWindow || (d.returned && now.Sub(d.at) > m.opts.FlapWindow) {
			continue // a return in the same mode long ago: that drop stands
		}
		drops, flaps := ps.counters(s)
		*drops--
		if d.returned {
			*flaps--
		}
		d.change.Kind = ChangeDeparture
		mc.undone[s] = d
	}
	clear(ps.pending)
	ps.last = mc
	return true
}

// currentLocked is key's merged device now (ok false when no source sees it).
func (m *Monitor) currentLocked(key string) (Device, bool) {
	for _, d := range m.mergedLocked() {
		if d.Key == key {
			return d, true
		}
	}
	return Device{}, false
}

// finishLocked fills Device/Gone/Stability of a phone event after the state changed.
func (m *Monitor) finishLocked(e *Event, key string) {
	if d, ok := m.currentLocked(key); ok {
		e.Device = d
	} else {
		e.Gone = true
		e.Device = m.lastDev[key]
		if e.Device.Key == "" {
			e.Device.Key = key
		}
	}
	if ps, ok := m.phones[key]; ok {
		e.Stability = ps.st // counters only: Monitor.Stability has the history
	}
}

// lockdownKnown reports whether lockdown told d's mode (QueryMode).
func (m *Monitor) lockdownKnown(d Device) bool {
	if d.Usbmux == nil {
		return false
	}
	_, ok := m.muxMode[d.Usbmux.DeviceID]
	return ok
}

func (m *Monitor) onUSB(ue usb.Event) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.opts.Now()
	// The phones of the watcher's first poll share its time: they were
	// already there (not counted as arrivals).
	poll := ue.Time
	if poll.IsZero() {
		poll = now
	}
	if m.usbFirst.IsZero() {
		m.usbFirst = poll
	}
	loc := ue.Device.Location()
	key := m.usbKey(ue.Device)
	ps := m.phoneLocked(key, now)
	if ps == nil {
		return nil
	}
	ud := ue.Device
	ps.lastUSB = &ud
	e := Event{Source: SourceUSB, Time: now, USB: &ud}
	prevMode := ps.lastMode
	switch ue.Kind {
	case usb.Attached:
		m.usbDevs[loc] = ue.Device
		e.Kind = Attach
		e.Initial = poll.Equal(m.usbFirst) && now.Sub(m.start) <= m.opts.InitialWindow
		if !e.Initial {
			ps.st.USBAttaches++
		}
	case usb.Detached:
		delete(m.usbDevs, loc)
		e.Kind = Detach
		ps.st.USBDetaches++
		m.departLocked(ps, SourceUSB, now)
	case usb.ModeChange:
		m.usbDevs[loc] = ue.Device
		e.Kind, e.PrevMode = ModeChange, ue.PrevMode
	default:
		m.log.Debug("unknown USB event kind", "kind", ue.Kind)
		return nil
	}
	if ue.Kind != usb.Detached {
		if ps.last != nil {
			delete(ps.last.stale, SourceUSB) // a fresh USB view
		}
		d, _ := m.currentLocked(key)
		md := d.Mode
		if md == "" {
			md = ue.Device.Mode
		}
		changed := m.noteModeLocked(key, ps, now, SourceUSB, md, !m.lockdownKnown(d))
		if !changed && !e.Initial {
			e.Flap = m.returnLocked(ps, SourceUSB, now, md)
		}
		if changed {
			e.Kind, e.PrevMode = ModeChange, prevMode
		}
	}
	m.finishLocked(&e, key)
	return []Event{e}
}

func (m *Monitor) onUsbmux(me usbmux.Event) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.opts.Now()
	switch me.Kind {
	case usbmux.EventConnected:
		m.muxConnected = true
		m.muxConnects++
		// Keep lockdown modes of phones that are still there under a new handle.
		byUDID := map[string]mode.Mode{}
		for id, md := range m.muxMode {
			if d, ok := m.muxDevs[id]; ok {
				byUDID[usb.NormalizeSerial(d.UDID)] = md
			}
		}
		m.muxMode = map[int]mode.Mode{}
		// The list taken on connecting is authoritative (handles may have
		// changed if usbmuxd restarted); the reconciled events that follow
		// only report differences.
		m.muxDevs = map[int]usbmux.Entry{}
		for _, d := range me.Devices {
			if m.phoneLocked(m.keyOfEntry(d), now) == nil {
				continue
			}
			m.muxDevs[d.DeviceID] = d
			if md, ok := byUDID[usb.NormalizeSerial(d.UDID)]; ok {
				m.muxMode[d.DeviceID] = md
			}
		}
		return []Event{{Source: SourceUsbmux, Kind: UsbmuxConnected, Time: now}}
	case usbmux.EventDisconnected:
		wasUp := m.muxConnected
		m.muxConnected = false
		if !wasUp && m.muxConnects > 0 {
			return nil
		}
		return []Event{{Source: SourceUsbmux, Kind: UsbmuxDisconnected, Time: now, Err: me.Err}}
	case usbmux.EventAttach, usbmux.EventDetach:
	default:
		m.log.Debug("unknown usbmux event kind", "kind", me.Kind)
		return nil
	}
	entry := me.Entry
	if entry.DeviceID == 0 {
		entry.DeviceID = me.DeviceID
	}
	key := m.keyOfEntry(entry)
	ps := m.phoneLocked(key, now)
	if ps == nil {
		return nil
	}
	ps.lastEntry = &entry
	e := Event{Source: SourceUsbmux, Time: now, Reconciled: me.Reconciled, Entry: &entry}
	initial := me.Reconciled && m.muxConnects <= 1
	if me.Kind == usbmux.EventAttach {
		m.muxDevs[me.DeviceID] = entry
		e.Kind, e.Initial = Attach, initial
		if !initial {
			ps.st.UsbmuxAttaches++
		}
		if ps.last != nil {
			delete(ps.last.stale, SourceUsbmux) // a fresh usbmuxd entry
		}
		d, _ := m.currentLocked(key)
		// usbmuxd alone says "normal" for restore mode too: only a USB view
		// or lockdown (onMode) tells.
		md := d.Mode
		if d.USB == nil {
			md = ps.lastMode
			if md == mode.Recovery || md == mode.DFU || md == "" {
				md = mode.Normal
			}
		}
		prevMode := ps.lastMode
		if m.noteModeLocked(key, ps, now, SourceUsbmux, md, true) {
			e.Kind, e.PrevMode = ModeChange, prevMode
		} else if !initial {
			e.Flap = m.returnLocked(ps, SourceUsbmux, now, md)
		}
	} else {
		delete(m.muxDevs, me.DeviceID)
		delete(m.muxMode, me.DeviceID)
		e.Kind = Detach
		ps.st.UsbmuxDetaches++
		m.departLocked(ps, SourceUsbmux, now)
	}
	m.finishLocked(&e, key)
	return []Event{e}
}
