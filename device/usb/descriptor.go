package usb

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// USB standard request and descriptor constants used here (USB 2.0 §9.4).
const (
	reqTypeStandardIn   = 0x80 // device-to-host, standard, device
	reqGetDescriptor    = 0x06
	descTypeDevice      = 0x01
	descTypeString      = 0x03
	deviceDescriptorLen = 18
	langIDEnglishUS     = 0x0409
	// stringReadLen is the first wLength used for a string descriptor: the
	// largest a descriptor can declare in bLength.
	stringReadLen = 255
	// longStringReadLen is the wLength of the second read when the first one
	// came back full: iBoot serial strings with SRNM/IMEI/NONC/SNON do not fit
	// in 255 bytes of UTF-16, so libusb's and gousb's string helpers truncate them.
	longStringReadLen = 4096
)

// ErrBadDescriptor is wrapped by the descriptor decoders for malformed input.
var ErrBadDescriptor = errors.New("usb: malformed descriptor")

// DecodeStringDescriptor decodes a USB string descriptor (bLength, bDescriptorType 3,
// UTF-16LE code units) as returned by GET_DESCRIPTOR. bLength is trusted when it
// fits in what was received; a reply longer than 255 bytes (which bLength cannot
// describe) is decoded whole; a truncated reply is decoded as far as it goes.
// Invalid UTF-16 becomes U+FFFD; trailing NULs are dropped. It never panics.
func DecodeStringDescriptor(b []byte) (string, error) {
	if len(b) < 2 {
		return "", fmt.Errorf("%w: string descriptor of %d bytes", ErrBadDescriptor, len(b))
	}
	if b[1] != descTypeString {
		return "", fmt.Errorf("%w: descriptor type %#02x, want string (0x03)", ErrBadDescriptor, b[1])
	}
	n := len(b)
	if n <= 255 {
		if bl := int(b[0]); bl >= 2 && bl < n {
			n = bl
		}
	}
	body := b[2:n]
	units := make([]uint16, len(body)/2)
	for i := range units {
		units[i] = uint16(body[2*i]) | uint16(body[2*i+1])<<8
	}
	return strings.TrimRight(string(utf16.Decode(units)), "\x00"), nil
}

// DecodeLangIDs decodes string descriptor 0: the list of supported LANGIDs.
func DecodeLangIDs(b []byte) ([]uint16, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: language list of %d bytes", ErrBadDescriptor, len(b))
	}
	if b[1] != descTypeString {
		return nil, fmt.Errorf("%w: descriptor type %#02x, want string (0x03)", ErrBadDescriptor, b[1])
	}
	n := min(int(b[0]), len(b))
	var ids []uint16
	for i := 2; i+1 < n; i += 2 {
		ids = append(ids, uint16(b[i])|uint16(b[i+1])<<8)
	}
	return ids, nil
}

// serialIndex returns iSerialNumber from a device descriptor.
func serialIndex(b []byte) (uint8, error) {
	if len(b) < deviceDescriptorLen || b[1] != descTypeDevice {
		return 0, fmt.Errorf("%w: device descriptor of %d bytes", ErrBadDescriptor, len(b))
	}
	return b[16], nil
}
