package main

import (
	"log/slog"

	"github.com/restoredoctor/restoredoctor/device/restorewatch"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/wintree"
)

// recordSource names where a recording's events come from (the trace header's Source).
const recordSource = "wintree+amds"

// recordUSBSource is the Windows device tree (SetupAPI), which opens no
// device: libusb cannot open a phone Apple's driver owns anyway.
func recordUSBSource(*slog.Logger) (usb.Source, func(), error) {
	return restorewatch.TreeSource(wintree.Scan), func() {}, nil
}
