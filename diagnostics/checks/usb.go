package checks

import (
	"fmt"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usb/speed"
	"github.com/restoredoctor/restoredoctor/device/wintree"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// UdevFix is the fix text for usb.access_denied on Linux.
const UdevFix = "install the udev rule: sudo cp assets/linux/39-restoredoctor.rules /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger, then unplug and replug the iPhone (or run as a user in the plugdev group)"

// USBPresence is check usb.presence: is an Apple device on the bus, in which
// mode, and can it be opened. phones is the merged view, so a phone usbmuxd
// lists is not reported missing when libusb is unusable here.
func USBPresence(scan USBScan, phones []Phone) (Outcome, error) {
	fs := driverFindings(scan.Tree)
	if scan.Err != nil {
		if !scan.Unavailable {
			return Outcome{}, fmt.Errorf("scan the USB bus: %w", scan.Err)
		}
		fs = append(fs, finding(report.FindingUSBUnavailable, report.SeverityWarning, "",
			"USB access (libusb) is not usable on this computer, so the cable and port cannot be checked directly",
			map[string]any{"error": scan.Err.Error()}))
		listed := 0
		for _, p := range phones {
			if p.Mux != nil {
				listed++
			}
		}
		if listed == 0 {
			return Outcome{Detail: "USB not readable: " + scan.Err.Error(), Findings: fs}, nil
		}
		return Outcome{Detail: fmt.Sprintf("USB not readable; usbmuxd lists %s", plural(listed, "device")), Findings: fs}, nil
	}

	onUSB := 0
	var modes []string
	for _, p := range phones {
		if p.USB == nil {
			continue
		}
		onUSB++
		d := p.USB
		where := fmt.Sprintf("%s at %s", modeName(p.Mode), d.Location())
		if p.WindowOnly {
			where += " (not there at the first scan, seen during the sampling window)"
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
			id, summary := report.FindingDeviceRecoveryMode, "The iPhone is in recovery mode"
			if p.Mode != mode.Recovery {
				id, summary = report.FindingDeviceDFUMode, "The iPhone is in DFU mode"
			}
			if r := d.Recovery; r != nil {
				ev["cpid"], ev["bdid"] = r.CPID, r.BDID
				if r.SRTG != "" {
					ev["iboot"] = r.SRTG
				}
				if info := model.ByChipHex(r.CPID, r.BDID); info.Known {
					ev["model"] = info.Name
					summary += " (" + info.Name + ")"
				}
			}
			fs = append(fs, finding(id, report.SeverityWarning, p.Key, summary+": it waits for a computer to restore it", ev))
		}
		if p.USBAccessDenied {
			ev := map[string]any{"location": d.Location(), "fix": UdevFix}
			fs = append(fs, finding(report.FindingUSBAccessDenied, report.SeverityWarning, p.Key,
				"This computer may not open the iPhone's USB device (permissions): "+UdevFix, ev))
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
				Detail: fmt.Sprintf("libusb sees no Apple device (cable, port and hubs cannot be checked here), but usbmuxd lists %s over USB", plural(listed, "device")), Findings: fs}, nil
		}
		fs = append(fs, finding(report.FindingUSBNoDevice, report.SeverityCritical, "",
			"No iPhone was found on the USB bus: check that it is plugged in and the cable carries data",
			map[string]any{"apple_devices": 0}))
		return Outcome{Detail: "no Apple device on the USB bus", Findings: fs}, nil
	}
	return Outcome{Detail: fmt.Sprintf("%s on USB: %s", plural(onUSB, "Apple device"), strings.Join(modes, ", ")), Findings: fs}, nil
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
		parts = append(parts, fmt.Sprintf("%s: %s, %s", d.Location(), speedName(d.SpeedMbps), hubText(*d)))
		if d.SpeedMbps > 0 && d.SpeedMbps < 480 {
			fs = append(fs, finding(report.FindingUSBFullSpeed, report.SeverityWarning, p.Key,
				fmt.Sprintf("The iPhone connected at USB full speed (%g Mbit/s) instead of high speed (480 Mbit/s): a worn cable or a slow port", d.SpeedMbps),
				map[string]any{"speed_mbps": d.SpeedMbps, "expected_mbps": 480, "location": d.Location()}))
		}
		if d.BehindHub || d.HubDepth > 0 {
			depth := d.HubDepth
			if depth == 0 {
				depth = len(d.PortPath) - 1
			}
			fs = append(fs, finding(report.FindingUSBBehindHub, report.SeverityWarning, p.Key,
				"The iPhone is connected through a hub, dock or adapter: plug it straight into the computer",
				map[string]any{"hub_depth": depth, "port_path": append([]int{}, d.PortPath...), "location": d.Location()}))
		}
	}
	if n == 0 {
		return Skipped("no phone on the USB bus"), nil
	}
	return Outcome{Detail: strings.Join(parts, "; "), Findings: fs}, nil
}

func speedName(mbps float64) string {
	if mbps <= 0 {
		return "speed unknown"
	}
	return fmt.Sprintf("%s (%g Mbit/s)", speed.Name(mbps), mbps)
}

func hubText(d usb.Device) string {
	if d.BehindHub || d.HubDepth > 0 {
		return "behind a hub"
	}
	return "direct"
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
			parts = append(parts, fmt.Sprintf("%s: probe failed: %v", p.USB.Location(), st.Err))
			continue
		}
		probed++
		parts = append(parts, fmt.Sprintf("%s: %d/%d control transfers answered, max %.1f ms",
			p.USB.Location(), st.Requests-st.Timeouts-st.Failures, st.Requests, ms(st.Max)))
		if bad := st.Timeouts + st.Failures; bad > 0 {
			sev := report.SeverityWarning
			if bad == st.Requests {
				sev = report.SeverityCritical
			}
			fs = append(fs, finding(report.FindingUSBControlTimeouts, sev, p.Key,
				fmt.Sprintf("%d of %d USB control transfers to the iPhone in %s mode timed out or failed", bad, st.Requests, p.Mode),
				map[string]any{"requests": st.Requests, "timeouts": st.Timeouts, "failures": st.Failures, "max_ms": ms(st.Max), "location": p.USB.Location()}))
		}
	}
	if probed == 0 && len(fs) == 0 {
		if len(parts) > 0 {
			return Outcome{}, fmt.Errorf("control transfers: %s", strings.Join(parts, "; "))
		}
		return Skipped("no phone in recovery or DFU mode: control transfers are only probed there (lockdownd covers normal mode)"), nil
	}
	return Outcome{Detail: strings.Join(parts, "; "), Findings: fs}, nil
}

// DriverFix is the fix text for usb.driver_missing (Windows).
const DriverFix = "reinstall iTunes or the Apple Devices app (it brings Apple Mobile Device Support and its USB driver), then unplug and replug the iPhone; do not install a generic USB driver (WinUSB, Zadig): iTunes then no longer sees the phone"

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
			"fix":        DriverFix,
		}
		if d.PortPath != nil {
			ev["port_path"] = append([]int{}, d.PortPath...)
		}
		fs = append(fs, finding(report.FindingUSBDriverMissing, report.SeverityCritical, "",
			fmt.Sprintf("Windows has no driver for the iPhone's USB connection (%s mode): %s", modeName(d.Mode), DriverFix), ev))
	}
	return fs
}
