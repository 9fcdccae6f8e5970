//go:build cgo

package usb

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/gousb"

	"github.com/restoredoctor/restoredoctor/device/usb/internal/usbmontest"
)

// fakeDevice answers control transfers from a queue of replies, checking the setup.
type fakeDevice struct {
	t       *testing.T
	replies []fakeReply
	calls   int
	closed  bool
}

type fakeReply struct {
	value, index uint16
	wLength      int
	data         []byte
	err          error
	block        bool // wait for the ctx deadline, then fail like libusb's timeout
}

func (f *fakeDevice) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	if f.calls >= len(f.replies) {
		f.t.Fatalf("unexpected control transfer %#04x/%#04x (call %d)", value, index, f.calls)
	}
	r := f.replies[f.calls]
	f.calls++
	if rType != 0x80 || request != 6 || value != r.value || index != r.index || len(data) != r.wLength {
		f.t.Fatalf("call %d: got %#02x %d %#04x %#04x len %d, want 0x80 6 %#04x %#04x len %d",
			f.calls, rType, request, value, index, len(data), r.value, r.index, r.wLength)
	}
	if r.block {
		<-ctx.Done()
		return 0, gousb.ErrorTimeout
	}
	if r.err != nil {
		return 0, r.err
	}
	return copy(data, r.data), nil
}

func (f *fakeDevice) Close() error { f.closed = true; return nil }

type fakeOpener struct {
	dev *fakeDevice
	err error
}

func (o fakeOpener) Open(ctx context.Context, d Device) (ControlDevice, error) {
	if o.err != nil {
		return nil, o.err
	}
	return o.dev, nil
}

var phoneDesc = usbmontest.Device{VID: 0x05AC, PID: 0x1281, BcdUSB: 0x0200, Manufacturer: "Apple Inc.", Serial: "x"}.DeviceDescriptor()

func serialReplies(serial string) []fakeReply {
	var rs []fakeReply
	for _, tr := range usbmontest.SerialReadTransfers(phoneDesc, serial) {
		rs = append(rs, fakeReply{value: uint16(tr.Setup[2]) | uint16(tr.Setup[3])<<8, index: uint16(tr.Setup[4]) | uint16(tr.Setup[5])<<8,
			wLength: int(tr.Setup[6]) | int(tr.Setup[7])<<8, data: tr.Data})
	}
	return rs
}

func TestReadSerial(t *testing.T) {
	ctx := context.Background()
	for _, s := range []string{usbmontest.PhoneASerialNormal, usbmontest.PhoneARecovery, usbmontest.PhoneARecoveryLong} {
		f := &fakeDevice{t: t, replies: serialReplies(s)}
		got, err := ReadSerial(ctx, f, recoveryA)
		if err != nil || got != s {
			t.Errorf("ReadSerial = %q, %v; want %q", got, err, s)
		}
		if f.calls != len(f.replies) {
			t.Errorf("%d transfers, want %d", f.calls, len(f.replies))
		}
	}
	t.Run("no serial index", func(t *testing.T) {
		dd := bytes.Clone(phoneDesc)
		dd[16] = 0
		f := &fakeDevice{t: t, replies: []fakeReply{{value: 0x0100, wLength: 18, data: dd}}}
		if got, err := ReadSerial(ctx, f, recoveryA); got != "" || err != nil {
			t.Errorf("got %q, %v", got, err)
		}
	})
	t.Run("language list stalls: English is used", func(t *testing.T) {
		rs := serialReplies("abc")
		rs[1].err = gousb.ErrorPipe
		f := &fakeDevice{t: t, replies: rs}
		if got, err := ReadSerial(ctx, f, recoveryA); got != "abc" || err != nil {
			t.Errorf("got %q, %v", got, err)
		}
	})
	t.Run("vanishes mid-read", func(t *testing.T) {
		rs := serialReplies(usbmontest.PhoneARecovery)
		rs[2].err = gousb.ErrorNoDevice
		f := &fakeDevice{t: t, replies: rs}
		_, err := ReadSerial(ctx, f, recoveryA)
		var de *DisconnectedError
		if !errors.As(err, &de) || !errors.Is(err, ErrDisconnected) || !errors.Is(err, gousb.ErrorNoDevice) || de.Location != "1-2" {
			t.Errorf("err = %v, want a DisconnectedError at 1-2 wrapping libusb's", err)
		}
	})
	t.Run("garbage device descriptor", func(t *testing.T) {
		f := &fakeDevice{t: t, replies: []fakeReply{{value: 0x0100, wLength: 18, data: []byte{4, 3, 0, 0}}}}
		if _, err := ReadSerial(ctx, f, recoveryA); !errors.Is(err, ErrBadDescriptor) {
			t.Errorf("err = %v, want ErrBadDescriptor", err)
		}
	})
}

