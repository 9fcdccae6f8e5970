package device

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strconv"
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
	// Stability is the phone's counters after this event (zero for usbmux state events).
	Stability Stability
}

// Stability counts one phone's comings and goings since the monitor started.
// Both sources usually see the same physical event, so the combined counts
// take the larger of the two rather than the sum.
type Stability struct {
	Key                            string
	USBAttaches, USBDetaches       int
	UsbmuxAttaches, UsbmuxDetaches int
	USBFlaps, UsbmuxFlaps          int
	ModeChanges                    int
	FirstSeen, LastChange          time.Time
}

// Flaps is the number of same-mode re-appearances, from whichever source saw more.
func (s Stability) Flaps() int { return max(s.USBFlaps, s.UsbmuxFlaps) }

// Detaches is the number of departures, from whichever source saw more.
func (s Stability) Detaches() int { return max(s.USBDetaches, s.UsbmuxDetaches) }

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
	// FlapWindow: a usbmuxd re-attach this soon after a detach of the same
	// phone is a flap (default 10 s). USB flaps are the watcher's
	// Reenumeration verdicts (its own FlapWindow). usbmuxd cannot tell restore
	// from normal mode, so a reboot into restore mode also looks like a flap there.
	FlapWindow time.Duration
	// InitialWindow: USB attaches in the watcher's first poll within this long
	// of Run are the phones already present (default 2 s).
	InitialWindow time.Duration
	// Buffer is the event channel's capacity (default 64).
	Buffer int
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock for Stability times (default time.Now).
	Now func() time.Time
	// QueryMode, when set, is asked for the lockdown mode of every phone
	// usbmuxd attaches (typically a wrapper around (*usbmux.Client).QueryType),
	// in the background with QueryTimeout. It is how the merged view tells
	// restore mode from normal mode: a phone found in restore mode gets a
	// mode-change event, and a usbmuxd/USB "flap" that turns out to be a
	// change between normal and restore mode is counted as a mode change.
	QueryMode func(ctx context.Context, e usbmux.Entry) (mode.Mode, error)
	// QueryTimeout bounds each QueryMode call (default 10 s).
	QueryTimeout time.Duration
}

// modeResult is a QueryMode answer coming back to the event loop.
type modeResult struct {
	entry usbmux.Entry
	mode  mode.Mode
	err   error
}

// Monitor runs the USB watcher and the usbmuxd listener together and keeps
// the merged device view and per-phone stability counters. Either source may
// be nil (no libusb access: usbmuxd only; no usbmuxd: USB only). Devices and
// Stability may be called at any time, from any goroutine: diagnostics sample
// the counters after a window, the GUI renders a live card from the events.
type Monitor struct {
	usbSrc USBEvents
	muxSrc UsbmuxEvents
	opts   MonitorOptions
	log    *slog.Logger

	started atomic.Bool

	mu            sync.Mutex
	start         time.Time
	usbDevs       map[string]usb.Device // by location
	muxDevs       map[int]usbmux.Entry  // by DeviceID
	stats         map[string]*Stability
	alias         map[string]string    // USB location → udid key learnt while the serial was readable
	lastDev       map[string]Device    // by key, last merged view
	muxDetachedAt map[string]time.Time // by key
	usbFirst      time.Time
	muxConnected  bool
	muxConnects   int
	muxMode       map[int]mode.Mode    // lockdown mode by usbmuxd DeviceID (QueryMode)
	keyMode       map[string]mode.Mode // last lockdown mode by phone key
	muxFlapAt     map[int]bool         // attaches counted as usbmux flaps, by DeviceID, until their mode is known
	usbFlapAt     map[string]time.Time // last USB flap by key
	modeChangeAt  map[string]time.Time // last lockdown-detected mode change by key
}

