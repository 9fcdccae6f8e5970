// Package restorewatch records a restore passively: it polls a usb.Source
// (libusb's Scanner, the simulator's USB view, or the Windows device tree)
// and follows usbmuxd's Listen stream, and turns what they show into
// restoretrace events. It sends nothing to any phone: no lockdown request,
// no iBoot command, no control transfer of its own (what the USB source
// reads is documented there, and in docs/restore-stages.md). It does not
// use device.Monitor, which asks lockdownd QueryType to tell restore mode
// from normal. It imports device/ packages only.
package restorewatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// DefaultPoll is the USB poll interval: a re-enumeration shorter than it
// shows only as an address change.
const DefaultPoll = 500 * time.Millisecond

// ErrDone is the cancel cause (context.WithCancelCause) that ends a
// recording as "done"; any other end is "interrupted".
var ErrDone = errors.New("restorewatch: recording done")

// Stop reasons of the record.stop event.
const (
	StopDone        = "done"
	StopInterrupted = "interrupted"
)

// MuxListener is usbmuxd's Listen stream (*usbmux.Client): it reconnects
// with backoff by itself and reports the connection going and coming.
type MuxListener interface {
	Listen(ctx context.Context) <-chan usbmux.Event
}

// Options configure a recording. USB or Mux may be nil (a computer without
// libusb, or without usbmuxd): the recording then holds what the other saw.
type Options struct {
	USB usb.Source
	Mux MuxListener
	// Poll is the USB poll interval (default DefaultPoll).
	Poll time.Duration
	// GapAfter: a poll that comes this much later than Poll says (the
	// computer slept, or a snapshot hung) is a record.gap (default
	// max(4×Poll, 2 s)).
	GapAfter time.Duration
	// Start is time zero of the events (default: when Run starts). It must
	// carry a monotonic reading (time.Now) for the times to survive clock changes.
	Start time.Time
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives debug logs (default: discarded).
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.GapAfter <= 0 {
		o.GapAfter = max(4*o.Poll, 2*time.Second)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Start.IsZero() {
		o.Start = o.Now()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run records until ctx ends and gives every event to emit, in time order,
// from this goroutine: record.start first, record.stop last (reason "done"
// when ctx was cancelled with ErrDone as its cause, else "interrupted").
// emit must not block for long: polling waits for it.
func Run(ctx context.Context, opts Options, emit func(restoretrace.Event)) {
	opts.defaults()
	r := &run{opts: opts, emit: emit, tr: newTracker()}
	r.loop(ctx)
}

type run struct {
	opts Options
	emit func(restoretrace.Event)
	tr   *tracker

	lastT    int64
	lastPoll time.Time     // wall and monotonic reading of the last poll's start
	slept    time.Duration // suspended time seen so far: the wall clock ran, the monotonic one did not
	failing  bool          // the USB source fails since failSince
	failT    int64
	failErr  string
}

// now is the event time: milliseconds since Start (monotonic when both
// carry it), plus the time the computer was suspended (which Linux's
// monotonic clock does not count), so a trace's times are the wall's.
func (r *run) now() int64 {
	t := (r.opts.Now().Sub(r.opts.Start) + r.slept).Milliseconds()
	if t < r.lastT {
		t = r.lastT
	}
	r.lastT = t
	return t
}

func (r *run) loop(ctx context.Context) {
	r.emit(restoretrace.Event{TimeMS: r.now(), Kind: restoretrace.RecordStart})
	var muxCh <-chan usbmux.Event
	muxCtx, cancelMux := context.WithCancel(ctx)
	defer cancelMux()
	if r.opts.Mux != nil {
		muxCh = r.opts.Mux.Listen(muxCtx)
	}
	var pollC <-chan time.Time
	var timer *time.Timer
	if r.opts.USB != nil {
		timer = time.NewTimer(0)
		defer timer.Stop()
		pollC = timer.C
	}
	for {
		select {
		case <-ctx.Done():
			r.stop(ctx)
			return
		case e, ok := <-muxCh:
			if !ok {
				muxCh = nil
				continue
			}
			if te, ok := r.muxEvent(e); ok {
				r.emit(te)
			}
		case <-pollC:
			r.poll(ctx)
			timer.Reset(r.opts.Poll)
		}
	}
}

func (r *run) stop(ctx context.Context) {
	if r.failing {
		r.endFailure()
	}
	reason := StopInterrupted
	if errors.Is(context.Cause(ctx), ErrDone) {
		reason = StopDone
	}
	r.emit(restoretrace.Event{TimeMS: r.now(), Kind: restoretrace.RecordStop, Reason: reason})
}

// poll takes one snapshot. A poll that starts much later than the interval
// says is a gap: the wall clock catches the computer's sleep (Go's
// monotonic clock stops during suspend on Linux), the monotonic clock a
// process that was stopped or starved.
func (r *run) poll(ctx context.Context) {
	start := r.opts.Now()
	if !r.lastPoll.IsZero() {
		slept, late := lateness(start.Sub(r.lastPoll), start.Round(0).Sub(r.lastPoll.Round(0)), r.opts.Poll, r.opts.GapAfter)
		r.slept += slept
		if late > r.opts.GapAfter {
			r.emit(restoretrace.Event{TimeMS: r.now(), Kind: restoretrace.Gap, DurationMS: late.Milliseconds(),
				Reason: fmt.Sprintf("no USB poll for %s (the computer slept or the recorder was stopped)", late.Round(time.Second))})
		}
	}
	r.lastPoll = start
	pctx, cancel := context.WithTimeout(ctx, max(10*r.opts.Poll, 5*time.Second))
	devs, err := r.opts.USB.Snapshot(pctx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		if !r.failing {
			r.failing, r.failT, r.failErr = true, r.now(), err.Error()
			r.opts.Logger.Debug("restorewatch: USB poll failed", "err", err)
		}
		return
	}
	if r.failing {
		r.endFailure()
	}
	for _, e := range r.tr.step(r.now(), devs) {
		r.emit(e)
	}
}

// lateness says, from the monotonic and the wall time between two poll
// starts, how late the second came (late) and how much of that the computer
// was suspended (slept: the wall clock ran on, the monotonic one stopped).
// Wall-clock steps smaller than gapAfter (NTP) count as neither.
func lateness(mono, wall, poll, gapAfter time.Duration) (slept, late time.Duration) {
	if wall-mono > gapAfter {
		slept = wall - mono
	}
	return slept, max(mono, wall) - poll
}

// endFailure reports a run of failed polls as one gap, now that it is over.
func (r *run) endFailure() {
	t := r.now()
	r.emit(restoretrace.Event{TimeMS: t, Kind: restoretrace.Gap, DurationMS: t - r.failT,
		Reason: "USB poll failed: " + r.failErr})
	r.failing = false
}

// muxEvent turns one Listen event into a trace event.
func (r *run) muxEvent(e usbmux.Event) (restoretrace.Event, bool) {
	switch e.Kind {
	case usbmux.EventConnected:
		return restoretrace.Event{TimeMS: r.now(), Kind: restoretrace.MuxUp}, true
	case usbmux.EventDisconnected:
		reason := "connection lost"
		if e.Err != nil {
			reason = e.Err.Error()
		}
		return restoretrace.Event{TimeMS: r.now(), Kind: restoretrace.MuxDown, Reason: reason}, true
	case usbmux.EventAttach, usbmux.EventDetach:
		k := restoretrace.MuxAttach
		if e.Kind == usbmux.EventDetach {
			k = restoretrace.MuxDetach
		}
		ent := e.Entry
		return restoretrace.Event{TimeMS: r.now(), Kind: k, Key: device.Key(nil, &ent), Mux: &restoretrace.MuxFacts{
			DeviceID: e.DeviceID, ConnectionType: ent.ConnectionType, LocationID: ent.LocationID,
			SpeedBps: int64(ent.ConnectionSpeed), ProductID: uint16(ent.ProductID),
		}}, true
	}
	return restoretrace.Event{}, false
}
