// Package usbmontest builds the umockdev fixtures of device/usb's integration
// tests: umockdev device descriptions (sysfs + device nodes) and usbmon pcap
// captures (link type 220, DLT_USB_LINUX_MMAPPED) that umockdev-run -p replays
// so control transfers made through libusb get answers. The checked-in files
// under device/usb/testdata/umockdev are its output; a test verifies they
// match. It is test tooling: only device/usb's tests and its generator use it.
package usbmontest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Errno values a completion may carry (negated, as usbmon records them).
const (
	StatusOK       int32 = 0
	StatusNoDevice int32 = -19 // ENODEV: the device left; libusb reports LIBUSB_ERROR_NO_DEVICE
	StatusStall    int32 = -32 // EPIPE: the request stalled; libusb reports LIBUSB_ERROR_PIPE
)

// Transfer is one control exchange as the program makes it. The direction
// is bit 7 of the setup's bmRequestType: IN transfers carry the device's
// answer in Data; OUT transfers carry what the program must send, and
// umockdev replays their completion only when the submitted bytes are
// exactly these.
type Transfer struct {
	Setup  [8]byte
	Data   []byte // IN: what the device answers; OUT: what the host sends
	Status int32  // completion status (StatusOK, StatusNoDevice, …)
}

// Out reports whether t is a host-to-device transfer.
func (t Transfer) Out() bool { return t.Setup[0]&0x80 == 0 }

// IBootCommand is the vendor control-OUT transfer that carries an iBoot
// command: bmRequestType 0x40, bRequest 0, wValue 0, wIndex 0, the command
// and its terminating NUL as data. status is the completion's.
func IBootCommand(cmd string, status int32) Transfer {
	data := append([]byte(cmd), 0)
	var s [8]byte
	s[0] = 0x40
	binary.LittleEndian.PutUint16(s[6:], uint16(len(data)))
	return Transfer{Setup: s, Data: data, Status: status}
}

// GetDescriptor returns the setup packet of a standard GET_DESCRIPTOR request.
func GetDescriptor(descType, index byte, langID, wLength uint16) [8]byte {
	var s [8]byte
	s[0], s[1], s[2], s[3] = 0x80, 0x06, index, descType
	binary.LittleEndian.PutUint16(s[4:], langID)
	binary.LittleEndian.PutUint16(s[6:], wLength)
	return s
}

// StringDescriptor encodes s as a USB string descriptor (UTF-16LE). bLength
// saturates at 0xFF for strings that do not fit, as the bytes still follow.
func StringDescriptor(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(units))
	b[0] = byte(min(2+2*len(units), 0xFF))
	b[1] = 0x03
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// SerialReadTransfers are the requests usb.ReadSerial makes, answered: the
// device descriptor, the language list (English), the string with wLength 255
// and, when it does not fit, again with wLength 4096.
func SerialReadTransfers(deviceDesc []byte, serial string) []Transfer {
	idx := deviceDesc[16]
	str := StringDescriptor(serial)
	ts := []Transfer{
		{Setup: GetDescriptor(1, 0, 0, 18), Data: deviceDesc[:18]},
		{Setup: GetDescriptor(3, 0, 0, 255), Data: []byte{4, 3, 0x09, 0x04}},
	}
	if len(str) < 255 {
		return append(ts, Transfer{Setup: GetDescriptor(3, idx, 0x0409, 255), Data: str})
	}
	return append(ts,
		Transfer{Setup: GetDescriptor(3, idx, 0x0409, 255), Data: str[:255]},
		Transfer{Setup: GetDescriptor(3, idx, 0x0409, 4096), Data: str})
}

// ProbeTransfers are n answered GET_DESCRIPTOR(device) requests of usb.ControlProbe.
func ProbeTransfers(deviceDesc []byte, n int) []Transfer {
	ts := make([]Transfer, n)
	for i := range ts {
		ts[i] = Transfer{Setup: GetDescriptor(1, 0, 0, 18), Data: deviceDesc[:18]}
	}
	return ts
}

