// Package live is the window's app.Backend over a diagnostics/session: it
// maps the session's events (device.Monitor's phones under their one key,
// lockdownd's descriptions, latency samples) to the window's events, runs
// the session's checks with the window's options, probes the host for the
// host card, and runs recovery actions on the phone the window shows. It
// holds no device logic of its own.
package live

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Backend adapts the session to the window's app.Backend: it maps
// session events to the window's events and holds no device logic.
type Backend struct {
	sess       *session.Session
	usbErr     error
	addr       string
	noNetwork  bool
	backupDirs []string
	log        *slog.Logger
	rec        Recording
}

// Config is what New needs.
type Config struct {
	// Session is the session the window follows (required).
	Session *session.Session
	// USBErr is why the session has no USB source (nil when it has one).
	USBErr error
	// UsbmuxdAddress is where checks look for usbmuxd ("" = the default).
	UsbmuxdAddress string
	// NoNetwork skips the Apple-server check.
	NoNetwork bool
	// BackupDirs are folders scanned for backups besides the OS's own
	// (--backup-dir, the demo's; step 5 shows what they hold).
	BackupDirs []string
	// Logger receives debug logs (nil: discarded).
	Logger *slog.Logger
	// Recording configures "Watch my restore" (zero: the window cannot record).
	Recording Recording
}

// New returns the window's backend over cfg.Session.
func New(cfg Config) *Backend {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Backend{sess: cfg.Session, usbErr: cfg.USBErr, addr: cfg.UsbmuxdAddress, noNetwork: cfg.NoNetwork, backupDirs: cfg.BackupDirs, log: log, rec: cfg.Recording}
}

var _ app.Backend = (*Backend)(nil)

// Check implements app.Backend: one session check. Identifiers are kept so
// the report's device keys match the live ones; the export redacts them.
func (b *Backend) Check(ctx context.Context, opts app.CheckOptions, progress func(app.Progress)) (*report.Report, error) {
	return b.sess.Check(ctx, diagnostics.Options{
		Window:             opts.Window,
		UsbmuxdAddress:     b.addr,
		NoNetwork:          b.noNetwork,
		Tried:              app.RulesTried(opts.Tried),
		IncludeIdentifiers: true,
		BackupDirs:         b.backupDirs,
	}, func(p diagnostics.Progress) {
		label := p.Label
		if label == "" {
			label = diagnostics.Label(p.Current)
		}
		progress(app.Progress{Done: p.Done, Total: p.Total, Label: label, Report: p.Report})
	})
}

// HostStatus implements app.Backend.
func (b *Backend) HostStatus(ctx context.Context) viewmodel.Host {
	client, src := b.sess.Usbmux(), b.sess.USB()
	h := viewmodel.Host{UsbmuxdAddress: client.Addr().String(), UsbmuxdOnDemand: usbmux.StartsOnDemand(client.Addr())}
	st, err := client.Health(ctx)
	h.UsbmuxdStatus = string(st)
	var notes []string
	if err != nil && !(h.UsbmuxdOnDemand && st == usbmux.StatusUnreachable) {
		notes = append(notes, err.Error())
	}
	switch {
	case src == nil && errors.Is(b.usbErr, usb.ErrAccessDenied):
		h.USBStatus = viewmodel.USBDenied
	case src == nil:
		h.USBStatus = viewmodel.USBUnavailable
		if b.usbErr != nil {
			notes = append(notes, b.usbErr.Error())
		}
	default:
		if _, err := src.Snapshot(ctx); err != nil {
			if errors.Is(err, usb.ErrAccessDenied) {
				h.USBStatus = viewmodel.USBDenied
			} else {
				h.USBStatus = viewmodel.USBUnavailable
				notes = append(notes, err.Error())
			}
		} else {
			h.USBStatus = usbAccessStatus(runtime.GOOS) // never "ok" where libusb is blind
		}
	}
	h.Detail = strings.Join(notes, "; ")
	return h
}

// Watch implements app.Backend: the session's live view, each event as the
// reporting source's own view of the phone under the session's key.
func (b *Backend) Watch(ctx context.Context, emit func(app.DeviceEvent)) error {
	return b.sess.Watch(ctx, func(ev session.Event) {
		if ev.Kind == session.UsbmuxDisconnected {
			b.log.Debug("usbmuxd connection lost", "err", ev.Err)
		}
		if de, ok := appEvent(ev); ok {
			emit(de)
		}
	})
}

