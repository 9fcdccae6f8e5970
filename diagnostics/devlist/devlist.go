// Package devlist is the `restoredoctor devices` listing: the Apple devices
// on the USB bus, one tab-aligned line each for people, or a JSON array (the
// USB part of a report device plus what only USB knows).
package devlist

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// modeWord is a USB mode in the current language, as the report says it
// (report.mode.*), or as it is when the report has no word for it.
func modeWord(mode string) string {
	if id := "report.mode." + strings.ReplaceAll(mode, "-", "_"); mode != "" && i18n.Has(id) {
		return i18n.T(id)
	}
	return mode
}

// DeviceJSON is one element of `restoredoctor devices --json`: the USB part of a
// report device (DESIGN.md's report contract), plus what only USB knows.
type DeviceJSON struct {
	Mode       string               `json:"mode"`
	USB        report.USB           `json:"usb"`
	Address    int                  `json:"address"`
	HubDepth   int                  `json:"hub_depth"`
	USBVersion string               `json:"usb_version"`
	Serial     string               `json:"serial,omitempty"`
	Recovery   *report.RecoveryInfo `json:"recovery,omitempty"`
	// Error is why the serial string could not be read (the device is still
	// listed): the error as it is, for scripts (the text listing and
	// stderr say it in the user's language).
	Error string `json:"error,omitempty"`
}

// JSON is d as a DeviceJSON.
func JSON(d usb.Device) DeviceJSON {
	j := DeviceJSON{Mode: string(d.Mode), USB: diagnostics.ReportUSB(d), Address: d.Address, HubDepth: d.HubDepth,
		USBVersion: d.USBVersion, Serial: d.Serial, Recovery: diagnostics.ReportRecovery(d.Recovery)}
	if d.OpenErr != nil {
		j.Error = d.OpenErr.Error()
	}
	return j
}

// Write lists devs on w: a JSON array ([] when none) with asJSON, else one
// aligned line per device or "No Apple device on the USB bus.".
func Write(w io.Writer, devs []usb.Device, asJSON bool) error {
	if asJSON {
		out := make([]DeviceJSON, 0, len(devs))
		for _, d := range devs {
			out = append(out, JSON(d))
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(devs) == 0 {
		_, err := fmt.Fprintln(w, i18n.T("findings.devlist.none"))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range devs {
		fmt.Fprintln(tw, Line(d))
	}
	return tw.Flush()
}

// AccessDenied are the errors of the devices whose serial could not be read
// for lack of permission (the udev rule is missing).
func AccessDenied(devs []usb.Device) []error {
	var out []error
	for _, d := range devs {
		var denied *usb.AccessDeniedError
		if errors.As(d.OpenErr, &denied) {
			out = append(out, d.OpenErr)
		}
	}
	return out
}

// Line is the human-readable line of one device (tab-separated columns).
func Line(d usb.Device) string {
	hub := i18n.T("findings.devlist.direct")
	if d.BehindHub {
		hub = i18n.T("findings.devlist.behind_hub", i18n.Args{"Depth": d.HubDepth})
	}
	speed := i18n.T("findings.devlist.speed_unknown")
	if d.SpeedMbps > 0 {
		speed = i18n.T("findings.devlist.speed", i18n.Args{"Mbps": i18n.Num(d.SpeedMbps, 3)})
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
		id = i18n.T("cli.devices.serial", i18n.Args{"Serial": d.Serial})
	case d.OpenErr != nil:
		id = i18n.T("findings.devlist.serial_not_read", i18n.Args{"Error": shortErr(d.OpenErr)})
	default:
		id = "-"
	}
	where := i18n.T("cli.devices.bus_port", i18n.Args{"Bus": d.Bus, "Port": portString(d.PortPath)})
	return fmt.Sprintf("%s\t%04x:%04x\t%s\t%s\t%s\t%s", modeWord(string(d.Mode)), d.VendorID, d.ProductID, speed, where, hub, id)
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
		return i18n.T("cli.devices.permission_denied")
	case errors.Is(err, usb.ErrDisconnected):
		return i18n.T("cli.devices.disconnected")
	}
	return err.Error()
}
