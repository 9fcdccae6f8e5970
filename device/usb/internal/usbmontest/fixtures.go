package usbmontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The shared identities of the team brief.
const (
	PhoneASerialNormal = "00008110001A2B3C4D5E6F70"
	PhoneBSerial       = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	PhoneARecovery     = "SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0E ECID:001A2B3C4D5E6F70 IBFL:3C SRTG:[iBoot-10151.41.12]"
	PhoneADFU          = "SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0E ECID:001A2B3C4D5E6F70 IBFL:3C SRTG:[iBoot-6723.100.321]"
	// PhoneARecoveryLong carries serial number, IMEI and both nonces: 283
	// characters, 568 bytes of UTF-16, more than a string descriptor's bLength
	// can declare and more than libusb's/gousb's string helpers return.
	PhoneARecoveryLong = "SDOM:01 CPID:8110 CPRV:11 CPFM:03 SCEP:01 BDID:0E ECID:001A2B3C4D5E6F70 IBFL:3C " +
		"SRNM:[F4GXK0Q1N70D] IMEI:[353912110123456] " +
		"NONC:6B2D3F9A0C1E4D5F6A7B8C9D0E1F2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B " +
		"SNON:0F1E2D3C4B5A69788796A5B4C3D2E1F00112233 SRTG:[iBoot-10151.41.12]"
)

// Expect is what a scan of a fixture must find for one Apple device, in the
// JSON shape the tests and the manifest use.
type Expect struct {
	Mode       string            `json:"mode"`
	VendorID   string            `json:"vendor_id"`
	ProductID  string            `json:"product_id"`
	SpeedMbps  float64           `json:"speed_mbps"`
	Bus        int               `json:"bus"`
	Address    int               `json:"address"`
	PortPath   []int             `json:"port_path"`
	BehindHub  bool              `json:"behind_hub"`
	HubDepth   int               `json:"hub_depth"`
	USBVersion string            `json:"usb_version"`
	Serial     string            `json:"serial,omitempty"`
	Recovery   map[string]string `json:"recovery,omitempty"`
	// OpenError is the kind of Device.OpenErr: "", "disconnected", "access_denied", "other".
	OpenError string `json:"open_error,omitempty"`
}

// Probe is a ControlProbe run on the first recovery/DFU device and its outcome.
type Probe struct {
	N         int    `json:"n"`
	TimeoutMs int    `json:"timeout_ms"`
	Requests  int    `json:"requests"`
	OK        int    `json:"ok"`
	Timeouts  int    `json:"timeouts"`
	Failures  int    `json:"failures"`
	Error     string `json:"error,omitempty"` // "", "disconnected"
}

// Exit is a usb.ExitRecovery run on the first recovery/DFU device and its
// outcome: every control transfer the program submitted (setup packet and
// OUT data, hex) and the kind of error it returned.
type Exit struct {
	TimeoutMs int      `json:"timeout_ms"`
	Sent      []string `json:"sent"`
	Error     string   `json:"error,omitempty"` // "", "stalled", "timeout", "wrong_mode", "disconnected"
	// ControlTimeoutsS, when set, are the timeouts gousb handed libusb for
	// each transfer (Device.ControlTimeout), in whole seconds.
	ControlTimeoutsS []int `json:"control_timeouts_s,omitempty"`
}

// SentHex renders a control transfer as the Exit manifest lists it: the
// setup packet, then for OUT transfers the data stage, in lower-case hex.
func SentHex(t Transfer) string {
	if t.Out() {
		return fmt.Sprintf("%x %x", t.Setup[:], t.Data)
	}
	return fmt.Sprintf("%x", t.Setup[:])
}

// ExitRecoveryTransfers are usb.ExitRecovery's three iBoot commands, each
// completed with the given status (StatusOK when statuses run short).
func ExitRecoveryTransfers(statuses ...int32) []Transfer {
	var ts []Transfer
	for i, cmd := range []string{"setenv auto-boot true", "saveenv", "reboot"} {
		st := StatusOK
		if i < len(statuses) {
			st = statuses[i]
		}
		ts = append(ts, IBootCommand(cmd, st))
	}
	return ts
}

