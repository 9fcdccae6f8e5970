package devlist

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics"
)

// ErrPrint says Print could not list the devices, could not write the list,
// or some device could not be read for lack of permission; the reason is
// already on its stderr.
var ErrPrint = errors.New("devlist: the list is missing or incomplete")

// Print is the `devices` command: one snapshot of src, identifiers redacted
// unless includeIDs, each access-denied device named on stderr (after prefix,
// "restoredoctor devices: "), and the list written to stdout (see Write).
func Print(ctx context.Context, src usb.Source, stdout, stderr io.Writer, prefix string, asJSON, includeIDs bool) error {
	devs, err := src.Snapshot(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "%slisting USB devices failed: %v\n", prefix, err)
		return ErrPrint
	}
	if !includeIDs {
		for i := range devs {
			devs[i] = diagnostics.RedactUSBDevice(devs[i])
		}
	}
	var result error
	for _, err := range AccessDenied(devs) {
		fmt.Fprintf(stderr, "%s%v\n", prefix, err)
		result = ErrPrint
	}
	if err := Write(stdout, devs, asJSON); err != nil {
		fmt.Fprintf(stderr, "%s%v\n", prefix, err)
		return ErrPrint
	}
	return result
}
