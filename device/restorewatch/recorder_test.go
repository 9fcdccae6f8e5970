package restorewatch

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// collector gathers events and lets a test wait for one, without sleeps.
type collector struct {
	mu     sync.Mutex
	events []restoretrace.Event
	signal chan struct{}
}

func newCollector() *collector { return &collector{signal: make(chan struct{}, 1)} }

func (c *collector) emit(e restoretrace.Event) {
	c.mu.Lock()
	c.events = append(c.events, e)
	c.mu.Unlock()
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

func (c *collector) all() []restoretrace.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// waitFor waits until an event after index from matches, and returns its index.
func (c *collector) waitFor(t *testing.T, from int, what string, ok func(restoretrace.Event) bool) int {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		for i, e := range c.all() {
			if i >= from && ok(e) {
				return i
			}
		}
		select {
		case <-c.signal:
		case <-deadline:
			t.Fatalf("no %s within 10 s; events: %+v", what, c.all())
		}
	}
}

func kind(k restoretrace.Kind) func(restoretrace.Event) bool {
	return func(e restoretrace.Event) bool { return e.Kind == k }
}

// guardSource is the simulator's USB view that also offers every way to
// reach a phone through USB (usb.Opener, USBOpener): the recorder must use
// none of them.
type guardSource struct {
	usb.Source
	polls, opens atomic.Int64
}

func (g *guardSource) Snapshot(ctx context.Context) ([]usb.Device, error) {
	g.polls.Add(1)
	return g.Source.Snapshot(ctx)
}

func (g *guardSource) Open(context.Context, usb.Device) (usb.ControlDevice, error) {
	g.opens.Add(1)
	return nil, errors.New("the recorder must not open a device")
}

func (g *guardSource) USBOpener() usb.Opener { g.opens.Add(1); return g }

func startSim(t *testing.T, addr string, sc sim.Scenario) *sim.Server {
	t.Helper()
	srv, err := sim.Start(context.Background(), addr, sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func record(t *testing.T, opts Options) (*collector, context.CancelCauseFunc, <-chan struct{}) {
	t.Helper()
	c := newCollector()
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, opts, c.emit)
	}()
	t.Cleanup(func() { cancel(nil); <-done })
	return c, cancel, done
}

// Recording a restore's stages through the simulator sends nothing to the
// phone: no lockdown connection, no request but usbmuxd's ListDevices and
// Listen, no USB open.
func TestRecordSendsNothingToThePhone(t *testing.T) {
	srv := startSim(t, "unix://"+filepath.Join(t.TempDir(), "mux.sock"), sim.Scenario{Phones: []sim.Phone{sim.PhoneA()}})
	src := &guardSource{Source: srv.USBSource()}
	mux := usbmux.NewClient(mustAddr(t, srv.Addr()), usbmux.Options{BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond})
	c, cancel, done := record(t, Options{USB: src, Mux: mux, Poll: 10 * time.Millisecond})

	i := c.waitFor(t, 0, "mux attach", kind(restoretrace.MuxAttach))
	c.waitFor(t, 0, "usb attach", kind(restoretrace.USBAttach))
	// normal → recovery (iBoot) → recovery again (iBEC, new address) → restore (listed again)
	id := srv.Phones()[0].DeviceID
	srv.Detach(id)
	i = c.waitFor(t, i, "mux detach", kind(restoretrace.MuxDetach))
	rec := sim.PhoneA()
	rec.Mode, rec.Address = mode.Recovery, 6
	id = srv.Attach(rec)
	i = c.waitFor(t, i, "recovery attach", func(e restoretrace.Event) bool {
		return (e.Kind == restoretrace.USBAttach || e.Kind == restoretrace.USBChange) && e.USB.Mode == "recovery"
	})
	srv.Detach(id)
	rec.Address = 7
	id = srv.Attach(rec)
	i = c.waitFor(t, i, "iBEC re-enumeration", func(e restoretrace.Event) bool { return e.USB != nil && e.USB.Address == 7 })
	srv.Detach(id)
	restore := sim.PhoneA()
	restore.Mode, restore.Address = mode.Restore, 8
	srv.Attach(restore)
	c.waitFor(t, i, "restore attach on usbmuxd", kind(restoretrace.MuxAttach))
	cancel(ErrDone)
	<-done

	st := srv.Stats()
	for req, n := range st.Requests {
		if req != "ListDevices" && req != "Listen" {
			t.Errorf("the recorder sent %d %s request(s)", n, req)
		}
	}
	if st.Tunnels != 0 {
		t.Errorf("the recorder opened %d lockdown tunnel(s)", st.Tunnels)
	}
	if src.opens.Load() != 0 {
		t.Errorf("the recorder opened a USB device %d time(s)", src.opens.Load())
	}
	ev := c.all()
	if ev[0].Kind != restoretrace.RecordStart || ev[len(ev)-1].Kind != restoretrace.RecordStop || ev[len(ev)-1].Reason != StopDone {
		t.Errorf("first %+v, last %+v", ev[0], ev[len(ev)-1])
	}
	keys := map[string]bool{}
	for _, e := range ev {
		if e.Key != "" {
			keys[e.Key] = true
		}
	}
	if len(keys) != 1 {
		t.Errorf("one phone through every stage has keys %v, want one", keys)
	}
}

