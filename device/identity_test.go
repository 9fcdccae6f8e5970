package device

import (
	"testing"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// TestKey: one key per physical phone, whichever source and mode it is seen in.
func TestKey(t *testing.T) {
	noSerial := usbA()
	noSerial.Serial = ""
	dfu := usb.Device{Mode: mode.DFU, Bus: 1, PortPath: []int{4}, Recovery: &usb.RecoveryInfo{CPID: "8110", ECID: "1a2b3c4d5e6f70"}}
	muxNoUDID := usbmux.Entry{DeviceID: 12}
	muxLower := usbmux.Entry{UDID: " 00008110-001a2b3c4d5e6f70 ", DeviceID: 3}
	for _, tc := range []struct {
		name string
		u    *usb.Device
		e    *usbmux.Entry
		want string
	}{
		{"normal on USB", ptr(usbA()), nil, keyA},
		{"listed by usbmuxd", nil, ptr(muxA()), keyA},
		{"both", ptr(usbA()), ptr(muxA()), keyA},
		{"lower case, spaces, dash", nil, &muxLower, keyA},
		{"recovery serial", ptr(usbARecovery()), nil, keyA},
		{"DFU, ECID without leading zeros", &dfu, nil, keyA},
		{"old UDID: no ECID in it", ptr(usbB()), ptr(muxB()), keyB},
		{"serial unreadable", &noSerial, nil, "usb:1-2"},
		{"usbmuxd entry without UDID", nil, &muxNoUDID, "usbmux:12"},
		{"nothing", nil, nil, ""},
	} {
		if got := Key(tc.u, tc.e); got != tc.want {
			t.Errorf("%s: Key = %q, want %q", tc.name, got, tc.want)
		}
	}
	for in, want := range map[string]string{"": "", "0": "", "zz": "", "1": "ecid:0000000000000001", "FFFFFFFFFFFFFFFF": "ecid:FFFFFFFFFFFFFFFF", "10000000000000000": ""} {
		if got := ECIDKey(in); got != want {
			t.Errorf("ECIDKey(%q) = %q, want %q", in, got, want)
		}
	}
	if !ChipKey(keyA) || !ChipKey(keyB) || ChipKey("usb:1-2") || ChipKey("usbmux:3") {
		t.Error("ChipKey")
	}
}

func ptr[T any](v T) *T { return &v }