func probeReplies(n int, r fakeReply) []fakeReply {
	rs := make([]fakeReply, n)
	for i := range rs {
		rs[i] = r
		rs[i].value, rs[i].wLength = 0x0100, 18
	}
	return rs
}

func TestControlProbe(t *testing.T) {
	ok := fakeReply{data: phoneDesc}
	tests := []struct {
		name    string
		replies []fakeReply
		n       int
		want    ControlStats // RTTs not compared
		wantErr error
	}{
		{name: "all answered", replies: probeReplies(4, ok), n: 4, want: ControlStats{Requests: 4, OK: 4}},
		{name: "timeouts counted, probe goes on", n: 4,
			replies: append(probeReplies(1, ok), append(probeReplies(2, fakeReply{block: true}), probeReplies(1, ok)...)...),
			want:    ControlStats{Requests: 4, OK: 2, Timeouts: 2}},
		{name: "stalls and short answers are failures", n: 3,
			replies: append(probeReplies(1, fakeReply{err: gousb.ErrorPipe}), append(probeReplies(1, fakeReply{data: []byte{18, 1}}), probeReplies(1, ok)...)...),
			want:    ControlStats{Requests: 3, OK: 1, Failures: 2}},
		{name: "disconnect stops the probe", n: 5,
			replies: append(probeReplies(2, ok), probeReplies(1, fakeReply{err: gousb.ErrorNoDevice})...),
			want:    ControlStats{Requests: 3, OK: 2, Failures: 1}, wantErr: ErrDisconnected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeDevice{t: t, replies: tt.replies}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st, err := ControlProbe(ctx, fakeOpener{dev: f}, recoveryA, tt.n, 20*time.Millisecond)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			got := st
			got.P50, got.P95, got.Max = 0, 0, 0
			if got != tt.want {
				t.Errorf("stats = %+v, want %+v", got, tt.want)
			}
			if st.OK > 0 && (st.Max < st.P95 || st.P95 < st.P50) {
				t.Errorf("percentiles out of order: %+v", st)
			}
			if !f.closed {
				t.Error("device not closed")
			}
		})
	}
}

