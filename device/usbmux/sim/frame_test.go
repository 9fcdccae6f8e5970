package sim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"
)

func TestMuxFrameRoundTrip(t *testing.T) {
	frame, err := EncodeMuxPlist(9, map[string]any{"MessageType": "ListDevices"})
	if err != nil {
		t.Fatal(err)
	}
	h, payload, err := ReadMuxFrame(bytes.NewReader(frame))
	if err != nil {
		t.Fatal(err)
	}
	if h.Length != uint32(len(frame)) || h.Version != 1 || h.Message != 8 || h.Tag != 9 {
		t.Errorf("header %+v for a %d-byte frame", h, len(frame))
	}
	d, err := DecodeDict(payload)
	if err != nil || str(d, "MessageType") != "ListDevices" {
		t.Errorf("payload %v, %v", d, err)
	}
}

func TestReadMuxFrameErrors(t *testing.T) {
	mk := func(length uint32, rest []byte) []byte {
		b := binary.LittleEndian.AppendUint32(nil, length)
		b = append(b, 1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0)
		return append(b, rest...)
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, io.EOF},
		{"short header", []byte{1, 2, 3}, io.ErrUnexpectedEOF},
		{"length under 16", mk(15, nil), ErrFrameTooShort},
		{"length over cap", mk(MaxMuxFrame+1, nil), ErrFrameTooLarge},
		{"huge length", mk(0xFFFFFFF0, nil), ErrFrameTooLarge},
		{"truncated payload", mk(20, []byte{1, 2}), io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadMuxFrame(bytes.NewReader(tc.in))
			if !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
	// An empty payload is fine.
	if _, p, err := ReadMuxFrame(bytes.NewReader(mk(16, nil))); err != nil || len(p) != 0 {
		t.Errorf("16-byte frame: %v, %d bytes", err, len(p))
	}
}

func TestLockdownFrame(t *testing.T) {
	frame, err := EncodeLockdownPlist(map[string]any{"Request": "QueryType"})
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.BigEndian.Uint32(frame); int(n) != len(frame)-4 {
		t.Fatalf("length %d for %d payload bytes", n, len(frame)-4)
	}
	p, err := ReadLockdownFrame(bytes.NewReader(frame))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := DecodeDict(p); err != nil || str(d, "Request") != "QueryType" {
		t.Errorf("%v %v", d, err)
	}
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"huge":      {[]byte{0xFF, 0xFF, 0xFF, 0xF0}, ErrFrameTooLarge},
		"truncated": {[]byte{0, 0, 0, 9, 'x'}, io.ErrUnexpectedEOF},
		"short":     {[]byte{0, 0}, io.ErrUnexpectedEOF},
	} {
		if _, err := ReadLockdownFrame(bytes.NewReader(tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// TestAbsurdLengthAllocatesNothing checks the cap is applied before the payload buffer is allocated.
func TestAbsurdLengthAllocatesNothing(t *testing.T) {
	mux := []byte{0xF0, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0}
	ld := []byte{0x7F, 0xFF, 0xFF, 0xFF}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 100 {
		_, _, _ = ReadMuxFrame(bytes.NewReader(mux))
		_, _ = ReadLockdownFrame(bytes.NewReader(ld))
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("100 absurd frames allocated %d bytes", d)
	}
}

func TestDecodeDict(t *testing.T) {
	for name, in := range map[string]string{
		"array":  `<?xml version="1.0"?><plist version="1.0"><array/></plist>`,
		"string": `<plist version="1.0"><string>x</string></plist>`,
		"junk":   "\x00\x01\x02",
		"empty":  "",
	} {
		if d, err := DecodeDict([]byte(in)); err == nil {
			t.Errorf("%s: decoded %v", name, d)
		}
	}
}

func FuzzReadMuxFrame(f *testing.F) {
	ok, _ := EncodeMuxPlist(1, map[string]any{"MessageType": "Connect", "DeviceID": 1, "PortNumber": 0x7EF2})
	f.Add(ok)
	f.Add([]byte{0xF0, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{16, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0})
	f.Add(AppendMuxFrame(nil, 1, 8, 3, []byte("bplist00\xd0\x08")))
	f.Add(AppendMuxFrame(nil, 1, 8, 3, []byte("<plist><dict><key>a</key><integer>99999999999999999999</integer></dict></plist>")))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, payload, err := ReadMuxFrame(bytes.NewReader(in))
		if err != nil {
			return
		}
		if h.Length < MuxHeaderSize || h.Length > MaxMuxFrame || int(h.Length)-MuxHeaderSize != len(payload) {
			t.Fatalf("accepted header %+v with %d payload bytes", h, len(payload))
		}
		if d, err := DecodeDict(payload); err == nil && d == nil {
			t.Fatal("nil dictionary without error")
		}
	})
}

func FuzzReadLockdownFrame(f *testing.F) {
	ok, _ := EncodeLockdownPlist(map[string]any{"Request": "GetValue", "Key": "ProductType"})
	f.Add(ok)
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xF0})
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte("\x00\x00\x00\x0abplist00\xd0\x08"))
	f.Fuzz(func(t *testing.T, in []byte) {
		payload, err := ReadLockdownFrame(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(payload) > MaxLockdownFrame || len(payload) != int(binary.BigEndian.Uint32(in)) {
			t.Fatalf("accepted %d payload bytes", len(payload))
		}
		// The request handler must cope with whatever decodes.
		if d, err := DecodeDict(payload); err == nil {
			sess := &lockdownSession{phone: PhoneA().withDefaults()}
			resp, _ := sess.answer(d)
			if resp == nil {
				t.Fatal("nil answer")
			}
		}
	})
}
