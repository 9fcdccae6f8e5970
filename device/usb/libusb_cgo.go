//go:build cgo

package usb

import (
	"errors"

	"github.com/google/gousb"
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
		}
	}
	var ts gousb.TransferStatus
	if errors.As(err, &ts) && ts == gousb.TransferTimedOut {
		return kindTimeout
	}
	return kindOther
}
