package devlist

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// USBErrorText says a USB error in the current language: a device that
// could not be opened for lack of permission with how to install the udev
// rule, or libusb that cannot be used; any other error as it is.
func USBErrorText(err error) string {
	var denied *usb.AccessDeniedError
	var unavailable *usb.UnavailableError
	switch {
	case errors.As(err, &denied):
		return i18n.T("cli.usb.access_denied", i18n.Args{"Location": denied.Location,
			"IDs": fmt.Sprintf("%04x:%04x", denied.VendorID, denied.ProductID), "Error": denied.Err,
			"Source": usb.UdevRuleSource, "Target": usb.UdevRuleTarget})
	case errors.As(err, &unavailable):
		return i18n.T("cli.usb.unavailable", i18n.Args{"Op": unavailable.Op, "Error": unavailable.Err})
	}
	return err.Error()
}

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
		fmt.Fprintf(stderr, "%s%s\n", prefix, i18n.T("cli.devices.list_failed", i18n.Args{"Error": USBErrorText(err)}))
		return ErrPrint
	}
	if !includeIDs {
		for i := range devs {
			devs[i] = diagnostics.RedactUSBDevice(devs[i])
		}
	}
	var result error
	for _, err := range AccessDenied(devs) {
		fmt.Fprintf(stderr, "%s%s\n", prefix, USBErrorText(err))
		result = ErrPrint
	}
	if err := Write(stdout, devs, asJSON); err != nil {
		fmt.Fprintf(stderr, "%s%s\n", prefix, i18n.T("cli.stdout_failed", i18n.Args{"Error": err}))
		return ErrPrint
	}
	return result
}
