package wintree

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

func loadNodes(t testing.TB) []Node {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "nodes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Nodes []Node }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Nodes
}

func TestAssemble(t *testing.T) {
	devs := Assemble(loadNodes(t))
	if len(devs) != 4 {
		t.Fatalf("%d Apple devices, want 4: %+v", len(devs), devs)
	}
	normal, recovery, dfu, winusb := devs[0], devs[1], devs[2], devs[3]

	if normal.Mode != mode.Normal || normal.UDID != "00008110-001A2B3C4D5E6F70" || normal.Serial != "00008110001A2B3C4D5E6F70" ||
		!reflect.DeepEqual(normal.PortPath, []int{2}) || normal.BehindHub() {
		t.Errorf("normal phone %+v", normal)
	}
	if !normal.AppleDriver() || normal.NoDriver() || !reflect.DeepEqual(normal.Services, []string{"usbccgp", "usbaapl64", "WUDFRd"}) {
		t.Errorf("normal phone driver: services %q, apple %v", normal.Services, normal.AppleDriver())
	}

	if recovery.Mode != mode.Recovery || recovery.Recovery == nil {
		t.Fatalf("recovery phone %+v", recovery)
	}
	r := recovery.Recovery
	if r.CPID != "8110" || r.BDID != "0E" || r.ECID != "001A2B3C4D5E6F70" || r.IBFL != "3C" || r.SRTG != "IBOOT-10151.41.12" {
		t.Errorf("iBoot fields %+v", r)
	}
	if ecid, ok := r.ECIDValue(); !ok || ecid != 0x001A2B3C4D5E6F70 {
		t.Errorf("ECID %x %v", ecid, ok)
	}
	if !reflect.DeepEqual(recovery.PortPath, []int{3, 4}) || !recovery.BehindHub() || recovery.UDID != "" {
		t.Errorf("recovery phone location %v", recovery.PortPath)
	}
	if recovery.AppleDriver() || !recovery.NoDriver() {
		t.Errorf("recovery phone without a service: apple %v, none %v", recovery.AppleDriver(), recovery.NoDriver())
	}

	// A DFU device whose serial Windows could not use: no serial, problem 28.
	if dfu.Mode != mode.DFU || dfu.Serial != "" || dfu.Recovery != nil || dfu.Problem != ProblemNoDriver || !dfu.NoDriver() {
		t.Errorf("dfu device %+v", dfu)
	}
	// Someone replaced Apple's driver with WinUSB: a driver, but not Apple's.
	if winusb.UDID != "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678" || winusb.AppleDriver() || winusb.NoDriver() {
		t.Errorf("winusb phone %+v", winusb)
	}
}

