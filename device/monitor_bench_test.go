package device

import (
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// BenchmarkMonitorFlaps1000: the monitor's counting of 1000 flaps seen by
// both sources (what replaced checks.CountLinks): per-event work stays flat
// because state is indexed by phone key and the history is capped.
func BenchmarkMonitorFlaps1000(b *testing.B) {
	a, ma := usbA(), muxA()
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		var clock time.Time
		m := NewMonitor(nil, nil, MonitorOptions{Now: func() time.Time { return clock }})
		for i := range 1000 {
			clock = t0.Add(time.Duration(i) * 600 * time.Millisecond)
			m.onUSB(usb.Event{Kind: usb.Detached, Device: a})
			m.onUsbmux(usbmux.Event{Kind: usbmux.EventDetach, DeviceID: 3, Entry: ma})
			clock = clock.Add(300 * time.Millisecond)
			m.onUSB(usb.Event{Kind: usb.Attached, Device: a, Reenumeration: true})
			m.onUsbmux(usbmux.Event{Kind: usbmux.EventAttach, DeviceID: 3, Entry: ma})
		}
		if st := m.Stability(); len(st) != 1 || st[0].Flaps() != 1000 {
			b.Fatalf("stability %+v", st)
		}
	}
}
