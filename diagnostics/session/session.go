// Package session is one Restore Doctor session on this computer: it owns
// the diagnostics engine, the live device.Monitor (the one model of which
// phones are connected, their modes, drops and mode changes), the lockdown
// description of each phone, latency sampling while a check runs, re-checks
// and the report export. The window (app), `watch` and `check` are thin
// clients of it; cmd/ only parses flags and wires the real parts in.
//
// A command opens its session with Open (this computer's libusb and
// usbmuxd, or the demo simulator, and the engine over them). A client runs
// a check with Check (RunCLI for `check`), follows phones with Watch (Events
// carry the Monitor's key, mode and counters, so every client shows the
// same numbers), reads a phone's history with Stability (kept across
// re-checks and mode changes), narrows a report to one phone with
// PhoneReport, and writes a report with Export.
package session

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Config wires a session to the real parts (cmd/) or to the simulator
// (tests).
type Config struct {
	// Engine runs the checks (required).
	Engine *diagnostics.Engine
	// USB is the bus the live view polls; nil when libusb cannot be used.
	USB usb.Source
	// Usbmux is the usbmuxd client (required).
	Usbmux *usbmux.Client
	// PollInterval is the USB polling interval of the live view (0: 250 ms).
	PollInterval time.Duration
	// SampleEvery is the lockdown latency sampling interval while a check
	// runs (0: 1 s).
	SampleEvery time.Duration
	// Logger receives debug logs (nil: discarded).
	Logger *slog.Logger
	// Now is the live view's clock (nil: time.Now).
	Now func() time.Time
	// MaxPhones caps the phones of the session (0: device.Monitor's 64).
	MaxPhones int
}

// EventKind is what a session event reports.
type EventKind string

// Session event kinds. Those of phones and of the usbmuxd connection are the
// Monitor's own kinds.
const (
	Attach     = EventKind(device.Attach)
	Detach     = EventKind(device.Detach)
	ModeChange = EventKind(device.ModeChange)
	// Describe carries lockdownd's description of a phone usbmuxd listed.
	Describe EventKind = "describe"
	// Latency carries one lockdown round trip while a check runs.
	Latency EventKind = "latency"
	// UsbmuxConnected and UsbmuxDisconnected concern the usbmuxd connection.
	UsbmuxConnected    = EventKind(device.UsbmuxConnected)
	UsbmuxDisconnected = EventKind(device.UsbmuxDisconnected)
	// USBError: the USB bus could not be read (Err), or again (Err nil).
	USBError EventKind = "usb-error"
)

// Event is one change of the session's live view.
type Event struct {
	Kind   EventKind
	Source device.Source // usb or usbmux ("" for Describe and Latency)
	Time   time.Time
	// Phone is the merged view (Key is the phone's one key in every mode).
	Phone device.Device
	Gone  bool
	// USB and Entry are the reporting source's own view (Attach, Detach, ModeChange).
	USB   *usb.Device
	Entry *usbmux.Entry
	// PrevMode is the mode before a ModeChange.
	PrevMode mode.Mode
	// Flap: a drop followed by a return in the same mode.
	Flap bool
	// Initial: already there when the session started watching.
	Initial bool
	// Stability is the phone's counters after the event.
	Stability device.Stability
	// Lockdown is lockdownd's answer (Describe).
	Lockdown *usbmux.LockdownInfo
	// RTT and Failed describe a Latency sample.
	RTT    time.Duration
	Failed bool
	// Err is why usbmuxd was lost (UsbmuxDisconnected) or USB unreadable (USBError).
	Err error
}

// ErrWatching is returned by Watch while another Watch runs.
var ErrWatching = errors.New("session: already watching")

// Session is one session. Its methods are safe for concurrent use.
type Session struct {
	cfg      Config
	log      *slog.Logger
	checking atomic.Bool

	mu    sync.Mutex
	mon   *device.Monitor // the running Watch's monitor
	parts parts           // what Open opened (zero for New)
}

