package checks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usb/speed"
	"github.com/restoredoctor/restoredoctor/device/wintree"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// udevCommand installs the udev rule (a shell command, never translated).
const udevCommand = "sudo cp assets/linux/39-restoredoctor.rules /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger"

// UdevFix is the fix text for usb.access_denied on Linux, in the current
// language.
func UdevFix() string {
	return i18n.T("findings.fix.udev", i18n.Args{"Command": udevCommand})
}

// USBPresence is check usb.presence: is an Apple device on the bus, in which
// mode, and can it be opened. phones is the merged view, so a phone usbmuxd
// lists is not reported missing when libusb is unusable here.
func USBPresence(scan USBScan, phones []Phone) (Outcome, error) {
	fs := driverFindings(scan.Tree)
	if scan.Err != nil {
		if !scan.Unavailable {
			return Outcome{}, &textError{text: i18n.T("findings.error.usb_scan", i18n.Args{"Error": scan.Err.Error()}), err: scan.Err}
		}
		fs = append(fs, finding(report.FindingUSBUnavailable, report.SeverityWarning, "",
			i18n.T("findings.summary.usb_unavailable"),
			map[string]any{"error": scan.Err.Error()}))
		listed := 0
		for _, p := range phones {
			if p.Mux != nil {
				listed++
			}
		}
		if listed == 0 {
			return Outcome{Detail: i18n.T("findings.detail.usb_unreadable", i18n.Args{"Error": scan.Err.Error()}), Findings: fs}, nil
		}
		return Outcome{Detail: i18n.N("findings.detail.usb_unreadable_listed", listed), Findings: fs}, nil
	}

	onUSB := 0
	var modes []string
	for _, p := range phones {
		if p.USB == nil {
			continue
		}
		onUSB++
		d := p.USB
		where := i18n.T("findings.detail.usb_mode_at", i18n.Args{"Mode": modeName(p.Mode), "Location": d.Location()})
		if p.WindowOnly {
			where = i18n.T("findings.detail.usb_mode_at_window", i18n.Args{"Mode": modeName(p.Mode), "Location": d.Location()})
		}
		modes = append(modes, where)
		ev := map[string]any{
			"product_id": fmt.Sprintf("%04x", d.ProductID),
			"location":   d.Location(),
			"bus":        d.Bus,
			"address":    d.Address,
		}
		switch p.Mode {
		case mode.Recovery, mode.DFU, mode.WTF, mode.PortDFU:
			id, msg := report.FindingDeviceRecoveryMode, "findings.summary.recovery_mode"
			if p.Mode != mode.Recovery {
				id, msg = report.FindingDeviceDFUMode, "findings.summary.dfu_mode"
			}
			args := i18n.Args{}
			if r := d.Recovery; r != nil {
				ev["cpid"], ev["bdid"] = r.CPID, r.BDID
				if r.SRTG != "" {
					ev["iboot"] = r.SRTG
				}
				if info := model.ByChipHex(r.CPID, r.BDID); info.Known {
					ev["model"] = info.Name
					msg += "_model"
					args["Model"] = info.Name
				}
			}
			fs = append(fs, finding(id, report.SeverityWarning, p.Key, i18n.T(msg, args), ev))
		}
		if p.USBAccessDenied {
			fix := UdevFix()
			ev := map[string]any{"location": d.Location(), "fix": fix}
			fs = append(fs, finding(report.FindingUSBAccessDenied, report.SeverityWarning, p.Key,
				i18n.T("findings.summary.usb_access_denied", i18n.Args{"Fix": fix}), ev))
		}
	}
	if onUSB == 0 {
		listed := 0
		for _, p := range phones {
			if p.Mux != nil && p.Mux.ConnectionType != "Network" {
				listed++
			}
		}
		if listed > 0 {
			// libusb cannot see it (on Windows Apple's driver owns the
			// device) but usbmuxd lists it over USB: it is there, but the
			// USB view saw nothing, so this is no pass for the USB side.
			return Outcome{Status: report.StatusUnsupported,
				Detail: i18n.N("findings.detail.usb_libusb_blind", listed), Findings: fs}, nil
		}
		fs = append(fs, finding(report.FindingUSBNoDevice, report.SeverityCritical, "",
			i18n.T("findings.summary.usb_no_device"),
			map[string]any{"apple_devices": 0}))
		return Outcome{Detail: i18n.T("findings.detail.usb_no_device"), Findings: fs}, nil
	}
	return Outcome{Detail: i18n.N("findings.detail.usb_devices", onUSB, i18n.Args{"Where": strings.Join(modes, i18n.T("findings.list.separator"))}), Findings: fs}, nil
}

