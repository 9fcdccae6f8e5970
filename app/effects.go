package app

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/restoredoctor/restoredoctor/app/state"
)

// effects starts the I/O the state asks for: a check whose Seq has not
// started yet, an action likewise. Their results come back as events.
func (u *UI) effects() {
	if c := u.st.Check; c.Running && c.Seq > u.checkSeq {
		u.checkSeq = c.Seq
		u.runCheck(c)
	}
	if a := u.st.Action; a.Running != "" && a.Seq > u.actionSeq {
		u.actionSeq = a.Seq
		u.runAction(a)
	}
	u.recordEffects()
}

func (u *UI) runCheck(c state.Check) {
	if u.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithCancel(u.ctx)
	done := make(chan struct{})
	u.checkCancel, u.checkDone = cancel, done
	seq := c.Seq
	opts := CheckOptions{Window: c.Window, Tried: c.Tried}
	u.log.Info("check started", "window", opts.Window)
	// The bar and the countdown follow the clock, not only the engine's
	// progress reports (the window is one long check).
	u.wg.Add(2)
	go func() {
		defer u.wg.Done()
		tick := time.NewTicker(progressTick)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				u.opts.Do(func() {
					if u.st.Check.Running && u.st.Check.Seq == seq {
						u.dispatch(state.Tick{Time: u.opts.Now()})
					}
				})
			}
		}
	}()
	go func() {
		defer u.wg.Done()
		defer cancel()
		defer close(done)
		r, err := u.b.Check(ctx, opts, func(p Progress) {
			u.opts.Do(func() { u.dispatch(state.CheckProgress{Seq: seq, Progress: p}) })
		})
		if ctx.Err() != nil && u.ctx.Err() != nil {
			return // the window is closing
		}
		u.opts.Do(func() {
			current := u.st.Check.Running && u.st.Check.Seq == seq
			u.dispatch(state.CheckDone{Seq: seq, Report: r, Err: err})
			if !current {
				u.log.Info("check abandoned", "seq", seq)
				return
			}
			if err != nil || r == nil {
				u.log.Error("check failed", "err", u.st.RunErr)
				return
			}
			primary := 0
			if v := u.st.View; v != nil && v.PrimaryStep != nil {
				primary = *v.PrimaryStep
			}
			u.log.Info("verdict ready", "primary_step", primary, "professional", u.st.View != nil && u.st.View.Professional.Recommended)
			u.releaseMemory()
		})
	}()
}

func (u *UI) runAction(a state.Action) {
	ar, ok := u.b.(ActionRunner)
	if !ok || u.ctx.Err() != nil {
		return
	}
	k, d := a.Running, a.Device
	u.log.Info("action started", "action", k, "device", d.Key)
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		res := ar.RunAction(u.ctx, k, d)
		if u.ctx.Err() != nil {
			return // the window is closing
		}
		u.opts.Do(func() {
			u.log.Info("action finished", "action", res.Kind, "outcome", res.Outcome, "summary", res.Summary)
			u.dispatch(state.ActionDone{Result: res})
		})
	}()
}

// releaseAfter is how long after a verdict the window gives the heap pages
// the check used back to the OS: once the verdict is drawn.
const releaseAfter = 2 * time.Second

// releaseMemory returns the Go heap's free pages to the OS once the verdict
// is on screen. A check allocates while it runs; after it the window idles,
// possibly for hours, and would otherwise keep up to twice its live heap
// resident (GOGC=100). It costs one full garbage collection per check, off
// the Fyne thread.
func (u *UI) releaseMemory() {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		select {
		case <-u.ctx.Done():
			return
		case <-time.After(releaseAfter):
			t0 := time.Now()
			debug.FreeOSMemory()
			u.log.Debug("heap pages returned to the OS", "took", time.Since(t0))
		}
	}()
}
