//go:build cgo && !linux

package usb

import "errors"

var errNoCachedSerial = errors.New("no cached serial string is reachable through libusb on this OS")

// cachedSerial has no source outside Linux: libusb keeps no copy of string
// descriptors (macOS's IORegistry has one, not read yet), so a passive scan
// leaves the serial empty rather than ask the device.
func cachedSerial(Device) (string, error) { return "", errNoCachedSerial }

// cachedAttr: see cachedSerial.
func cachedAttr(Device, string) (string, error) { return "", errNoCachedSerial }
