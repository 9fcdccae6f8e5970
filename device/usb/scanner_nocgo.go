//go:build !cgo

package usb

import (
	"context"
	"errors"
)

// ErrNotBuiltIn is why a build without cgo cannot reach USB: gousb needs
// libusb through cgo. NewScanner and Snapshot return it wrapped in an
// *UnavailableError, so checks report usb.unavailable, never a pass.
var ErrNotBuiltIn = errors.New("this build has no libusb (built without cgo)")

// Scanner, in a build without cgo, has no USB access: every method reports
// ErrUnavailable. It exists so everything above device/usb builds and vets
// for any GOOS with CGO_ENABLED=0.
type Scanner struct{}

// NewScanner returns an *UnavailableError (errors.Is ErrUnavailable and
// ErrNotBuiltIn): this build cannot use libusb.
func NewScanner(ScannerOptions) (*Scanner, error) {
	return nil, &UnavailableError{Op: "init", Err: ErrNotBuiltIn}
}

// Snapshot reports that the bus cannot be listed in this build.
func (s *Scanner) Snapshot(ctx context.Context) ([]Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, &UnavailableError{Op: "list devices", Err: ErrNotBuiltIn}
}

// Open reports that no device can be opened in this build.
func (s *Scanner) Open(ctx context.Context, _ Device) (ControlDevice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, &UnavailableError{Op: "open", Err: ErrNotBuiltIn}
}

// Close does nothing: there is nothing to release.
func (s *Scanner) Close() error { return nil }

// libusbKind: without libusb no error is a libusb one.
func libusbKind(err error) errKind { return sentinelKind(err) }
