package hotpath

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
)

// deviceListFrame is usbmuxd's reply to ListDevices with n phones, framed.
func deviceListFrame(tb testing.TB, n int) []byte {
	tb.Helper()
	var list []any
	for i := range n {
		list = append(list, map[string]any{
			"MessageType": "Attached", "DeviceID": i + 1,
			"Properties": map[string]any{
				"ConnectionType": "USB", "DeviceID": i + 1, "LocationID": 0x10005 + i, "ProductID": 0x12A8,
				"SerialNumber": fmt.Sprintf("00008110-001A2B3C4D5E%04X", i), "ConnectionSpeed": 480000000,
			},
		})
	}
	f, err := sim.EncodeMuxPlist(1, map[string]any{"DeviceList": list})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func lockdownReplyFrame(tb testing.TB) []byte {
	tb.Helper()
	p, err := plist.Marshal(map[string]any{"Key": "ProductVersion", "Request": "GetValue", "Value": "17.5.1"}, plist.XMLFormat)
	if err != nil {
		tb.Fatal(err)
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(p))), p...)
}

func benchFrame(b *testing.B, frame []byte, f usbmux.Framing) {
	r := bytes.NewReader(frame)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(frame)
		if _, _, _, err := usbmux.ReadFrame(r, f, usbmux.MaxFrame); err != nil {
			b.Fatal(err)
		}
	}
}

// Frame decoding: length check, allocation and plist-dictionary check of
// every reply before go-ios sees it.
func BenchmarkReadFrameDeviceList1(b *testing.B) {
	benchFrame(b, deviceListFrame(b, 1), usbmux.FramingUsbmux)
}

func BenchmarkReadFrameDeviceList32(b *testing.B) {
	benchFrame(b, deviceListFrame(b, 32), usbmux.FramingUsbmux)
}

func BenchmarkReadFrameLockdownGetValue(b *testing.B) {
	benchFrame(b, lockdownReplyFrame(b), usbmux.FramingLockdown)
}

// A garbage header announcing 4 GiB is rejected without allocating it.
func BenchmarkReadFrameReject4GB(b *testing.B) {
	h := make([]byte, 16)
	binary.LittleEndian.PutUint32(h, 0xFFFFFFFF)
	r := bytes.NewReader(h)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(h)
		if _, _, _, err := usbmux.ReadFrame(r, usbmux.FramingUsbmux, usbmux.MaxFrame); err == nil {
			b.Fatal("accepted")
		}
	}
}

// A whole quick diagnostics run (window 0, no network) in-process against
// the simulator: USB view, usbmuxd, lockdown query, trust, 10 round trips per
// phone, host checks, rules and report.
func benchEngine(b *testing.B, phones int) {
	dir, err := os.MkdirTemp("", "rdhot")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := sim.Start(context.Background(), "unix://"+filepath.Join(dir, "mux.sock"), sim.Multi(phones), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	e := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource()})
	defer e.Close()
	opts := diagnostics.Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, HostsFile: filepath.Join(dir, "hosts")}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := e.Run(context.Background(), opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Devices) != phones {
			b.Fatalf("%d devices in the report, want %d", len(rep.Devices), phones)
		}
	}
}

func BenchmarkEngineRun1Phone(b *testing.B)   { benchEngine(b, 1) }
func BenchmarkEngineRun8Phones(b *testing.B)  { benchEngine(b, 8) }
func BenchmarkEngineRun32Phones(b *testing.B) { benchEngine(b, 32) }