func sentHex(ts []Transfer) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, SentHex(t))
	}
	return out
}

// Pcap names a capture and the sysfs device it is replayed for.
type Pcap struct {
	Sysfs string `json:"sysfs"` // /sys/devices/…/1-2
	File  string `json:"file"`
}

// Fixture is one umockdev testbed and what scanning it must find.
type Fixture struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Umockdev    string   `json:"umockdev"`
	Pcaps       []Pcap   `json:"pcaps,omitempty"`
	Expect      []Expect `json:"expect"`
	Probe       *Probe   `json:"probe,omitempty"`
	Exit        *Exit    `json:"exit,omitempty"`

	devices []Device
}

func rootHub() Device {
	return Device{SysName: "usb1", Bus: 1, Addr: 1, Speed: "480", VID: 0x1D6B, PID: 0x0002, BcdUSB: 0x0200, BcdDevice: 0x0606,
		Hub: true, Manufacturer: "Linux 6.1.0 xhci-hcd", Product: "xHCI Host Controller", Serial: "0000:00:14.0",
		Interface: [3]byte{9, 0, 0}, Endpoints: []byte{0x81}}
}

func externalHub() Device {
	return Device{SysName: "1-1", Bus: 1, Addr: 2, Speed: "480", VID: 0x05E3, PID: 0x0608, BcdUSB: 0x0200, BcdDevice: 0x8537,
		Hub: true, Product: "USB2.0 Hub", Interface: [3]byte{9, 0, 0}, Endpoints: []byte{0x81}}
}

func mouse() Device {
	return Device{SysName: "1-3", Bus: 1, Addr: 3, Speed: "1.5", VID: 0x046D, PID: 0xC077, BcdUSB: 0x0200, BcdDevice: 0x7200,
		Manufacturer: "Logitech", Product: "USB Optical Mouse", Interface: [3]byte{3, 1, 2}, Endpoints: []byte{0x81}}
}

// appleKeyboard is an Apple device that is not a phone: listed as unknown, never opened.
func appleKeyboard() Device {
	return Device{SysName: "1-4", Bus: 1, Addr: 4, Speed: "12", VID: 0x05AC, PID: 0x024F, BcdUSB: 0x0200, BcdDevice: 0x0069,
		Manufacturer: "Apple Inc.", Product: "Apple Keyboard", Interface: [3]byte{3, 1, 1}, Endpoints: []byte{0x81}}
}

func phoneA(pid uint16, speed, serial string) Device {
	d := Device{SysName: "1-2", Bus: 1, Addr: 5, Speed: speed, VID: 0x05AC, PID: pid, BcdUSB: 0x0200,
		Manufacturer: "Apple Inc.", Serial: serial}
	switch pid {
	case 0x12A8:
		d.BcdDevice, d.Product = 0x1504, "iPhone"
		d.Interface, d.Endpoints = [3]byte{0xFF, 0xFE, 0x02}, []byte{0x85, 0x04}
	case 0x1227:
		d.BcdDevice, d.Product = 0x0000, "Apple Mobile Device (DFU Mode)"
		d.Interface = [3]byte{0xFE, 0x01, 0x00}
	default:
		d.BcdDevice, d.Product = 0x0000, "Apple Mobile Device (Recovery Mode)"
		d.Interface, d.Endpoints = [3]byte{0xFF, 0xFF, 0xFF}, []byte{0x81}
	}
	return d
}

func phoneB() Device {
	return Device{SysName: "1-1.3", Bus: 1, Addr: 9, Speed: "480", VID: 0x05AC, PID: 0x12A8, BcdUSB: 0x0200, BcdDevice: 0x1504,
		Manufacturer: "Apple Inc.", Product: "iPhone", Serial: PhoneBSerial,
		Interface: [3]byte{0xFF, 0xFE, 0x02}, Endpoints: []byte{0x85, 0x04}}
}

