package usbmontest

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestSysfsPaths(t *testing.T) {
	for _, tt := range []struct{ name, path, devpath string }{
		{"usb1", "/devices/pci0000:00/0000:00:14.0/usb1", "0"},
		{"1-2", "/devices/pci0000:00/0000:00:14.0/usb1/1-2", "2"},
		{"1-1.3", "/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.3", "1.3"},
		{"1-1.3.2", "/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.3/1-1.3.2", "1.3.2"},
	} {
		d := Device{SysName: tt.name, Bus: 1}
		if got := d.SysfsPath(); got != tt.path {
			t.Errorf("SysfsPath(%s) = %s, want %s", tt.name, got, tt.path)
		}
		if got := d.DevPath(); got != tt.devpath {
			t.Errorf("DevPath(%s) = %s, want %s", tt.name, got, tt.devpath)
		}
	}
}

// TestWritePcap checks the capture layout umockdev reads: pcap v2.4, link
// type 220, per transfer an 'S' record (64-byte usbmon header, setup, urb_len
// = wLength) and a 'C' record (status, data).
func TestWritePcap(t *testing.T) {
	ts := []Transfer{
		{Setup: GetDescriptor(1, 0, 0, 18), Data: bytes.Repeat([]byte{0xAB}, 18)},
		{Setup: GetDescriptor(1, 0, 0, 18), Status: StatusNoDevice},
	}
	var buf bytes.Buffer
	if err := WritePcap(&buf, 1, 5, ts); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	le := binary.LittleEndian
	if le.Uint32(b) != 0xA1B2C3D4 || le.Uint32(b[20:]) != 220 {
		t.Fatalf("global header % X", b[:24])
	}
	off := 24
	type rec struct {
		event          byte
		bus            uint16
		dev            byte
		status         int32
		urbLen, capLen uint32
		setup          []byte
		data           []byte
	}
	var recs []rec
	for off < len(b) {
		l := int(le.Uint32(b[off+8:]))
		r := b[off+16 : off+16+l]
		recs = append(recs, rec{event: r[8], dev: r[11], bus: le.Uint16(r[12:]), status: int32(le.Uint32(r[28:])),
			urbLen: le.Uint32(r[32:]), capLen: le.Uint32(r[36:]), setup: r[40:48], data: r[64:]})
		off += 16 + l
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	want := []rec{
		{event: 'S', bus: 1, dev: 5, status: -115, urbLen: 18, setup: []byte{0x80, 6, 0, 1, 0, 0, 18, 0}},
		{event: 'C', bus: 1, dev: 5, urbLen: 18, capLen: 18},
		{event: 'S', bus: 1, dev: 5, status: -115, urbLen: 18, setup: []byte{0x80, 6, 0, 1, 0, 0, 18, 0}},
		{event: 'C', bus: 1, dev: 5, status: StatusNoDevice},
	}
	for i, w := range want {
		g := recs[i]
		if g.event != w.event || g.bus != w.bus || g.dev != w.dev || g.status != w.status || g.urbLen != w.urbLen || g.capLen != w.capLen {
			t.Errorf("record %d = %+v, want %+v", i, g, w)
		}
		if w.setup != nil && !bytes.Equal(g.setup, w.setup) {
			t.Errorf("record %d setup % X, want % X", i, g.setup, w.setup)
		}
	}
	if !bytes.Equal(recs[1].data, ts[0].Data) || len(recs[3].data) != 0 {
		t.Errorf("completion data: % X / % X", recs[1].data, recs[3].data)
	}
}

func TestSerialReadTransfersLong(t *testing.T) {
	d := Device{VID: 0x05AC, PID: 0x1281, Serial: PhoneARecoveryLong}
	ts := SerialReadTransfers(d.DeviceDescriptor(), PhoneARecoveryLong)
	if len(ts) != 4 || len(ts[2].Data) != 255 || len(ts[3].Data) != 2+2*len(PhoneARecoveryLong) || ts[3].Setup[7] != 0x10 {
		t.Fatalf("long serial read: %d transfers", len(ts))
	}
	if len(PhoneARecoveryLong) <= 199 {
		t.Fatalf("the long serial is %d characters, want more than gousb's 199", len(PhoneARecoveryLong))
	}
}
