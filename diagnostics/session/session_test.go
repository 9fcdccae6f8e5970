package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const keyA = "ecid:001A2B3C4D5E6F70"

// rig is a session on the simulator: its usbmuxd/lockdownd on a real
// socket and its USB view, scripted by attaching and detaching phones,
// through the real USB watcher.
type rig struct {
	srv  *sim.Server
	sess *Session
	evs  chan Event
}

func newRig(t *testing.T) *rig {
	t.Helper()
	srv, err := sim.Start(context.Background(), sim.LocalAddress(testtmp.Dir(t)), sim.Scenario{Name: "transitions", Phones: []sim.Phone{sim.PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := usbmux.ResolveAddress(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: log})
	client := usbmux.NewClient(addr, usbmux.Options{RequestTimeout: 2 * time.Second, Logger: log})
	r := &rig{srv: srv, evs: make(chan Event, 1024)}
	r.sess = New(Config{Engine: engine, USB: srv.USBSource(), Usbmux: client, PollInterval: 20 * time.Millisecond, Logger: log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.sess.Watch(ctx, func(e Event) { r.evs <- e }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
		_ = engine.Close()
		_ = srv.Close()
	})
	return r
}

func (r *rig) waitFor(t *testing.T, what string, ok func(e Event) bool) Event {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case e := <-r.evs:
			if e.Phone.Key != "" && e.Phone.Key != keyA {
				t.Fatalf("%s: a second phone appeared: %+v", what, e.Phone)
			}
			if ok(e) {
				return e
			}
		case <-deadline:
			st, _ := r.sess.Stability(keyA)
			t.Fatalf("no %s within 15 s; stability %+v", what, st)
		}
	}
}

// reboot detaches the phone and attaches it again in m at a new address.
func (r *rig) reboot(m mode.Mode, address int) {
	r.srv.Detach(r.srv.Phones()[0].DeviceID)
	p := sim.PhoneA()
	p.Mode, p.Address = m, address
	r.srv.Attach(p)
}

// TestSessionTransitions: a phone walking through a restore (normal →
// recovery → restore → normal) stays one phone with 0 drops and 3 mode
// changes; a check run while it is in recovery mode reports it under the
// same key and the history goes on across it; a real unplug is a drop.
func TestSessionTransitions(t *testing.T) {
	r := newRig(t)
	r.waitFor(t, "lockdownd's description", func(e Event) bool { return e.Kind == Describe && e.Lockdown != nil })

	r.reboot(mode.Recovery, 6)
	r.waitFor(t, "recovery", func(e Event) bool { return e.Kind == ModeChange && e.Phone.Mode == mode.Recovery })

	// Re-check while it is in recovery mode.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := r.sess.Check(ctx, diagnostics.Options{UsbmuxdAddress: r.srv.Addr(), NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Devices) != 1 || rep.Devices[0].Key != keyA || rep.Devices[0].Mode != string(mode.Recovery) {
		t.Errorf("report devices %+v, want %s in recovery", rep.Devices, keyA)
	}

	r.reboot(mode.Restore, 7)
	r.waitFor(t, "restore", func(e Event) bool { return e.Kind == ModeChange && e.Phone.Mode == mode.Restore })
	r.reboot(mode.Normal, 8)
	r.waitFor(t, "normal", func(e Event) bool { return e.Kind == ModeChange && e.Phone.Mode == mode.Normal })

	st, ok := r.sess.Stability(keyA)
	if !ok || st.Drops() != 0 || st.ModeChanges != 3 {
		t.Fatalf("stability %+v: want 0 drops and 3 mode changes", st)
	}
	var path []string
	for _, c := range st.History {
		if c.Kind == device.ChangeMode {
			path = append(path, fmt.Sprintf("%s→%s", c.From, c.To))
		}
	}
	if fmt.Sprint(path) != "[normal→recovery recovery→restore restore→normal]" {
		t.Errorf("history %v", path)
	}

	r.srv.Detach(r.srv.Phones()[0].DeviceID)
	e := r.waitFor(t, "unplug", func(e Event) bool { return e.Gone })
	if e.Stability.Drops() != 1 || e.Stability.ModeChanges != 3 {
		t.Errorf("after unplug: %+v, want 1 drop", e.Stability)
	}
	if r.sess.Overflow() != 0 {
		t.Errorf("overflow %d", r.sess.Overflow())
	}
}