// withSerialRead makes d answer usb.ReadSerial, followed by extra transfers.
func withSerialRead(d Device, extra ...Transfer) Device {
	d.Transfers = append(SerialReadTransfers(d.DeviceDescriptor(), d.Serial), extra...)
	return d
}

func expectA(mode, pid string, speed float64, serial string) Expect {
	return Expect{Mode: mode, VendorID: "05ac", ProductID: pid, SpeedMbps: speed, Bus: 1, Address: 5,
		PortPath: []int{2}, USBVersion: "2.00", Serial: serial}
}

func expectB() Expect {
	return Expect{Mode: "normal", VendorID: "05ac", ProductID: "12a8", SpeedMbps: 480, Bus: 1, Address: 9,
		PortPath: []int{1, 3}, BehindHub: true, HubDepth: 1, USBVersion: "2.00", Serial: PhoneBSerial}
}

var recoveryFields = map[string]string{"sdom": "01", "cpid": "8110", "cprv": "11", "cpfm": "03", "scep": "01",
	"bdid": "0E", "ecid": "001A2B3C4D5E6F70", "ibfl": "3C"}

func fields(extra map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range recoveryFields {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// Fixtures is the table of every fixture, in a stable order.
func Fixtures() []Fixture {
	recovery := phoneA(0x1281, "480", PhoneARecovery)
	recExpect := expectA("recovery", "1281", 480, PhoneARecovery)
	recExpect.Recovery = fields(map[string]string{"srtg": "iBoot-10151.41.12"})
	dd := recovery.DeviceDescriptor()

	vanish := withSerialRead(recovery)
	vanish.Transfers[2].Status = StatusNoDevice
	vanishExpect := recExpect
	vanishExpect.Serial, vanishExpect.Recovery, vanishExpect.OpenError = "", nil, "disconnected"

	long := phoneA(0x1281, "480", PhoneARecoveryLong)
	longExpect := expectA("recovery", "1281", 480, PhoneARecoveryLong)
	longExpect.Recovery = fields(map[string]string{"srtg": "iBoot-10151.41.12", "srnm": "F4GXK0Q1N70D", "imei": "353912110123456",
		"nonc": "6B2D3F9A0C1E4D5F6A7B8C9D0E1F2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B", "snon": "0F1E2D3C4B5A69788796A5B4C3D2E1F00112233"})

	dfu := phoneA(0x1227, "480", PhoneADFU)
	dfuExpect := expectA("dfu", "1227", 480, PhoneADFU)
	dfuExpect.Recovery = fields(map[string]string{"srtg": "iBoot-6723.100.321"})

	full := expectA("normal", "12a8", 12, PhoneASerialNormal)
	keyboard := Expect{Mode: "unknown", VendorID: "05ac", ProductID: "024f", SpeedMbps: 12, Bus: 1, Address: 4, PortPath: []int{4}, USBVersion: "2.00"}

	fx := []Fixture{
		{Name: "iphone-normal", Description: "Phone A (iPhone 13 Pro Max) in normal mode, directly on root port 1-2, high speed; serial via pcap",
			devices: []Device{rootHub(), withSerialRead(phoneA(0x12A8, "480", PhoneASerialNormal))},
			Expect:  []Expect{expectA("normal", "12a8", 480, PhoneASerialNormal)}},
		{Name: "iphone-normal-hub", Description: "Phone B (iPhone 8) in normal mode behind an external hub at 1-1 (port 3, sysfs 1-1.3), high speed",
			devices: []Device{rootHub(), externalHub(), withSerialRead(phoneB())},
			Expect:  []Expect{expectB()}},
		{Name: "iphone-normal-fullspeed", Description: "Phone A in normal mode on root port 1-2 negotiated at full speed (12 Mbit/s): bad cable or port",
			devices: []Device{rootHub(), withSerialRead(phoneA(0x12A8, "12", PhoneASerialNormal))},
			Expect:  []Expect{full}},
		{Name: "iphone-recovery", Description: "Phone A in recovery mode (05ac:1281) on 1-2; iBoot serial string via pcap",
			devices: []Device{rootHub(), withSerialRead(recovery)},
			Expect:  []Expect{recExpect}},
		{Name: "iphone-recovery-long", Description: "Phone A in recovery mode with a 283-character iBoot string (SRNM, IMEI, NONC, SNON): needs the second, 4096-byte GET_DESCRIPTOR",
			devices: []Device{rootHub(), withSerialRead(long)},
			Expect:  []Expect{longExpect}},
		{Name: "iphone-dfu", Description: "Phone A in DFU mode (05ac:1227) on 1-2; SecureROM serial string via pcap",
			devices: []Device{rootHub(), withSerialRead(dfu)},
			Expect:  []Expect{dfuExpect}},
		{Name: "two-iphones", Description: "Phone A (normal, 1-2) and Phone B (normal, behind the hub at 1-1.3) at once",
			devices: []Device{rootHub(), externalHub(), withSerialRead(phoneA(0x12A8, "480", PhoneASerialNormal)), withSerialRead(phoneB())},
			Expect:  []Expect{expectB(), expectA("normal", "12a8", 480, PhoneASerialNormal)}},
		{Name: "iphone-and-other", Description: "Phone A (normal, 1-2) next to a Logitech mouse (1-3, ignored, never opened) and an Apple keyboard (1-4, listed as unknown, not opened)",
			devices: []Device{rootHub(), withSerialRead(phoneA(0x12A8, "480", PhoneASerialNormal)), mouse(), appleKeyboard()},
			Expect:  []Expect{expectA("normal", "12a8", 480, PhoneASerialNormal), keyboard}},
		{Name: "no-apple", Description: "only the root hub and a Logitech mouse: no Apple device (also the idle-polling CPU rig)",
			devices: []Device{rootHub(), mouse()},
			Expect:  []Expect{}},
		{Name: "iphone-recovery-probe", Description: "Phone A in recovery; the pcap answers the serial read and 3 GET_DESCRIPTOR(device) probes, then nothing: a 5-request ControlProbe sees 3 answers and 2 timeouts",
			devices: []Device{rootHub(), withSerialRead(recovery, ProbeTransfers(dd, 3)...)},
			Expect:  []Expect{recExpect},
			Probe:   &Probe{N: 5, TimeoutMs: 1000, Requests: 5, OK: 3, Timeouts: 2}},
		{Name: "iphone-recovery-unplugged", Description: "Phone A in recovery; 2 probes answered, then the device is gone (ENODEV): ControlProbe stops with a DisconnectedError",
			devices: []Device{rootHub(), withSerialRead(recovery, append(ProbeTransfers(dd, 2), Transfer{Setup: GetDescriptor(1, 0, 0, 18), Status: StatusNoDevice})...)},
			Expect:  []Expect{recExpect},
			Probe:   &Probe{N: 5, TimeoutMs: 1000, Requests: 3, OK: 2, Failures: 1, Error: "disconnected"}},
		{Name: "iphone-recovery-vanishes", Description: "Phone A in recovery leaves while its serial string is read (ENODEV): still listed, OpenErr is a DisconnectedError",
			devices: []Device{rootHub(), vanish},
			Expect:  []Expect{vanishExpect}},
	}
	exitOK := ExitRecoveryTransfers()
	exitStall := ExitRecoveryTransfers(StatusStall)
	exitGone := ExitRecoveryTransfers(StatusOK, StatusOK, StatusNoDevice)
	// The capture expects "setenv auto-boot TRUE": same length, other bytes.
	// umockdev compares the submitted OUT data, so the program's (correct)
	// command finds no match and times out: proof the bytes are checked.
	mismatch := []Transfer{IBootCommand("setenv auto-boot TRUE", StatusOK)}
	fx = append(fx,
		Fixture{Name: "iphone-recovery-exit", Description: "Phone A in recovery; the pcap takes the three iBoot commands of ExitRecovery (vendor control-OUT 0x40/0, data = command + NUL) and acknowledges each",
			devices: []Device{rootHub(), withSerialRead(recovery, exitOK...)},
			Expect:  []Expect{recExpect},
			Exit:    &Exit{TimeoutMs: 1000, Sent: sentHex(exitOK)}},
		Fixture{Name: "iphone-recovery-exit-stall", Description: "Phone A in recovery stalls \"setenv auto-boot true\" (EPIPE): ExitRecovery stops with a stall and sends nothing more",
			devices: []Device{rootHub(), withSerialRead(recovery, exitStall...)},
			Expect:  []Expect{recExpect},
			Exit:    &Exit{TimeoutMs: 1000, Sent: sentHex(exitStall[:1]), Error: "stalled"}},
		Fixture{Name: "iphone-recovery-exit-vanishes", Description: "Phone A in recovery takes setenv and saveenv, then leaves the bus while \"reboot\" completes (ENODEV): the expected success",
			devices: []Device{rootHub(), withSerialRead(recovery, exitGone...)},
			Expect:  []Expect{recExpect},
			Exit:    &Exit{TimeoutMs: 1000, Sent: sentHex(exitGone)}},
		Fixture{Name: "iphone-recovery-exit-mismatch", Description: "Phone A in recovery whose capture expects \"setenv auto-boot TRUE\": the correct command does not match the recorded bytes and times out",
			devices: []Device{rootHub(), withSerialRead(recovery, mismatch...)},
			Expect:  []Expect{recExpect},
			Exit:    &Exit{TimeoutMs: 1000, Sent: sentHex(exitOK[:1]), Error: "timeout"}},
		Fixture{Name: "iphone-recovery-exit-default-timeout", Description: "Phone A in recovery takes the three iBoot commands sent with ExitRecovery's default per-command timeout through a scanner without ControlTimeout (as the session opens it): libusb is given 10 s (libirecovery's USB_TIMEOUT) for each, not the scanner's 1 s",
			devices: []Device{rootHub(), withSerialRead(recovery, exitOK...)},
			Expect:  []Expect{recExpect},
			Exit:    &Exit{TimeoutMs: 0, Sent: sentHex(exitOK), ControlTimeoutsS: []int{10, 10, 10}}},
		Fixture{Name: "iphone-dfu-exit", Description: "Phone A in DFU: ExitRecovery refuses before opening the device (DFU cannot be left over USB) and sends nothing",
			devices: []Device{rootHub(), withSerialRead(dfu)},
			Expect:  []Expect{dfuExpect},
			Exit:    &Exit{TimeoutMs: 1000, Sent: []string{}, Error: "wrong_mode"}},
	)
	for i := range fx {
		f := &fx[i]
		f.Umockdev = f.Name + ".umockdev"
		for _, d := range f.devices {
			if d.Transfers != nil {
				f.Pcaps = append(f.Pcaps, Pcap{Sysfs: "/sys" + d.SysfsPath(), File: f.Name + "-" + d.SysName + ".pcap"})
			}
		}
	}
	return fx
}

// ManifestName is the file listing every fixture and its expectations.
const ManifestName = "fixtures.json"

// Files renders every fixture file and the manifest, by file name.
func Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	fx := Fixtures()
	for _, f := range fx {
		var blocks []string
		for _, d := range f.devices {
			blocks = append(blocks, d.Block())
			if d.Transfers != nil {
				var buf bytes.Buffer
				if err := WritePcap(&buf, d.Bus, d.Addr, d.Transfers); err != nil {
					return nil, fmt.Errorf("pcap for %s/%s: %w", f.Name, d.SysName, err)
				}
				out[f.Name+"-"+d.SysName+".pcap"] = buf.Bytes()
			}
		}
		out[f.Umockdev] = []byte(strings.Join(blocks, "\n"))
	}
	m, err := json.MarshalIndent(fx, "", "  ")
	if err != nil {
		return nil, err
	}
	out[ManifestName] = append(m, '\n')
	return out, nil
}
