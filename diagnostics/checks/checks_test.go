package checks

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/wintree"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

var (
	phoneAUSB = usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 5, PortPath: []int{2}, SpeedMbps: 480, Serial: "00008110001A2B3C4D5E6F70"}
	phoneAMux = MuxEntry{DeviceID: 1, UDID: "00008110-001A2B3C4D5E6F70", LocationID: 0x00010005, ProductID: 0x12A8, ConnectionType: "USB"}
	keyA      = "00008110001A2B3C4D5E6F70"
)

func ids(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	slices.Sort(out)
	return out
}

func withUSB(d usb.Device, edit func(*usb.Device)) *usb.Device {
	edit(&d)
	return &d
}

var (
	treeNoDriver    = wintree.Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: mode.Recovery, PortPath: []int{3}, Problem: wintree.ProblemNoDriver}
	treeAppleDriver = wintree.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, PortPath: []int{2}, Services: []string{"usbccgp", "usbaapl64"}}
)

func TestDriverMissingFinding(t *testing.T) {
	o, err := USBPresence(USBScan{Tree: []wintree.Device{treeNoDriver}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := o.Findings[0]
	if f.ID != report.FindingUSBDriverMissing || f.Severity != report.SeverityCritical || !slices.Equal(f.Steps, []int{2}) {
		t.Fatalf("finding %+v, want usb.driver_missing, critical, step 2", f)
	}
	if f.Evidence["mode"] != "recovery" || f.Evidence["product_id"] != "1281" || f.Evidence["problem"] != uint32(28) ||
		!strings.Contains(f.Summary, "reinstall iTunes or the Apple Devices app") || !strings.Contains(f.Summary, "do not install a generic USB driver") {
		t.Errorf("finding %+v", f)
	}
}

// TestUSBPresenceBlindIsNotAPass: usbmuxd lists a phone over USB that
// libusb does not see (Windows: Apple's driver owns it). The phone is there,
// but nothing about the USB side was seen: unsupported, never pass.
func TestUSBPresenceBlindIsNotAPass(t *testing.T) {
	o, err := USBPresence(USBScan{}, []Phone{{Key: keyA, Mux: &phoneAMux}})
	if err != nil || o.Status != report.StatusUnsupported || len(o.Findings) != 0 {
		t.Errorf("USBPresence = %+v, %v; want unsupported without findings", o, err)
	}
}

func TestUSBPresence(t *testing.T) {
	recovery := withUSB(phoneAUSB, func(d *usb.Device) {
		d.ProductID, d.Mode = 0x1281, mode.Recovery
		d.Recovery = &usb.RecoveryInfo{CPID: "8110", BDID: "0E", ECID: "001A2B3C4D5E6F70"}
	})
	dfu := withUSB(phoneAUSB, func(d *usb.Device) { d.ProductID, d.Mode = 0x1227, mode.DFU })
	tests := []struct {
		name    string
		scan    USBScan
		phones  []Phone
		want    []string
		wantErr bool
		detail  string
	}{
		{"no device", USBScan{}, nil, []string{report.FindingUSBNoDevice}, false, "no Apple device"},
		{"normal phone", USBScan{Devices: []usb.Device{phoneAUSB}}, []Phone{{Key: keyA, Mode: mode.Normal, USB: &phoneAUSB}}, nil, false, "normal at 1-2"},
		{"recovery", USBScan{}, []Phone{{Key: "ecid:1", Mode: mode.Recovery, USB: recovery}}, []string{report.FindingDeviceRecoveryMode}, false, "recovery"},
		{"dfu", USBScan{}, []Phone{{Key: "usb:1-2", Mode: mode.DFU, USB: dfu}}, []string{report.FindingDeviceDFUMode}, false, "dfu"},
		{"access denied", USBScan{}, []Phone{{Key: "usb:1-2", Mode: mode.Normal, USB: &phoneAUSB, USBAccessDenied: true}}, []string{report.FindingUSBAccessDenied}, false, ""},
		{"libusb unavailable, nothing listed", USBScan{Err: errors.New("no usbfs"), Unavailable: true}, nil, []string{report.FindingUSBUnavailable}, false, "not readable"},
		{"libusb unavailable, usbmuxd lists one", USBScan{Err: errors.New("no usbfs"), Unavailable: true}, []Phone{{Key: keyA, Mux: &phoneAMux}}, []string{report.FindingUSBUnavailable}, false, "usbmuxd lists 1 device"},
		{"scan error", USBScan{Err: errors.New("io")}, nil, nil, true, ""},
		{"usbmuxd lists it, libusb does not see it", USBScan{}, []Phone{{Key: keyA, Mux: &phoneAMux}}, nil, false, "usbmuxd lists 1 device over USB"},
		// Windows: the device tree knows a phone no driver could be bound to.
		{"windows: no driver for the phone", USBScan{Tree: []wintree.Device{treeNoDriver}}, nil,
			[]string{report.FindingUSBDriverMissing, report.FindingUSBNoDevice}, false, "no Apple device"},
		{"windows: Apple's driver bound", USBScan{Devices: []usb.Device{phoneAUSB}, Tree: []wintree.Device{treeAppleDriver}},
			[]Phone{{Key: keyA, Mode: mode.Normal, USB: &phoneAUSB}}, nil, false, "normal at 1-2"},
		{"windows: libusb unavailable, no driver", USBScan{Err: errors.New("no libusb"), Unavailable: true, Tree: []wintree.Device{treeNoDriver}}, nil,
			[]string{report.FindingUSBDriverMissing, report.FindingUSBUnavailable}, false, "not readable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := USBPresence(tc.scan, tc.phones)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if got := ids(o.Findings); !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
			if !strings.Contains(o.Detail, tc.detail) {
				t.Errorf("detail %q lacks %q", o.Detail, tc.detail)
			}
		})
	}
	o, _ := USBPresence(USBScan{}, []Phone{{Key: "ecid:1", Mode: mode.Recovery, USB: recovery}})
	if ev := o.Findings[0].Evidence; ev["model"] != "iPhone 13 Pro Max" || ev["cpid"] != "8110" {
		t.Errorf("recovery evidence %v", ev)
	}
	if !slices.Equal(o.Findings[0].Steps, []int{5}) {
		t.Errorf("steps %v", o.Findings[0].Steps)
	}
}

func TestUSBLink(t *testing.T) {
	full := withUSB(phoneAUSB, func(d *usb.Device) { d.SpeedMbps = 12 })
	hub := withUSB(phoneAUSB, func(d *usb.Device) { d.PortPath, d.HubDepth, d.BehindHub = []int{1, 3}, 1, true })
	tests := []struct {
		name   string
		phones []Phone
		want   []string
		status string
	}{
		{"direct high speed", []Phone{{Key: keyA, USB: &phoneAUSB}}, nil, ""},
		{"full speed", []Phone{{Key: keyA, USB: full}}, []string{report.FindingUSBFullSpeed}, ""},
		{"behind hub", []Phone{{Key: keyA, USB: hub}}, []string{report.FindingUSBBehindHub}, ""},
		{"no usb", []Phone{{Key: keyA, Mux: &phoneAMux}}, nil, report.StatusSkipped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := USBLink(tc.phones)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(o.Findings); !slices.Equal(got, tc.want) || o.Status != tc.status {
				t.Errorf("findings %v status %q, want %v %q", got, o.Status, tc.want, tc.status)
			}
		})
	}
}