// TestSessionWatchOnce: one live view per session.
func TestSessionWatchOnce(t *testing.T) {
	r := newRig(t)
	r.waitFor(t, "attach", func(e Event) bool { return e.Kind == Attach })
	if err := r.sess.Watch(context.Background(), func(Event) {}); !errors.Is(err, ErrWatching) {
		t.Errorf("second Watch: %v, want ErrWatching", err)
	}
}

// TestSessionSameNumbers: for every simulator scenario, the drops of a
// check are one number: the report's devices[].stability.detaches, the
// usb.unstable headline and the watch stream's count (the session's live
// Monitor, which saw the same window; it may differ by a drop that fell on
// the window's edge). The window's caption is read from the report's
// devices[].stability.detaches (app/viewmodel's TestStabilitySummaryDrops).
func TestSessionSameNumbers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every scenario for 2 s")
	}
	for _, name := range sim.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			sc, err := sim.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := sim.Start(context.Background(), sim.LocalAddress(testtmp.Dir(t)), sc, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			addr, _ := usbmux.ResolveAddress(srv.Addr())
			log := slog.New(slog.DiscardHandler)
			engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: log, UsbmuxTimeout: time.Second, PollInterval: 50 * time.Millisecond})
			defer engine.Close()
			sess := New(Config{Engine: engine, USB: srv.USBSource(), Usbmux: usbmux.NewClient(addr, usbmux.Options{RequestTimeout: time.Second, Logger: log}),
				PollInterval: 50 * time.Millisecond, Logger: log})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			live := map[string]int{} // drops per phone as the watch stream reports them
			var mu sync.Mutex
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = sess.Watch(ctx, func(e Event) {
					if e.Phone.Key != "" && (e.Kind == Attach || e.Kind == Detach || e.Kind == ModeChange) {
						mu.Lock()
						live[e.Phone.Key] = e.Stability.Drops()
						mu.Unlock()
					}
				})
			}()
			time.Sleep(300 * time.Millisecond) // the live view's first look, as a window would have before a check
			mu.Lock()
			before := maps.Clone(live)
			mu.Unlock()
			cctx, ccancel := context.WithTimeout(ctx, time.Minute)
			defer ccancel()
			rep, err := sess.Check(cctx, diagnostics.Options{Window: 2 * time.Second, UsbmuxdAddress: srv.Addr(), NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 2}, nil)
			if err != nil {
				t.Fatal(err)
			}
			cancel()
			<-done
			flaps := 0
			for _, d := range rep.Devices {
				n := d.Stability.Detaches
				flaps += n
				t.Logf("%s: report %d drops, watch stream %d", d.Key, n, live[d.Key]-before[d.Key])
				for _, f := range rep.Findings {
					if f.ID == report.FindingUSBUnstable && f.DeviceKey == d.Key && !strings.Contains(f.Summary, fmt.Sprintf(" %d time", n)) {
						t.Errorf("%s: headline %q, report %d drops", d.Key, f.Summary, n)
					}
				}
				if got := live[d.Key] - before[d.Key]; got < n-1 || got > n+1 {
					t.Errorf("%s: watch stream counted %d drops during the check, report %d", d.Key, got, n)
				}
			}
			if sc.FlapInterval > 0 && flaps == 0 {
				t.Errorf("scenario %s flaps every %v but no drop was counted", name, sc.FlapInterval)
			}
		})
	}
}