// NewMonitor returns a monitor over the two sources; nothing runs until Run.
func NewMonitor(usbSrc USBEvents, muxSrc UsbmuxEvents, opts MonitorOptions) *Monitor {
	if opts.FlapWindow <= 0 {
		opts.FlapWindow = 10 * time.Second
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
		usbDevs: map[string]usb.Device{}, muxDevs: map[int]usbmux.Entry{}, stats: map[string]*Stability{},
		alias: map[string]string{}, lastDev: map[string]Device{}, muxDetachedAt: map[string]time.Time{},
		muxMode: map[int]mode.Mode{}, keyMode: map[string]mode.Mode{}, muxFlapAt: map[int]bool{}, usbFlapAt: map[string]time.Time{},
		modeChangeAt: map[string]time.Time{},
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
	var wg sync.WaitGroup
	defer wg.Wait()
	modeCh := make(chan modeResult)
	emit := func(evs []Event) {
		for _, e := range evs {
			select {
			case out <- e:
			case <-ctx.Done():
				return // keep draining the sources until they close
			}
		}
	}
	for uch != nil || mch != nil {
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
			if e.Kind == usbmux.EventAttach && m.opts.QueryMode != nil {
				wg.Add(1)
				go func(entry usbmux.Entry) {
					defer wg.Done()
					qctx, cancel := context.WithTimeout(ctx, m.opts.QueryTimeout)
					md, err := m.opts.QueryMode(qctx, entry)
					cancel()
					select {
					case modeCh <- modeResult{entry: entry, mode: md, err: err}:
					case <-ctx.Done():
					}
				}(e.Entry)
			}
		case r := <-modeCh:
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
	if r.err != nil || (r.mode != mode.Normal && r.mode != mode.Restore) {
		m.log.Debug("lockdown mode unknown", "udid", r.entry.UDID, "err", r.err)
		delete(m.muxFlapAt, id)
		return nil
	}
	key := KeyForUDID(r.entry.UDID)
	now := m.opts.Now()
	before := m.mergedLocked()
	var shown mode.Mode
	for _, d := range before {
		if d.Key == key {
			shown = d.Mode
		}
	}
	m.muxMode[id] = r.mode
	prev, known := m.keyMode[key]
	m.keyMode[key] = r.mode
	st := m.statsLocked(key, now)
	changed := known && prev != r.mode
	if changed {
		// A detach and re-attach between normal and restore mode: a mode change, not a flap.
		st.ModeChanges++
		st.LastChange = now
		m.modeChangeAt[key] = now
		if m.muxFlapAt[id] && st.UsbmuxFlaps > 0 {
			st.UsbmuxFlaps--
		}
		if t, ok := m.usbFlapAt[key]; ok && now.Sub(t) <= m.opts.FlapWindow && st.USBFlaps > 0 {
			st.USBFlaps--
			delete(m.usbFlapAt, key)
		}
	}
	delete(m.muxFlapAt, id)
	if !changed && shown == r.mode {
		return nil
	}
	e := Event{Source: SourceUsbmux, Kind: ModeChange, Time: now, PrevMode: shown}
	if known {
		e.PrevMode = prev
	}
	m.finishLocked(&e, key)
	return []Event{e}
}

// Devices is the current merged view, sorted by Key.
func (m *Monitor) Devices() []Device {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mergedLocked()
}

// Stability returns every phone's counters since Run, sorted by Key.
func (m *Monitor) Stability() []Stability {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Stability, 0, len(m.stats))
	for _, s := range m.stats {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Stability) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// UsbmuxConnected reports whether the usbmuxd listener is connected right now.
func (m *Monitor) UsbmuxConnected() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.muxConnected
}

// mergedLocked merges the current state and applies learnt aliases, so a
// phone keeps its UDID key while its serial is unreadable (A11 recovery).
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
		loc := d.USB.Location()
		if strings.HasPrefix(d.Key, "udid:") {
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
	if u := UDIDFromUSB(d); u != "" {
		return KeyForUDID(u)
	}
	if k, ok := m.alias[d.Location()]; ok {
		return k
	}
	return "usb:" + d.Location()
}

func (m *Monitor) statsLocked(key string, now time.Time) *Stability {
	s, ok := m.stats[key]
	if !ok {
		s = &Stability{Key: key, FirstSeen: now}
		m.stats[key] = s
	}
	return s
}

// finishLocked fills Device/Gone/Stability of a phone event after the state changed.
func (m *Monitor) finishLocked(e *Event, key string) {
	for _, d := range m.mergedLocked() {
		if d.Key == key {
			e.Device = d
			break
		}
	}
	if e.Device.Key == "" {
		e.Gone = true
		e.Device = m.lastDev[key]
		if e.Device.Key == "" {
			e.Device.Key = key
		}
	}
	if s, ok := m.stats[key]; ok {
		e.Stability = *s
	}
}

func (m *Monitor) onUSB(ue usb.Event) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := ue.Time
	if now.IsZero() {
		now = m.opts.Now()
	}
	if m.usbFirst.IsZero() {
		m.usbFirst = now
	}
	loc := ue.Device.Location()
	key := m.usbKey(ue.Device)
	st := m.statsLocked(key, now)
	ud := ue.Device
	e := Event{Source: SourceUSB, Time: now, USB: &ud}
	switch ue.Kind {
	case usb.Attached:
		m.usbDevs[loc] = ue.Device
		e.Kind = Attach
		e.Initial = now.Equal(m.usbFirst) && now.Sub(m.start) <= m.opts.InitialWindow
		if !e.Initial {
			st.USBAttaches++
			st.LastChange = now
		}
		if t, ok := m.modeChangeAt[key]; ue.Reenumeration && !(ok && absDur(now.Sub(t)) <= m.opts.FlapWindow) {
			e.Flap = true
			st.USBFlaps++
			m.usbFlapAt[key] = now
		}
	case usb.Detached:
		delete(m.usbDevs, loc)
		e.Kind = Detach
		st.USBDetaches++
		st.LastChange = now
	case usb.ModeChange:
		m.usbDevs[loc] = ue.Device
		e.Kind, e.PrevMode = ModeChange, ue.PrevMode
		st.ModeChanges++
		st.LastChange = now
	default:
		m.log.Debug("unknown USB event kind", "kind", ue.Kind)
		return nil
	}
	m.finishLocked(&e, key)
	return []Event{e}
}

