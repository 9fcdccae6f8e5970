package diagnostics

import (
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	usbA = usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 5, PortPath: []int{2}, SpeedMbps: 480, Serial: "00008110001A2B3C4D5E6F70"}
	muxA = usbmux.Entry{UDID: "00008110-001A2B3C4D5E6F70", DeviceID: 3, ProductID: 0x12A8, LocationID: 0x00010005, ConnectionType: "USB"}
	usbB = usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 9, PortPath: []int{1, 3}, HubDepth: 1, BehindHub: true, Serial: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"}
	muxB = usbmux.Entry{UDID: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", DeviceID: 4, ProductID: 0x12A8, LocationID: 0x00010009, ConnectionType: "USB"}
)

func TestMergePhones(t *testing.T) {
	noSerial := usbA
	noSerial.Serial = ""
	rec := usbA
	rec.ProductID, rec.Mode, rec.Serial = 0x1281, mode.Recovery, "SDOM:01 CPID:8110"
	rec.Recovery = &usb.RecoveryInfo{CPID: "8110", BDID: "0E", ECID: "001A2B3C4D5E6F70"}
	denied := usbA
	denied.Serial = ""
	denied.OpenErr = &usb.AccessDeniedError{Location: "1-2", Err: errors.New("LIBUSB_ERROR_ACCESS")}
	network := muxA
	network.ConnectionType = "Network"
	tests := []struct {
		name    string
		devs    []usb.Device
		entries []usbmux.Entry
		goos    string
		// want: key → (on USB, listed)
		want map[string][2]bool
		mode map[string]mode.Mode
	}{
		{"serial match, dash and case differ", []usb.Device{usbA}, []usbmux.Entry{muxA}, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, true}}, nil},
		{"two phones", []usb.Device{usbB, usbA}, []usbmux.Entry{muxA, muxB}, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, true}, "udid:A1B2C3D4E5F60718293A4B5C6D7E8F9012345678": {true, true}}, nil},
		{"location fallback on linux", []usb.Device{noSerial}, []usbmux.Entry{muxA}, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, true}}, nil},
		{"darwin: no LocationID, the one phone and the one entry are joined", []usb.Device{noSerial}, []usbmux.Entry{muxA}, "darwin",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, true}}, nil},
		{"usb only", []usb.Device{usbA}, nil, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, false}}, nil},
		{"usbmuxd only", nil, []usbmux.Entry{muxA}, "windows",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {false, true}}, map[string]mode.Mode{"ecid:001A2B3C4D5E6F70": mode.Normal}},
		{"recovery keyed by ECID, never matched to usbmuxd", []usb.Device{rec}, nil, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, false}}, map[string]mode.Mode{"ecid:001A2B3C4D5E6F70": mode.Recovery}},
		{"network entry is not the USB phone", []usb.Device{usbA}, []usbmux.Entry{network}, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, false}, "ecid:001A2B3C4D5E6F70#2": {false, true}}, nil},
		{"access denied still merges by location", []usb.Device{denied}, []usbmux.Entry{muxA}, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, true}}, nil},
		{"recovery on USB, stale usbmuxd entry kept apart", []usb.Device{rec}, []usbmux.Entry{muxA}, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, false}, "ecid:001A2B3C4D5E6F70#2": {false, true}},
			map[string]mode.Mode{"ecid:001A2B3C4D5E6F70": mode.Recovery, "ecid:001A2B3C4D5E6F70#2": mode.Normal}},
		{"listed over USB and Wi-Fi: one phone", []usb.Device{usbA}, []usbmux.Entry{network, muxA}, "linux",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, true}}, nil},
		{"access denied on windows: the one phone and the one entry are joined", []usb.Device{denied}, []usbmux.Entry{muxA}, "windows",
			map[string][2]bool{"ecid:001A2B3C4D5E6F70": {true, true}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mergePhones(tc.devs, tc.entries, tc.goos)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d phones %+v, want %d", len(got), got, len(tc.want))
			}
			for _, p := range got {
				w, ok := tc.want[p.Key]
				if !ok {
					t.Errorf("unexpected phone %q", p.Key)
					continue
				}
				if (p.USB != nil) != w[0] || (p.Mux != nil) != w[1] || (p.entry != nil) != w[1] {
					t.Errorf("%s: usb %v listed %v, want %v", p.Key, p.USB != nil, p.Mux != nil, w)
				}
				if m, ok := tc.mode[p.Key]; ok && p.Mode != m {
					t.Errorf("%s: mode %s, want %s", p.Key, p.Mode, m)
				}
			}
		})
	}
	ps := mergePhones([]usb.Device{denied}, nil, "linux")
	if !ps[0].USBAccessDenied {
		t.Error("access denied not carried into the phone")
	}
}

// TestStabilityFromMonitor: the stability check reads the monitor's counts
// per source: a departure that ended in recovery mode is no drop, a same-mode
// return on usbmuxd is a flap with its time.
func TestStabilityFromMonitor(t *testing.T) {
	t0 := time.Now()
	const key = "ecid:001A2B3C4D5E6F70"
	st := device.Stability{
		Key: key, USBDetaches: 1, UsbmuxDetaches: 2, UsbmuxAttaches: 1, UsbmuxDrops: 1, UsbmuxFlaps: 1, ModeChanges: 1,
		History: []device.Change{
			{Time: t0.Add(time.Second), Kind: device.ChangeDeparture, Source: device.SourceUSB, From: mode.Normal},
			{Time: t0.Add(time.Second), Kind: device.ChangeDeparture, Source: device.SourceUsbmux, From: mode.Normal},
			{Time: t0.Add(5 * time.Second), Kind: device.ChangeMode, Source: device.SourceUSB, From: mode.Normal, To: mode.Recovery},
			{Time: t0.Add(20 * time.Second), Kind: device.ChangeDrop, Source: device.SourceUsbmux, From: mode.Recovery},
			{Time: t0.Add(21 * time.Second), Kind: device.ChangeReturn, Source: device.SourceUsbmux, From: mode.Recovery},
		},
	}
	s := sampleResult{stability: map[string]device.Stability{key: st}}
	ps := s.byPhone([]phone{{Phone: checks.Phone{Key: key}}, {Phone: checks.Phone{Key: "usb:1-9"}}})
	if len(ps) != 1 || ps[0].Key != key || ps[0].Flaps != 1 || ps[0].Detaches != 1 || ps[0].Worst.Source != "usbmux" || len(ps[0].All) != 2 {
		t.Fatalf("stability %+v", ps)
	}
	w := ps[0].Worst
	if len(w.FlapTimes) != 1 || !w.FlapTimes[0].Equal(t0.Add(20*time.Second)) || w.ModeChanges != 1 || len(w.Transitions) != 1 || w.Transitions[0] != "normal→recovery" {
		t.Errorf("usbmux count %+v", w)
	}
	if u := ps[0].All[0]; u.Source != "usb" || u.Detaches != 0 || u.Flaps != 0 {
		t.Errorf("usb count %+v: the departure into recovery is no drop", u)
	}
}