func TestUSBStability(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	usbCount := LinkCount{Source: "usb", Key: "1-2", Detaches: 1, Attaches: 1, Flaps: 1, FlapTimes: []time.Time{t0}}
	muxCount := LinkCount{Source: "usbmux", Key: keyA, Detaches: 3, Attaches: 3, Flaps: 3, FlapTimes: []time.Time{t0, t0, t0}}
	phones := []PhoneStability{{Key: keyA, Detaches: 3, Attaches: 3, Flaps: 3, Worst: muxCount, All: []LinkCount{usbCount, muxCount}}}
	o, err := USBStability(10*time.Second, phones, []string{"usb", "usbmux"}, nil)
	if err != nil || len(o.Findings) != 1 {
		t.Fatalf("o=%+v err=%v", o, err)
	}
	f := o.Findings[0]
	if f.ID != report.FindingUSBUnstable || f.Severity != report.SeverityCritical || f.Evidence["detaches"] != 3 || f.Evidence["window_s"] != 10.0 || len(f.Evidence["times"].([]string)) != 3 {
		t.Errorf("finding %+v", f)
	}
	if !strings.Contains(f.Summary, "3 times in 10 s") {
		t.Errorf("summary %q", f.Summary)
	}
	one := []PhoneStability{{Key: keyA, Detaches: 1, Attaches: 1, Flaps: 1, Worst: usbCount, All: []LinkCount{usbCount}}}
	o, _ = USBStability(10*time.Second, one, []string{"usb"}, nil)
	if o.Findings[0].Severity != report.SeverityWarning {
		t.Errorf("one flap severity %s", o.Findings[0].Severity)
	}
	mc := LinkCount{Source: "usb", Key: keyA, Attaches: 1, ModeChanges: 1}
	modeOnly := []PhoneStability{{Key: keyA, Attaches: 1, Worst: mc, All: []LinkCount{mc}}}
	o, _ = USBStability(10*time.Second, modeOnly, []string{"usb"}, nil)
	if len(o.Findings) != 0 || !strings.Contains(o.Detail, "1 mode change (") {
		t.Errorf("mode change: %+v", o)
	}
	o, _ = USBStability(0, nil, nil, nil)
	if o.Status != report.StatusSkipped {
		t.Errorf("window 0: %+v", o)
	}
	if _, err := USBStability(time.Second, nil, nil, []string{"usb: gone"}); err == nil {
		t.Error("no sources: want error")
	}
}