func (m *Monitor) onUsbmux(me usbmux.Event) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := me.Time
	if now.IsZero() {
		now = m.opts.Now()
	}
	switch me.Kind {
	case usbmux.EventConnected:
		m.muxConnected = true
		m.muxConnects++
		// Keep lockdown modes of phones that are still there under a new handle.
		byUDID := map[string]mode.Mode{}
		for id, md := range m.muxMode {
			if d, ok := m.muxDevs[id]; ok {
				byUDID[NormalizeUDID(d.UDID)] = md
			}
		}
		m.muxMode = map[int]mode.Mode{}
		for _, d := range me.Devices {
			if md, ok := byUDID[NormalizeUDID(d.UDID)]; ok {
				m.muxMode[d.DeviceID] = md
			}
		}
		// The list taken on connecting is authoritative (handles may have
		// changed if usbmuxd restarted); the reconciled events that follow
		// only report differences.
		m.muxDevs = map[int]usbmux.Entry{}
		for _, d := range me.Devices {
			m.muxDevs[d.DeviceID] = d
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
	key := KeyForUDID(me.Entry.UDID)
	if me.Entry.UDID == "" {
		key = "usbmux:" + strconv.Itoa(me.DeviceID)
	}
	st := m.statsLocked(key, now)
	entry := me.Entry
	e := Event{Source: SourceUsbmux, Time: now, Reconciled: me.Reconciled, Entry: &entry}
	initial := me.Reconciled && m.muxConnects <= 1
	if me.Kind == usbmux.EventAttach {
		m.muxDevs[me.DeviceID] = me.Entry
		e.Kind, e.Initial = Attach, initial
		if !initial {
			st.UsbmuxAttaches++
			st.LastChange = now
		}
		if t, ok := m.muxDetachedAt[key]; ok && !me.Reconciled && now.Sub(t) <= m.opts.FlapWindow {
			e.Flap = true
			st.UsbmuxFlaps++
			m.muxFlapAt[me.DeviceID] = true
		}
		delete(m.muxDetachedAt, key)
	} else {
		delete(m.muxDevs, me.DeviceID)
		delete(m.muxMode, me.DeviceID)
		delete(m.muxFlapAt, me.DeviceID)
		e.Kind = Detach
		st.UsbmuxDetaches++
		st.LastChange = now
		m.muxDetachedAt[key] = now
	}
	m.finishLocked(&e, key)
	return []Event{e}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