// usbmuxd killed and started again mid-recording: usbmux.down, then
// usbmux.up; the phone, still there, is not reported as gone.
func TestRecordSurvivesUsbmuxdRestart(t *testing.T) {
	addr := "unix://" + filepath.Join(t.TempDir(), "mux.sock")
	srv := startSim(t, addr, sim.Scenario{Phones: []sim.Phone{sim.PhoneA()}})
	usbView := srv.USBSource()
	var devs atomic.Pointer[[]usb.Device]
	first, _ := usbView.Snapshot(context.Background())
	devs.Store(&first)
	src := usb.FuncSource(func(context.Context) ([]usb.Device, error) { return *devs.Load(), nil })
	mux := usbmux.NewClient(mustAddr(t, addr), usbmux.Options{BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond})
	c, cancel, done := record(t, Options{USB: src, Mux: mux, Poll: 10 * time.Millisecond})
	i := c.waitFor(t, 0, "mux attach", kind(restoretrace.MuxAttach))
	_ = srv.Close()
	i = c.waitFor(t, i, "usbmux.down", kind(restoretrace.MuxDown))
	startSim(t, addr, sim.Scenario{Phones: []sim.Phone{sim.PhoneA()}})
	c.waitFor(t, i, "usbmux.up", kind(restoretrace.MuxUp))
	cancel(nil)
	<-done
	ev := c.all()
	if last := ev[len(ev)-1]; last.Kind != restoretrace.RecordStop || last.Reason != StopInterrupted {
		t.Errorf("last event %+v, want an interrupted stop", last)
	}
	for _, e := range ev {
		// The same phone under the same handle after the restart: usbmux
		// Listen reconciles it, no detach.
		if e.Kind == restoretrace.USBDetach || e.Kind == restoretrace.MuxDetach {
			t.Errorf("the phone stayed, yet %+v", e)
		}
	}
}

// A poll that comes a minute late (the computer slept) is a gap; polls that
// fail are one gap once they work again, never a detach. The clock is fake;
// the poll timer is real but short, and nothing waits on time.
func TestRecordGaps(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Millisecond); return now }
	var polls atomic.Int64
	src := usb.FuncSource(func(context.Context) ([]usb.Device, error) {
		switch n := polls.Add(1); {
		case n == 3:
			mu.Lock()
			now = now.Add(time.Minute) // asleep between poll 2 and 3
			mu.Unlock()
		case n >= 5 && n < 8:
			return nil, errors.New("libusb: no device list")
		}
		return []usb.Device{normal(5)}, nil
	})
	c, cancel, done := record(t, Options{USB: src, Poll: 2 * time.Millisecond, Now: clock})
	i := c.waitFor(t, 0, "sleep gap", kind(restoretrace.Gap))
	if g := c.all()[i]; g.DurationMS < 59_000 || !strings.Contains(g.Reason, "slept") {
		t.Errorf("gap %+v", g)
	}
	i = c.waitFor(t, i+1, "failure gap", kind(restoretrace.Gap))
	if g := c.all()[i]; !strings.Contains(g.Reason, "USB poll failed: libusb: no device list") || g.DurationMS <= 0 {
		t.Errorf("gap %+v", g)
	}
	cancel(nil)
	<-done
	var attaches int
	for _, e := range c.all() {
		switch e.Kind {
		case restoretrace.USBDetach, restoretrace.USBChange:
			t.Errorf("a failed or late poll must not read as a change: %+v", e)
		case restoretrace.USBAttach:
			attaches++
		}
	}
	if attaches != 1 {
		t.Errorf("%d attaches, want 1", attaches)
	}
}

func mustAddr(t *testing.T, a string) usbmux.Address {
	t.Helper()
	addr, err := usbmux.ParseAddress(a)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}
