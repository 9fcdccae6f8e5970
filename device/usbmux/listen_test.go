package usbmux_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// next waits for the next event or fails after d.
func next(t *testing.T, ch <-chan usbmux.Event, d time.Duration) usbmux.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("event channel closed early")
		}
		return e
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
	}
	return usbmux.Event{}
}

func expect(t *testing.T, ch <-chan usbmux.Event, kind usbmux.EventKind, reconciled bool) usbmux.Event {
	t.Helper()
	e := next(t, ch, 15*time.Second)
	if e.Kind != kind || e.Reconciled != reconciled || e.Time.IsZero() {
		t.Fatalf("event %+v, want %s (reconciled %v) with a time", e, kind, reconciled)
	}
	return e
}

// drainClosed cancels and checks the channel closes.
func drainClosed(t *testing.T, cancel context.CancelFunc, ch <-chan usbmux.Event) {
	t.Helper()
	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
}

func TestListenAttachDetach(t *testing.T) {
	srv := startSim(t, "healthy")
	c := clientFor(t, srv.Addr(), 2*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // a failure must not leak the loop into the next test's goleak check
	ch := c.Listen(ctx)

	conn := expect(t, ch, usbmux.EventConnected, false)
	if len(conn.Devices) != 1 || conn.Devices[0].UDID != udidA {
		t.Fatalf("connected with %+v", conn.Devices)
	}
	first := expect(t, ch, usbmux.EventAttach, true) // present before listening
	if first.Entry.UDID != udidA || first.DeviceID != first.Entry.DeviceID {
		t.Fatalf("initial attach %+v", first)
	}
	id := first.DeviceID
	const flaps = 3
	for i := range flaps {
		srv.Detach(id)
		d := expect(t, ch, usbmux.EventDetach, false)
		if d.DeviceID != id || d.Entry.UDID != udidA {
			t.Fatalf("flap %d: detach %+v, want device %d of %s", i, d, id, udidA)
		}
		p := sim.PhoneA()
		id = srv.Attach(p)
		a := expect(t, ch, usbmux.EventAttach, false)
		if a.DeviceID != id || a.Entry.UDID != udidA || a.Entry.LocationID != 0x00010005 {
			t.Fatalf("flap %d: attach %+v, want device %d", i, a, id)
		}
	}
	// Nothing more: usbmuxd's initial Attached burst was not repeated as a live event.
	select {
	case e := <-ch:
		t.Fatalf("unexpected event %+v", e)
	case <-time.After(200 * time.Millisecond):
	}
	drainClosed(t, cancel, ch)
	_ = srv.Close()
	goleak.VerifyNone(t)
}

func TestListenFlappingScenario(t *testing.T) {
	srv := startSim(t, "flapping") // detach/re-attach alternating every 1.5 s
	c := clientFor(t, srv.Addr(), 2*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Listen(ctx)
	expect(t, ch, usbmux.EventConnected, false)
	var attaches, detaches int
	ids := map[int]bool{}
	deadline := time.After(15 * time.Second)
	for detaches < 2 || attaches < 3 {
		select {
		case e := <-ch:
			switch e.Kind {
			case usbmux.EventAttach:
				attaches++
				if ids[e.DeviceID] {
					t.Errorf("re-attach reused DeviceID %d", e.DeviceID)
				}
				ids[e.DeviceID] = true
			case usbmux.EventDetach:
				detaches++
			default:
				t.Fatalf("unexpected %+v", e)
			}
			if e.Entry.UDID != udidA {
				t.Errorf("event for %q", e.Entry.UDID)
			}
			if attaches-detaches != 0 && attaches-detaches != 1 {
				t.Fatalf("attach/detach out of order: %d attaches, %d detaches", attaches, detaches)
			}
		case <-deadline:
			t.Fatalf("only %d attaches, %d detaches in 15 s", attaches, detaches)
		}
	}
	// Every detach the simulator made while we listened was seen.
	if st := srv.Stats(); st.Detaches != detaches && st.Detaches != detaches+1 {
		t.Errorf("simulator detached %d times, listener saw %d", st.Detaches, detaches)
	}
	drainClosed(t, cancel, ch)
}

func TestListenUsbmuxdRestart(t *testing.T) {
	path := muxListenAddr(t)
	sc, _ := sim.Builtin("healthy")
	srv := startScenario(t, sc, path)
	c := clientFor(t, srv.Addr(), 2*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Listen(ctx)
	expect(t, ch, usbmux.EventConnected, false)
	expect(t, ch, usbmux.EventAttach, true)

	_ = srv.Close() // usbmuxd goes away
	d := expect(t, ch, usbmux.EventDisconnected, false)
	if !errors.Is(d.Err, usbmux.ErrDropped) {
		t.Errorf("disconnected because %v, want ErrDropped", d.Err)
	}
	// While it is away the listener retries quietly (one disconnected event per outage).
	select {
	case e := <-ch:
		t.Fatalf("unexpected %+v while usbmuxd is down", e)
	case <-time.After(300 * time.Millisecond):
	}

	// usbmuxd comes back on the same path with the phone plus a second one.
	sc2, _ := sim.Builtin("multi")
	srv2 := startScenario(t, sim.Scenario{Name: "back", Phones: sc2.Phones[:2]}, path)
	conn := expect(t, ch, usbmux.EventConnected, false)
	if len(conn.Devices) != 2 {
		t.Fatalf("reconnected with %+v", conn.Devices)
	}
	// Phone A is the same phone under a new handle: no event. Phone B is new.
	b := expect(t, ch, usbmux.EventAttach, true)
	if b.Entry.UDID != udidB {
		t.Fatalf("reconciled attach for %q, want phone B", b.Entry.UDID)
	}
	// A phone that left while usbmuxd was away is reported detached on reconnect.
	_ = srv2.Close()
	expect(t, ch, usbmux.EventDisconnected, false)
	srv3 := startScenario(t, sim.Scenario{Name: "only-b", Phones: []sim.Phone{sim.PhoneB()}}, path)
	expect(t, ch, usbmux.EventConnected, false)
	gone := expect(t, ch, usbmux.EventDetach, true)
	if gone.Entry.UDID != udidA {
		t.Fatalf("reconciled detach for %q, want phone A", gone.Entry.UDID)
	}
	drainClosed(t, cancel, ch)
	_ = srv3.Close()
	goleak.VerifyNone(t)
}

func TestListenUnreachableThenUp(t *testing.T) {
	path := muxListenAddr(t)
	c := clientFor(t, path, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Listen(ctx)
	d := expect(t, ch, usbmux.EventDisconnected, false)
	if !errors.Is(d.Err, usbmux.ErrUnreachable) || d.Attempt != 1 {
		t.Fatalf("first event %+v, want unreachable attempt 1", d)
	}
	sc, _ := sim.Builtin("healthy")
	srv := startScenario(t, sc, path)
	expect(t, ch, usbmux.EventConnected, false)
	expect(t, ch, usbmux.EventAttach, true)
	drainClosed(t, cancel, ch)
	_ = srv.Close()
	goleak.VerifyNone(t)
}

func TestListenHung(t *testing.T) {
	// A hung usbmuxd: each attempt fails with not_responding and the loop keeps
	// backing off; cancelling ends it promptly.
	srv := startSim(t, "hung")
	c := clientFor(t, srv.Addr(), 200*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Listen(ctx)
	d := expect(t, ch, usbmux.EventDisconnected, false)
	if !errors.Is(d.Err, usbmux.ErrNotResponding) {
		t.Fatalf("%+v, want not responding", d)
	}
	start := time.Now()
	drainClosed(t, cancel, ch)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("closing took %v", el)
	}
}
