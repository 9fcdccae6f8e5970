package device

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// TestMonitorTransitions: usbmuxd and lockdownd are the simulator on a real
// socket (real client, Listen and QueryType); USB is scripted as the watcher
// reports a phone walking through a restore. normal → recovery → restore →
// normal stays one phone with 0 drops and 3 mode changes, each in its
// history; a real unplug afterwards is a drop.
func TestMonitorTransitions(t *testing.T) {
	srv, err := sim.Start(context.Background(), "unix://"+t.TempDir()+"/mux", sim.Scenario{Name: "transitions", Phones: []sim.Phone{sim.PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr, _ := usbmux.ParseAddress(srv.Addr())
	client := usbmux.NewClient(addr, usbmux.Options{RequestTimeout: 2 * time.Second})
	u := scriptedUSB{newScripted[usb.Event]()}
	m := NewMonitor(u, client, MonitorOptions{QueryMode: func(ctx context.Context, e usbmux.Entry) (mode.Mode, error) {
		_, md, err := client.QueryType(ctx, e)
		return md, err
	}})
	ctx, cancel := context.WithCancel(context.Background())
	out := m.Run(ctx)
	defer func() {
		cancel()
		for range out {
		}
	}()
	waitFor := func(what string, ok func(e Event) bool) Event {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case e := <-out:
				if e.Device.Key != "" && e.Device.Key != keyA {
					t.Fatalf("%s: another phone appeared: %+v", what, e.Device)
				}
				if ok(e) {
					return e
				}
			case <-deadline:
				t.Fatalf("no %s within 10 s; stability %+v", what, m.Stability())
			}
		}
	}
	normal, recovery := usbA(), usbARecovery()
	restore := usbA()
	restore.Address = 7 // the restore ramdisk: normal-range product id, new address
	normal2 := usbA()
	normal2.Address = 8

	u.in <- usb.Event{Kind: usb.Attached, Device: normal}
	waitFor("usbmuxd listing the phone", func(e Event) bool { return e.Source == SourceUsbmux && e.Kind == Attach })

	// normal → recovery: usbmuxd drops it, USB sees it come back as iBoot.
	srv.Detach(srv.Phones()[0].DeviceID)
	waitFor("usbmux detach", func(e Event) bool { return e.Kind == Detach })
	u.in <- usb.Event{Kind: usb.Detached, Device: normal}
	u.in <- usb.Event{Kind: usb.ModeChange, Device: recovery, PrevMode: mode.Normal}
	waitFor("recovery", func(e Event) bool { return e.Kind == ModeChange && e.Device.Mode == mode.Recovery })

	// recovery → restore: USB says normal-range, lockdownd says restored.
	u.in <- usb.Event{Kind: usb.Detached, Device: recovery}
	u.in <- usb.Event{Kind: usb.ModeChange, Device: restore, PrevMode: mode.Recovery}
	p := sim.PhoneA()
	p.Mode = mode.Restore
	srv.Attach(p)
	waitFor("restore mode", func(e Event) bool { return e.Kind == ModeChange && e.Device.Mode == mode.Restore })

	// restore → normal: it reboots, re-enumerating in the same product-id range.
	srv.Detach(srv.Phones()[0].DeviceID)
	waitFor("usbmux detach", func(e Event) bool { return e.Kind == Detach })
	u.in <- usb.Event{Kind: usb.Detached, Device: restore}
	u.in <- usb.Event{Kind: usb.Attached, Device: normal2, Reenumeration: true}
	waitFor("normal", func(e Event) bool { return e.Kind == ModeChange && e.Device.Mode == mode.Normal })
	srv.Attach(sim.PhoneA())
	waitFor("usbmuxd listing it again", func(e Event) bool { return e.Source == SourceUsbmux && e.Kind == Attach })

	st := m.Stability()
	if len(st) != 1 || st[0].Key != keyA || st[0].Drops() != 0 || st[0].ModeChanges != 3 {
		t.Fatalf("stability %+v: want one phone, 0 drops, 3 mode changes", st)
	}
	var path []string
	for _, c := range st[0].History {
		if c.Kind == ChangeMode {
			path = append(path, fmt.Sprintf("%s→%s", c.From, c.To))
		}
	}
	if fmt.Sprint(path) != "[normal→recovery recovery→restore restore→normal]" {
		t.Errorf("history %v", path)
	}
	if ds := m.Devices(); len(ds) != 1 || ds[0].Key != keyA || ds[0].Mode != mode.Normal {
		t.Errorf("devices %+v", ds)
	}

	// A real unplug is a drop, from both sources once.
	srv.Detach(srv.Phones()[0].DeviceID)
	u.in <- usb.Event{Kind: usb.Detached, Device: normal2}
	e := waitFor("unplug", func(e Event) bool { return e.Gone })
	if e.Stability.Drops() != 1 || e.Stability.ModeChanges != 3 {
		t.Errorf("after unplug %+v", e.Stability)
	}
	if h := m.Stability()[0].History; len(h) < 5 || h[len(h)-1].Kind != ChangeDrop {
		t.Errorf("history after unplug %+v", h)
	}
}

// TestMonitorWindowClock: drops are counted on the monitor's clock, so a
// 10 s flap window is tested without sleeping.
func TestMonitorWindowClock(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var clock atomic.Int64
	now := func() time.Time { return t0.Add(time.Duration(clock.Load())) }
	u := scriptedUSB{newScripted[usb.Event]()}
	m := NewMonitor(u, nil, MonitorOptions{Now: now})
	ctx, cancel := context.WithCancel(context.Background())
	out := m.Run(ctx)
	defer func() {
		cancel()
		for range out {
		}
	}()
	send := func(at time.Duration, e usb.Event) Event {
		t.Helper()
		clock.Store(int64(at))
		u.in <- e
		select {
		case ev := <-out:
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
		return Event{}
	}
	a := usbA()
	send(0, usb.Event{Kind: usb.Attached, Device: a})
	send(time.Second, usb.Event{Kind: usb.Detached, Device: a})
	if ev := send(2*time.Second, usb.Event{Kind: usb.Attached, Device: a}); !ev.Flap {
		t.Errorf("back 1 s later: a flap: %+v", ev)
	}
	send(3*time.Second, usb.Event{Kind: usb.Detached, Device: a})
	if ev := send(14*time.Second, usb.Event{Kind: usb.Attached, Device: a}); ev.Flap {
		t.Errorf("back 11 s later: not a flap: %+v", ev)
	}
	st := m.Stability()[0]
	if st.Drops() != 2 || st.Flaps() != 1 || st.DropsSince(t0.Add(2*time.Second)) != 1 || st.DropsSince(t0.Add(4*time.Second)) != 0 {
		t.Errorf("stability %+v", st)
	}
}

// TestMonitorFlood: 100 000 USB attaches of distinct phones in a burst stay
// bounded: at most MaxPhones phones are tracked and the rest is counted.
func TestMonitorFlood(t *testing.T) {
	u := scriptedUSB{newScripted[usb.Event]()}
	m := NewMonitor(u, nil, MonitorOptions{MaxPhones: 64})
	ctx, cancel := context.WithCancel(context.Background())
	out := m.Run(ctx)
	done := make(chan int)
	go func() {
		n := 0
		for range out {
			n++
		}
		done <- n
	}()
	const events = 100000
	for i := range events {
		d := usbA()
		d.Serial = fmt.Sprintf("00008110%016X", i+1)
		d.Address = i%120 + 1
		d.PortPath = []int{i%7 + 1, i%5 + 1}
		u.in <- usb.Event{Kind: usb.Attached, Device: d}
	}
	cancel()
	n := <-done
	if got := len(m.Stability()); got != 64 {
		t.Errorf("%d phones tracked, want 64", got)
	}
	if m.Overflow() < events-64-m.opts.Buffer || n > 64 {
		t.Errorf("overflow %d, events out %d", m.Overflow(), n)
	}
	if ds := m.Devices(); len(ds) > 64 {
		t.Errorf("%d devices", len(ds))
	}
}

// TestMonitorInitialPoll: every phone of the watcher's first poll was
// already there; a phone arriving in a later poll is an arrival.
func TestMonitorInitialPoll(t *testing.T) {
	u := scriptedUSB{newScripted[usb.Event]()}
	m := NewMonitor(u, nil, MonitorOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	out := m.Run(ctx)
	defer func() {
		cancel()
		for range out {
		}
	}()
	poll1 := time.Now()
	b := usbB()
	for _, e := range []usb.Event{{Kind: usb.Attached, Time: poll1, Device: usbA()}, {Kind: usb.Attached, Time: poll1, Device: b}} {
		u.in <- e
		if ev := <-out; !ev.Initial || ev.Stability.USBAttaches != 0 {
			t.Errorf("first poll: %+v", ev)
		}
	}
	c := usbB()
	c.PortPath = []int{3}
	c.Serial = "00008120-0011223344556677"
	u.in <- usb.Event{Kind: usb.Attached, Time: poll1.Add(250 * time.Millisecond), Device: c}
	if ev := <-out; ev.Initial || ev.Stability.USBAttaches != 1 {
		t.Errorf("later poll: %+v", ev)
	}
}
