//go:build !windows

package main

import (
	"log/slog"

	"github.com/restoredoctor/restoredoctor/device/usb"
)

// recordSource names where a recording's events come from (the trace header's Source).
const recordSource = "libusb+usbmuxd"

// recordUSBSource is libusb's scanner in its passive form: see
// ScannerOptions.Passive and docs/restore-stages.md.
func recordUSBSource(log *slog.Logger) (usb.Source, func(), error) {
	_, live, closeUSB, err := usb.Open(usb.ScannerOptions{Logger: log, Passive: true})
	return live, closeUSB, err
}
