package device

import (
	"errors"
	"slices"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

const (
	udidA = "00008110-001A2B3C4D5E6F70"
	udidB = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	keyA  = "ecid:001A2B3C4D5E6F70"
	keyB  = "udid:A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
)

func usbA() usb.Device {
	return usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 5, PortPath: []int{2}, SpeedMbps: 480, Serial: "00008110001A2B3C4D5E6F70"}
}

func usbB() usb.Device {
	return usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 9, PortPath: []int{1, 3}, HubDepth: 1, BehindHub: true, SpeedMbps: 480, Serial: udidB}
}

func usbARecovery() usb.Device {
	return usb.Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: mode.Recovery, Bus: 1, Address: 6, PortPath: []int{2}, SpeedMbps: 480,
		Serial:   "SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0E ECID:001A2B3C4D5E6F70 IBFL:3C SRTG:[iBoot-10151.120.3]",
		Recovery: &usb.RecoveryInfo{CPID: "8110", BDID: "0E", ECID: "001A2B3C4D5E6F70"}}
}

func muxA() usbmux.Entry {
	return usbmux.Entry{UDID: udidA, DeviceID: 3, ProductID: 0x12A8, LocationID: 0x00010005, ConnectionType: "USB", ConnectionSpeed: 480000000}
}

func muxB() usbmux.Entry {
	return usbmux.Entry{UDID: udidB, DeviceID: 4, ProductID: 0x12A8, LocationID: 0x00010009, ConnectionType: "USB", ConnectionSpeed: 480000000}
}

