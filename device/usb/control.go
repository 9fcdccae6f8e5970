package usb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/stats"
)

// ControlDevice is an opened device that accepts control transfers on
// endpoint 0. Control must return by ctx's deadline (the gousb one uses it as
// the libusb timeout).
type ControlDevice interface {
	Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error)
	Close() error
}

type transferTimeoutKey struct{}

// WithTransferTimeout returns ctx carrying d as the timeout of each control
// transfer made with it, in place of the scanner's ControlTimeout (a short
// default meant for descriptor reads while scanning). A transfer still ends
// at ctx's deadline when that comes first. d <= 0 leaves ctx as it is.
func WithTransferTimeout(ctx context.Context, d time.Duration) context.Context {
	if d <= 0 {
		return ctx
	}
	return context.WithValue(ctx, transferTimeoutKey{}, d)
}

// transferTimeout returns the timeout WithTransferTimeout put in ctx.
func transferTimeout(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Value(transferTimeoutKey{}).(time.Duration)
	return d, ok && d > 0
}

// Opener opens a device found in a snapshot. *Scanner is the gousb Opener.
type Opener interface {
	Open(ctx context.Context, dev Device) (ControlDevice, error)
}

// ReadSerial reads dev's serial-number string with GET_DESCRIPTOR requests of
// its own: the device descriptor (for iSerialNumber), the language list, then
// the string with wLength 255 and, when that came back full, again with
// wLength 4096, so iBoot strings longer than libusb's string helpers allow
// (SRNM, IMEI, NONC, SNON) arrive whole. It returns "" and no error when the
// device has no serial string.
func ReadSerial(ctx context.Context, cd ControlDevice, dev Device) (string, error) {
	dd := make([]byte, deviceDescriptorLen)
	n, err := cd.Control(ctx, reqTypeStandardIn, reqGetDescriptor, descTypeDevice<<8, 0, dd)
	if err != nil {
		return "", classify("read device descriptor", dev, err)
	}
	idx, err := serialIndex(dd[:n])
	if err != nil {
		return "", classify("read device descriptor", dev, err)
	}
	if idx == 0 {
		return "", nil
	}
	lang := uint16(langIDEnglishUS)
	buf := make([]byte, stringReadLen)
	n, err = cd.Control(ctx, reqTypeStandardIn, reqGetDescriptor, descTypeString<<8, 0, buf)
	if err != nil {
		if errors.Is(classify("", dev, err), ErrDisconnected) || ctx.Err() != nil {
			return "", classify("read language list", dev, err)
		}
		// Some devices stall string 0; English is what they mean.
	} else if ids, derr := DecodeLangIDs(buf[:n]); derr == nil && len(ids) > 0 {
		lang = ids[0]
	}
	n, err = cd.Control(ctx, reqTypeStandardIn, reqGetDescriptor, descTypeString<<8|uint16(idx), lang, buf)
	if err != nil {
		return "", classify("read serial string", dev, err)
	}
	if n == len(buf) {
		long := make([]byte, longStringReadLen)
		n, err = cd.Control(ctx, reqTypeStandardIn, reqGetDescriptor, descTypeString<<8|uint16(idx), lang, long)
		if err != nil {
			return "", classify("read long serial string", dev, err)
		}
		buf = long
	}
	s, err := DecodeStringDescriptor(buf[:n])
	if err != nil {
		return "", classify("read serial string", dev, err)
	}
	return s, nil
}

// ControlStats summarises a ControlProbe run.
type ControlStats struct {
	Requests int // transfers attempted
	OK       int // answered with a valid device descriptor
	Timeouts int // not answered before the per-request deadline
	Failures int // stalled, I/O error or a malformed answer
	// Round-trip times of the answered requests.
	P50, P95, Max time.Duration
}

// ControlProbe opens dev through op and makes n GET_DESCRIPTOR(device)
// requests (harmless in every mode, answered by the boot ROM in DFU), each
// with its own deadline of timeout, and returns how many were answered,
// timed out or failed, with round-trip percentiles. A timed-out or failed
// request does not stop the probe; the device vanishing does: the stats so
// far are returned with a *DisconnectedError. ctx ending stops it too
// (stats so far, ctx's error). Opening errors are returned as is
// (*AccessDeniedError, *DisconnectedError, …) with zero stats.
func ControlProbe(ctx context.Context, op Opener, dev Device, n int, timeout time.Duration) (st ControlStats, err error) {
	if n <= 0 {
		return st, fmt.Errorf("usb: control probe of %s: request count %d, want > 0", dev.Location(), n)
	}
	if timeout <= 0 {
		return st, fmt.Errorf("usb: control probe of %s: timeout %v, want > 0", dev.Location(), timeout)
	}
	cd, err := op.Open(ctx, dev)
	if err != nil {
		return ControlStats{}, err
	}
	defer cd.Close()
	rtts := make([]time.Duration, 0, n)
	defer func() { st.P50, st.P95, st.Max = stats.Summary(rtts) }() // named results: set on every return
	buf := make([]byte, deviceDescriptorLen)
	for range n {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		start := time.Now()
		got, err := cd.Control(rctx, reqTypeStandardIn, reqGetDescriptor, descTypeDevice<<8, 0, buf)
		rtt := time.Since(start)
		cancel()
		if err != nil && ctx.Err() != nil {
			return st, ctx.Err() // the caller gave up; this request does not count
		}
		st.Requests++
		switch {
		case err == nil && got == deviceDescriptorLen && buf[1] == descTypeDevice:
			st.OK++
			rtts = append(rtts, rtt)
		case err == nil:
			st.Failures++
		case isTimeout(err) || errors.Is(err, context.DeadlineExceeded):
			st.Timeouts++
		default:
			st.Failures++
			if cerr := classify("control probe", dev, err); errors.Is(cerr, ErrDisconnected) {
				return st, cerr
			}
		}
	}
	return st, nil
}
