package device_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// TestMonitorWithSimulator drives both halves from one simulator: its USB
// view through the real usb.Watcher and its usbmuxd socket through the real
// usbmux client, with the phone flapping every 300 ms.
func TestMonitorWithSimulator(t *testing.T) {
	sc := sim.Scenario{Name: "fast-flap", Phones: []sim.Phone{sim.PhoneA()}, FlapInterval: 300 * time.Millisecond}
	srv, err := sim.Start(context.Background(), "unix://"+t.TempDir()+"/mux", sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := usbmux.ParseAddress(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	client := usbmux.NewClient(addr, usbmux.Options{RequestTimeout: 2 * time.Second, BackoffMin: 20 * time.Millisecond})
	w := usb.NewWatcher(srv.USBSource(), usb.WatcherOptions{Interval: 40 * time.Millisecond})
	m := device.NewMonitor(w, client, device.MonitorOptions{})

	ctx, cancel := context.WithCancel(context.Background())
	out := m.Run(ctx)
	const key = "ecid:001A2B3C4D5E6F70"
	var fromUSB, fromMux, flapEvents int
	deadline := time.After(20 * time.Second)
	for {
		var st device.Stability
		select {
		case e := <-out:
			if e.Kind == device.Attach || e.Kind == device.Detach {
				if e.Device.Key != key || e.Stability.Key != key {
					t.Fatalf("event for another phone: %+v", e)
				}
				if e.Device.Mode != mode.Normal {
					t.Errorf("mode %q", e.Device.Mode)
				}
				if e.Source == device.SourceUSB {
					fromUSB++
				} else {
					fromMux++
				}
				if e.Flap {
					flapEvents++
				}
			}
			st = e.Stability
		case <-deadline:
			t.Fatalf("after 20 s: %d USB and %d usbmux events, stability %+v", fromUSB, fromMux, m.Stability())
		}
		if st.USBFlaps >= 2 && st.UsbmuxFlaps >= 2 {
			break
		}
	}
	got := m.Stability()
	if len(got) != 1 || got[0].Key != key {
		t.Fatalf("stability %+v", got)
	}
	s := got[0]
	if s.Flaps() < 2 || s.Detaches() < 2 || s.Flaps() > s.Detaches() || s.ModeChanges != 0 {
		t.Errorf("stability %+v", s)
	}
	// Flaps from both sources are counted once per physical flap (max, not sum).
	if s.Flaps() >= s.USBFlaps+s.UsbmuxFlaps {
		t.Errorf("flaps double-counted: %+v", s)
	}
	if fromUSB == 0 || fromMux == 0 || flapEvents < 4 {
		t.Errorf("events: usb %d usbmux %d flaps %d", fromUSB, fromMux, flapEvents)
	}
	cancel()
	for range out {
	}
	_ = srv.Close()
	goleak.VerifyNone(t)
}

// TestMonitorRestoreMode: with QueryMode the merged view tells restore mode
// from normal mode, and a detach/re-attach from normal into restore mode is a
// mode change, not a flap, from both sources.
func TestMonitorRestoreMode(t *testing.T) {
	srv, err := sim.Start(context.Background(), "unix://"+t.TempDir()+"/mux", sim.Scenario{Name: "to-restore", Phones: []sim.Phone{sim.PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := usbmux.ParseAddress(srv.Addr())
	client := usbmux.NewClient(addr, usbmux.Options{RequestTimeout: 2 * time.Second})
	w := usb.NewWatcher(srv.USBSource(), usb.WatcherOptions{Interval: 30 * time.Millisecond})
	m := device.NewMonitor(w, client, device.MonitorOptions{QueryMode: func(ctx context.Context, e usbmux.Entry) (mode.Mode, error) {
		_, md, err := client.QueryType(ctx, e)
		return md, err
	}})
	ctx, cancel := context.WithCancel(context.Background())
	out := m.Run(ctx)
	const key = "ecid:001A2B3C4D5E6F70"
	waitFor := func(what string, ok func(e device.Event) bool) device.Event {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case e := <-out:
				if ok(e) {
					return e
				}
			case <-deadline:
				t.Fatalf("no %s within 10 s; stability %+v", what, m.Stability())
			}
		}
	}
	seen := map[device.Source]bool{}
	waitFor("attach from both sources", func(e device.Event) bool {
		if e.Kind == device.Attach {
			seen[e.Source] = true
		}
		return seen[device.SourceUSB] && seen[device.SourceUsbmux]
	})
	time.Sleep(100 * time.Millisecond) // let the first QueryType (normal) land

	id := srv.Phones()[0].DeviceID
	srv.Detach(id)
	p := sim.PhoneA()
	p.Mode, p.Address = mode.Restore, 7 // reboots into the restore ramdisk, re-enumerated
	srv.Attach(p)
	e := waitFor("mode change", func(e device.Event) bool { return e.Kind == device.ModeChange })
	if e.Device.Mode != mode.Restore || e.PrevMode != mode.Normal || e.Device.Key != key {
		t.Errorf("mode change %+v", e)
	}
	// Give the USB watcher time to see the re-enumeration too.
	time.Sleep(200 * time.Millisecond)
	ds := m.Devices()
	if len(ds) != 1 || ds[0].Mode != mode.Restore {
		t.Errorf("devices %+v", ds)
	}
	st := m.Stability()
	if len(st) != 1 || st[0].ModeChanges != 1 || st[0].Flaps() != 0 {
		t.Errorf("stability %+v: want 1 mode change, 0 flaps", st)
	}
	cancel()
	for range out {
	}
	_ = srv.Close()
	goleak.VerifyNone(t)
}
