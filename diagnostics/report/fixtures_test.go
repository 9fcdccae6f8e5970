package report_test

import (
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

// Identities shared by the whole team (team brief): phone A (iPhone 13 Pro
// Max) and phone B (iPhone 8), plus made-up serial, IMEI and nonces.
const (
	udidA       = "00008110-001A2B3C4D5E6F70"
	serialA     = "00008110001A2B3C4D5E6F70"
	ecidA       = "001A2B3C4D5E6F70"
	udidB       = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	hwSerial    = "F2LXK0ABCD12"
	imei        = "356938035643809"
	apNonce     = "8d3f0c6a1b2e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c"
	sepNonce    = "0f1e2d3c4b5a69788796a5b4c3d2e1f001122334"
	deviceNameB = "Second iPhone"
)

var generatedAt = time.Date(2025, 5, 14, 9, 30, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func baseReport() report.Report {
	return report.Report{
		Schema:      report.Schema,
		GeneratedAt: generatedAt,
		ToolVersion: "0.1.0-test",
		Host:        report.Host{OS: "linux", Usbmuxd: report.UsbmuxdRef{Address: "unix:///var/run/usbmuxd", Status: report.UsbmuxdOK}},
	}
}

func finish(r report.Report, tried rules.Tried) report.Report {
	v := rules.Evaluate(catalog.MustDefault(), rules.InputFromReport(&r, tried))
	v.Apply(&r)
	r.Complete, r.IncompleteReasons = true, []string{}
	return r
}

// interruptedReport is the flapping report of a run interrupted 2.1 s into
// its window, as diagnostics.MarkCompleteness leaves it.
func interruptedReport() report.Report {
	r := flappingReport()
	r.Complete = false
	r.IncompleteReasons = []string{"the run was interrupted before every check finished"}
	r.Summary = "Incomplete check: the run was interrupted before every check finished. So far: " + r.Summary
	for i := range r.Devices {
		r.Devices[i].Stability.WindowS = 2.1
	}
	return r
}

// recoveryReport: phone A in recovery mode on a direct high-speed port,
// nothing wrong: step 5 is the primary step.
func recoveryReport() report.Report {
	r := baseReport()
	r.Devices = []report.Device{{
		Key:       serialA,
		Mode:      "recovery",
		Model:     report.Model{ProductType: "iPhone14,3", Name: "iPhone 13 Pro Max", RecoveryButtons: "face-id-or-8-later"},
		USB:       report.USB{Present: true, VendorID: "05ac", ProductID: "1281", SpeedMbps: 480, Bus: 1, PortPath: []int{2}},
		Stability: report.Stability{WindowS: 10},
		Recovery: &report.RecoveryInfo{CPID: "8110", CPRV: "11", CPFM: "03", SCEP: "01", BDID: "0E", ECID: ecidA,
			IBFL: "3C", SRTG: "[iBoot-10151.41.12]", SRNM: "[" + hwSerial + "]", IMEI: "[" + imei + "]", NONC: apNonce, SNON: sepNonce, SDOM: "01"},
	}}
	r.Checks = []report.Check{
		{ID: report.CheckUSBPresence, Status: report.StatusPass, DurationMs: 14.2, Detail: "1 Apple device: 05ac:1281 (recovery) at 1-2, serial SDOM:01 CPID:8110 CPRV:11 ECID:" + ecidA + " SRNM:[" + hwSerial + "] IMEI:[" + imei + "]"},
		{ID: report.CheckUSBLink, Status: report.StatusPass, DurationMs: 0.4, Detail: "480 Mbit/s, direct"},
		{ID: report.CheckUSBStability, Status: report.StatusPass, DurationMs: 10003.7, Detail: "watched usb and usbmux for 10 s: no detach"},
		{ID: report.CheckUSBControl, Status: report.StatusPass, DurationMs: 31.9, Detail: "20 control transfers, max 2.1 ms"},
		{ID: report.CheckUsbmuxHealth, Status: report.StatusPass, DurationMs: 2.2, Detail: "usbmuxd answered in 1.1 ms"},
		{ID: report.CheckLockdownQuery, Status: report.StatusSkipped, DurationMs: 0, Detail: "no phone listed by usbmuxd"},
		{ID: report.CheckHostAppleServers, Status: report.StatusPass, DurationMs: 212.5, Detail: "gs.apple.com:443 TLS verified in 180 ms"},
	}
	r.Findings = []report.Finding{{
		ID: report.FindingDeviceRecoveryMode, Severity: report.SeverityInfo, DeviceKey: serialA,
		Summary:  "The iPhone (ECID 0x" + ecidA + ") is in recovery mode: it waits for a computer to restore it",
		Evidence: map[string]any{"mode": "recovery", "product_id": "1281", "location": "1-2", "ecid": "0x" + ecidA},
	}}
	return finish(r, rules.Tried{})
}

// flappingReport: phone B behind a hub at full speed, dropping off USB,
// lockdown timing out, not trusted, security software on the host; the
// user already tried another cable.
func flappingReport() report.Report {
	r := baseReport()
	r.Devices = []report.Device{{
		Key:    udidB,
		Mode:   "normal",
		Model:  report.Model{ProductType: "iPhone10,4", Name: "iPhone 8", RecoveryButtons: "face-id-or-8-later"},
		USB:    report.USB{Present: true, VendorID: "05ac", ProductID: "12a8", SpeedMbps: 12, Bus: 1, PortPath: []int{1, 3}, BehindHub: true},
		Usbmux: report.Usbmux{Listed: true},
		Lockdown: report.Lockdown{Reachable: true, ProductVersion: "16.7.8", Trusted: ptr(false),
			RTTms: report.RTT{P50: 8.1, P95: 40.2, Max: 2000}, Requests: 20, Timeouts: 3, Failures: 1},
		Stability: report.Stability{WindowS: 10, Detaches: 3, Attaches: 3},
	}}
	r.Checks = []report.Check{
		{ID: report.CheckUSBPresence, Status: report.StatusPass, DurationMs: 12, Detail: "1 Apple device: 05ac:12a8 (normal) at 1-1.3"},
		{ID: report.CheckUSBLink, Status: report.StatusWarn, DurationMs: 0.3, Detail: "12 Mbit/s behind 1 hub"},
		{ID: report.CheckUSBStability, Status: report.StatusFail, DurationMs: 10001, Detail: "watched usb and usbmux for 10 s: " + udidB + ": 3 flaps"},
		{ID: report.CheckUsbmuxHealth, Status: report.StatusPass, DurationMs: 1.8, Detail: "usbmuxd answered in 0.9 ms"},
		{ID: report.CheckUsbmuxListing, Status: report.StatusPass, DurationMs: 1.1, Detail: "1 device listed: " + udidB},
		{ID: report.CheckLockdownRTT, Status: report.StatusFail, DurationMs: 6120.4, Detail: udidB + ": 20 requests, p50 8.1 ms, p95 40.2 ms, 3 timeouts, 1 failures"},
		{ID: report.CheckLockdownTrust, Status: report.StatusWarn, DurationMs: 3.3, Detail: udidB + ": not trusted"},
		{ID: report.CheckHostSecuritySoftware, Status: report.StatusWarn, DurationMs: 88, Detail: "Acme Shield 12 is active"},
		{ID: report.CheckHostAppleServers, Status: report.StatusSkipped, DurationMs: 0, Detail: "--no-network"},
	}
	r.Findings = []report.Finding{
		{ID: report.FindingUSBFullSpeed, Severity: report.SeverityWarning, DeviceKey: udidB,
			Summary:  "The iPhone negotiated USB full speed (12 Mbit/s) instead of high speed (480 Mbit/s)",
			Evidence: map[string]any{"speed_mbps": 12.0, "expected_mbps": 480, "location": "1-1.3"}},
		{ID: report.FindingUSBBehindHub, Severity: report.SeverityWarning, DeviceKey: udidB,
			Summary:  "The iPhone is connected through a hub, dock or adapter",
			Evidence: map[string]any{"hub_depth": 1, "port_path": []int{1, 3}, "location": "1-1.3"}},
		{ID: report.FindingUSBUnstable, Severity: report.SeverityCritical, DeviceKey: udidB,
			Summary: "The iPhone dropped off the USB connection and came back 3 times in 10 s",
			Evidence: map[string]any{"detaches": 3, "attaches": 3, "flaps": 3, "mode_changes": 0, "window_s": 10.0, "source": "usb",
				"udid": udidB, "serial": hwSerial, "device_name": deviceNameB,
				"times":     []string{"2025-05-14T09:29:51.120Z", "2025-05-14T09:29:54.880Z", "2025-05-14T09:29:58.002Z"},
				"by_source": map[string]any{"usbmux": map[string]any{"detaches": 2, "udid": udidB}}}},
		{ID: report.FindingLockdownTimeouts, Severity: report.SeverityCritical, DeviceKey: udidB,
			Summary: "4 of 20 lockdown requests to the iPhone timed out or lost the connection",
			Evidence: map[string]any{"requests": 20, "timeouts": 3, "failures": 1, "p95_ms": 40.2, "threshold_ms": 250.0,
				"error": "lockdown " + udidB + " (IMEI " + imei + "): read: i/o timeout"}},
		{ID: report.FindingLockdownUntrusted, Severity: report.SeverityWarning, DeviceKey: udidB,
			Summary:  "The iPhone \"" + deviceNameB + "\" does not trust this computer yet",
			Evidence: map[string]any{"pair_record": false}},
		{ID: report.FindingHostSecuritySoftware, Severity: report.SeverityWarning,
			Summary:  "Third-party security software is active: Acme Shield 12",
			Evidence: map[string]any{"products": []string{"Acme Shield 12"}}},
	}
	return finish(r, rules.Tried{Cable: true})
}

// noDeviceReport: nothing on USB although the user tried another cable and
// another computer: see a professional.
func noDeviceReport() report.Report {
	r := baseReport()
	r.Host.OS = "windows"
	r.Host.Usbmuxd = report.UsbmuxdRef{Address: "127.0.0.1:27015", Status: report.UsbmuxdOK}
	r.Checks = []report.Check{
		{ID: report.CheckUSBPresence, Status: report.StatusFail, DurationMs: 9.7, Detail: "no Apple device on the USB bus"},
		{ID: report.CheckUSBLink, Status: report.StatusSkipped, Detail: "no device"},
		{ID: report.CheckUSBStability, Status: report.StatusPass, DurationMs: 10000, Detail: "watched usb and usbmux for 10 s: no detach"},
		{ID: report.CheckUsbmuxHealth, Status: report.StatusPass, DurationMs: 3.1, Detail: "Apple Mobile Device Service answered in 2.0 ms"},
		{ID: report.CheckHostSoftwareVersions, Status: report.StatusUnsupported, DurationMs: 0.1, Detail: "not implemented on this platform"},
		{ID: report.CheckHostAppleServers, Status: report.StatusFail, DurationMs: 5000.2, Detail: "DNS lookup of gs.apple.com timed out"},
	}
	r.Findings = []report.Finding{{
		ID: report.FindingUSBNoDevice, Severity: report.SeverityCritical,
		Summary: "No Apple device on the USB bus", Evidence: map[string]any{"apple_devices": 0},
	}}
	return finish(r, rules.Tried{Cable: true, Computer: true})
}

// restoreLostReport: a recording of a restore in which phone A left USB
// right after entering restore mode and did not come back.
func restoreLostReport() report.Report {
	r := recoveryReport()
	yes, no := true, false
	r.RestoreTimeline = &report.RestoreTimeline{
		Source: "libusb+usbmuxd", StartedAt: "2025-05-14T09:10:00Z", PollMS: 500, DurationS: 500,
		DeviceKey: "ecid:" + ecidA, Complete: true, IncompleteReasons: []string{},
		Stages: []report.RestoreStage{
			{Stage: "normal", StartS: 0.2, EndS: 95, DurationS: 94.8, ProductID: "12a8", SpeedsMbps: []float64{480}, UsbmuxListed: &yes},
			{Stage: "gone", StartS: 95, EndS: 118, DurationS: 23, SpeedsMbps: []float64{}},
			{Stage: "recovery", StartS: 118, EndS: 300, DurationS: 182, ProductID: "1281", SpeedsMbps: []float64{480}, UsbmuxListed: &no},
			{Stage: "gone", StartS: 300, EndS: 304, DurationS: 4, SpeedsMbps: []float64{}},
			{Stage: "boot_stage", Inferred: "recovery mode again after a handover from recovery mode", StartS: 304, EndS: 340, DurationS: 36, ProductID: "1281", SpeedsMbps: []float64{480}, UsbmuxListed: &no},
			{Stage: "gone", StartS: 340, EndS: 362, DurationS: 22, SpeedsMbps: []float64{}},
			{Stage: "restore", Inferred: "a normal-mode product id after the boot stage", StartS: 362, EndS: 375, DurationS: 13, ProductID: "12a8", SpeedsMbps: []float64{480}, UsbmuxListed: &yes},
			{Stage: "gone", StartS: 375, EndS: 500, DurationS: 125, Open: true, SpeedsMbps: []float64{}},
		},
		Verdict: report.RestoreVerdict{ID: "lost", Stage: "restore", AtS: 375, Steps: []int{1},
			Summary:  "The iPhone left USB 4 min 40 s into the restore, right after entering restore mode, and did not come back within 2 min 5 s. Finder, iTunes and Apple Devices report this as error 1002. Try another USB port directly on the computer, without a hub, and another cable (step 1).",
			Evidence: []string{"off USB from 6 min 15 s to the end of the recording (2 min 5 s; a handover from restore mode takes at most 2 min)", "phone ECID " + ecidA},
		},
		PictureFile: "report-timeline.png",
	}
	return r
}

// fixtures are the representative reports, by golden-file name.
func fixtures() map[string]report.Report {
	return map[string]report.Report{
		"recovery-healthy": recoveryReport(),
		"flapping-hub":     flappingReport(),
		"no-device":        noDeviceReport(),
		"interrupted":      interruptedReport(),
		"restore-lost":     restoreLostReport(),
	}
}

// identifiers are every identifier string planted in the fixtures, in the
// forms they could leak in.
var identifiers = []string{
	udidA, serialA, ecidA, "1A2B3C4D5E6F70", udidB, "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
	hwSerial, imei, apNonce, sepNonce, deviceNameB,
}
