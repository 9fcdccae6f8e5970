// Package usb finds Apple devices on the USB bus through gousb (libusb):
// their mode, link speed, port path, hubs and, in recovery/DFU mode, the
// iBoot serial string. It also watches the bus by polling. It owns all USB
// access of the project and imports nothing from diagnostics/ or app/.
package usb

import (
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

// Device is one Apple device as seen on the USB bus in one snapshot.
type Device struct {
	VendorID  uint16
	ProductID uint16
	Mode      mode.Mode
	Bus       int
	Address   int
	// PortPath is the chain of hub ports from the root hub to the device, e.g. [2] or [1, 3].
	PortPath []int
	// HubDepth is the number of external hubs between the root port and the device (len(PortPath)-1).
	HubDepth  int
	BehindHub bool
	// SpeedMbps is the negotiated link speed: 1.5, 12, 480, 5000, 10000 (0 when unknown).
	SpeedMbps float64
	// USBVersion is the device's bcdUSB, e.g. "2.00".
	USBVersion string
	// Configurations is bNumConfigurations of the device descriptor (0 when
	// unknown). libusb has it from the descriptors the OS read at enumeration:
	// reading it sends nothing to the device.
	Configurations int
	// Interfaces are the interfaces of every configuration, from the same
	// cached descriptors: "config.interface:class/subclass/protocol" in hex
	// of alternate setting 0 ("1.0:06/01/01", "4.2:ff/fe/02" is usbmuxd's),
	// at most MaxInterfaces.
	Interfaces []string
	// Product is the product string as the OS cached it at enumeration
	// (Linux sysfs), read only by a Passive scan; "" otherwise.
	Product string
	// Serial is the serial-number string descriptor: the UDID without dash in
	// normal mode, the iBoot string in recovery/DFU. Empty when it could not be read.
	Serial string
	// Recovery is the parsed iBoot serial string (recovery, DFU), nil otherwise.
	Recovery *RecoveryInfo
	// OpenErr is why the serial string could not be read (nil when it was):
	// *AccessDeniedError when the device could not be opened (Linux without the
	// udev rule), *DisconnectedError when it left mid-read, else a wrapped libusb
	// error. The device is still listed.
	OpenErr error
}

// Location is a stable key for the physical port the device sits on: "bus-p1.p2…".
// It survives re-enumeration (the address changes, the port does not).
func (d Device) Location() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(d.Bus))
	b.WriteByte('-')
	for i, p := range d.PortPath {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// RecoveryInfo is the iBoot serial string of a device in recovery or DFU mode,
// e.g. "SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0E ECID:001A2B3C4D5E6F70
// IBFL:3C SRTG:[iBoot-10151.41.12]". Absent keys are zero.
type RecoveryInfo struct {
	SDOM, CPID, CPRV, CPFM, SCEP, BDID, ECID, IBFL string
	SRTG, SRNM, IMEI, NONC, SNON                   string
	// Extra holds keys this parser does not know, as found.
	Extra map[string]string
}

// EventKind is what happened to a device between two snapshots.
type EventKind string

// Event kinds emitted by the Watcher.
const (
	Attached   EventKind = "attach"
	Detached   EventKind = "detach"
	ModeChange EventKind = "mode-change"
)

// Event is a change on the bus, with the time it was observed.
type Event struct {
	Kind   EventKind
	Time   time.Time
	Device Device
	// PrevMode is the mode before a mode change (or before a detach + re-attach in another mode).
	PrevMode mode.Mode
	// Reenumeration is true for an attach in the same mode at the same location
	// shortly after a detach: a flap.
	Reenumeration bool
}

//go:generate go run ./internal/usbmontest/genfixtures testdata/umockdev
