package usb

import (
	"errors"
	"fmt"
)

// Sentinel errors for errors.Is. The typed errors below match them.
var (
	// ErrUnavailable: libusb itself cannot be used on this computer.
	ErrUnavailable = errors.New("usb: libusb unavailable")
	// ErrAccessDenied: a device was found but the operating system refused to open it.
	ErrAccessDenied = errors.New("usb: access denied")
	// ErrDisconnected: the device left the bus while it was being read.
	ErrDisconnected = errors.New("usb: device disconnected")
)

// UdevRulePath is where the project's udev rule lives in the source tree and
// where AccessDeniedError tells people to install it.
const (
	UdevRuleSource = "assets/linux/39-restoredoctor.rules"
	UdevRuleTarget = "/etc/udev/rules.d/39-restoredoctor.rules"
)

// UnavailableError reports that libusb could not be initialised or could not
// list the bus (no usbfs, sandbox without /dev/bus/usb, broken install).
// It matches ErrUnavailable.
type UnavailableError struct {
	Op  string // what was attempted: "init", "list devices"
	Err error  // the libusb error, or the recovered gousb panic
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("usb: libusb is not usable on this computer (%s): %v", e.Op, e.Err)
}

// Unwrap returns the underlying libusb error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// AccessDeniedError reports that a device could not be opened for lack of
// permission: on Linux, the udev rule is not installed. Its message says how
// to fix it. It matches ErrAccessDenied.
type AccessDeniedError struct {
	Location  string // "bus-port.port", Device.Location()
	VendorID  uint16
	ProductID uint16
	Err       error
}

func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("usb: open %s (%04x:%04x): permission denied: %v; fix: install %s as %s "+
		"(sudo cp %s %s), run \"sudo udevadm control --reload && sudo udevadm trigger\", then unplug and replug the iPhone",
		e.Location, e.VendorID, e.ProductID, e.Err, UdevRuleSource, UdevRuleTarget, UdevRuleSource, UdevRuleTarget)
}

// Unwrap returns the underlying libusb error.
func (e *AccessDeniedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrAccessDenied) true.
func (e *AccessDeniedError) Is(target error) bool { return target == ErrAccessDenied }

// DisconnectedError reports that a device vanished while it was opened or
// read (cable pulled, phone rebooted). It matches ErrDisconnected.
type DisconnectedError struct {
	Location string
	Op       string // "open", "read serial", "control probe"
	Err      error
}

func (e *DisconnectedError) Error() string {
	return fmt.Sprintf("usb: %s %s: device disconnected: %v", e.Op, e.Location, e.Err)
}

// Unwrap returns the underlying libusb error.
func (e *DisconnectedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDisconnected) true.
func (e *DisconnectedError) Is(target error) bool { return target == ErrDisconnected }

// classify turns a libusb error from op on dev into one of the typed errors
// above when it is one of those cases, else wraps it with what and where.
func classify(op string, dev Device, err error) error {
	if err == nil {
		return nil
	}
	switch libusbKind(err) {
	case kindAccess:
		return &AccessDeniedError{Location: dev.Location(), VendorID: dev.VendorID, ProductID: dev.ProductID, Err: err}
	case kindNoDevice:
		return &DisconnectedError{Location: dev.Location(), Op: op, Err: err}
	}
	return fmt.Errorf("usb: %s %s (%04x:%04x): %w", op, dev.Location(), dev.VendorID, dev.ProductID, err)
}

// isTimeout reports whether err is a libusb transfer timeout.
func isTimeout(err error) bool { return libusbKind(err) == kindTimeout }

// errKind is what a libusb error means to this package. libusbKind (one per
// build: with libusb through gousb, or without cgo) maps errors to it.
type errKind int

const (
	kindOther errKind = iota
	kindAccess
	kindNoDevice
	kindTimeout
	kindStall // the device refused the request (libusb's PIPE, a STALL handshake)
	kindIO    // the transfer broke off mid-way
)

// Errors a ControlDevice that is not libusb (the simulator's iBoot) returns
// for what libusb reports as a stall or a broken transfer; gousb's own errors
// map to the same kinds.
var (
	// ErrStall: the device stalled the control request.
	ErrStall = errors.New("usb: control request stalled")
	// ErrTransferIO: the transfer broke off with an I/O error.
	ErrTransferIO = errors.New("usb: transfer I/O error")
)

// sentinelKind maps this package's own sentinels; libusbKind falls back to it.
func sentinelKind(err error) errKind {
	switch {
	case errors.Is(err, ErrStall):
		return kindStall
	case errors.Is(err, ErrTransferIO):
		return kindIO
	case errors.Is(err, ErrDisconnected):
		return kindNoDevice
	}
	return kindOther
}
