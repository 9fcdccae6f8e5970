package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics/devlist"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// usbLister is what runDevices needs from the USB layer; tests swap newLister.
type usbLister interface {
	Snapshot(ctx context.Context) ([]usb.Device, error)
	Close() error
}

var newLister = func() (usbLister, error) {
	return usb.NewScanner(usb.ScannerOptions{ControlTimeout: 2 * time.Second})
}

func runDevices(args []string, stdout, stderr io.Writer) (code int) {
	fs := cliflags.NewFlagSet("devices")
	asJSON := fs.Bool("json", false, "")
	timeout := fs.Duration("timeout", 10*time.Second, "")
	includeIDs := fs.Bool("include-identifiers", false, "")
	out := &safefile.StickyWriter{W: stdout}
	defer func() { code = devicesOutputErr(out, stderr, code) }()
	stdout = out
	if err := cliflags.Parse(fs, args); err != nil {
		if errors.Is(err, cliflags.ErrHelp) {
			fmt.Fprint(stdout, usageText("devices"))
			return exitOK
		}
		fmt.Fprintf(stderr, "restoredoctor devices: %s\n", usageError("devices", err))
		return exitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "restoredoctor devices: %s\n", i18n.T("cli.devices.timeout_positive", i18n.Args{"Value": timeout.String()}))
		return exitUsage
	}

	lister, err := newLister()
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor devices: %s\n", i18n.T("cli.devices.no_usb", i18n.Args{"Error": devlist.USBErrorText(err)}))
		return exitFail
	}
	defer lister.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := devlist.Print(ctx, lister, stdout, stderr, "restoredoctor devices: ", *asJSON, *includeIDs); err != nil {
		return exitFail
	}
	return exitOK
}

// devicesOutputErr turns a failed write to stdout into exit 1 with a message.
func devicesOutputErr(out *safefile.StickyWriter, stderr io.Writer, code int) int {
	if err := out.Err(); err != nil {
		fmt.Fprintf(stderr, "restoredoctor devices: %s\n", i18n.T("cli.stdout_failed", i18n.Args{"Error": err}))
		return exitFail
	}
	return code
}
