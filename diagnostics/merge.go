package diagnostics

import (
	"fmt"
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/device"
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

// mergePhones correlates the USB snapshot with usbmuxd's listing, one phone
// per physical device: the join is device.MergeOn (normalised serial/UDID,
// LocationID fallback where goos's usbmuxd encodes it like Linux; "" means
// this computer's). On top of it, the engine's policy: a phone on USB that
// usbmuxd lists only over Wi-Fi, or that USB sees in recovery/DFU while
// usbmuxd still lists it (a stale entry during a reboot), is kept apart from
// that entry, so lockdown is never asked over a link the USB checks did not
// see; and keys are the report's (see phoneKey), made unique with "#n".
func mergePhones(devs []usb.Device, entries []usbmux.Entry, goos string) []phone {
	var out []phone
	for _, md := range device.MergeOn(goos, devs, entries) {
		p := phone{entry: md.Usbmux}
		if d := md.USB; d != nil {
			p.USB = d
			p.Mode = d.Mode
			if p.Mode == "" {
				p.Mode = mode.FromProductID(d.ProductID)
			}
			p.USBAccessDenied = d.OpenErr != nil && errorsIsAccessDenied(d.OpenErr)
			if e := md.Usbmux; e != nil && (e.ConnectionType == "Network" || d.Mode.IsLowLevel()) {
				p.entry = nil
				out = append(out, phone{entry: e})
			}
		}
		out = append(out, p)
	}
	seen := map[string]int{}
	for i := range out {
		p := &out[i]
		if e := p.entry; e != nil {
			p.Mux = &checks.MuxEntry{DeviceID: e.DeviceID, UDID: e.UDID, LocationID: e.LocationID, ProductID: uint16(e.ProductID), ConnectionType: e.ConnectionType}
			if p.USB == nil {
				p.Mode = mode.FromProductID(uint16(e.ProductID))
			}
			if p.Mode == mode.Unknown || p.Mode == "" {
				p.Mode = mode.Normal // usbmuxd only lists normal/restore-mode devices
			}
		}
		p.Key = phoneKey(p.USB, p.entry)
	}
	// Phones on USB keep the plain key when two share it.
	slices.SortStableFunc(out, func(a, b phone) int {
		if (a.USB == nil) != (b.USB == nil) {
			if a.USB != nil {
				return -1
			}
			return 1
		}
		return 0
	})
	for i := range out {
		p := &out[i]
		k := p.Key
		if n := seen[k]; n > 0 {
			p.Key = fmt.Sprintf("%s#%d", k, n+1)
		}
		seen[k]++
	}
	slices.SortStableFunc(out, func(a, b phone) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// phoneKey is the unredacted identity of a phone: device.Key, the same key
// the live view (device.Monitor) gives it in every mode.
func phoneKey(d *usb.Device, e *usbmux.Entry) string {
	if k := device.Key(d, e); k != "" {
		return k
	}
	return "unknown"
}
