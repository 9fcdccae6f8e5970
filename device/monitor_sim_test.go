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
	const key = "udid:00008110001A2B3C4D5E6F70"
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
