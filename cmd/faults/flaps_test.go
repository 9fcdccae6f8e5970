package faults

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

const flaps = 1000

// 1000 attach/detach flaps through usbmuxd as fast as the simulator can make
// them: Listen keeps up (or, if usbmuxd drops it as a slow reader, reconnects
// and reconciles), ends with the right device set, and frees everything.
func TestUsbmuxFlaps1000(t *testing.T) {
	guard(t)
	// burst: no pause; usbmuxd may drop Listen as a slow reader (as the real
	// one does), so only the final state is exact.
	t.Run("burst", func(t *testing.T) { usbmuxFlaps(t, 0) })
	// paced: every 50 flaps wait until the client caught up: every event arrives.
	t.Run("paced", func(t *testing.T) { usbmuxFlaps(t, 50) })
}

func usbmuxFlaps(t *testing.T, pace int) {
	srv := startSim(t, sim.Scenario{Name: "flaps"})
	c := clientFor(t, srv.Addr(), 2*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Listen(ctx)

	var mu sync.Mutex
	attached := map[string]int{} // UDID → attach events minus detach events
	var attaches, detaches, connects int
	var bad []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			mu.Lock()
			switch e.Kind {
			case usbmux.EventAttach:
				attaches++
				attached[e.Entry.UDID]++
				if attached[e.Entry.UDID] > 1 {
					bad = append(bad, "second attach without a detach for "+e.Entry.UDID)
				}
			case usbmux.EventDetach:
				detaches++
				attached[e.Entry.UDID]--
				if attached[e.Entry.UDID] < 0 {
					bad = append(bad, "detach of a device not attached: "+e.Entry.UDID)
				}
			case usbmux.EventConnected:
				connects++
			}
			mu.Unlock()
		}
	}()
	waitFor(t, 5*time.Second, "Listen connected", func() bool { mu.Lock(); defer mu.Unlock(); return connects > 0 })

	p := sim.PhoneA()
	udid := p.UDID
	id := srv.Attach(p)
	for i := range flaps {
		srv.Detach(id)
		id = srv.Attach(p)
		if pace > 0 && (i+1)%pace == 0 {
			want := i + 2
			waitFor(t, 10*time.Second, "client catching up", func() bool { mu.Lock(); defer mu.Unlock(); return attaches >= want })
		}
	}
	// Ends attached: the client must settle on exactly one Phone A.
	waitFor(t, 20*time.Second, "Listen settles on the attached phone", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return attached[udid] == 1 && (connects > 1 || attaches == flaps+1 && detaches == flaps)
	})
	srv.Detach(id)
	waitFor(t, 20*time.Second, "Listen settles on no phone", func() bool { mu.Lock(); defer mu.Unlock(); return attached[udid] == 0 })

	mu.Lock()
	t.Logf("events: %d attaches, %d detaches, %d connections (usbmuxd Listen requests: %d)", attaches, detaches, connects, srv.Stats().Requests["Listen"])
	if len(bad) > 0 {
		t.Errorf("inconsistent event stream (%d problems), first: %s", len(bad), bad[0])
	}
	if connects == 1 && (attaches != flaps+1 || detaches != flaps+1) {
		t.Errorf("without a reconnect every event must arrive: %d attaches, %d detaches, want %d and %d", attaches, detaches, flaps+1, flaps+1)
	}
	if pace > 0 && connects != 1 {
		t.Errorf("paced flaps: Listen reconnected %d times, want none", connects-1)
	}
	mu.Unlock()
	cancel()
	within(t, slack, "Listen closes after cancel", func() { <-done })
}

