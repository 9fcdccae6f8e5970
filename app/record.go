package app

import (
	"context"
	"time"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/restorewatch"
)

// ErrNoRecorder is a recording's error when the backend cannot record.
var ErrNoRecorder error = state.MessageError("app.error.no_recorder")

// ToggleRecording is the bar's button: "Watch my restore", or "Stop" while
// a recording runs.
func (u *UI) ToggleRecording() {
	if u.st.Recording.Running {
		u.dispatch(state.RecordStopRequested{})
		return
	}
	u.dispatch(state.RecordRequested{Time: u.opts.Now()})
}

// recordEffects starts the recorder the state asks for (after the live view
// and any check have stopped: nothing may reach the phone while it records),
// ends it on Stop, and starts the live view again after it.
func (u *UI) recordEffects() {
	r := u.st.Recording
	if r.Running && r.Seq > u.recordSeq {
		u.recordSeq = r.Seq
		u.startRecording(r.Seq)
	}
	if r.Running && r.StopAsked && u.recStop != nil {
		u.log.Info("restore recording: stop asked")
		u.recStop(restorewatch.ErrDone)
		u.recStop = nil
	}
	if !r.Running && u.started && !u.watching && u.ctx.Err() == nil {
		u.startWatch()
	}
}

func (u *UI) startRecording(seq int) {
	if u.ctx.Err() != nil {
		return
	}
	// Everything that talks to the phone stops first.
	if u.checkCancel != nil {
		u.checkCancel()
	}
	checkDone, watchDone := u.checkDone, u.stopWatch()
	ctx, cancel := context.WithCancelCause(u.ctx)
	u.recStop = cancel
	rec, ok := u.b.(Recorder)
	u.log.Info("restore recording requested", "seq", seq)
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		defer cancel(nil)
		for _, ch := range []chan struct{}{watchDone, checkDone} {
			if ch == nil {
				continue
			}
			select {
			case <-ch:
			case <-ctx.Done():
			}
		}
		var err error
		if !ok {
			err = ErrNoRecorder
		} else if ctx.Err() == nil {
			err = rec.RecordRestore(ctx, func(info RecordInfo) {
				u.opts.Do(func() {
					u.dispatch(state.RecordStarted{Seq: seq, Header: info.Header, TracePath: info.TracePath})
				})
				u.recordTicker(ctx, seq, info.NowMS)
			}, func(e restoretrace.Event) {
				t0 := time.Now()
				u.opts.Do(func() {
					u.dispatch(state.RecordEvent{Seq: seq, Event: e})
					// Event to screen: from the recorder's hand-over to the
					// panes drawn (the GL paint follows on the next frame).
					u.log.Debug("recorder event on screen", "kind", e.Kind, "latency", time.Since(t0))
				})
			})
		}
		if u.ctx.Err() != nil {
			return // the window is closing
		}
		u.opts.Do(func() {
			u.dispatch(state.RecordEnded{Seq: seq, Err: err, Time: u.opts.Now()})
			if v := u.st.Recording.Verdict; v != nil {
				u.log.Info("restore recording ended", "verdict", v.ID, "steps", v.Steps, "complete", v.Complete)
			}
		})
	}()
}

// recordTicker moves the recording's clock (timers, the picture's "now")
// every pictureEvery until ctx ends: the bounded redraw rate.
func (u *UI) recordTicker(ctx context.Context, seq int, nowMS func() int64) {
	if nowMS == nil {
		return
	}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		t := time.NewTicker(pictureEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				ms := nowMS()
				u.opts.Do(func() { u.dispatch(state.RecordTick{Seq: seq, NowMS: ms}) })
			}
		}
	}()
}
