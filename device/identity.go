package device

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// Phone keys. One physical phone has one key in every mode (normal,
// restore, recovery, DFU) and across unplug/replug, in the live view, the
// report and the window alike; Key is the only place that makes one.
//
//	"ecid:<16 hex digits>"  the chip's ECID: in recovery/DFU serials, and
//	                        inside modern UDIDs ("00008110-001A2B3C4D5E6F70")
//	"udid:<UDID>"           a UDID that does not carry the ECID (40 hex
//	                        digits, A11 and earlier), normalised
//	"usb:<bus-ports>"       a phone on USB whose serial is unreadable
//	"usbmux:<DeviceID>"     a usbmuxd entry without a UDID
const (
	keyECID   = "ecid:"
	keyUDID   = "udid:"
	keyUSB    = "usb:"
	keyUsbmux = "usbmux:"
)

// ECIDKey is the key of the phone with that ECID (hex, any case, leading
// zeros optional); "" when ecid is not a non-zero 64-bit hex number.
func ECIDKey(ecid string) string {
	v, err := strconv.ParseUint(strings.TrimSpace(ecid), 16, 64)
	if err != nil || v == 0 {
		return ""
	}
	return fmt.Sprintf("%s%016X", keyECID, v)
}

// ECIDFromUDID returns the ECID inside a modern UDID ("0000CPID-ECID": 8 hex
// digits of chip id, then 16 of ECID, dash optional), upper-case; "" for
// UDIDs that do not carry it (40 hex digits, A11 and earlier).
func ECIDFromUDID(udid string) string {
	u := usb.NormalizeSerial(udid)
	if len(u) != 24 || !isHex(u) {
		return ""
	}
	return u[8:]
}

// KeyForUDID is the key of the phone with that UDID: its ECID key when the
// UDID carries the ECID, else "udid:" and the normalised UDID; "" for "".
func KeyForUDID(udid string) string {
	if e := ECIDFromUDID(udid); e != "" {
		if k := ECIDKey(e); k != "" {
			return k
		}
	}
	if u := usb.NormalizeSerial(udid); u != "" {
		return keyUDID + u
	}
	return ""
}

// Key is the key of a phone seen as u on USB and/or e by usbmuxd (either
// may be nil): ECID from the recovery/DFU serial, else from the UDID
// (usbmuxd's, else the normal-mode USB serial), else the UDID, else the USB
// location, else usbmuxd's DeviceID.
func Key(u *usb.Device, e *usbmux.Entry) string {
	if u != nil && u.Recovery != nil {
		if k := ECIDKey(u.Recovery.ECID); k != "" {
			return k
		}
	}
	if e != nil {
		if k := KeyForUDID(e.UDID); k != "" {
			return k
		}
	}
	if u != nil {
		if k := KeyForUDID(UDIDFromUSB(*u)); k != "" {
			return k
		}
		return keyUSB + u.Location()
	}
	if e != nil {
		return keyUsbmux + strconv.Itoa(e.DeviceID)
	}
	return ""
}

// ChipKey reports whether key names the chip (ECID) rather than a
// connection, so it holds across modes and ports.
func ChipKey(key string) bool {
	return strings.HasPrefix(key, keyECID) || strings.HasPrefix(key, keyUDID)
}
