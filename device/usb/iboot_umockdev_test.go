//go:build cgo

package usb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb/internal/usbmontest"
)

// recordingOpener records every control transfer made through the devices it
// opens, as usbmontest.SentHex renders them.
type recordingOpener struct {
	op       Opener
	mu       sync.Mutex
	sent     []string
	timeouts []int // gousb's Device.ControlTimeout of each transfer, whole seconds
}

func (r *recordingOpener) Open(ctx context.Context, d Device) (ControlDevice, error) {
	cd, err := r.op.Open(ctx, d)
	if err != nil {
		return nil, err
	}
	return &recordingDevice{ControlDevice: cd, r: r}, nil
}

type recordingDevice struct {
	ControlDevice
	r *recordingOpener
}

func (d *recordingDevice) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	t := usbmontest.Transfer{Setup: [8]byte{rType, request, byte(value), byte(value >> 8), byte(index), byte(index >> 8),
		byte(len(data)), byte(len(data) >> 8)}}
	if t.Out() {
		t.Data = data
	}
	d.r.mu.Lock()
	d.r.sent = append(d.r.sent, usbmontest.SentHex(t))
	d.r.mu.Unlock()
	n, err := d.ControlDevice.Control(ctx, rType, request, value, index, data)
	if g, ok := d.ControlDevice.(*gousbControl); ok {
		d.r.mu.Lock()
		d.r.timeouts = append(d.r.timeouts, int(math.Round(g.d.ControlTimeout.Seconds())))
		d.r.mu.Unlock()
	}
	return n, err
}

func exitErrorKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrWrongMode):
		return "wrong_mode"
	case errors.Is(err, ErrStalled):
		return "stalled"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrDisconnected):
		return "disconnected"
	}
	return "other: " + err.Error()
}

// childExit runs ExitRecovery on the first recovery/DFU device of devs,
// inside umockdev-run, and reports what went over the wire. The commands go
// through a scanner opened as the session opens it (no ControlTimeout: the
// scanner's 1 s default), so the per-command timeout of ExitRecovery
// (spec ms, 0 for the default) is what must bound each transfer.
func childExit(ctx context.Context, _ *Scanner, devs []Device, spec string) *usbmontest.Exit {
	ms, _ := strconv.Atoi(spec)
	out := &usbmontest.Exit{TimeoutMs: ms, Sent: []string{}}
	s, err := NewScanner(ScannerOptions{})
	if err != nil {
		out.Error = "other: " + err.Error()
		return out
	}
	defer s.Close()
	for _, d := range devs {
		if !d.Mode.IsLowLevel() {
			continue
		}
		rec := &recordingOpener{op: s}
		err := ExitRecovery(ctx, rec, d, ExitRecoveryOptions{Timeout: time.Duration(ms) * time.Millisecond})
		out.Sent = append(out.Sent, rec.sent...)
		out.ControlTimeoutsS = rec.timeouts
		out.Error = exitErrorKind(err)
		return out
	}
	out.Error = "no recovery or DFU device"
	return out
}

func checkExit(t *testing.T, got *usbmontest.Exit, want usbmontest.Exit) {
	t.Helper()
	if got == nil {
		t.Fatal("the child ran no ExitRecovery")
	}
	if !reflect.DeepEqual(got.Sent, want.Sent) {
		t.Errorf("transfers sent:\ngot  %q\nwant %q", got.Sent, want.Sent)
	}
	if got.Error != want.Error {
		t.Errorf("ExitRecovery error: got %q, want %q", got.Error, want.Error)
	}
	if want.ControlTimeoutsS != nil && !reflect.DeepEqual(got.ControlTimeoutsS, want.ControlTimeoutsS) {
		t.Errorf("libusb timeouts of the transfers: got %v s, want %v s", got.ControlTimeoutsS, want.ControlTimeoutsS)
	}
}

// TestExitRecoveryBytes pins the wire form of the three commands
// independently of the generator: 0x40, request 0, value 0, index 0,
// wLength = command + NUL.
func TestExitRecoveryBytes(t *testing.T) {
	want := []string{
		"4000000000001600 736574656e76206175746f2d626f6f74207472756500",
		"4000000000000800 73617665656e7600",
		"4000000000000700 7265626f6f7400",
	}
	for i, tr := range usbmontest.ExitRecoveryTransfers() {
		if got := usbmontest.SentHex(tr); got != want[i] {
			t.Errorf("command %d: got %s, want %s", i, got, want[i])
		}
	}
	for i, cmd := range ExitRecoveryCommands {
		data, err := IBootCommandData(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", data); got != want[i][17:] {
			t.Errorf("IBootCommandData(%q) = %s, want %s", cmd, got, want[i][17:])
		}
	}
}
