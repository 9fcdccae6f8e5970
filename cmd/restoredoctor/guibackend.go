package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// guiBackend is the window's app.Backend on real parts: the diagnostics
// engine for checks, a device.Monitor (USB watcher + usbmuxd's Listen) for
// live events,
// lockdownd for the live device card and latency samples.
type guiBackend struct {
	engine    *diagnostics.Engine
	usb       usb.Source // nil when libusb cannot be used
	usbErr    error      // why usb is nil
	client    *usbmux.Client
	addr      string
	noNetwork bool
	cat       *catalog.Catalog
	log       *slog.Logger
	// sampleEvery is the lockdown latency sampling interval during a check.
	sampleEvery time.Duration

	checking atomic.Bool
}

var _ app.Backend = (*guiBackend)(nil)

// Catalog implements app.Backend.
func (b *guiBackend) Catalog() viewmodel.Catalog { return app.CatalogView(b.cat, runtime.GOOS) }

// Rerank implements app.Backend with the real rules.
func (b *guiBackend) Rerank(r *report.Report, tried viewmodel.Tried) (*report.Report, error) {
	return app.Rerank(b.cat, r, tried)
}

// Check implements app.Backend: one engine run. Identifiers are kept so the
// report's device keys match the live ones; the export redacts them.
func (b *guiBackend) Check(ctx context.Context, opts app.CheckOptions, progress func(app.Progress)) (*report.Report, error) {
	b.checking.Store(true)
	defer b.checking.Store(false)
	return b.engine.Run(ctx, diagnostics.Options{
		Window:             opts.Window,
		UsbmuxdAddress:     b.addr,
		NoNetwork:          b.noNetwork,
		Tried:              app.RulesTried(opts.Tried),
		IncludeIdentifiers: true,
	}, func(p diagnostics.Progress) {
		label := p.Label
		if label == "" {
			label = diagnostics.Label(p.Current)
		}
		progress(app.Progress{Done: p.Done, Total: p.Total, Label: label})
	})
}

// HostStatus implements app.Backend.
func (b *guiBackend) HostStatus(ctx context.Context) viewmodel.Host {
	h := viewmodel.Host{UsbmuxdAddress: b.client.Addr().String(), UsbmuxdOnDemand: usbmux.StartsOnDemand(b.client.Addr())}
	st, err := b.client.Health(ctx)
	h.UsbmuxdStatus = string(st)
	var notes []string
	if err != nil && !(h.UsbmuxdOnDemand && st == usbmux.StatusUnreachable) {
		notes = append(notes, err.Error())
	}
	switch {
	case b.usb == nil && errors.Is(b.usbErr, usb.ErrAccessDenied):
		h.USBStatus = viewmodel.USBDenied
	case b.usb == nil:
		h.USBStatus = viewmodel.USBUnavailable
		if b.usbErr != nil {
			notes = append(notes, b.usbErr.Error())
		}
	default:
		if _, err := b.usb.Snapshot(ctx); err != nil {
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

// Watch implements app.Backend: the events of a device.Monitor over the USB
// watcher and usbmuxd's Listen (each source's own view of the phone, as the
// app merges them by key), lockdownd facts for phones usbmuxd attaches, and
// lockdown latency samples of the phones usbmuxd lists while a check runs.
// It returns when ctx ends.
func (b *guiBackend) Watch(ctx context.Context, emit func(app.DeviceEvent)) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var usbSrc device.USBEvents // a nil *usb.Watcher would not be a nil interface
	if b.usb != nil {
		usbSrc = usb.NewWatcher(b.usb, usb.WatcherOptions{Interval: 250 * time.Millisecond, Logger: b.log})
	}
	mon := device.NewMonitor(usbSrc, b.client, device.MonitorOptions{Logger: b.log})
	events := mon.Run(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range events {
			if ev.Kind == device.UsbmuxDisconnected {
				b.log.Debug("usbmuxd connection lost", "err", ev.Err)
			}
			de, ok := appEvent(ev)
			if !ok {
				continue
			}
			emit(de)
			if ev.Source == device.SourceUsbmux && ev.Kind == device.Attach {
				wg.Add(1)
				go func(e usbmux.Entry) {
					defer wg.Done()
					b.describe(ctx, e, emit)
				}(*ev.Entry)
			}
		}
	}()

	every := b.sampleEvery
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if !b.checking.Load() {
			continue
		}
		for _, d := range mon.Devices() {
			if d.Usbmux != nil {
				b.sample(ctx, *d.Usbmux, every, emit)
			}
		}
	}
}

// appEvent is a monitor event as the app sees it: the reporting source's own
// view of the phone (USB device or usbmuxd entry), keyed like the engine's
// report. Events about the usbmuxd connection itself have none.
func appEvent(ev device.Event) (app.DeviceEvent, bool) {
	kind := app.EventAttach
	switch ev.Kind {
	case device.Attach:
	case device.Detach:
		kind = app.EventDetach
	case device.ModeChange:
		kind = app.EventModeChange
	default:
		return app.DeviceEvent{}, false
	}
	switch {
	case ev.Source == device.SourceUSB && ev.USB != nil:
		return app.DeviceEvent{Kind: kind, Source: "usb", Time: ev.Time, Device: usbDevice(*ev.USB)}, true
	case ev.Source == device.SourceUsbmux && ev.Entry != nil && kind != app.EventModeChange:
		return app.DeviceEvent{Kind: kind, Source: "usbmux", Time: ev.Time, Device: entryDevice(*ev.Entry)}, true
	}
	return app.DeviceEvent{}, false
}

// sample times one lockdown round trip to e for the stability strip.
func (b *guiBackend) sample(ctx context.Context, e usbmux.Entry, limit time.Duration, emit func(app.DeviceEvent)) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	st, err := b.client.ProbeRTT(ctx, e, 1)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return
	}
	ev := app.DeviceEvent{Kind: app.EventLatency, Source: "usbmux", Time: time.Now(), Device: entryDevice(e)}
	if err != nil || len(st.Samples) == 0 {
		ev.Failed = true
	} else {
		ev.RTT = st.Samples[0]
	}
	emit(ev)
}

