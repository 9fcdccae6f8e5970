package usb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/device/usb/internal/usbmontest"
)

func TestDecodeStringDescriptor(t *testing.T) {
	long := usbmontest.StringDescriptor(usbmontest.PhoneARecoveryLong)
	tests := []struct {
		name string
		in   []byte
		want string
		err  error
	}{
		{name: "ascii", in: usbmontest.StringDescriptor("iPhone"), want: "iPhone"},
		{name: "empty string", in: []byte{2, 3}, want: ""},
		{name: "non-ascii", in: usbmontest.StringDescriptor("Écran ☃"), want: "Écran ☃"},
		{name: "surrogate pair", in: usbmontest.StringDescriptor("📱"), want: "📱"},
		{name: "bLength shorter than the reply", in: append(usbmontest.StringDescriptor("ab"), 'x', 0, 'y', 0), want: "ab"},
		{name: "bLength longer than the reply (truncated)", in: []byte{10, 3, 'a', 0, 'b', 0}, want: "ab"},
		{name: "odd length drops the half unit", in: []byte{5, 3, 'a', 0, 'b'}, want: "a"},
		{name: "longer than 255 bytes: bLength saturated, whole reply decoded", in: long, want: usbmontest.PhoneARecoveryLong},
		{name: "first 255 bytes of a long string", in: long[:255], want: usbmontest.PhoneARecoveryLong[:126]},
		{name: "trailing NULs dropped", in: []byte{8, 3, 'a', 0, 0, 0, 0, 0}, want: "a"},
		{name: "lone surrogate becomes U+FFFD", in: []byte{4, 3, 0x00, 0xD8}, want: "\uFFFD"},
		{name: "too short", in: []byte{2}, err: ErrBadDescriptor},
		{name: "nil", in: nil, err: ErrBadDescriptor},
		{name: "wrong type", in: []byte{4, 1, 'a', 0}, err: ErrBadDescriptor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeStringDescriptor(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeLangIDs(t *testing.T) {
	tests := []struct {
		in   []byte
		want []uint16
		err  error
	}{
		{in: []byte{4, 3, 0x09, 0x04}, want: []uint16{0x0409}},
		{in: []byte{6, 3, 0x09, 0x04, 0x07, 0x04}, want: []uint16{0x0409, 0x0407}},
		{in: []byte{2, 3}, want: nil},
		{in: []byte{9, 3, 0x09, 0x04}, want: []uint16{0x0409}},
		{in: []byte{4, 2, 0x09, 0x04}, err: ErrBadDescriptor},
		{in: []byte{4}, err: ErrBadDescriptor},
	}
	for _, tt := range tests {
		got, err := DecodeLangIDs(tt.in)
		if !errors.Is(err, tt.err) || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DecodeLangIDs(% x) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func FuzzDecodeStringDescriptor(f *testing.F) {
	for _, s := range []string{"", "iPhone", usbmontest.PhoneARecovery, usbmontest.PhoneARecoveryLong, "📱"} {
		f.Add(usbmontest.StringDescriptor(s))
	}
	f.Add([]byte{})
	f.Add([]byte{0xFF, 3, 0, 0xD8})
	f.Add([]byte{0, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeStringDescriptor(b)
		if err != nil {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 %q", s)
		}
		if strings.HasSuffix(s, "\x00") {
			t.Fatalf("trailing NUL in %q", s)
		}
		if utf8.RuneCountInString(s) > len(b)/2 {
			t.Fatalf("%d runes from %d bytes", utf8.RuneCountInString(s), len(b))
		}
		_, _ = DecodeLangIDs(b)
	})
}

func BenchmarkDecodeStringDescriptor(b *testing.B) {
	long := usbmontest.StringDescriptor(usbmontest.PhoneARecoveryLong)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeStringDescriptor(long); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzSerialIndex feeds arbitrary device-descriptor bytes (they come from the
// phone) to serialIndex: it must never panic, and an accepted descriptor is
// one of device type with the full 18 bytes.
func FuzzSerialIndex(f *testing.F) {
	f.Add([]byte{0x12, 0x01, 0x00, 0x02, 0, 0, 0, 0x40, 0xAC, 0x05, 0xA8, 0x12, 0x01, 0x00, 0x01, 0x02, 0x03, 0x01})
	f.Add([]byte{})
	f.Add([]byte{0x12, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, err := serialIndex(b)
		if err != nil {
			return
		}
		if len(b) < 18 || b[1] != 0x01 || idx != b[16] {
			t.Fatalf("accepted %x with index %d", b, idx)
		}
	})
}