// WritePcap writes transfers as a usbmon capture for device bus/addr: per
// transfer a submit record ('S', setup present) and a completion ('C', with data).
func WritePcap(w io.Writer, bus, addr int, transfers []Transfer) error {
	var buf bytes.Buffer
	// pcap global header: magic, v2.4, thiszone, sigfigs, snaplen, linktype 220.
	for _, v := range []any{uint32(0xA1B2C3D4), uint16(2), uint16(4), int32(0), uint32(0), uint32(65535), uint32(220)} {
		_ = binary.Write(&buf, binary.LittleEndian, v)
	}
	for i, t := range transfers {
		id := uint64(0x1000 + i)
		ts := int64(i + 1)
		wLength := binary.LittleEndian.Uint16(t.Setup[6:])
		var submit, done []byte
		if t.Out() {
			// The submit carries the data stage; the completion only its length.
			submit = append(usbmonHeader(id, 'S', bus, addr, 0x00, 0, 0, ts, -115, uint32(wLength), uint32(len(t.Data)), t.Setup), t.Data...)
			n := uint32(wLength)
			if t.Status != StatusOK {
				n = 0
			}
			done = usbmonHeader(id, 'C', bus, addr, 0x00, '-', '>', ts, t.Status, n, 0, [8]byte{})
		} else {
			submit = usbmonHeader(id, 'S', bus, addr, 0x80, 0, '<', ts, -115, uint32(wLength), 0, t.Setup)
			data := t.Data
			if t.Status != StatusOK {
				data = nil
			}
			done = append(usbmonHeader(id, 'C', bus, addr, 0x80, '-', 0, ts, t.Status, uint32(len(data)), uint32(len(data)), [8]byte{}), data...)
		}
		for _, rec := range [][]byte{submit, done} {
			for _, v := range []uint32{uint32(ts), 0, uint32(len(rec)), uint32(len(rec))} {
				_ = binary.Write(&buf, binary.LittleEndian, v)
			}
			buf.Write(rec)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// usbmonHeader is struct usbmon_packet (64 bytes) for a control transfer on
// endpoint 0 in direction ep (0x80 IN, 0x00 OUT).
func usbmonHeader(id uint64, event byte, bus, addr int, ep, flagSetup, flagData byte, tsSec int64, status int32, length, lenCap uint32, setup [8]byte) []byte {
	b := make([]byte, 0, 64)
	b = binary.LittleEndian.AppendUint64(b, id)
	b = append(b, event, 2 /* control */, ep, byte(addr))
	b = binary.LittleEndian.AppendUint16(b, uint16(bus))
	b = append(b, flagSetup, flagData)
	b = binary.LittleEndian.AppendUint64(b, uint64(tsSec))
	b = binary.LittleEndian.AppendUint32(b, 0) // ts_usec
	b = binary.LittleEndian.AppendUint32(b, uint32(status))
	b = binary.LittleEndian.AppendUint32(b, length)
	b = binary.LittleEndian.AppendUint32(b, lenCap)
	b = append(b, setup[:]...)
	return append(b, make([]byte, 16)...) // interval, start_frame, xfer_flags, ndesc
}

// Device is one USB device of a fixture.
type Device struct {
	SysName                       string // sysfs name: "usb1" (root hub), "1-2", "1-1.3"
	Bus, Addr                     int
	Speed                         string // sysfs speed: "1.5", "12", "480", "5000"
	VID, PID                      uint16
	BcdUSB                        uint16
	BcdDevice                     uint16
	Hub                           bool // a hub: class 9
	Manufacturer, Product, Serial string
	// Interface is class, subclass, protocol of interface 0; Endpoints are
	// its endpoint addresses (0x80 bit = IN), bulk unless Hub.
	Interface [3]byte
	Endpoints []byte
	// Transfers are replayed to the program through a pcap when not nil.
	Transfers []Transfer
}

// SysfsPath is the device's path below /sys.
func (d Device) SysfsPath() string {
	const root = "/devices/pci0000:00/0000:00:14.0"
	bus := fmt.Sprintf("usb%d", d.Bus)
	if d.SysName == bus {
		return root + "/" + bus
	}
	// 1-1.3 lives in 1-1, which lives in usb1.
	parts := []string{root, bus}
	name := d.SysName
	prefix, ports, _ := strings.Cut(name, "-")
	segs := strings.Split(ports, ".")
	for i := range segs {
		parts = append(parts, prefix+"-"+strings.Join(segs[:i+1], "."))
	}
	return strings.Join(parts, "/")
}

// DevPath is the sysfs devpath attribute: the port chain ("2", "1.3"; "0" for a root hub).
func (d Device) DevPath() string {
	if _, p, ok := strings.Cut(d.SysName, "-"); ok {
		return p
	}
	return "0"
}

// DeviceDescriptor is the 18-byte device descriptor; iManufacturer 1,
// iProduct 2, iSerialNumber 3 when the strings are set.
func (d Device) DeviceDescriptor() []byte {
	class, proto := byte(0), byte(0)
	if d.Hub {
		class, proto = 9, 1
	}
	idx := func(s string, i byte) byte {
		if s == "" {
			return 0
		}
		return i
	}
	b := []byte{18, 1, 0, 0, class, 0, proto, 64, 0, 0, 0, 0, 0, 0, idx(d.Manufacturer, 1), idx(d.Product, 2), idx(d.Serial, 3), 1}
	binary.LittleEndian.PutUint16(b[2:], d.BcdUSB)
	binary.LittleEndian.PutUint16(b[8:], d.VID)
	binary.LittleEndian.PutUint16(b[10:], d.PID)
	binary.LittleEndian.PutUint16(b[12:], d.BcdDevice)
	return b
}

// Descriptors is the device descriptor followed by configuration 1.
func (d Device) Descriptors() []byte {
	iface := []byte{9, 4, 0, 0, byte(len(d.Endpoints)), d.Interface[0], d.Interface[1], d.Interface[2], 0}
	var eps []byte
	for _, ep := range d.Endpoints {
		if d.Hub {
			eps = append(eps, 7, 5, ep, 3, 2, 0, 12) // interrupt, 2 bytes, interval 12
		} else {
			eps = append(eps, 7, 5, ep, 2, 0, 2, 0) // bulk, 512 bytes
		}
	}
	total := 9 + len(iface) + len(eps)
	cfg := []byte{9, 2, byte(total), byte(total >> 8), 1, 1, 0, 0x80, 250}
	out := append(d.DeviceDescriptor(), cfg...)
	out = append(out, iface...)
	return append(out, eps...)
}

// Block writes the device's umockdev-record block. Hex is upper case and
// text attributes end in an escaped newline, as umockdev-record writes them.
func (d Device) Block() string {
	desc := fmt.Sprintf("%X", d.Descriptors())
	node := fmt.Sprintf("bus/usb/%03d/%03d", d.Bus, d.Addr)
	minor := (d.Bus-1)*128 + d.Addr - 1
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("P: %s", d.SysfsPath())
	w("N: %s=%s", node, desc)
	w("E: DEVNAME=/dev/%s", node)
	w("E: DEVTYPE=usb_device")
	w("E: DRIVER=usb")
	w("E: PRODUCT=%x/%x/%x", d.VID, d.PID, d.BcdDevice)
	w("E: TYPE=%d/0/%d", d.DeviceDescriptor()[4], d.DeviceDescriptor()[6])
	w("E: BUSNUM=%03d", d.Bus)
	w("E: DEVNUM=%03d", d.Addr)
	w("E: MAJOR=189")
	w("E: MINOR=%d", minor)
	w("E: SUBSYSTEM=usb")
	w("E: ID_VENDOR_ID=%04x", d.VID)
	w("E: ID_MODEL_ID=%04x", d.PID)
	attr := func(k, v string) { w(`A: %s=%s\n`, k, v) }
	attr("authorized", "1")
	attr("bConfigurationValue", "1")
	attr("bDeviceClass", fmt.Sprintf("%02x", d.DeviceDescriptor()[4]))
	attr("bDeviceProtocol", fmt.Sprintf("%02x", d.DeviceDescriptor()[6]))
	attr("bDeviceSubClass", "00")
	attr("bMaxPacketSize0", "64")
	attr("bNumConfigurations", "1")
	attr("bNumInterfaces", " 1")
	attr("bcdDevice", fmt.Sprintf("%04x", d.BcdDevice))
	attr("busnum", fmt.Sprint(d.Bus))
	w("H: descriptors=%s", desc)
	attr("dev", fmt.Sprintf("189:%d", minor))
	attr("devnum", fmt.Sprint(d.Addr))
	attr("devpath", d.DevPath())
	attr("idProduct", fmt.Sprintf("%04x", d.PID))
	attr("idVendor", fmt.Sprintf("%04x", d.VID))
	if d.Manufacturer != "" {
		attr("manufacturer", d.Manufacturer)
	}
	if d.Product != "" {
		attr("product", d.Product)
	}
	if d.Serial != "" {
		attr("serial", d.Serial)
	}
	attr("speed", d.Speed)
	attr("version", fmt.Sprintf("%2x.%02x", d.BcdUSB>>8, d.BcdUSB&0xFF))
	maxchild := "0"
	if d.Hub {
		maxchild = "4"
	}
	attr("maxchild", maxchild)
	return b.String()
}