// appEvent is a session event as the app sees it. The usbmuxd connection
// lost or back is the iPhone service's event (no phone); a USB read error
// has none.
func appEvent(ev session.Event) (app.DeviceEvent, bool) {
	kind := app.EventAttach
	switch ev.Kind {
	case session.UsbmuxDisconnected:
		return app.DeviceEvent{Kind: app.EventServiceLost, Source: "usbmux", Time: ev.Time, Err: ev.Err}, true
	case session.UsbmuxConnected:
		return app.DeviceEvent{Kind: app.EventServiceBack, Source: "usbmux", Time: ev.Time}, true
	case session.Attach:
	case session.Detach:
		kind = app.EventDetach
	case session.ModeChange:
		kind = app.EventModeChange
	case session.Describe:
		if ev.Entry == nil || ev.Lockdown == nil {
			return app.DeviceEvent{}, false
		}
		return app.DeviceEvent{Kind: app.EventUpdate, Source: "lockdown", Time: ev.Time, Device: describedDevice(ev.Phone.Key, *ev.Entry, *ev.Lockdown)}, true
	case session.Latency:
		if ev.Entry == nil {
			return app.DeviceEvent{}, false
		}
		d := entryDevice(*ev.Entry)
		d.Key = ev.Phone.Key
		return app.DeviceEvent{Kind: app.EventLatency, Source: "usbmux", Time: ev.Time, Device: d, RTT: ev.RTT, Failed: ev.Failed}, true
	default:
		return app.DeviceEvent{}, false
	}
	switch {
	case ev.Source == device.SourceUSB && ev.USB != nil:
		d := usbDevice(*ev.USB)
		if ev.Phone.Key != "" {
			d.Key = ev.Phone.Key
		}
		return app.DeviceEvent{Kind: kind, Source: "usb", Time: ev.Time, Device: d, Drops: ev.Stability.Drops()}, true
	case ev.Source == device.SourceUsbmux && ev.Entry != nil:
		d := entryDevice(*ev.Entry)
		if ev.Phone.Key != "" {
			d.Key = ev.Phone.Key
		}
		if kind == app.EventModeChange && ev.Phone.Mode != "" {
			// usbmuxd's entry cannot say restore; the session's merged view can.
			d.Mode = ev.Phone.Mode
		}
		return app.DeviceEvent{Kind: kind, Source: "usbmux", Time: ev.Time, Device: d, Drops: ev.Stability.Drops()}, true
	}
	return app.DeviceEvent{}, false
}

// describedDevice is the card of a phone lockdownd described.
func describedDevice(key string, e usbmux.Entry, info usbmux.LockdownInfo) viewmodel.Device {
	d := entryDevice(e)
	d.Key = key
	if info.Mode == mode.Restore {
		d.Mode = mode.Restore
	}
	if info.ProductType != "" {
		m := model.ByProductType(info.ProductType)
		d.ProductType = info.ProductType
		if m.Known {
			d.Name = m.Name
			d.RecoveryFamily = string(m.Family)
		}
	}
	d.IOSVersion = info.ProductVersion
	d.OwnName = info.DeviceName
	d.Trusted = info.Trust.Trusted()
	return d
}

// usbDevice is the USB view of a phone for the window, keyed like the
// report (device.Key).
func usbDevice(d usb.Device) viewmodel.Device {
	v := viewmodel.Device{
		Key: device.Key(&d, nil), Mode: d.Mode, SpeedMbps: d.SpeedMbps, BehindHub: d.BehindHub, OnUSB: true,
	}
	if r := d.Recovery; r != nil && r.CPID != "" {
		if m := model.ByChipHex(r.CPID, r.BDID); m.Known {
			v.Name, v.ProductType, v.RecoveryFamily = m.Name, m.ProductType, string(m.Family)
		}
	}
	return v
}

func entryDevice(e usbmux.Entry) viewmodel.Device {
	d := viewmodel.Device{Key: device.Key(nil, &e), Mode: mode.Normal, Listed: true}
	if e.ProductID > 0 && e.ProductID <= 0xFFFF {
		d.Mode = mode.FromProductID(uint16(e.ProductID))
	}
	if d.Mode == mode.Unknown {
		d.Mode = mode.Normal
	}
	return d
}

var _ app.ActionRunner = (*Backend)(nil)

// RunAction implements app.ActionRunner for the window: it finds the phone
// the window shows (by the window's live key) in one merged look at USB and
// usbmuxd, tells restore mode apart through lockdownd, and runs the action
// with its policy, following the phone until it is back.
func (b *Backend) RunAction(ctx context.Context, kind actions.Kind, dev viewmodel.Device) actions.Result {
	var opener usb.Opener
	src0 := b.sess.USB()
	switch src := src0.(type) {
	case usb.Opener:
		opener = src // the gousb Scanner
	case interface{ USBOpener() usb.Opener }:
		opener = src.USBOpener() // the demo simulator's iBoot
	}
	client := b.sess.Usbmux()
	look := actions.SnapshotLook(src0, client, runtime.GOOS)
	runner := actions.NewRunner(actions.Devices{USB: opener, Usbmux: client}, look, actions.Options{})
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	devs, err := look(lctx)
	cancel()
	var d device.Device
	found := false
	for _, m := range devs {
		if m.Key == dev.Key { // device.Key: the window's key for the phone in every mode
			d, found = m, true
			break
		}
	}
	if !found {
		if err == nil {
			err = state.MessageError("app.action.not_connected")
		}
		return actions.Result{Kind: kind, DeviceKey: dev.Key, Started: time.Now(), Before: dev.Mode, Outcome: actions.Refused,
			Summary: i18n.T("app.action.nothing_sent", i18n.Args{"Err": err}), Err: err}
	}
	if dev.Mode == mode.Restore {
		d.Mode = mode.Restore // the window learnt it from lockdownd's QueryType
	}
	_, family := actions.Identify(ctx, client, &d)
	if dev.RecoveryFamily != "" && family == model.Unknown {
		family = model.Family(dev.RecoveryFamily)
	}
	return runner.Run(ctx, actions.Request{Kind: kind, Device: d, Family: family})
}
