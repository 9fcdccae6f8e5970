package usb

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// WatcherOptions configure a Watcher. The zero value is usable.
type WatcherOptions struct {
	// Interval between the end of one poll and the start of the next (default 500 ms).
	Interval time.Duration
	// FlapWindow: a device that comes back at the same location in the same
	// mode within this long after it left is reported as a re-enumeration
	// (Event.Reenumeration) (default 10 s).
	FlapWindow time.Duration
	// ModeChangeWindow: a device that comes back at the same location in a
	// different mode within this long after it left is reported as a mode
	// change, not an attach: rebooting into recovery can take a minute
	// (default 3 min).
	ModeChangeWindow time.Duration
	// Now is the clock for event times (default time.Now).
	Now func() time.Time
	// Buffer is the event channel's capacity (default 64).
	Buffer int
	// Logger receives poll errors (default slog.Default()).
	Logger *slog.Logger
}

// Watcher polls a Source and turns differences between snapshots into
// Events. Devices are matched by Location (the physical port), which
// survives re-enumeration.
type Watcher struct {
	src     Source
	opts    WatcherOptions
	started atomic.Bool

	mu      sync.Mutex
	current []Device
	lastErr error
	tr      tracker
}

// NewWatcher returns a Watcher over src; nothing happens until Run.
func NewWatcher(src Source, opts WatcherOptions) *Watcher {
	if opts.Interval <= 0 {
		opts.Interval = 500 * time.Millisecond
	}
	if opts.FlapWindow <= 0 {
		opts.FlapWindow = 10 * time.Second
	}
	if opts.ModeChangeWindow <= 0 {
		opts.ModeChangeWindow = 3 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 64
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Watcher{src: src, opts: opts, tr: newTracker(opts.FlapWindow, opts.ModeChangeWindow)}
}

// Run polls until ctx ends, then closes the returned channel. The first
// successful poll reports every device present as Attached. Events are never
// dropped: when the reader falls behind and the buffer is full, polling waits
// for it (back-pressure), but ctx ending always ends Run, so a reader that
// stops reading only needs to cancel ctx. A poll error keeps the last known
// state (no events) and is available from Err until a poll succeeds. Run
// starts at most once per Watcher; a second call returns a closed channel.
func (w *Watcher) Run(ctx context.Context) <-chan Event {
	ch := make(chan Event, w.opts.Buffer)
	if !w.started.CompareAndSwap(false, true) {
		w.opts.Logger.Warn("usb: Watcher.Run called more than once")
		close(ch)
		return ch
	}
	go w.loop(ctx, ch)
	return ch
}

func (w *Watcher) loop(ctx context.Context, ch chan<- Event) {
	defer close(ch)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var lastLogged string
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		devs, err := w.src.Snapshot(ctx)
		if ctx.Err() != nil {
			return
		}
		var events []Event
		w.mu.Lock()
		if err != nil {
			w.lastErr = err
		} else {
			w.lastErr = nil
			events = w.tr.step(w.opts.Now(), devs)
			w.current = slices.Clone(devs)
		}
		w.mu.Unlock()
		if err != nil && err.Error() != lastLogged {
			w.opts.Logger.Warn("usb: poll failed", "err", err)
			lastLogged = err.Error()
		} else if err == nil {
			lastLogged = ""
		}
		for _, e := range events {
			select {
			case ch <- e:
			case <-ctx.Done():
				return
			}
		}
		timer.Reset(w.opts.Interval)
	}
}

// Current is the device list of the last successful poll.
func (w *Watcher) Current() []Device {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.current)
}

// Err is the error of the last poll, nil when it succeeded.
func (w *Watcher) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// tracker turns successive snapshots into events. It is pure: no I/O, no clock.
type tracker struct {
	flap, modeChange time.Duration
	prev             map[string]Device
	gone             map[string]goneDevice
}

type goneDevice struct {
	dev Device
	at  time.Time
}

func newTracker(flap, modeChange time.Duration) tracker {
	return tracker{flap: flap, modeChange: modeChange, prev: map[string]Device{}, gone: map[string]goneDevice{}}
}

// step compares devs (the snapshot taken at now) with the previous one.
func (t *tracker) step(now time.Time, devs []Device) []Event {
	var events []Event
	next := make(map[string]Device, len(devs))
	for _, d := range devs {
		if _, dup := next[d.Location()]; !dup {
			next[d.Location()] = d
		}
	}
	// Detaches first, in a stable order.
	var left []string
	for loc := range t.prev {
		if _, ok := next[loc]; !ok {
			left = append(left, loc)
		}
	}
	slices.Sort(left)
	for _, loc := range left {
		p := t.prev[loc]
		events = append(events, Event{Kind: Detached, Time: now, Device: p})
		t.gone[loc] = goneDevice{dev: p, at: now}
	}
	for _, d := range devs {
		loc := d.Location()
		if next[loc].Address != d.Address { // a duplicate location; ignored
			continue
		}
		p, was := t.prev[loc]
		switch {
		case was && p.Mode != d.Mode:
			events = append(events, Event{Kind: ModeChange, Time: now, Device: d, PrevMode: p.Mode})
		case was && (p.Address != d.Address || p.ProductID != d.ProductID):
			// It left and came back between two polls: the address is new.
			events = append(events,
				Event{Kind: Detached, Time: now, Device: p},
				Event{Kind: Attached, Time: now, Device: d, Reenumeration: true})
		case was:
		default:
			g, had := t.gone[loc]
			delete(t.gone, loc)
			age := now.Sub(g.at)
			switch {
			case had && g.dev.Mode == d.Mode && age <= t.flap && sameSerial(g.dev, d):
				events = append(events, Event{Kind: Attached, Time: now, Device: d, Reenumeration: true})
			case had && g.dev.Mode != d.Mode && age <= t.modeChange:
				events = append(events, Event{Kind: ModeChange, Time: now, Device: d, PrevMode: g.dev.Mode})
			default:
				events = append(events, Event{Kind: Attached, Time: now, Device: d})
			}
		}
	}
	keep := max(t.flap, t.modeChange)
	for loc, g := range t.gone {
		if now.Sub(g.at) > keep {
			delete(t.gone, loc)
		}
	}
	t.prev = next
	return events
}

// sameSerial is false only when both serials are known and differ: another
// phone plugged into the same port is not a flap.
func sameSerial(a, b Device) bool {
	if a.Serial == "" || b.Serial == "" {
		return true
	}
	return NormalizeSerial(a.Serial) == NormalizeSerial(b.Serial)
}

// NormalizeSerial strips dashes and upper-cases, so a USB serial and a
// usbmuxd/lockdown UDID of the same phone compare equal.
func NormalizeSerial(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
}
