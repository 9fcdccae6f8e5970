package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
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
	srv, err := sim.Start(context.Background(), "unix://"+t.TempDir()+"/mux", sim.Scenario{Name: "transitions", Phones: []sim.Phone{sim.PhoneA()}}, nil)
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
