package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

const devicesUsage = `Usage: restoredoctor devices [--json] [--timeout DURATION] [--include-identifiers]

List the Apple devices on the USB bus: mode, product id, link speed, port
path, whether a hub sits in between, and the serial (normal mode) or the ECID
and chip ids (recovery, DFU). Serials, ECIDs and IMEIs are shown as short
hashes unless --include-identifiers is given.

Options:
  --json              print a JSON array, one object per device ([] when none)
  --timeout DURATION  give up after this long (default 10s)
  --include-identifiers  show serials, ECIDs and IMEIs as they are
`

// usbLister is what runDevices needs from the USB layer; tests swap newLister.
type usbLister interface {
	Snapshot(ctx context.Context) ([]usb.Device, error)
	Close() error
}

var newLister = func() (usbLister, error) {
	return usb.NewScanner(usb.ScannerOptions{ControlTimeout: 2 * time.Second})
}

// DeviceJSON is one line of `restoredoctor devices --json`: the USB part of a
// report device (DESIGN.md's report contract), plus what only USB knows.
type DeviceJSON struct {
	Mode       string               `json:"mode"`
	USB        report.USB           `json:"usb"`
	Address    int                  `json:"address"`
	HubDepth   int                  `json:"hub_depth"`
	USBVersion string               `json:"usb_version"`
	Serial     string               `json:"serial,omitempty"`
	Recovery   *report.RecoveryInfo `json:"recovery,omitempty"`
	// Error is why the serial string could not be read (the device is still listed).
	Error string `json:"error,omitempty"`
}

func deviceJSON(d usb.Device) DeviceJSON {
	j := DeviceJSON{Mode: string(d.Mode), USB: diagnostics.ReportUSB(d), Address: d.Address, HubDepth: d.HubDepth,
		USBVersion: d.USBVersion, Serial: d.Serial, Recovery: diagnostics.ReportRecovery(d.Recovery)}
	if d.OpenErr != nil {
		j.Error = d.OpenErr.Error()
	}
	return j
}

func runDevices(args []string, stdout, stderr io.Writer) (code int) {
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	timeout := fs.Duration("timeout", 10*time.Second, "")
	includeIDs := fs.Bool("include-identifiers", false, "")
	out := &safefile.StickyWriter{W: stdout}
	defer func() { code = devicesOutputErr(out, stderr, code) }()
	stdout = out
	if err := parseArgs(fs, args); err != nil {
		if errors.Is(err, errHelp) {
			fmt.Fprint(stdout, devicesUsage)
			return exitOK
		}
		fmt.Fprintf(stderr, "restoredoctor devices: %v (run \"restoredoctor devices --help\")\n", err)
		return exitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "restoredoctor devices: --timeout must be positive, got %v\n", *timeout)
		return exitUsage
	}

	lister, err := newLister()
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor devices: cannot use USB on this computer: %v\n", err)
		return exitFail
	}
	defer lister.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	devs, err := lister.Snapshot(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor devices: listing USB devices failed: %v\n", err)
		return exitFail
	}

	if !*includeIDs {
		for i := range devs {
			devs[i] = diagnostics.RedactUSBDevice(devs[i])
		}
	}
	code = exitOK
	for _, d := range devs {
		var denied *usb.AccessDeniedError
		if errors.As(d.OpenErr, &denied) {
			fmt.Fprintf(stderr, "restoredoctor devices: %v\n", d.OpenErr)
			code = exitFail
		}
	}
	if *asJSON {
		out := make([]DeviceJSON, 0, len(devs))
		for _, d := range devs {
			out = append(out, deviceJSON(d))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "restoredoctor devices: %v\n", err)
			return exitFail
		}
		return code
	}
	if len(devs) == 0 {
		fmt.Fprintln(stdout, "No Apple device on the USB bus.")
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, d := range devs {
		fmt.Fprintln(tw, deviceLine(d))
	}
	tw.Flush()
	return code
}

// devicesOutputErr turns a failed write to stdout into exit 1 with a message.
func devicesOutputErr(out *safefile.StickyWriter, stderr io.Writer, code int) int {
	if err := out.Err(); err != nil {
		fmt.Fprintf(stderr, "restoredoctor devices: writing to stdout: %v\n", err)
		return exitFail
	}
	return code
}

// deviceLine is the human-readable line of one device (tab-separated columns).
func deviceLine(d usb.Device) string {
	hub := "direct"
	if d.BehindHub {
		hub = fmt.Sprintf("behind hub (depth %d)", d.HubDepth)
	}
	speed := "speed unknown"
	if d.SpeedMbps > 0 {
		speed = fmt.Sprintf("%g Mbit/s", d.SpeedMbps)
	}
	var id string
	switch {
	case d.Recovery != nil:
		var parts []string
		for _, kv := range [][2]string{{"ECID", d.Recovery.ECID}, {"CPID", d.Recovery.CPID}, {"BDID", d.Recovery.BDID}, {"SRTG", d.Recovery.SRTG}} {
			if kv[1] != "" {
				parts = append(parts, kv[0]+" "+kv[1])
			}
		}
		id = strings.Join(parts, " ")
	case d.Serial != "":
		id = "serial " + d.Serial
	case d.OpenErr != nil:
		id = "serial not read: " + shortErr(d.OpenErr)
	default:
		id = "-"
	}
	return fmt.Sprintf("%s\t%04x:%04x\t%s\tbus %d port %s\t%s\t%s", d.Mode, d.VendorID, d.ProductID, speed, d.Bus, portString(d.PortPath), hub, id)
}

func portString(p []int) string {
	if len(p) == 0 {
		return "-"
	}
	s := make([]string, len(p))
	for i, v := range p {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ".")
}

func shortErr(err error) string {
	switch {
	case errors.Is(err, usb.ErrAccessDenied):
		return "permission denied (see the message above)"
	case errors.Is(err, usb.ErrDisconnected):
		return "the device disconnected"
	}
	return err.Error()
}