func TestControlProbeErrors(t *testing.T) {
	ctx := context.Background()
	denied := &AccessDeniedError{Location: "1-2", VendorID: 0x05AC, ProductID: 0x1281, Err: gousb.ErrorAccess}
	if _, err := ControlProbe(ctx, fakeOpener{err: denied}, recoveryA, 3, time.Second); !errors.Is(err, ErrAccessDenied) {
		t.Errorf("open error = %v, want access denied", err)
	}
	if _, err := ControlProbe(ctx, fakeOpener{dev: &fakeDevice{t: t}}, recoveryA, 0, time.Second); err == nil {
		t.Error("n = 0 accepted")
	}
	if _, err := ControlProbe(ctx, fakeOpener{dev: &fakeDevice{t: t}}, recoveryA, 1, 0); err == nil {
		t.Error("timeout 0 accepted")
	}
	// The caller's ctx ending stops the probe with ctx's error; the interrupted request is not counted.
	cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	f := &fakeDevice{t: t, replies: append(probeReplies(1, fakeReply{data: phoneDesc}), probeReplies(5, fakeReply{block: true})...)}
	start := time.Now()
	st, err := ControlProbe(cctx, fakeOpener{dev: f}, recoveryA, 6, time.Hour)
	if !errors.Is(err, context.DeadlineExceeded) || st.Requests != 1 || st.OK != 1 {
		t.Errorf("got %+v, %v; want 1 answered request and DeadlineExceeded", st, err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("probe outlived its context by far: %v", time.Since(start))
	}
}

func TestErrorsMessagesAndMatching(t *testing.T) {
	d := recoveryA
	tests := []struct {
		in       error
		sentinel error
		contains []string
	}{
		{gousb.ErrorAccess, ErrAccessDenied, []string{"1-2", "05ac:1281", "39-restoredoctor.rules", "/etc/udev/rules.d/", "udevadm control --reload", "udevadm trigger", "replug"}},
		{gousb.ErrorNoDevice, ErrDisconnected, []string{"open 1-2", "disconnected"}},
		{gousb.ErrorIO, gousb.ErrorIO, []string{"open 1-2", "05ac:1281", "i/o error"}},
	}
	for _, tt := range tests {
		err := classify("open", d, tt.in)
		if !errors.Is(err, tt.sentinel) || !errors.Is(err, tt.in) {
			t.Errorf("classify(%v) = %v: does not match %v and the libusb error", tt.in, err, tt.sentinel)
		}
		for _, c := range tt.contains {
			if !strings.Contains(err.Error(), c) {
				t.Errorf("%q lacks %q", err.Error(), c)
			}
		}
	}
	u := &UnavailableError{Op: "init", Err: gousb.ErrorOther}
	if !errors.Is(u, ErrUnavailable) || !errors.Is(u, gousb.ErrorOther) || !strings.Contains(u.Error(), "not usable") {
		t.Errorf("UnavailableError %v", u)
	}
	if classify("x", d, nil) != nil {
		t.Error("classify(nil) != nil")
	}
}

func TestFromDesc(t *testing.T) {
	tests := []struct {
		desc gousb.DeviceDesc
		want Device
	}{
		{gousb.DeviceDesc{Bus: 1, Address: 5, Path: []int{2}, Speed: gousb.SpeedHigh, Spec: 0x0200, Vendor: 0x05AC, Product: 0x12A8},
			Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: "normal", Bus: 1, Address: 5, PortPath: []int{2}, SpeedMbps: 480, USBVersion: "2.00"}},
		{gousb.DeviceDesc{Bus: 1, Address: 9, Path: []int{1, 3}, Speed: gousb.SpeedFull, Spec: 0x0210, Vendor: 0x05AC, Product: 0x1281},
			Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: "recovery", Bus: 1, Address: 9, PortPath: []int{1, 3}, HubDepth: 1, BehindHub: true, SpeedMbps: 12, USBVersion: "2.10"}},
		{gousb.DeviceDesc{Bus: 2, Address: 3, Path: []int{1, 2, 4}, Speed: gousb.SpeedSuper, Spec: 0x0320, Vendor: 0x05AC, Product: 0x1901},
			Device{VendorID: 0x05AC, ProductID: 0x1901, Mode: "unknown", Bus: 2, Address: 3, PortPath: []int{1, 2, 4}, HubDepth: 2, BehindHub: true, SpeedMbps: 5000, USBVersion: "3.20"}},
		{gousb.DeviceDesc{Bus: 1, Address: 7, Path: []int{2}, Speed: gousb.SpeedLow, Vendor: 0x05AC, Product: 0x1227},
			Device{VendorID: 0x05AC, ProductID: 0x1227, Mode: "dfu", Bus: 1, Address: 7, PortPath: []int{2}, SpeedMbps: 1.5, USBVersion: "0.00"}},
		{gousb.DeviceDesc{Bus: 1, Address: 8, Path: []int{2}, Speed: gousb.Speed(5), Vendor: 0x05AC, Product: 0x12A8},
			Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: "normal", Bus: 1, Address: 8, PortPath: []int{2}, SpeedMbps: 10000, USBVersion: "0.00"}},
	}
	for _, tt := range tests {
		got := fromDesc(&tt.desc)
		if got.Location() != tt.want.Location() || got.Mode != tt.want.Mode || got.SpeedMbps != tt.want.SpeedMbps ||
			got.HubDepth != tt.want.HubDepth || got.BehindHub != tt.want.BehindHub || got.USBVersion != tt.want.USBVersion ||
			got.Address != tt.want.Address || got.ProductID != tt.want.ProductID {
			t.Errorf("fromDesc(%v) = %+v, want %+v", tt.desc.String(), got, tt.want)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	desc := gousb.DeviceDesc{Bus: 1, Address: 9, Path: []int{1, 3}, Speed: gousb.SpeedHigh, Spec: 0x0200, Vendor: 0x05AC, Product: 0x12A8}
	b.ReportAllocs()
	for b.Loop() {
		_ = fromDesc(&desc)
	}
}

func TestBCDString(t *testing.T) {
	for _, v := range []uint16{0x0000, 0x0110, 0x0200, 0x0201, 0x0210, 0x0320, 0x1099, 0x9999} {
		if got, want := bcdString(v), gousb.BCD(v).String(); got != want {
			t.Errorf("bcdString(%#04x) = %q, gousb says %q", v, got, want)
		}
	}
}

// BenchmarkScannerSnapshot is one idle poll over the real libusb of this
// machine (the cost the watcher pays every Interval when no phone is present).
func BenchmarkScannerSnapshot(b *testing.B) {
	s, err := NewScanner(ScannerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
