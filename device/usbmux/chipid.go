package usbmux

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoChipID is returned by QueryChipID when lockdownd gives no usable
// UniqueChipID.
var ErrNoChipID = errors.New("lockdownd gave no UniqueChipID")

// QueryChipID asks lockdownd on e for the phone's UniqueChipID (its ECID)
// with one GetValue and no pairing, and returns it as 16 hex digits. Older
// phones (40-hex-digit UDIDs) carry their ECID only here; in recovery and DFU
// mode they are known by it.
func (c *Client) QueryChipID(ctx context.Context, e Entry) (string, error) {
	s, err := c.openLockdown(ctx, e, "query chip id of "+e.UDID)
	if err != nil {
		return "", err
	}
	defer s.close()
	r, _, err := s.requestRaw(ldRequest{Label: label, Request: "GetValue", Key: "UniqueChipID"})
	if err != nil {
		return "", err
	}
	if r.Error != "" {
		return "", s.failReply(&ReplyError{Service: "lockdownd", Request: "GetValue UniqueChipID", Message: r.Error})
	}
	return chipIDText(r.Value)
}

// chipIDText is a plist integer ECID as 16 hex digits.
func chipIDText(v any) (string, error) {
	var n uint64
	switch t := v.(type) {
	case uint64:
		n = t
	case int64:
		if t <= 0 {
			return "", fmt.Errorf("%w: %d", ErrNoChipID, t)
		}
		n = uint64(t)
	default:
		return "", fmt.Errorf("%w: value of type %T", ErrNoChipID, v)
	}
	if n == 0 {
		return "", fmt.Errorf("%w: 0", ErrNoChipID)
	}
	return fmt.Sprintf("%016X", n), nil
}