// describe asks lockdownd what the phone is (without pairing) and reports it.
func (b *guiBackend) describe(ctx context.Context, e usbmux.Entry, emit func(app.DeviceEvent)) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := b.client.QueryLockdown(ctx, e)
	if err != nil {
		b.log.Debug("lockdown query for the device card failed", "err", err)
		return
	}
	d := entryDevice(e)
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
	switch info.Trust {
	case usbmux.TrustTrusted:
		t := true
		d.Trusted = &t
	case usbmux.TrustNotTrusted, usbmux.TrustPending:
		f := false
		d.Trusted = &f
	}
	emit(app.DeviceEvent{Kind: app.EventUpdate, Source: "lockdown", Time: time.Now(), Device: d})
}

// liveKey is the phone's identity as the engine writes it into an
// unredacted report (diagnostics phoneKey): normalised UDID or serial,
// "ecid:…" in recovery/DFU, else the USB location.
func liveKey(d usb.Device) string {
	switch {
	case d.Recovery != nil && d.Recovery.ECID != "":
		return "ecid:" + strings.ToUpper(d.Recovery.ECID)
	case !d.Mode.IsLowLevel() && d.Serial != "":
		return usb.NormalizeSerial(d.Serial)
	default:
		return "usb:" + d.Location()
	}
}

func usbDevice(d usb.Device) viewmodel.Device {
	v := viewmodel.Device{
		Key: liveKey(d), Mode: d.Mode, SpeedMbps: d.SpeedMbps, BehindHub: d.BehindHub, OnUSB: true,
	}
	if r := d.Recovery; r != nil && r.CPID != "" {
		if m := model.ByChipHex(r.CPID, r.BDID); m.Known {
			v.Name, v.ProductType, v.RecoveryFamily = m.Name, m.ProductType, string(m.Family)
		}
	}
	return v
}

func entryDevice(e usbmux.Entry) viewmodel.Device {
	d := viewmodel.Device{Key: usb.NormalizeSerial(e.UDID), Mode: mode.Normal, Listed: true}
	if e.ProductID > 0 && e.ProductID <= 0xFFFF {
		d.Mode = mode.FromProductID(uint16(e.ProductID))
	}
	if d.Mode == mode.Unknown {
		d.Mode = mode.Normal
	}
	return d
}

// describeErr formats a startup error for stderr.
func describeErr(what string, err error) string {
	return fmt.Sprintf("restoredoctor: %s: %v", what, err)
}
