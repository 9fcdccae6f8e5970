package device

import (
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

// Test helpers: views of a Device and of the counters that only tests read.

// USBOnly reports whether only the USB scanner sees the phone.
func (d Device) USBOnly() bool { return d.USB != nil && d.Usbmux == nil }

// UsbmuxOnly reports whether only usbmuxd sees the phone (Windows/macOS, or
// no libusb access).
func (d Device) UsbmuxOnly() bool { return d.USB == nil && d.Usbmux != nil }

// MissingFromUsbmux reports a phone USB sees in a mode usbmuxd should list
// (normal/restore product ids) that usbmuxd does not list over USB (it may
// still list it over Wi-Fi). Only meaningful when the usbmuxd list given to
// Merge was read successfully.
func (d Device) MissingFromUsbmux() bool {
	return d.USB != nil && d.USB.Mode == mode.Normal && (d.Usbmux == nil || isNetwork(*d.Usbmux))
}

// DropsSince is Drops counted over the history entries at or after t, so a
// window ("drops in the last 10 s") reads the same numbers as the totals.
func (s Stability) DropsSince(t time.Time) int {
	n := map[Source]int{}
	for _, c := range s.History {
		if c.Kind == ChangeDrop && !c.Time.Before(t) {
			n[c.Source]++
		}
	}
	return max(n[SourceUSB], n[SourceUsbmux])
}

// Detaches is the number of departures, from whichever source saw more.
func (s Stability) Detaches() int { return max(s.USBDetaches, s.UsbmuxDetaches) }

// UsbmuxConnected reports whether the usbmuxd listener is connected right now.
func (m *Monitor) UsbmuxConnected() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.muxConnected
}