// 1000 flaps on the USB bus as the polling watcher sees them (a scripted
// snapshot source, as TESTING.md prescribes for hotplug): every one is a
// detach plus a re-enumeration, and the stability check turns them into a
// critical usb.unstable finding counting 1000.
func TestUSBWatcherFlaps1000(t *testing.T) {
	guard(t)
	phone := sim.PhoneA().USBDevice()
	var mu sync.Mutex
	polls := 0
	src := usb.FuncSource(func(ctx context.Context) ([]usb.Device, error) {
		mu.Lock()
		defer mu.Unlock()
		polls++
		// polls 1, 3, 5, …: present; 2, 4, …: gone; present from poll 2*flaps+1 on.
		if polls <= 2*flaps && polls%2 == 0 {
			return nil, nil
		}
		d := phone
		// A new address after every re-enumeration; once the flaps are over
		// the address stays put (a changing address is itself a re-enumeration,
		// which the monitor could count before the test cancels it).
		d.Address = 5 + (min(polls, 2*flaps+1)/2)%100
		return []usb.Device{d}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := usb.NewWatcher(src, usb.WatcherOptions{Interval: 100 * time.Microsecond, FlapWindow: time.Hour})
	// The monitor counts, as it does for the window, watch and the report.
	m := device.NewMonitor(w, nil, device.MonitorOptions{FlapWindow: time.Hour})
	ch := m.Run(ctx)

	var evs []device.Event
	within(t, 60*time.Second, "2001 events from the monitor", func() {
		for e := range ch {
			evs = append(evs, e)
			if len(evs) == 2*flaps+1 {
				return
			}
		}
	})
	cancel()
	for range ch {
	}
	var att, flap, det int
	for _, e := range evs {
		switch e.Kind {
		case device.Attach:
			att++
			if e.Flap {
				flap++
			}
		case device.Detach:
			det++
		default:
			t.Errorf("unexpected event %v", e.Kind)
		}
	}
	if att != flaps+1 || flap != flaps || det != flaps {
		t.Fatalf("monitor saw %d attaches (%d flaps), %d detaches; want %d (%d), %d", att, flap, det, flaps+1, flaps, flaps)
	}
	st := m.Stability()
	if len(st) != 1 || st[0].Flaps() != flaps || st[0].Drops() != flaps || len(st[0].History) > 256 {
		t.Fatalf("stability %+v, want one phone with %d flaps and drops, history capped", st, flaps)
	}
	c := checks.LinkCount{Source: "usb", Key: st[0].Key, Detaches: st[0].USBDrops, Attaches: st[0].USBAttaches, Flaps: st[0].USBFlaps}
	out, err := checks.USBStability(10*time.Second, []checks.PhoneStability{{Key: c.Key, Detaches: c.Detaches, Attaches: c.Attaches, Flaps: c.Flaps, Worst: c, All: []checks.LinkCount{c}}}, []string{"usb"}, nil)
	if err != nil {
		t.Fatalf("USBStability: %v", err)
	}
	var f *report.Finding
	for i := range out.Findings {
		if out.Findings[i].ID == report.FindingUSBUnstable {
			f = &out.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no %s finding after %d flaps: %+v", report.FindingUSBUnstable, flaps, out)
	}
	if f.Severity != report.SeverityCritical || f.Evidence["flaps"] != flaps {
		t.Errorf("finding = %s/%v flaps=%v, want critical with %d flaps", f.ID, f.Severity, f.Evidence["flaps"], flaps)
	}
}

// usbmuxd killed and started again at the same socket while Listen follows
// it: Listen reports the loss, reconnects by itself, and does not report the
// phone that stayed plugged in as unplugged; a phone that left meanwhile is
// reported as detached.
func TestUsbmuxdRestartedMidWatch(t *testing.T) {
	guard(t)
	dir := sockDir(t)
	addr := "unix://" + dir + "/mux.sock"
	a, b := sim.PhoneA(), sim.PhoneB()
	srv, err := sim.Start(context.Background(), addr, sim.Scenario{Name: "before", Phones: []sim.Phone{a, b}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c := clientFor(t, addr, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Listen(ctx)

	next := func(what string) usbmux.Event {
		t.Helper()
		var e usbmux.Event
		var ok bool
		within(t, 10*time.Second, what, func() { e, ok = <-ch })
		if !ok {
			t.Fatalf("%s: Listen channel closed", what)
		}
		return e
	}
	if e := next("connected"); e.Kind != usbmux.EventConnected || len(e.Devices) != 2 {
		t.Fatalf("first event = %+v, want connected with 2 devices", e)
	}
	for range 2 {
		if e := next("initial attach"); e.Kind != usbmux.EventAttach {
			t.Fatalf("event = %+v, want attach", e)
		}
	}

	// Restart: stop, leave it down a moment (Listen retries and fails), come
	// back with only Phone A (B was unplugged while usbmuxd was down).
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if e := next("disconnected"); e.Kind != usbmux.EventDisconnected || e.Err == nil {
		t.Fatalf("event after usbmuxd stopped = %+v, want disconnected with an error", e)
	} else if !errors.Is(e.Err, usbmux.ErrDropped) && !errors.Is(e.Err, usbmux.ErrUnreachable) {
		t.Errorf("disconnect cause = %v, want ErrDropped or ErrUnreachable", e.Err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := os.Stat(dir + "/mux.sock"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket still there after Close: %v", err)
	}
	srv2, err := sim.Start(context.Background(), addr, sim.Scenario{Name: "after", Phones: []sim.Phone{a}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv2.Close() })

	var gotConnected bool
	var detached []string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		e := next("events after restart")
		if e.Kind == usbmux.EventConnected {
			gotConnected = true
			continue
		}
		if e.Kind == usbmux.EventDisconnected {
			continue // retries while it was down
		}
		if !gotConnected {
			t.Fatalf("device event %+v before reconnecting", e)
		}
		if e.Kind == usbmux.EventDetach {
			detached = append(detached, e.Entry.UDID)
		}
		if e.Kind == usbmux.EventAttach {
			t.Errorf("phone A reported as newly attached after the restart (it never left): %+v", e)
		}
		if len(detached) == 1 {
			break
		}
	}
	if len(detached) != 1 || detached[0] != b.UDID {
		t.Fatalf("detaches after restart = %v, want exactly Phone B (%s)", detached, b.UDID)
	}
	// Still live: a phone plugged in now is reported.
	srv2.Attach(b)
	if e := next("attach after restart"); e.Kind != usbmux.EventAttach || e.Entry.UDID != b.UDID || e.Reconciled {
		t.Errorf("event = %+v, want a live attach of Phone B", e)
	}
	cancel()
	within(t, slack, "Listen closes after cancel", func() {
		for range ch {
		}
	})
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
