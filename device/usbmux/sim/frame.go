package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
)

// usbmuxd message types (usbmuxd-proto.h).
const (
	muxMsgResult       = 1
	muxMsgConnect      = 2
	muxMsgListen       = 3
	muxMsgDeviceAdd    = 4
	muxMsgDeviceRemove = 5
	muxMsgPlist        = 8
)

// usbmuxd result numbers (usbmuxd-proto.h; ReadPairRecord answers ENOENT = 2).
const (
	muxResultOK          = 0
	muxResultBadCommand  = 1
	muxResultBadDev      = 2
	muxResultConnRefused = 3
	muxResultBadVersion  = 6
)

// MuxHeaderSize is the size of the usbmuxd frame header.
const MuxHeaderSize = 16

// MaxMuxFrame caps a usbmuxd frame (header included); longer lengths are
// rejected before anything is allocated. Real requests are well under 4 KiB.
const MaxMuxFrame = 4 << 20

// MaxLockdownFrame caps a lockdownd frame payload; checked before allocating.
const MaxLockdownFrame = 4 << 20

// ErrFrameTooLarge is returned (wrapped) for a frame whose length field exceeds the cap.
var ErrFrameTooLarge = errors.New("frame length over the cap")

// ErrFrameTooShort is returned (wrapped) for a usbmuxd header whose length is under 16.
var ErrFrameTooShort = errors.New("frame length under the header size")

// MuxHeader is the 16-byte little-endian usbmuxd frame header.
type MuxHeader struct {
	Length  uint32 // whole frame, header included
	Version uint32 // 1 for plist messages, 0 for the old binary protocol
	Message uint32 // 8 = plist
	Tag     uint32 // echoed in the reply
}

// ReadMuxFrame reads one usbmuxd frame: the header and its payload.
func ReadMuxFrame(r io.Reader) (MuxHeader, []byte, error) {
	var b [MuxHeaderSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return MuxHeader{}, nil, fmt.Errorf("usbmux header: %w", err)
	}
	h := MuxHeader{
		Length:  binary.LittleEndian.Uint32(b[0:]),
		Version: binary.LittleEndian.Uint32(b[4:]),
		Message: binary.LittleEndian.Uint32(b[8:]),
		Tag:     binary.LittleEndian.Uint32(b[12:]),
	}
	if h.Length < MuxHeaderSize {
		return h, nil, fmt.Errorf("usbmux header: length %d: %w", h.Length, ErrFrameTooShort)
	}
	if h.Length > MaxMuxFrame {
		return h, nil, fmt.Errorf("usbmux header: length %d (cap %d): %w", h.Length, MaxMuxFrame, ErrFrameTooLarge)
	}
	payload := make([]byte, h.Length-MuxHeaderSize)
	if _, err := io.ReadFull(r, payload); err != nil {
		return h, nil, fmt.Errorf("usbmux payload (%d bytes): %w", len(payload), err)
	}
	return h, payload, nil
}

// AppendMuxFrame appends a usbmuxd frame carrying payload to dst.
func AppendMuxFrame(dst []byte, version, message, tag uint32, payload []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(MuxHeaderSize+len(payload)))
	dst = binary.LittleEndian.AppendUint32(dst, version)
	dst = binary.LittleEndian.AppendUint32(dst, message)
	dst = binary.LittleEndian.AppendUint32(dst, tag)
	return append(dst, payload...)
}

// EncodeMuxPlist encodes v as an XML plist inside a version-1 usbmuxd plist frame.
func EncodeMuxPlist(tag uint32, v any) ([]byte, error) {
	body, err := plist.Marshal(v, plist.XMLFormat)
	if err != nil {
		return nil, fmt.Errorf("usbmux encode: %w", err)
	}
	return AppendMuxFrame(nil, 1, muxMsgPlist, tag, body), nil
}

// ReadLockdownFrame reads one lockdownd frame: a 4-byte big-endian length and the payload.
func ReadLockdownFrame(r io.Reader) ([]byte, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, fmt.Errorf("lockdown length: %w", err)
	}
	n := binary.BigEndian.Uint32(b[:])
	if n > MaxLockdownFrame {
		return nil, fmt.Errorf("lockdown length %d (cap %d): %w", n, MaxLockdownFrame, ErrFrameTooLarge)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, fmt.Errorf("lockdown payload (%d bytes): %w", n, err)
	}
	return payload, nil
}

// EncodeLockdownPlist encodes v as an XML plist in a lockdownd frame.
func EncodeLockdownPlist(v any) ([]byte, error) {
	body, err := plist.Marshal(v, plist.XMLFormat)
	if err != nil {
		return nil, fmt.Errorf("lockdown encode: %w", err)
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body)))
	return append(out, body...), nil
}

// DecodeDict decodes an XML or binary plist payload that must be a
// dictionary. A client's plist is checked against plistlimit.Default first,
// so a shared-reference bomb or a deep nest is refused without being
// materialised (the error wraps plistlimit.ErrLimit).
func DecodeDict(payload []byte) (map[string]any, error) {
	if len(payload) == 0 {
		return nil, errors.New("plist: empty payload")
	}
	if _, err := plistlimit.Check(payload, plistlimit.Default); err != nil {
		return nil, fmt.Errorf("plist: %w", err)
	}
	var m map[string]any
	if _, err := plist.Unmarshal(payload, &m); err != nil {
		return nil, fmt.Errorf("plist: %w", err)
	}
	if m == nil {
		return nil, errors.New("plist: not a dictionary")
	}
	return m, nil
}

// str returns m[key] when it is a string.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// uintVal returns m[key] as an unsigned integer when it is a plist integer.
func uintVal(m map[string]any, key string) (uint64, bool) {
	switch v := m[key].(type) {
	case uint64:
		return v, true
	case int64:
		if v >= 0 {
			return uint64(v), true
		}
	}
	return 0, false
}
