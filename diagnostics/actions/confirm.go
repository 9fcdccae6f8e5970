package actions

// The positive mode rule: an action is sent only when a fresh look, taken
// right before it and bounded by Options.ConfirmTimeout, shows the phone in
// the mode the action starts from. What the merged view showed earlier (a
// phone listed by usbmuxd is assumed to run iOS) is never enough: a phone in
// restore mode is listed too, and a slow or broken lockdownd tells nothing.

import (
	"context"
	"errors"
	"fmt"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// confirm takes the fresh look for action k on d and returns the phone as
// it is now, or why the action must not be sent (ErrRestoreMode,
// ErrModeUnconfirmed with the reason).
func (r *Runner) confirm(ctx context.Context, k Kind, d device.Device) (device.Device, error) {
	if k == ExitRecovery {
		return r.confirmRecovery(ctx, d)
	}
	return d, r.confirmNormal(ctx, d)
}

// confirmNormal: enter recovery and restart need lockdownd itself to answer
// QueryType with com.apple.mobile.lockdown, for the same phone (its
// UniqueDeviceID), now.
func (r *Runner) confirmNormal(ctx context.Context, d device.Device) error {
	if d.Usbmux == nil {
		return fmt.Errorf("%w: usbmuxd does not list the iPhone", ErrModeUnconfirmed)
	}
	a, err := r.hw.LockdownMode(ctx, *d.Usbmux)
	switch {
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, usbmux.ErrNotResponding)):
		return fmt.Errorf("%w: lockdownd did not say within %v which mode the iPhone is in (%v)", ErrModeUnconfirmed, r.opts.ConfirmTimeout, err)
	case err != nil:
		return fmt.Errorf("%w: asking lockdownd which mode the iPhone is in failed: %v", ErrModeUnconfirmed, err)
	case a.Mode == mode.Restore:
		return fmt.Errorf("%w: the iPhone answers as %s", ErrRestoreMode, usbmux.TypeRestored)
	case a.Type != usbmux.TypeLockdown:
		return fmt.Errorf("%w: lockdownd answered QueryType with %q, not %s (normal mode)", ErrModeUnconfirmed, a.Type, usbmux.TypeLockdown)
	}
	want := d.Usbmux.UDID
	if want == "" {
		want = d.UDID
	}
	if want == "" || usb.NormalizeSerial(a.UDID) != usb.NormalizeSerial(want) {
		return fmt.Errorf("%w: lockdownd answered for iPhone %q, not %q", ErrModeUnconfirmed, a.UDID, want)
	}
	return nil
}

// confirmRecovery: exit recovery needs the phone on USB now with a
// recovery-mode product id (0x1280–0x1283) and an iBoot serial string
// (CPID, ECID …), the same chip as before, and not listed by usbmuxd.
func (r *Runner) confirmRecovery(ctx context.Context, d device.Device) (device.Device, error) {
	devs, err := r.look(ctx)
	if le := (*LookError)(nil); err != nil && (!errors.As(err, &le) || le.USB != nil) {
		return d, fmt.Errorf("%w: the fresh look at USB failed: %v", ErrModeUnconfirmed, err)
	}
	now, found := find(devs, d)
	switch {
	case !found || now.USB == nil:
		return d, fmt.Errorf("%w: the iPhone is no longer on this computer's USB", ErrModeUnconfirmed)
	case now.USB.Mode == mode.DFU || mode.FromProductID(now.USB.ProductID) == mode.DFU:
		return d, ErrDFU
	case mode.FromProductID(now.USB.ProductID) != mode.Recovery:
		return d, fmt.Errorf("%w: its USB product id is 0x%04x, not a recovery-mode one (0x1280–0x1283)", ErrModeUnconfirmed, now.USB.ProductID)
	case now.USB.Recovery == nil && now.USB.OpenErr != nil:
		return d, fmt.Errorf("%w: its iBoot serial string could not be read: %v", ErrModeUnconfirmed, now.USB.OpenErr)
	case now.USB.Recovery == nil:
		return d, fmt.Errorf("%w: its iBoot serial string could not be read", ErrModeUnconfirmed)
	case d.USB != nil && d.USB.Recovery != nil && d.USB.Recovery.ECID != "" && d.USB.Recovery.ECID != now.USB.Recovery.ECID:
		return d, fmt.Errorf("%w: another iPhone (ECID %s) is at that USB port now", ErrModeUnconfirmed, now.USB.Recovery.ECID)
	case now.Usbmux != nil:
		return d, fmt.Errorf("%w: usbmuxd lists it, which it does only for a running iOS", ErrModeUnconfirmed)
	}
	return now, nil
}
