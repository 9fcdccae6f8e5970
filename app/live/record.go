package live

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/restorewatch"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Recording configures "Watch my restore" (Backend.RecordRestore).
type Recording struct {
	// USB opens the passive USB source of a recording (libusb reading
	// sysfs, the Windows device tree, or the demo simulator's view) and
	// returns how to close it. An error records usbmuxd's list alone. Nil:
	// the backend cannot record.
	USB func(log *slog.Logger) (usb.Source, func(), error)
	// TracePath names the trace file of a recording started at start ("":
	// no trace file).
	TracePath func(start time.Time) (string, error)
	// Poll is the USB poll interval (default restorewatch.DefaultPoll).
	Poll time.Duration
	// Source names the events' origin in the trace header ("libusb+usbmuxd").
	Source string
	// IncludeIDs keeps identifiers in the trace (default: redacted).
	IncludeIDs bool
	// ToolVersion goes into the trace header.
	ToolVersion string
	// Replay, when set (--demo-trace), plays a recorded trace through the
	// simulator the recording watches, from the recording's start; it
	// returns the trace's own stop reason when the trace is over. Speed
	// is how much faster than recorded it plays (the recording's clock
	// runs as fast).
	Replay func(ctx context.Context) (stopReason string, err error)
	Speed  float64
}

var _ app.Recorder = (*Backend)(nil)

// errReplayInterrupted ends the recording of a replayed trace whose own
// recording was interrupted, so the window's verdict is the trace's.
var errReplayInterrupted error = state.MessageError("app.error.replay_interrupted")

// RecordRestore implements app.Recorder: a passive recording
// (device/restorewatch) over the recording's USB source and the session's
// usbmuxd client's Listen stream, written to a trace file (redacted unless
// IncludeIDs) and given to emit. The window has stopped the live view
// (lockdownd queries) and any check before it calls this.
func (b *Backend) RecordRestore(ctx context.Context, started func(app.RecordInfo), emit func(restoretrace.Event)) error {
	rc := b.rec
	if rc.USB == nil {
		return app.ErrNoRecorder
	}
	poll := rc.Poll
	if poll <= 0 {
		poll = restorewatch.DefaultPoll
	}
	src, closeUSB, err := rc.USB(b.log)
	if closeUSB != nil {
		defer closeUSB()
	}
	if err != nil {
		b.log.Warn("USB not usable; recording usbmuxd only", "err", err)
		src = nil
	}
	start := time.Now()
	clock := time.Now
	pollMS := poll.Milliseconds()
	speed := rc.Speed
	if rc.Replay != nil && speed > 0 && speed != 1 {
		clock = func() time.Time { return start.Add(time.Duration(float64(time.Since(start)) * speed)) }
		pollMS = int64(float64(pollMS) * speed)
	}
	h := restoretrace.Header{Schema: restoretrace.Schema, StartedAt: start.UTC().Format(time.RFC3339Nano), ToolVersion: rc.ToolVersion,
		OS: runtime.GOOS, PollMS: int(pollMS), Redacted: !rc.IncludeIDs, Source: rc.Source}
	var w *restoretrace.Writer
	path := ""
	if rc.TracePath != nil {
		if path, err = rc.TracePath(start); err != nil {
			return fmt.Errorf("%s: %w", i18n.T("app.error.trace_file"), err)
		}
		if w, err = restoretrace.Create(path, h); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	started(app.RecordInfo{Header: h, TracePath: path, NowMS: func() int64 { return clock().Sub(start).Milliseconds() }})
	var wg sync.WaitGroup
	defer wg.Wait()
	if rc.Replay != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			why, err := rc.Replay(ctx)
			if err != nil {
				return
			}
			// Let the recorder see the last change before it stops.
			t := time.NewTimer(3 * poll)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
			if why == restorewatch.StopInterrupted {
				cancel(errReplayInterrupted)
			} else {
				cancel(restorewatch.ErrDone)
			}
		}()
	}
	var werr error
	opts := restorewatch.Options{USB: src, Mux: b.sess.Usbmux(), Poll: poll, Start: start, Now: clock, Logger: b.log}
	if rc.Replay != nil {
		// The replay's clock runs faster than the poll timer: jitter
		// would read as sleep. The trace's own gaps are its own.
		opts.GapAfter = 24 * time.Hour
	}
	restorewatch.Run(ctx, opts, func(e restoretrace.Event) {
		if !rc.IncludeIDs {
			e = restoretrace.Redact(e)
		}
		if w != nil && werr == nil {
			if werr = w.Write(e); werr != nil {
				b.log.Warn("trace file: recording on without it", "err", werr)
			}
		}
		emit(e)
	})
	if w != nil {
		if err := w.Close(); err != nil && werr == nil {
			werr = err
		}
	}
	return werr
}
