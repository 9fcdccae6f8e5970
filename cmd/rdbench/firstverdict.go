package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// firstVerdictAttaches is how many simulated attaches the first-verdict row
// times.
const firstVerdictAttaches = 20

// firstVerdict times plug-in to the first verdict the window would show:
// a phone attaches on the simulator; the session's live view reports it
// (as the window's automatic check starts on that event) and a check with
// the window's quick 10 s sampling window starts; the clock stops when the
// first provisional report has come through the progress callback and been
// turned into the verdict line (viewmodel.ProvisionalVerdict, what the
// window renders). The check is then cancelled and the phone detached. The
// host probes are the real ones (SystemHostChecks), without the network.
func (b *bench) firstVerdict(ctx context.Context) error {
	srv, err := b.startSim(ctx, sim.Scenario{})
	if err != nil {
		return err
	}
	defer srv.Close()
	addr, err := usbmux.ResolveAddress(srv.Addr())
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: log, Host: diagnostics.SystemHostChecks()})
	defer engine.Close()
	sess := session.New(session.Config{Engine: engine, USB: srv.USBSource(), Usbmux: usbmux.NewClient(addr, usbmux.Options{Logger: log}), Logger: log})
	vcat := app.CatalogView(catalog.MustDefault(), runtime.GOOS)

	wctx, stop := context.WithCancel(ctx)
	defer stop()
	attached := make(chan struct{}, 1)
	watchDone := make(chan error, 1)
	go func() {
		watchDone <- sess.Watch(wctx, func(e session.Event) {
			if e.Kind == session.Attach && !e.Initial {
				select {
				case attached <- struct{}{}:
				default:
				}
			}
		})
	}()
	defer func() { stop(); <-watchDone }()
	time.Sleep(300 * time.Millisecond) // the live view's first look, as the window has before a phone comes

	var took []time.Duration
	text := make(chan string, 1)
	for i := 0; i < firstVerdictAttaches; i++ {
		t0 := time.Now()
		id := srv.Attach(sim.PhoneA())
		select {
		case <-attached:
		case <-time.After(10 * time.Second):
			return errors.New("first verdict: the session did not report the attach within 10 s")
		}
		cctx, cancel := context.WithCancel(ctx)
		got := make(chan time.Duration, 1)
		var once sync.Once
		started := time.Now()
		go func() {
			_, _ = sess.Check(cctx, diagnostics.Options{Window: 10 * time.Second, UsbmuxdAddress: srv.Addr(), NoNetwork: true, IncludeIdentifiers: true},
				func(p diagnostics.Progress) {
					if p.Report == nil {
						return
					}
					v := viewmodel.ProvisionalVerdict(p.Report, vcat, time.Since(started), 10*time.Second)
					if v.Text != "" {
						once.Do(func() {
							got <- time.Since(t0)
							select {
							case <-text:
							default:
							}
							text <- v.Text
						})
					}
				})
		}()
		select {
		case d := <-got:
			took = append(took, d)
		case <-time.After(15 * time.Second):
			cancel()
			return errors.New("first verdict: no provisional report within 15 s of the attach")
		}
		cancel()
		for sess.Checking() {
			time.Sleep(5 * time.Millisecond)
		}
		srv.Detach(id)
		time.Sleep(300 * time.Millisecond) // the live view sees the phone go
	}
	p50, p95 := percentile(took, 50), percentile(took, 95)
	b.log.Info("first verdict", "samples", took, "last", <-text)
	b.add(fmt.Sprintf("plug-in (simulated attach) → first verdict (so far), p50 / p95 of %d", len(took)),
		fmt.Sprintf("%s / %s", fmtDur(p50), fmtDur(p95)), "p95 ≤ 1 s", metStr(p95 <= time.Second))
	return nil
}