func TestUsbmuxHealthAndListing(t *testing.T) {
	tests := []struct {
		status string
		want   []string
	}{
		{report.UsbmuxdOK, nil},
		{report.UsbmuxdUnreachable, []string{report.FindingUsbmuxUnreachable}},
		{report.UsbmuxdNotResponding, []string{report.FindingUsbmuxNotResponding}},
		{report.UsbmuxdError, []string{report.FindingUsbmuxNotResponding}},
	}
	for _, tc := range tests {
		o, err := UsbmuxHealth(MuxHealth{Address: "unix:/x", Status: tc.status, Err: errors.New("e")})
		if err != nil || !slices.Equal(ids(o.Findings), tc.want) {
			t.Errorf("%s: %v %v", tc.status, ids(o.Findings), err)
		}
	}
	if _, err := UsbmuxHealth(MuxHealth{Status: "weird"}); err == nil {
		t.Error("unknown status: want error")
	}

	o, _ := UsbmuxListing([]Phone{{Key: keyA, Mode: mode.Normal, USB: &phoneAUSB}}, true, true, nil)
	if !slices.Equal(ids(o.Findings), []string{report.FindingUsbmuxDeviceMissing}) {
		t.Errorf("missing: %v", ids(o.Findings))
	}
	o, _ = UsbmuxListing([]Phone{{Key: keyA, Mode: mode.Normal, USB: &phoneAUSB, Mux: &phoneAMux}}, true, true, nil)
	if len(o.Findings) != 0 || !strings.Contains(o.Detail, "1 device") {
		t.Errorf("listed: %+v", o)
	}
	rec := withUSB(phoneAUSB, func(d *usb.Device) { d.Mode = mode.Recovery })
	o, _ = UsbmuxListing([]Phone{{Key: "x", Mode: mode.Recovery, USB: rec}}, true, true, nil)
	if len(o.Findings) != 0 {
		t.Errorf("recovery phone must not be missing: %v", ids(o.Findings))
	}
	o, _ = UsbmuxListing(nil, false, true, nil)
	if o.Status != report.StatusSkipped {
		t.Errorf("usbmuxd down: %+v", o)
	}
}

// On Linux usbmuxd is started by udev when a phone is plugged in: "not
// running" with no phone on the bus is the normal state, reported as context
// (info, no steps), while the same with a phone on the bus is a fault.
func TestUsbmuxHealthStartsOnDemand(t *testing.T) {
	tests := []struct {
		name         string
		h            MuxHealth
		wantSeverity string
		wantSteps    bool
		wantStatus   string
	}{
		{"no phone, on-demand", MuxHealth{StartsOnDemand: true, USBReadable: true}, report.SeverityInfo, false, report.StatusPass},
		{"phone on USB, on-demand", MuxHealth{StartsOnDemand: true, USBReadable: true, PhonesOnUSB: 1}, report.SeverityCritical, true, ""},
		{"USB unreadable, on-demand", MuxHealth{StartsOnDemand: true}, report.SeverityCritical, true, ""},
		{"not on-demand (explicit address)", MuxHealth{USBReadable: true}, report.SeverityCritical, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.h.Address, tc.h.Status, tc.h.Err = "unix:/x", report.UsbmuxdUnreachable, errors.New("no such file")
			o, err := UsbmuxHealth(tc.h)
			if err != nil || len(o.Findings) != 1 {
				t.Fatalf("UsbmuxHealth = %+v, %v", o, err)
			}
			f := o.Findings[0]
			if f.ID != report.FindingUsbmuxUnreachable || f.Severity != tc.wantSeverity || (len(f.Steps) > 0) != tc.wantSteps || o.Status != tc.wantStatus {
				t.Errorf("got %s/%s steps %v status %q; want %s steps=%v status %q", f.ID, f.Severity, f.Steps, o.Status, tc.wantSeverity, tc.wantSteps, tc.wantStatus)
			}
		})
	}
}

