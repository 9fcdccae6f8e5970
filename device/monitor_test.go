package device

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scripted is a source fed by the test, closed when ctx ends (as the real ones are).
type scripted[E any] struct{ in chan E }

func newScripted[E any]() *scripted[E] { return &scripted[E]{in: make(chan E)} }

func (s *scripted[E]) run(ctx context.Context) <-chan E {
	out := make(chan E)
	go func() {
		defer close(out)
		for {
			select {
			case e := <-s.in:
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

type scriptedUSB struct{ *scripted[usb.Event] }

func (s scriptedUSB) Run(ctx context.Context) <-chan usb.Event { return s.run(ctx) }

type scriptedMux struct{ *scripted[usbmux.Event] }

func (s scriptedMux) Listen(ctx context.Context) <-chan usbmux.Event { return s.run(ctx) }

func TestMonitorScripted(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	u, x := scriptedUSB{newScripted[usb.Event]()}, scriptedMux{newScripted[usbmux.Event]()}
	var clock atomic.Int64 // ms since t0: the monitor's clock, set to each step's time
	m := NewMonitor(u, x, MonitorOptions{Now: func() time.Time { return at(int(clock.Load())) }})
	ctx, cancel := context.WithCancel(context.Background())
	out := m.Run(ctx)

	recv := func() Event {
		t.Helper()
		select {
		case e := <-out:
			return e
		case <-time.After(5 * time.Second):
			t.Fatal("no monitor event")
		}
		return Event{}
	}
	a, ar := usbA(), usbARecovery()
	a2 := a
	a2.Address = 6 // re-enumerated: new address, same port
	ma, ma2 := muxA(), muxA()
	ma2.DeviceID = 8

	steps := []struct {
		name string
		usb  *usb.Event
		mux  *usbmux.Event
		want func(t *testing.T, e Event)
	}{
		{"USB sees A at start", &usb.Event{Kind: usb.Attached, Time: at(10), Device: a}, nil, func(t *testing.T, e Event) {
			if e.Source != SourceUSB || e.Kind != Attach || !e.Initial || e.Device.Key != keyA || !e.Device.USBOnly() || e.Stability.USBAttaches != 0 {
				t.Errorf("%+v", e)
			}
		}},
		{"usbmuxd connects", nil, &usbmux.Event{Kind: usbmux.EventConnected, Time: at(20), Devices: []usbmux.Entry{ma}}, func(t *testing.T, e Event) {
			if e.Kind != UsbmuxConnected || e.Source != SourceUsbmux || !m.UsbmuxConnected() {
				t.Errorf("%+v", e)
			}
		}},
		{"usbmuxd lists A", nil, &usbmux.Event{Kind: usbmux.EventAttach, Time: at(21), DeviceID: 3, Entry: ma, Reconciled: true}, func(t *testing.T, e Event) {
			if e.Kind != Attach || !e.Initial || e.Device.MatchedBy != MatchSerial || e.Device.USB == nil || e.Device.Usbmux == nil {
				t.Errorf("%+v", e)
			}
		}},
		{"USB detach", &usb.Event{Kind: usb.Detached, Time: at(1000), Device: a}, nil, func(t *testing.T, e Event) {
			if e.Kind != Detach || e.Gone || e.Device.USB != nil || e.Stability.USBDetaches != 1 {
				t.Errorf("still listed by usbmuxd, so not gone: %+v", e)
			}
			if e.USB == nil || e.USB.Location() != "1-2" || e.USB.Serial != a.Serial || e.Entry != nil {
				t.Errorf("the watcher's own device: %+v", e.USB)
			}
		}},
		{"usbmux detach", nil, &usbmux.Event{Kind: usbmux.EventDetach, Time: at(1001), DeviceID: 3, Entry: ma}, func(t *testing.T, e Event) {
			if e.Kind != Detach || !e.Gone || e.Device.Key != keyA || e.Stability.Detaches() != 1 {
				t.Errorf("%+v", e)
			}
			if e.Entry == nil || e.Entry.DeviceID != 3 || e.Entry.UDID != udidA || e.USB != nil {
				t.Errorf("usbmuxd's own entry: %+v", e.Entry)
			}
		}},
		{"USB re-attach (re-enumeration)", &usb.Event{Kind: usb.Attached, Time: at(2000), Device: a2, Reenumeration: true}, nil, func(t *testing.T, e Event) {
			if !e.Flap || e.Initial || e.Stability.USBFlaps != 1 || e.Stability.USBAttaches != 1 {
				t.Errorf("%+v", e)
			}
		}},
		{"usbmux re-attach", nil, &usbmux.Event{Kind: usbmux.EventAttach, Time: at(2001), DeviceID: 8, Entry: ma2}, func(t *testing.T, e Event) {
			s := e.Stability
			if !e.Flap || s.UsbmuxFlaps != 1 || s.Flaps() != 1 || s.Attaches() != 1 || s.Detaches() != 1 || e.Device.Usbmux.DeviceID != 8 {
				t.Errorf("one physical flap seen by both sources counts once: %+v", e)
			}
		}},
		{"usbmuxd goes away", nil, &usbmux.Event{Kind: usbmux.EventDisconnected, Time: at(3000), Err: usbmux.ErrDropped}, func(t *testing.T, e Event) {
			if e.Kind != UsbmuxDisconnected || !errors.Is(e.Err, usbmux.ErrDropped) || m.UsbmuxConnected() {
				t.Errorf("%+v", e)
			}
		}},
		{"usbmuxd comes back, A now has handle 9", nil, &usbmux.Event{Kind: usbmux.EventConnected, Time: at(4000), Devices: []usbmux.Entry{{UDID: udidA, DeviceID: 9, ProductID: 0x12A8, LocationID: 0x10006, ConnectionType: "USB"}}}, func(t *testing.T, e Event) {
			if e.Kind != UsbmuxConnected {
				t.Errorf("%+v", e)
			}
			if ds := m.Devices(); len(ds) != 1 || ds[0].Usbmux == nil || ds[0].Usbmux.DeviceID != 9 {
				t.Errorf("devices after reconnect: %+v", ds)
			}
		}},
		{"A reboots to recovery: USB detach", &usb.Event{Kind: usb.Detached, Time: at(5000), Device: a2}, nil, func(t *testing.T, e Event) {}},
		{"usbmux detach", nil, &usbmux.Event{Kind: usbmux.EventDetach, Time: at(5001), DeviceID: 9, Entry: usbmux.Entry{UDID: udidA, DeviceID: 9}}, func(t *testing.T, e Event) {}},
		{"USB mode change to recovery", &usb.Event{Kind: usb.ModeChange, Time: at(9000), Device: ar, PrevMode: mode.Normal}, nil, func(t *testing.T, e Event) {
			if e.Kind != ModeChange || e.PrevMode != mode.Normal || e.Device.Mode != mode.Recovery || e.Device.Key != keyA || e.Flap || e.Stability.ModeChanges != 1 {
				t.Errorf("%+v", e)
			}
			if e.Device.MissingFromUsbmux() {
				t.Error("a recovery phone is not missing from usbmuxd")
			}
		}},
	}
	for _, s := range steps {
		if s.usb != nil {
			clock.Store(s.usb.Time.Sub(t0).Milliseconds())
			u.in <- *s.usb
		} else {
			clock.Store(s.mux.Time.Sub(t0).Milliseconds())
			x.in <- *s.mux
		}
		e := recv()
		t.Run(s.name, func(t *testing.T) { s.want(t, e) })
	}
	st := m.Stability()
	if len(st) != 1 || st[0].Key != keyA || st[0].Flaps() != 1 || st[0].Detaches() != 2 || st[0].ModeChanges != 1 || st[0].Drops() != 1 {
		t.Errorf("stability %+v: want 1 drop (a flap) and 1 mode change", st)
	}
	// The departure into recovery mode is part of the mode change, not a drop.
	if got := st[0].DropsSince(at(4000)); got != 0 {
		t.Errorf("drops since the reboot: %d, want 0; history %+v", got, st[0].History)
	}
	cancel()
	for range out {
	}
	goleak.VerifyNone(t)
}

func TestMonitorNoSources(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	m := NewMonitor(nil, nil, MonitorOptions{})
	out := m.Run(ctx)
	if again := m.Run(ctx); again == nil {
		t.Fatal("nil channel")
	} else if _, ok := <-again; ok {
		t.Error("second Run should return a closed channel")
	}
	cancel()
	select {
	case _, ok := <-out:
		if ok {
			t.Error("event without sources")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not closed after cancel")
	}
}

// TestMonitorReenumerationNearLockdownModeChange: USB cannot tell restore
// from normal mode (same product ids), so a USB re-enumeration within
// FlapWindow of a mode change lockdownd revealed (QueryMode) is that mode
// change, not a flap — whichever of the two the monitor learns first. A
// re-attach lockdownd finds in the same mode is a flap on both sources,
// counted once.
func TestMonitorReenumerationNearLockdownModeChange(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	for _, tc := range []struct {
		name      string
		back      mode.Mode // lockdown mode after the re-attach (it started in restore mode)
		usbFirst  bool      // USB re-enumerates before usbmuxd/lockdownd report
		usbAt     int       // ms of the USB re-enumeration
		wantFlaps int
		wantMC    int
	}{
		// Finding the phone in restore mode at the start is not a change.
		{"restore to normal, USB first", mode.Normal, true, 2000, 0, 1},
		{"restore to normal, lockdown first", mode.Normal, false, 3000, 0, 1},
		// USB sees it back late: its departure was still part of the mode change.
		{"restore to normal, USB long after", mode.Normal, false, 30000, 0, 1},
		{"restore to restore", mode.Restore, true, 2000, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(int64(10))
			u, x := scriptedUSB{newScripted[usb.Event]()}, scriptedMux{newScripted[usbmux.Event]()}
			answers := make(chan mode.Mode)
			m := NewMonitor(u, x, MonitorOptions{
				Now: func() time.Time { return at(int(clock.Load())) },
				QueryMode: func(ctx context.Context, _ usbmux.Entry) (mode.Mode, error) {
					select {
					case md := <-answers:
						return md, nil
					case <-ctx.Done():
						return mode.Unknown, ctx.Err()
					}
				},
			})
			ctx, cancel := context.WithCancel(context.Background())
			out := m.Run(ctx)
			recv := func(what string) Event {
				t.Helper()
				select {
				case e := <-out:
					return e
				case <-time.After(5 * time.Second):
					t.Fatalf("no monitor event for %s", what)
				}
				return Event{}
			}
			a := usbA()
			a2 := a
			a2.Address = 6
			ma, ma2 := muxA(), muxA()
			ma2.DeviceID = 8

			u.in <- usb.Event{Kind: usb.Attached, Time: at(10), Device: a}
			recv("initial USB attach")
			x.in <- usbmux.Event{Kind: usbmux.EventConnected, Time: at(20), Devices: []usbmux.Entry{ma}}
			recv("connected")
			x.in <- usbmux.Event{Kind: usbmux.EventAttach, Time: at(21), DeviceID: 3, Entry: ma, Reconciled: true}
			recv("initial usbmux attach")
			answers <- mode.Restore
			if e := recv("restore mode found"); e.Kind != ModeChange || e.Device.Mode != mode.Restore {
				t.Fatalf("restore mode: %+v", e)
			}
			clock.Store(1000)
			u.in <- usb.Event{Kind: usb.Detached, Time: at(1000), Device: a}
			recv("USB detach")
			clock.Store(1001)
			x.in <- usbmux.Event{Kind: usbmux.EventDetach, Time: at(1001), DeviceID: 3, Entry: ma}
			recv("usbmux detach")
			usbBack := func() {
				clock.Store(int64(tc.usbAt))
				u.in <- usb.Event{Kind: usb.Attached, Time: at(tc.usbAt), Device: a2, Reenumeration: true}
				recv("USB re-enumeration")
			}
			if tc.usbFirst {
				usbBack()
			}
			clock.Store(2001)
			x.in <- usbmux.Event{Kind: usbmux.EventAttach, Time: at(2001), DeviceID: 8, Entry: ma2}
			recv("usbmux re-attach")
			clock.Store(2100)
			answers <- tc.back
			if !tc.usbFirst || tc.back != mode.Normal {
				// (USB first and lockdown confirming normal mode changes nothing visible.)
				recv("lockdown answer")
			}
			if !tc.usbFirst {
				usbBack()
			}
			st := m.Stability()
			if len(st) != 1 || st[0].Flaps() != tc.wantFlaps || st[0].ModeChanges != tc.wantMC {
				t.Errorf("stability %+v, want %d flaps and %d mode changes", st, tc.wantFlaps, tc.wantMC)
			}
			cancel()
			for range out {
			}
		})
	}
}
