//go:build cgo

package usb

import (
	"errors"

	"github.com/google/gousb"

	// libusb's calls run on many cgo threads: bound glibc's malloc arenas
	// (64 MB of address space each) for the process.
	_ "github.com/restoredoctor/restoredoctor/internal/mallocarena"
)

// libusbKind maps gousb's errors and transfer statuses to errKind.
func libusbKind(err error) errKind {
	var ge gousb.Error
	if errors.As(err, &ge) {
		switch ge {
		case gousb.ErrorAccess:
			return kindAccess
		case gousb.ErrorNoDevice:
			return kindNoDevice
		case gousb.ErrorTimeout:
			return kindTimeout
		case gousb.ErrorPipe:
			return kindStall
		case gousb.ErrorIO:
			return kindIO
		}
	}
	var ts gousb.TransferStatus
	if errors.As(err, &ts) {
		switch ts {
		case gousb.TransferTimedOut:
			return kindTimeout
		case gousb.TransferStall:
			return kindStall
		case gousb.TransferNoDevice:
			return kindNoDevice
		case gousb.TransferError:
			return kindIO
		}
	}
	return sentinelKind(err)
}
