package diagnostics

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
)

// phone is one physical phone of a run: the checks' view plus the raw entry.
type phone struct {
	checks.Phone
	entry *usbmux.Entry
	// For phones merged from what the sampling window saw (seenDevices):
	// inWindow is set, usbAtEnd and listedAtEnd say whether USB still saw it
	// and usbmuxd still listed it when the window ended.
	inWindow, usbAtEnd, listedAtEnd bool
}

// linuxLocationID is the usbmuxd LocationID of a USB device on Linux:
// (bus << 16) | address (usbmuxd usb.c). Other platforms encode it
// differently, so it is only used as a fallback there.
func linuxLocationID(d usb.Device) uint32 {
	return uint32(d.Bus)<<16 | uint32(d.Address)
}

// mergePhones correlates the USB snapshot with usbmuxd's listing: one phone
// per physical device. USB serial and usbmuxd UDID are compared normalised
// (dashes stripped, case folded); on Linux the LocationID is the fallback.
// goos selects the LocationID rule ("" means this computer's).
func mergePhones(devs []usb.Device, entries []usbmux.Entry, goos string) []phone {
	if goos == "" {
		goos = runtime.GOOS
	}
	var out []phone
	used := make([]bool, len(entries))
	for i := range devs {
		d := devs[i]
		p := phone{Phone: checks.Phone{Mode: d.Mode, USB: &d}}
		p.USBAccessDenied = d.OpenErr != nil && errorsIsAccessDenied(d.OpenErr)
		if d.Mode == "" {
			p.Mode = mode.FromProductID(d.ProductID)
		}
		if !d.Mode.IsLowLevel() {
			for j, e := range entries {
				if used[j] || e.ConnectionType == "Network" {
					continue
				}
				serialMatch := d.Serial != "" && checks.NormalizeSerial(d.Serial) == checks.NormalizeSerial(e.UDID)
				locMatch := goos == "linux" && d.Serial == "" && e.LocationID != 0 && e.LocationID == linuxLocationID(d)
				if serialMatch || locMatch {
					used[j] = true
					e := e
					p.entry = &e
					break
				}
			}
		}
		out = append(out, p)
	}
	for j, e := range entries {
		if used[j] {
			continue
		}
		e := e
		out = append(out, phone{Phone: checks.Phone{Mode: mode.FromProductID(uint16(e.ProductID))}, entry: &e})
	}
	seen := map[string]int{}
	for i := range out {
		p := &out[i]
		if p.entry != nil {
			e := p.entry
			p.Mux = &checks.MuxEntry{DeviceID: e.DeviceID, UDID: e.UDID, LocationID: e.LocationID, ProductID: uint16(e.ProductID), ConnectionType: e.ConnectionType}
			if p.Mode == mode.Unknown || p.Mode == "" {
				p.Mode = mode.Normal // usbmuxd only lists normal/restore-mode devices
			}
		}
		p.Key = phoneKey(p.USB, p.entry)
		if n := seen[p.Key]; n > 0 {
			p.Key = fmt.Sprintf("%s#%d", p.Key, n+1)
		}
		seen[p.Key]++
	}
	slices.SortStableFunc(out, func(a, b phone) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// phoneKey is the unredacted identity of a phone: its normalised UDID when
// known, "ecid:<ECID>" in recovery/DFU, else "usb:<location>".
func phoneKey(d *usb.Device, e *usbmux.Entry) string {
	switch {
	case e != nil && e.UDID != "":
		return checks.NormalizeSerial(e.UDID)
	case d != nil && d.Recovery != nil && d.Recovery.ECID != "":
		return "ecid:" + strings.ToUpper(d.Recovery.ECID)
	case d != nil && !d.Mode.IsLowLevel() && d.Serial != "":
		return checks.NormalizeSerial(d.Serial)
	case d != nil:
		return "usb:" + d.Location()
	case e != nil:
		return fmt.Sprintf("usbmux:%d", e.DeviceID)
	}
	return "unknown"
}
