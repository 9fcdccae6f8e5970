package usbmux

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
)

func muxFrame(total uint32, payload []byte) []byte {
	h := make([]byte, 16)
	binary.LittleEndian.PutUint32(h, total)
	binary.LittleEndian.PutUint32(h[4:], 1)
	binary.LittleEndian.PutUint32(h[8:], 8)
	return append(h, payload...)
}

func ldFrame(n uint32, payload []byte) []byte {
	h := make([]byte, 4)
	binary.BigEndian.PutUint32(h, n)
	return append(h, payload...)
}

func xmlDict(t testing.TB) []byte {
	b, err := plist.Marshal(map[string]any{"MessageType": "Result", "Number": 0}, plist.XMLFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadFrame(t *testing.T) {
	good := xmlDict(t)
	bin, _ := plist.Marshal(map[string]any{"Type": "com.apple.mobile.lockdown"}, plist.BinaryFormat)
	arr, _ := plist.Marshal([]string{"a"}, plist.XMLFormat)
	bomb := plisttest.Bomb(70, map[string]string{"Request": "GetValue"}, "Value")
	for _, tc := range []struct {
		name    string
		f       Framing
		in      []byte
		wantErr string // "" = ok
		ioErr   error
	}{
		{"mux xml", FramingUsbmux, muxFrame(uint32(16+len(good)), good), "", nil},
		{"lockdown binary", FramingLockdown, ldFrame(uint32(len(bin)), bin), "", nil},
		{"mux absurd length", FramingUsbmux, muxFrame(0xFFFFFFF0, nil), "usbmux: frame length 4294967280 exceeds 4 MiB", nil},
		{"lockdown absurd length", FramingLockdown, ldFrame(0xFFFFFFF0, nil), "lockdown: frame length 4294967280 exceeds 4 MiB", nil},
		{"mux just over", FramingUsbmux, muxFrame(16+MaxFrame+1, nil), "exceeds 4 MiB", nil},
		{"mux shorter than header", FramingUsbmux, muxFrame(8, nil), "shorter than its 16-byte header", nil},
		{"mux empty payload", FramingUsbmux, muxFrame(16, nil), "reply is not a plist", nil},
		{"not plist", FramingUsbmux, muxFrame(16+9, []byte("\x00\x01hello!!")), "usbmux: reply is not a plist", nil},
		{"openstep text", FramingLockdown, ldFrame(5, []byte("hello")), "reply is not a plist", nil},
		{"xml array", FramingLockdown, ldFrame(uint32(len(arr)), arr), "not a plist dictionary", nil},
		{"truncated payload", FramingUsbmux, muxFrame(uint32(16+len(good)), good[:10]), "", io.ErrUnexpectedEOF},
		{"truncated header", FramingUsbmux, []byte{1, 2, 3}, "", io.ErrUnexpectedEOF},
		{"nothing", FramingLockdown, nil, "", io.EOF},
		{"lockdown bomb", FramingLockdown, ldFrame(uint32(len(bomb)), bomb), "reply refused", nil},
		{"usbmux bomb", FramingUsbmux, muxFrame(uint32(16+len(bomb)), bomb), "reply refused", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, payload, _, err := ReadFrame(bytes.NewReader(tc.in), tc.f, MaxFrame)
			switch {
			case tc.ioErr != nil:
				if !errors.Is(err, tc.ioErr) {
					t.Errorf("err = %v, want %v", err, tc.ioErr)
				}
			case tc.wantErr == "":
				if err != nil || len(payload) == 0 {
					t.Errorf("err = %v, payload %d bytes", err, len(payload))
				}
			default:
				var fe *FrameError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want FrameError %q", err, tc.wantErr)
				}
			}
		})
	}
}

// TestGuardConnServesGoIOS checks that a frame read through the guard comes
// out byte-identical, in small reads, across a framing switch.
func TestGuardConnFraming(t *testing.T) {
	good := xmlDict(t)
	stream := append(muxFrame(uint32(16+len(good)), good), ldFrame(uint32(len(good)), good)...)
	g := newGuardConn(&readerConn{r: bytes.NewReader(stream)})
	buf := make([]byte, 16+len(good))
	if _, err := io.ReadFull(g, buf[:7]); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(g, buf[7:]); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, stream[:16+len(good)]) {
		t.Fatal("mux frame altered")
	}
	g.setFraming(FramingLockdown)
	buf2 := make([]byte, 4+len(good))
	if _, err := io.ReadFull(g, buf2); err != nil || !bytes.Equal(buf2, stream[16+len(good):]) {
		t.Fatalf("lockdown frame: %v", err)
	}
	if sum, ok := g.lastReply(); !ok || sum.Fields == nil {
		t.Errorf("lastReply = %+v, %v: not the last reply's summary", sum, ok)
	} else if n, ok := sum.Int("Number"); !ok || n != 0 {
		t.Errorf("lastReply Number = %d, %v", n, ok)
	}
}

func FuzzReadFrame(f *testing.F) {
	good := xmlDict(f)
	f.Add(muxFrame(uint32(16+len(good)), good), false)
	f.Add(ldFrame(uint32(len(good)), good), true)
	f.Add(muxFrame(0xFFFFFFF0, nil), false)
	f.Add(ldFrame(0xFFFFFFF0, nil), true)
	f.Add(ldFrame(9, []byte("\x00\x01hello!!")), true)
	f.Add([]byte("bplist00\x00\x00\x00\x00"), true)
	f.Add(ldFrame(12, []byte("bplist00\xd1\x01\x02")), true)
	bomb := plisttest.Bomb(70, map[string]string{"Request": "GetValue"}, "Value")
	f.Add(ldFrame(uint32(len(bomb)), bomb), true)
	deep := plisttest.DeepXML(200, "Value")
	f.Add(muxFrame(uint32(16+len(deep)), deep), false)
	f.Fuzz(func(t *testing.T, data []byte, lockdown bool) {
		fr := FramingUsbmux
		if lockdown {
			fr = FramingLockdown
		}
		const max = 1 << 12
		_, payload, _, err := ReadFrame(bytes.NewReader(data), fr, max)
		if err != nil {
			return
		}
		if len(payload) > max {
			t.Fatalf("payload %d bytes over the %d cap", len(payload), max)
		}
		if _, err := plistlimit.Check(payload, plistlimit.Default); err != nil {
			t.Fatalf("accepted payload fails the plist check: %v", err)
		}
	})
}

func TestLdReplyFromCleans(t *testing.T) {
	r := ldReplyFrom(map[string]any{"Error": "InvalidHostID\x1b]0;owned\x07", "Type": 42, "Request": "GetValue\r\nforged"})
	if r.Error != "InvalidHostID]0;owned" || r.Type != "" || r.Request != "GetValue  forged" {
		t.Errorf("ldReplyFrom = %+v", r)
	}
}