// New returns a session over cfg.
func New(cfg Config) *Session {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.SampleEvery <= 0 {
		cfg.SampleEvery = time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Session{cfg: cfg, log: log}
}

// Usbmux is the session's usbmuxd client (for host status).
func (s *Session) Usbmux() *usbmux.Client { return s.cfg.Usbmux }

// USB is the session's USB source (nil without libusb).
func (s *Session) USB() usb.Source { return s.cfg.USB }

// Check runs the diagnostics once, as a re-check too: the live view (Watch)
// goes on, so a phone's history is kept across checks. With
// opts.IncludeIdentifiers the report's device keys are the live ones;
// Export redacts them unless asked not to.
func (s *Session) Check(ctx context.Context, opts diagnostics.Options, progress func(diagnostics.Progress)) (*report.Report, error) {
	s.checking.Store(true)
	defer s.checking.Store(false)
	rep, err := s.cfg.Engine.Run(ctx, opts, progress)
	if rep != nil && rep.Language == "" {
		// The report's sentences were made in the current language.
		rep.Language = i18n.Current().Code
	}
	return rep, err
}

// Checking reports whether a check runs now.
func (s *Session) Checking() bool { return s.checking.Load() }

// Stability is the live view's stability of the phone with key since Watch
// started (ok false when it has not seen it): drops, mode changes and their
// history, kept across re-checks and mode changes.
func (s *Session) Stability(key string) (device.Stability, bool) {
	s.mu.Lock()
	mon := s.mon
	s.mu.Unlock()
	if mon == nil {
		return device.Stability{}, false
	}
	for _, st := range mon.Stability() {
		if st.Key == key {
			return st, true
		}
	}
	return device.Stability{}, false
}

// Watch runs the live view until ctx ends: the device.Monitor over the USB
// watcher and usbmuxd's Listen (with lockdownd telling restore from normal
// mode), lockdownd's description of every phone usbmuxd attaches, and one
// lockdown round trip per listed phone every SampleEvery while a check
// runs. emit is called from the session's goroutines, one event at a time.
func (s *Session) Watch(ctx context.Context, emit func(Event)) error {
	var emitMu sync.Mutex
	send := func(e Event) {
		emitMu.Lock()
		defer emitMu.Unlock()
		emit(e)
	}
	var usbSrc device.USBEvents // a nil *usb.Watcher would not be a nil interface
	var watcher *usb.Watcher
	if s.cfg.USB != nil {
		watcher = usb.NewWatcher(s.cfg.USB, usb.WatcherOptions{Interval: s.cfg.PollInterval, Logger: s.log})
		usbSrc = watcher
	}
	client := s.cfg.Usbmux
	mon := device.NewMonitor(usbSrc, client, device.MonitorOptions{
		Logger: s.log, Now: s.cfg.Now, MaxPhones: s.cfg.MaxPhones,
		QueryMode: func(ctx context.Context, e usbmux.Entry) (mode.Mode, error) {
			_, md, err := client.QueryType(ctx, e)
			return md, err
		},
		QueryChipID: client.QueryChipID,
	})
	s.mu.Lock()
	if s.mon != nil {
		s.mu.Unlock()
		return ErrWatching
	}
	s.mon = mon
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.mon = nil
		s.mu.Unlock()
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	events := mon.Run(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range events {
			e, ok := fromMonitor(ev)
			if !ok {
				continue
			}
			send(e)
			if ev.Source == device.SourceUsbmux && ev.Kind == device.Attach && ev.Entry != nil {
				wg.Add(1)
				go func(key string, entry usbmux.Entry) {
					defer wg.Done()
					s.describe(ctx, key, entry, send)
				}(ev.Device.Key, *ev.Entry)
			}
		}
	}()

	t := time.NewTicker(s.cfg.SampleEvery)
	defer t.Stop()
	usbErr, overflow := "", 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if watcher != nil {
			// Say when the bus becomes unreadable, and when it is readable again.
			err := watcher.Err()
			if msg := errText(err); msg != usbErr {
				usbErr = msg
				send(Event{Kind: USBError, Source: device.SourceUSB, Time: time.Now(), Err: err})
			}
		}
		if n := mon.Overflow(); n > overflow {
			overflow = n
			s.log.Warn("more phones than one session follows; their events are ignored", "ignored", n)
		}
		if !s.checking.Load() {
			continue
		}
		for _, d := range mon.Devices() {
			if d.Usbmux != nil {
				s.sample(ctx, d, send)
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fromMonitor is a monitor event as a session event.
func fromMonitor(ev device.Event) (Event, bool) {
	e := Event{Source: ev.Source, Time: ev.Time, Phone: ev.Device, Gone: ev.Gone, USB: ev.USB, Entry: ev.Entry,
		PrevMode: ev.PrevMode, Flap: ev.Flap, Initial: ev.Initial, Stability: ev.Stability, Err: ev.Err}
	switch ev.Kind {
	case device.Attach:
		e.Kind = Attach
	case device.Detach:
		e.Kind = Detach
	case device.ModeChange:
		e.Kind = ModeChange
	case device.UsbmuxConnected:
		e.Kind = UsbmuxConnected
	case device.UsbmuxDisconnected:
		e.Kind = UsbmuxDisconnected
	default:
		return Event{}, false
	}
	return e, true
}

// describe asks lockdownd what the phone is (without pairing).
func (s *Session) describe(ctx context.Context, key string, e usbmux.Entry, send func(Event)) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := s.cfg.Usbmux.QueryLockdown(ctx, e)
	if err != nil {
		s.log.Debug("lockdown query for the live view failed", "err", err)
		return
	}
	d := device.Device{Key: key, UDID: e.UDID, Mode: mode.Normal, Usbmux: &e}
	if info.Mode == mode.Restore {
		d.Mode = mode.Restore
	}
	send(Event{Kind: Describe, Time: time.Now(), Phone: d, Entry: &e, Lockdown: &info})
}

// sample times one lockdown round trip to d.
func (s *Session) sample(ctx context.Context, d device.Device, send func(Event)) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SampleEvery)
	defer cancel()
	st, err := s.cfg.Usbmux.ProbeRTT(ctx, *d.Usbmux, 1)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return
	}
	ev := Event{Kind: Latency, Time: time.Now(), Phone: d, Entry: d.Usbmux}
	if err != nil || len(st.Samples) == 0 {
		ev.Failed = true
	} else {
		ev.RTT = st.Samples[0]
	}
	send(ev)
}