func TestMerge(t *testing.T) {
	type want struct {
		key, udid           string
		mode                mode.Mode
		usb, mux            bool
		match               Match
		usbOnly, muxOnly    bool
		missing, alsoOnWiFi bool
	}
	unreadable := usbA()
	unreadable.Serial, unreadable.OpenErr = "", errors.New("access denied")
	oldRecovery := usbB()
	oldRecovery.ProductID, oldRecovery.Mode, oldRecovery.Serial = 0x1281, mode.Recovery, "SDOM:01 CPID:8015 ECID:000012345678ABCD"
	oldRecovery.Recovery = &usb.RecoveryInfo{CPID: "8015", ECID: "000012345678ABCD"}
	lowerB := usbB()
	lowerB.Serial = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
	wifiA := muxA()
	wifiA.ConnectionType, wifiA.DeviceID, wifiA.LocationID = "Network", 17, 0
	otherAtLoc := muxB()
	otherAtLoc.LocationID = 0x00010005

	for _, tc := range []struct {
		name string
		usb  []usb.Device
		mux  []usbmux.Entry
		want []want
	}{
		{"nothing", nil, nil, nil},
		{"recovery phone on USB only", []usb.Device{usbARecovery()}, nil,
			[]want{{key: keyA, udid: udidA, mode: mode.Recovery, usb: true, usbOnly: true}}},
		{"normal phone on USB, not listed by usbmuxd", []usb.Device{usbA()}, nil,
			[]want{{key: keyA, udid: udidA, mode: mode.Normal, usb: true, usbOnly: true, missing: true}}},
		{"usbmuxd only (Windows, macOS, no libusb access)", nil, []usbmux.Entry{muxA()},
			[]want{{key: keyA, udid: udidA, mode: mode.Normal, mux: true, muxOnly: true}}},
		{"one phone, both sources", []usb.Device{usbA()}, []usbmux.Entry{muxA()},
			[]want{{key: keyA, udid: udidA, mode: mode.Normal, usb: true, mux: true, match: MatchSerial}}},
		{"two phones", []usb.Device{usbB(), usbA()}, []usbmux.Entry{muxA(), muxB()},
			[]want{
				{key: keyA, udid: udidA, mode: mode.Normal, usb: true, mux: true, match: MatchSerial},
				{key: keyB, udid: udidB, mode: mode.Normal, usb: true, mux: true, match: MatchSerial},
			}},
		{"serial case differs", []usb.Device{lowerB}, []usbmux.Entry{muxB()},
			[]want{{key: keyB, udid: udidB, mode: mode.Normal, usb: true, mux: true, match: MatchSerial}}},
		{"serial unreadable: LocationID fallback", []usb.Device{unreadable}, []usbmux.Entry{muxA()},
			[]want{{key: keyA, udid: udidA, mode: mode.Normal, usb: true, mux: true, match: MatchLocation}}},
		{"serial unreadable, LocationID ambiguous", []usb.Device{unreadable}, []usbmux.Entry{muxA(), otherAtLoc},
			[]want{
				{key: keyA, udid: udidA, mode: mode.Normal, mux: true, muxOnly: true},
				{key: keyB, udid: udidB, mode: mode.Normal, mux: true, muxOnly: true},
				{key: "usb:1-2", mode: mode.Normal, usb: true, usbOnly: true, missing: true},
			}},
		{"serial read and differs: no LocationID guess", []usb.Device{usbA()}, []usbmux.Entry{otherAtLoc},
			[]want{
				{key: keyA, udid: udidA, mode: mode.Normal, usb: true, usbOnly: true, missing: true},
				{key: keyB, udid: udidB, mode: mode.Normal, mux: true, muxOnly: true},
			}},
		{"A11 recovery: UDID not derivable, the ECID is the key", []usb.Device{oldRecovery}, nil,
			[]want{{key: "ecid:000012345678ABCD", mode: mode.Recovery, usb: true, usbOnly: true}}},
		{"listed over USB and Wi-Fi", []usb.Device{usbA()}, []usbmux.Entry{wifiA, muxA()},
			[]want{{key: keyA, udid: udidA, mode: mode.Normal, usb: true, mux: true, match: MatchSerial, alsoOnWiFi: true}}},
		{"listed over Wi-Fi only while on USB", []usb.Device{usbA()}, []usbmux.Entry{wifiA},
			[]want{{key: keyA, udid: udidA, mode: mode.Normal, usb: true, mux: true, match: MatchSerial, missing: true}}},
		{"recovery phone and another phone normal", []usb.Device{usbARecovery(), usbB()}, []usbmux.Entry{muxB()},
			[]want{
				{key: keyA, udid: udidA, mode: mode.Recovery, usb: true, usbOnly: true},
				{key: keyB, udid: udidB, mode: mode.Normal, usb: true, mux: true, match: MatchSerial},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Merge(tc.usb, tc.mux)
			if len(got) != len(tc.want) {
				t.Fatalf("%d devices, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				d := got[i]
				g := want{key: d.Key, udid: d.UDID, mode: d.Mode, usb: d.USB != nil, mux: d.Usbmux != nil, match: d.MatchedBy,
					usbOnly: d.USBOnly(), muxOnly: d.UsbmuxOnly(), missing: d.MissingFromUsbmux(), alsoOnWiFi: d.AlsoNetwork}
				if g != w {
					t.Errorf("device %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestUDIDFromUSB(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    usb.Device
		want string
	}{
		{"new-style serial", usbA(), udidA},
		{"old-style serial", usbB(), udidB},
		{"recovery A12+", usbARecovery(), udidA},
		{"no serial", usb.Device{Mode: mode.Normal}, ""},
		{"odd serial", usb.Device{Mode: mode.Normal, Serial: "XYZ"}, ""},
		{"DFU without parsed string", usb.Device{Mode: mode.DFU, Serial: "CPID:8110"}, ""},
		{"recovery bad hex", usb.Device{Mode: mode.Recovery, Recovery: &usb.RecoveryInfo{CPID: "zz", ECID: "1"}}, ""},
	} {
		if got := UDIDFromUSB(tc.d); got != tc.want {
			t.Errorf("%s: UDIDFromUSB = %q, want %q", tc.name, got, tc.want)
		}
	}
	if LinuxLocationID(1, 5) != 0x00010005 {
		t.Errorf("LinuxLocationID(1,5) = %#x", LinuxLocationID(1, 5))
	}
}

// TestMergeOnLocationFallback: the LocationID fallback is Linux usbmuxd's
// encoding; on every OS the one phone with an unreadable serial and the one
// unmatched usbmuxd entry are the same phone, and with two of each the
// views stay apart instead of guessing.
func TestMergeOnLocationFallback(t *testing.T) {
	unreadable := usbA()
	unreadable.Serial = ""
	unreadableB := usbB()
	unreadableB.Serial = ""
	for _, tc := range []struct {
		goos  string
		usb   []usb.Device
		mux   []usbmux.Entry
		keys  []string
		match Match
	}{
		{"linux", []usb.Device{unreadable}, []usbmux.Entry{muxA()}, []string{keyA}, MatchLocation},
		{"darwin", []usb.Device{unreadable}, []usbmux.Entry{muxA()}, []string{keyA}, MatchOnly},
		{"windows", []usb.Device{unreadable}, []usbmux.Entry{muxA()}, []string{keyA}, MatchOnly},
		{"linux", []usb.Device{unreadable, unreadableB}, []usbmux.Entry{muxA(), muxB()}, []string{keyA, keyB}, MatchLocation},
		{"darwin", []usb.Device{unreadable, unreadableB}, []usbmux.Entry{muxA(), muxB()}, []string{keyA, keyB, "usb:1-1.3", "usb:1-2"}, MatchNone},
	} {
		got := MergeOn(tc.goos, tc.usb, tc.mux)
		var keys []string
		for _, d := range got {
			keys = append(keys, d.Key)
		}
		if !slices.Equal(keys, tc.keys) {
			t.Errorf("%s: keys %v, want %v", tc.goos, keys, tc.keys)
		}
		if got[0].MatchedBy != tc.match {
			t.Errorf("%s: %+v, want match %q", tc.goos, got[0], tc.match)
		}
	}
}
