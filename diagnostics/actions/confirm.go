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
	"strconv"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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
		return because(ErrModeUnconfirmed, "actions.reason.not_listed")
	}
	a, err := r.hw.LockdownMode(ctx, *d.Usbmux)
	switch {
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, usbmux.ErrNotResponding)):
		return because(ErrModeUnconfirmed, "actions.reason.lockdown_silent", i18n.Args{"Timeout": i18n.Duration(r.opts.ConfirmTimeout), "Err": err.Error()})
	case err != nil:
		return because(ErrModeUnconfirmed, "actions.reason.lockdown_failed", i18n.Args{"Err": err.Error()})
	case a.Mode == mode.Restore:
		return because(ErrRestoreMode, "actions.reason.answers_as", i18n.Args{"Type": usbmux.TypeRestored})
	case a.Type != usbmux.TypeLockdown:
		return because(ErrModeUnconfirmed, "actions.reason.wrong_type", i18n.Args{"Type": strconv.Quote(a.Type), "Want": usbmux.TypeLockdown})
	}
	want := d.Usbmux.UDID
	if want == "" {
		want = d.UDID
	}
	if want == "" || usb.NormalizeSerial(a.UDID) != usb.NormalizeSerial(want) {
		return because(ErrModeUnconfirmed, "actions.reason.other_udid", i18n.Args{"Got": strconv.Quote(a.UDID), "Want": strconv.Quote(want)})
	}
	return nil
}

// confirmRecovery: exit recovery needs the phone on USB now with a
// recovery-mode product id (0x1280–0x1283) and an iBoot serial string
// (CPID, ECID …), the same chip as before, and not listed by usbmuxd.
func (r *Runner) confirmRecovery(ctx context.Context, d device.Device) (device.Device, error) {
	devs, err := r.look(ctx)
	if le := (*LookError)(nil); err != nil && (!errors.As(err, &le) || le.USB != nil) {
		return d, because(ErrModeUnconfirmed, "actions.reason.look_failed", i18n.Args{"Err": err.Error()})
	}
	now, found := find(devs, d)
	switch {
	case !found || now.USB == nil:
		return d, because(ErrModeUnconfirmed, "actions.reason.gone")
	case now.USB.Mode == mode.DFU || mode.FromProductID(now.USB.ProductID) == mode.DFU:
		return d, ErrDFU
	case mode.FromProductID(now.USB.ProductID) != mode.Recovery:
		return d, because(ErrModeUnconfirmed, "actions.reason.not_recovery_pid", i18n.Args{"PID": fmt.Sprintf("0x%04x", now.USB.ProductID)})
	case now.USB.Recovery == nil && now.USB.OpenErr != nil:
		return d, because(ErrModeUnconfirmed, "actions.reason.no_serial_err", i18n.Args{"Err": now.USB.OpenErr.Error()})
	case now.USB.Recovery == nil:
		return d, because(ErrModeUnconfirmed, "actions.reason.no_serial")
	case d.USB != nil && d.USB.Recovery != nil && d.USB.Recovery.ECID != "" && d.USB.Recovery.ECID != now.USB.Recovery.ECID:
		return d, because(ErrModeUnconfirmed, "actions.reason.other_phone", i18n.Args{"ECID": now.USB.Recovery.ECID})
	case now.Usbmux != nil:
		return d, because(ErrModeUnconfirmed, "actions.reason.usbmux_lists")
	}
	return now, nil
}