func TestParseInstanceID(t *testing.T) {
	tests := []struct {
		in   string
		want InstanceID
	}{
		{`USB\VID_05AC&PID_12A8\00008110001A2B3C4D5E6F70`, InstanceID{0x05AC, 0x12A8, -1, "00008110001A2B3C4D5E6F70", false}},
		{`usb\vid_05ac&pid_12a8&mi_00\7&3a5e0f1&0&0000`, InstanceID{0x05AC, 0x12A8, 0, "7&3a5e0f1&0&0000", true}},
		{`USB\VID_05AC&PID_1281\CPID:8110_ECID:001A2B3C4D5E6F70`, InstanceID{0x05AC, 0x1281, -1, "CPID:8110_ECID:001A2B3C4D5E6F70", false}},
		{`USB\VID_05AC&PID_1227\6&2F0A3B1C&0&1`, InstanceID{0x05AC, 0x1227, -1, "6&2F0A3B1C&0&1", true}},
	}
	for _, tt := range tests {
		got, err := ParseInstanceID(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseInstanceID(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", `USB`, `USB\VID_05AC`, `PCI\VEN_8086&DEV_A36D\3&1`, `USB\ROOT_HUB30\4&2B&0&0`,
		`USB\VID_05AC\1`, `USB\VID_5AC&PID_12A8\1`, `USB\VID_05AC&PID_XYZW\1`, `USB\VID_05AC&PID_12A8\`, `USB\VID_05AC&PID_12A8&FOO_1\x`} {
		if _, err := ParseInstanceID(bad); !errors.Is(err, ErrNotUSB) {
			t.Errorf("ParseInstanceID(%q) err = %v, want ErrNotUSB", bad, err)
		}
	}
}

func TestParseLocationPaths(t *testing.T) {
	tests := []struct {
		in   []string
		want []int
		ok   bool
	}{
		{[]string{"PCIROOT(0)#PCI(1400)#USBROOT(0)#USB(2)"}, []int{2}, true},
		{[]string{"ACPI(_SB_)#ACPI(PCI0)#ACPI(XHC_)#ACPI(RHUB)#ACPI(HS02)", "PCIROOT(0)#PCI(1400)#USBROOT(0)#USB(3)#USB(4)"}, []int{3, 4}, true},
		{[]string{"PCIROOT(0)#PCI(1400)#USBROOT(0)#USB(2)#USBMI(0)"}, nil, false}, // an interface, not a port
		{[]string{"PCIROOT(0)#PCI(1400)#USBROOT(0)"}, nil, false},
		{[]string{"PCIROOT(0)#PCI(1400)#USBROOT(0)#USB(0)"}, nil, false},
		{[]string{"garbage", ""}, nil, false},
		{nil, nil, false},
	}
	for _, tt := range tests {
		got, ok := ParseLocationPaths(tt.in)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLocationPaths(%q) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUDIDFromSerial(t *testing.T) {
	for in, want := range map[string]string{
		"00008110001A2B3C4D5E6F70":                 "00008110-001A2B3C4D5E6F70",
		"00008110001a2b3c4d5e6f70":                 "00008110-001A2B3C4D5E6F70",
		"A1B2C3D4E5F60718293A4B5C6D7E8F9012345678": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		"F2LXK0QJPLJM":                             "F2LXK0QJPLJM",
		"":                                         "",
	} {
		if got := UDIDFromSerial(in); got != want {
			t.Errorf("UDIDFromSerial(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsAppleService(t *testing.T) {
	for s, want := range map[string]bool{"usbaapl64": true, "USBAAPL64": true, "usbaapl": true, "WINUSB": false, "usbccgp": false, "": false} {
		if IsAppleService(s) != want {
			t.Errorf("IsAppleService(%q) != %v", s, want)
		}
	}
}

func FuzzParseInstanceID(f *testing.F) {
	for _, n := range loadNodes(f) {
		f.Add(n.InstanceID)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseInstanceID(s)
		if err != nil {
			return
		}
		if id.Serial == "" || strings.Contains(id.Serial, `\`) || id.Interface > 255 {
			t.Fatalf("accepted %q as %+v", s, id)
		}
		_ = IBootFromInstance(id.Serial)
		_ = UDIDFromSerial(id.Serial)
	})
}

func FuzzParseLocationPaths(f *testing.F) {
	for _, n := range loadNodes(f) {
		for _, p := range n.LocationPaths {
			f.Add(p)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		ports, ok := ParseLocationPaths(strings.Split(s, "\x00"))
		if ok != (len(ports) > 0) {
			t.Fatalf("%q: ok %v with %v", s, ok, ports)
		}
		for _, p := range ports {
			if p < 1 || p > 255 {
				t.Fatalf("%q: port %d", s, p)
			}
		}
	})
}

// TestAppleDriverBindings: Apple's WinUSB binding (the Apple Devices app's
// appleusb.inf) counts as Apple's driver; a Zadig/libwdi one does not and
// names its provider (issue 18, item 10). Cases and sources in
// testdata/drivers.json.
func TestAppleDriverBindings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "drivers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Name       string
			Apple      bool
			ReplacedBy string `json:"replaced_by"`
			Nodes      []Node
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 7 {
		t.Fatalf("%d cases", len(doc.Cases))
	}
	for _, tc := range doc.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			devs := Assemble(tc.Nodes)
			if len(devs) != 1 {
				t.Fatalf("%d devices", len(devs))
			}
			d := devs[0]
			if d.AppleDriver() != tc.Apple || d.ReplacedBy() != tc.ReplacedBy || d.NoDriver() {
				t.Errorf("apple %v (want %v), replaced by %q (want %q), no driver %v; drivers %+v",
					d.AppleDriver(), tc.Apple, d.ReplacedBy(), tc.ReplacedBy, d.NoDriver(), d.Drivers)
			}
		})
	}
}