// USBLink is check usb.link: the negotiated speed and the hubs in between.
func USBLink(phones []Phone) (Outcome, error) {
	var fs []report.Finding
	var parts []string
	n := 0
	for _, p := range phones {
		d := p.USB
		if d == nil {
			continue
		}
		n++
		parts = append(parts, linkText(*d))
		if d.SpeedMbps > 0 && d.SpeedMbps < 480 {
			fs = append(fs, finding(report.FindingUSBFullSpeed, report.SeverityWarning, p.Key,
				i18n.T("findings.summary.usb_full_speed", i18n.Args{"Mbps": num(d.SpeedMbps), "Want": num(480)}),
				map[string]any{"speed_mbps": d.SpeedMbps, "expected_mbps": 480, "location": d.Location()}))
		}
		if d.BehindHub || d.HubDepth > 0 {
			depth := d.HubDepth
			if depth == 0 {
				depth = len(d.PortPath) - 1
			}
			fs = append(fs, finding(report.FindingUSBBehindHub, report.SeverityWarning, p.Key,
				i18n.T("findings.summary.usb_behind_hub"),
				map[string]any{"hub_depth": depth, "port_path": append([]int{}, d.PortPath...), "location": d.Location()}))
		}
	}
	if n == 0 {
		return Skipped(i18n.T("findings.skipped.no_phone_on_usb")), nil
	}
	return Outcome{Detail: strings.Join(parts, i18n.T("findings.incomplete.separator")), Findings: fs}, nil
}

// linkText is one phone's line of usb.link's detail: where, speed, hub.
func linkText(d usb.Device) string {
	hub := d.BehindHub || d.HubDepth > 0
	args := i18n.Args{"Location": d.Location()}
	if d.SpeedMbps <= 0 {
		if hub {
			return i18n.T("findings.detail.link_unknown_hub", args)
		}
		return i18n.T("findings.detail.link_unknown_direct", args)
	}
	args["Speed"], args["Mbps"] = speed.Name(d.SpeedMbps), num(d.SpeedMbps)
	if hub {
		return i18n.T("findings.detail.link_hub", args)
	}
	return i18n.T("findings.detail.link_direct", args)
}

// USBControl is check usb.control: control-transfer round trips to phones in
// recovery or DFU mode (lockdownd does not run there, so this is the only
// probe of the link). probes is keyed by Phone.Key.
func USBControl(phones []Phone, probes map[string]ControlStats) (Outcome, error) {
	var fs []report.Finding
	var parts []string
	probed := 0
	for _, p := range phones {
		if p.USB == nil || !p.Mode.IsLowLevel() {
			continue
		}
		st, ok := probes[p.Key]
		if !ok {
			continue
		}
		if st.Err != nil {
			parts = append(parts, i18n.T("findings.detail.control_probe_failed", i18n.Args{"Location": p.USB.Location(), "Error": st.Err.Error()}))
			continue
		}
		probed++
		parts = append(parts, i18n.T("findings.detail.control_answered", i18n.Args{"Location": p.USB.Location(),
			"Answered": i18n.Int(st.Requests - st.Timeouts - st.Failures), "Requests": i18n.Int(st.Requests), "Max": fixed(ms(st.Max), 1)}))
		if bad := st.Timeouts + st.Failures; bad > 0 {
			sev := report.SeverityWarning
			if bad == st.Requests {
				sev = report.SeverityCritical
			}
			fs = append(fs, finding(report.FindingUSBControlTimeouts, sev, p.Key,
				i18n.T("findings.summary.usb_control_timeouts", i18n.Args{"Bad": i18n.Int(bad), "Requests": i18n.Int(st.Requests), "Mode": modeWord(p.Mode)}),
				map[string]any{"requests": st.Requests, "timeouts": st.Timeouts, "failures": st.Failures, "max_ms": ms(st.Max), "location": p.USB.Location()}))
		}
	}
	if probed == 0 && len(fs) == 0 {
		if len(parts) > 0 {
			return Outcome{}, errors.New(strings.Join(parts, i18n.T("findings.incomplete.separator")))
		}
		return Skipped(i18n.T("findings.skipped.control_no_low_level")), nil
	}
	return Outcome{Detail: strings.Join(parts, i18n.T("findings.incomplete.separator")), Findings: fs}, nil
}

// DriverFix is the fix text for usb.driver_missing (Windows), in the
// current language.
func DriverFix() string { return i18n.T("findings.fix.driver") }

// driverFindings reports every Apple device in the Windows device tree that
// Windows could bind no driver to: Apple Mobile Device Service never sees
// such a phone. Evidence carries no identifiers (the instance ID holds the
// UDID or ECID).
func driverFindings(tree []wintree.Device) []report.Finding {
	var fs []report.Finding
	for _, d := range tree {
		if !d.NoDriver() {
			continue
		}
		ev := map[string]any{
			"mode":       string(d.Mode),
			"product_id": fmt.Sprintf("%04x", d.ProductID),
			"problem":    d.Problem,
			"fix":        DriverFix(),
		}
		if d.PortPath != nil {
			ev["port_path"] = append([]int{}, d.PortPath...)
		}
		fs = append(fs, finding(report.FindingUSBDriverMissing, report.SeverityCritical, "",
			i18n.T("findings.summary.usb_driver_missing", i18n.Args{"Mode": modeWord(d.Mode), "Fix": DriverFix()}), ev))
	}
	return fs
}

// textError is an error said in the user's language (a check's error is
// shown as its detail) that still wraps its cause for errors.Is and As.
type textError struct {
	text string
	err  error
}

func (e *textError) Error() string { return e.text }
func (e *textError) Unwrap() error { return e.err }
