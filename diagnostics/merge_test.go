package diagnostics

import (
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

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

func TestLinkEventConversion(t *testing.T) {
	t0 := time.Now()
	d := usbA
	tests := []struct {
		name    string
		ev      usb.Event
		initial bool
		want    checks.LinkEvent
	}{
		{"first poll", usb.Event{Kind: usb.Attached, Time: t0, Device: d}, true,
			checks.LinkEvent{Source: "usb", Kind: checks.LinkAttach, Time: t0, Key: "1-2", Mode: mode.Normal, Initial: true}},
		{"re-enumeration is never initial", usb.Event{Kind: usb.Attached, Time: t0, Device: d, Reenumeration: true}, true,
			checks.LinkEvent{Source: "usb", Kind: checks.LinkAttach, Time: t0, Key: "1-2", Mode: mode.Normal}},
		{"detach", usb.Event{Kind: usb.Detached, Time: t0, Device: d}, false,
			checks.LinkEvent{Source: "usb", Kind: checks.LinkDetach, Time: t0, Key: "1-2", Mode: mode.Normal}},
		{"mode change", usb.Event{Kind: usb.ModeChange, Time: t0, Device: d, PrevMode: mode.Recovery}, false,
			checks.LinkEvent{Source: "usb", Kind: checks.LinkModeChange, Time: t0, Key: "1-2", Mode: mode.Normal, PrevMode: mode.Recovery}},
	}
	for _, tc := range tests {
		got := usbLinkEvents(tc.ev, tc.initial)
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	le := muxLinkEvent(usbmux.Event{Kind: usbmux.EventDetach, Time: t0, DeviceID: 3, Entry: muxA}, false)
	if le.Key != "ecid:001A2B3C4D5E6F70" || le.Kind != checks.LinkDetach || le.Mode != mode.Normal {
		t.Errorf("usbmux detach: %+v", le)
	}
	le = muxLinkEvent(usbmux.Event{Kind: usbmux.EventAttach, Time: t0, DeviceID: 7, Reconciled: true}, true)
	if le.Key != "usbmux:7" || !le.Initial || le.Mode != "" {
		t.Errorf("usbmux attach without entry: %+v", le)
	}
}

// TestStabilityModeChangeIsNotAFlap: normal → detach → recovery (a reboot
// into recovery during a restore) counts as a mode change, not a flap, and a
// same-mode re-attach on usbmuxd does count.
func TestStabilityModeChangeIsNotAFlap(t *testing.T) {
	t0 := time.Now()
	d := usbA
	r := usbA
	r.Mode, r.ProductID = mode.Recovery, 0x1281
	s := sampleResult{watched: []string{"usb", "usbmux"}}
	s.events = append(s.events, usbLinkEvents(usb.Event{Kind: usb.Attached, Time: t0, Device: d}, true)...)
	s.events = append(s.events, usbLinkEvents(usb.Event{Kind: usb.Detached, Time: t0.Add(time.Second), Device: d}, false)...)
	s.events = append(s.events, usbLinkEvents(usb.Event{Kind: usb.ModeChange, Time: t0.Add(5 * time.Second), Device: r, PrevMode: mode.Normal}, false)...)
	phones := mergePhones([]usb.Device{r}, nil, "linux")
	ps := s.byPhone(phones)
	if len(ps) != 1 || ps[0].Flaps != 0 || ps[0].Worst.ModeChanges != 1 || ps[0].Key != phones[0].Key {
		t.Fatalf("mode change: %+v", ps)
	}

	s.events = append(s.events,
		muxLinkEvent(usbmux.Event{Kind: usbmux.EventAttach, Time: t0, Entry: muxA, Reconciled: true}, true),
		// Far from the USB mode change, so not part of it.
		muxLinkEvent(usbmux.Event{Kind: usbmux.EventDetach, Time: t0.Add(20 * time.Second), Entry: muxA}, false),
		muxLinkEvent(usbmux.Event{Kind: usbmux.EventAttach, Time: t0.Add(21 * time.Second), Entry: muxA}, false),
	)
	phones = mergePhones([]usb.Device{usbA}, []usbmux.Entry{muxA}, "linux")
	ps = s.byPhone(phones)
	if len(ps) != 1 || ps[0].Flaps != 1 || ps[0].Worst.Source != "usbmux" {
		t.Fatalf("usbmux flap: %+v", ps)
	}
}
