package checks

import (
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/wintree"
)

// USBScan is one USB snapshot as the checks see it.
type USBScan struct {
	// Devices are the Apple devices found.
	Devices []usb.Device
	// Err is why the scan failed (nil when it ran).
	Err error
	// Unavailable is true when Err means libusb itself is not usable on this
	// computer (no library, no driver), as opposed to a passing failure.
	Unavailable bool
	// Tree is what the Windows device tree says about Apple's USB devices
	// (Windows only; nil elsewhere or when it could not be read).
	Tree []wintree.Device
}

// MuxEntry is one device in usbmuxd's listing.
type MuxEntry struct {
	DeviceID int
	// UDID is the serial number as usbmuxd reports it.
	UDID       string
	LocationID uint32
	ProductID  uint16
	// ConnectionType is "USB" or "Network".
	ConnectionType string
}

// Phone is one physical phone as the engine merged it from USB and usbmuxd.
type Phone struct {
	// Key is the phone's identity within the run (normalised UDID, "ecid:…"
	// or "usb:<location>"), unredacted.
	Key  string
	Mode mode.Mode
	// USB is the phone on the bus; nil when USB does not see it.
	USB *usb.Device
	// USBAccessDenied is true when libusb could not open the device for lack
	// of permission (its strings and control transfers are then unknown).
	USBAccessDenied bool
	// Mux is the phone in usbmuxd's listing; nil when not listed.
	Mux *MuxEntry
	// WindowOnly is true for a phone the first scan and listing missed but
	// the sampling window saw (USB and Mux are then its last known view).
	WindowOnly bool
}

// MuxHealth is the result of asking usbmuxd for its version / a listing.
type MuxHealth struct {
	Address string
	// Status is one of report.Usbmuxd* (ok, unreachable, not_responding, error).
	Status string
	Err    error
	// Busy is true when usbmuxd's accept queue stayed full until the dial
	// deadline (usbmux.ErrBusy): it took no connection at all.
	Busy bool
	// Elapsed is how long the health request took.
	Elapsed time.Duration
	// StartsOnDemand is true where the platform starts usbmuxd only while an
	// iPhone is plugged in (Linux: udev socket activation), so "not running"
	// with no phone on the bus is the normal state, not a fault.
	StartsOnDemand bool
	// USBReadable is true when the USB bus could be read, so PhonesOnUSB means something.
	USBReadable bool
	// PhonesOnUSB counts phones on the bus in a mode usbmuxd serves (normal,
	// restore): the ones that would make an on-demand usbmuxd start.
	PhonesOnUSB int
}

// Lockdown is what lockdownd answered for one phone.
type Lockdown struct {
	// Err is why the query failed (nil when lockdownd answered).
	Err error
	// Timeout is true when Err is a timeout or a dropped connection.
	Timeout bool
	// QueryType is the QueryType answer: com.apple.mobile.lockdown in normal
	// mode, com.apple.mobile.restored in restore mode.
	QueryType      string
	ProductType    string
	ProductVersion string
	BuildVersion   string
	DeviceName     string
	Elapsed        time.Duration
}

// Trust is whether this computer is trusted by one phone.
type Trust struct {
	// Known is false when trust could not be determined (Err says why).
	Known   bool
	Trusted bool
	// HasPairRecord is whether usbmuxd holds a pair record for the phone.
	HasPairRecord bool
	// Reason is lockdownd's refusal, e.g. "InvalidHostID" or "PasswordProtected".
	Reason string
	Err    error
}

// RTTStats are the lockdown round trips of one phone.
type RTTStats struct {
	Requests int
	Timeouts int
	// Failures are requests that failed otherwise (connection dropped, bad reply).
	Failures int
	// Samples are the round-trip times of the successful requests.
	Samples []time.Duration
	// Err is why the probe could not run at all.
	Err error
}

// ControlStats are the control-transfer round trips to one phone in
// recovery or DFU mode.
type ControlStats struct {
	Requests int
	Timeouts int
	Failures int
	Max      time.Duration
	// Err is why the probe could not run at all.
	Err error
}