func TestLockdownChecks(t *testing.T) {
	phones := []Phone{{Key: keyA, Mode: mode.Normal, USB: &phoneAUSB, Mux: &phoneAMux}}
	o, _ := LockdownQuery(phones, map[string]Lockdown{keyA: {QueryType: QueryTypeRestore, ProductType: "iPhone14,3", ProductVersion: "17.5.1"}})
	if !strings.Contains(o.Detail, "restore mode") || !slices.Equal(ids(o.Findings), []string{report.FindingDeviceRestoreMode}) {
		t.Errorf("query: %+v", o)
	}
	o, _ = LockdownQuery(phones, map[string]Lockdown{keyA: {Err: errors.New("EOF"), Timeout: true}})
	if !slices.Equal(ids(o.Findings), []string{report.FindingLockdownTimeouts}) {
		t.Errorf("query drop: %+v", o)
	}
	// Listed by usbmuxd but lockdownd refuses: a finding with steps, not a
	// silent error that would end as "no fault found".
	o, err := LockdownQuery(phones, map[string]Lockdown{keyA: {Err: errors.New("connection refused")}})
	if err != nil || !slices.Equal(ids(o.Findings), []string{report.FindingLockdownUnreachable}) {
		t.Errorf("query refused: %+v, %v", o, err)
	}

	fast := make([]time.Duration, 20)
	slow := make([]time.Duration, 20)
	for i := range fast {
		fast[i] = 3 * time.Millisecond
		slow[i] = 400 * time.Millisecond
	}
	tests := []struct {
		name string
		st   RTTStats
		want []string
	}{
		{"fast", RTTStats{Requests: 20, Samples: fast}, nil},
		{"slow", RTTStats{Requests: 20, Samples: slow}, []string{report.FindingLockdownSlow}},
		{"drops", RTTStats{Requests: 20, Samples: fast[:15], Timeouts: 2, Failures: 3}, []string{report.FindingLockdownTimeouts}},
	}
	for _, tc := range tests {
		o, err := LockdownRTT(phones, map[string]RTTStats{keyA: tc.st})
		if err != nil || !slices.Equal(ids(o.Findings), tc.want) {
			t.Errorf("%s: %v %v", tc.name, ids(o.Findings), err)
		}
	}

	o, _ = LockdownTrust(phones, map[string]mode.Mode{keyA: mode.Normal}, map[string]Trust{keyA: {Known: true, Trusted: false, Reason: "InvalidHostID"}})
	if !slices.Equal(ids(o.Findings), []string{report.FindingLockdownUntrusted}) || !strings.Contains(o.Findings[0].Summary, "tap Trust") {
		t.Errorf("untrusted: %+v", o)
	}
	o, _ = LockdownTrust(phones, map[string]mode.Mode{keyA: mode.Restore}, map[string]Trust{keyA: {Known: true}})
	if len(o.Findings) != 0 {
		t.Errorf("restore mode needs no trust: %+v", o)
	}
}

// TestUsbmuxHealthBusy: a usbmuxd whose accept queue stayed full took no
// connection; its detail says it is busy, not that it accepted one.
func TestUsbmuxHealthBusy(t *testing.T) {
	o, err := UsbmuxHealth(MuxHealth{Address: "unix:/x", Status: report.UsbmuxdNotResponding, Busy: true,
		Err: errors.New("no answer before the deadline: usbmuxd is busy")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(o.Detail, "accepted the connection") || !strings.Contains(o.Detail, "busy") {
		t.Errorf("detail %q", o.Detail)
	}
	if len(o.Findings) != 1 || !strings.Contains(o.Findings[0].Summary, "busy") {
		t.Errorf("findings %+v", o.Findings)
	}
}
