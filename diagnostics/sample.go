package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Link event sources.
const (
	sourceUSB    = string(device.SourceUSB)
	sourceUsbmux = string(device.SourceUsbmux)
)

// maxPhones is how many phones one run follows during its window.
const maxPhones = 64

// sampleResult is what the device monitor saw during the window.
type sampleResult struct {
	stability map[string]device.Stability // by phone key
	watched   []string                    // sources that delivered a view of the devices
	failed    []string                    // "source: why" for sources that could not be watched
	seen      []device.Sighting
	overflow  int // events of phones beyond maxPhones the monitor ignored
}

// tooManyPhones is the finding of a run that saw more phones than it
// follows (ok false when it did not).
func tooManyPhones(overflow int) (report.Finding, bool) {
	if overflow <= 0 {
		return report.Finding{}, false
	}
	return report.Finding{
		ID:       report.FindingUSBTooManyPhones,
		Severity: report.SeverityWarning,
		Summary:  i18n.T("findings.summary.too_many_phones", i18n.Args{"Max": i18n.Int(maxPhones)}),
		Evidence: map[string]any{"followed": maxPhones, "events_ignored": overflow},
		Steps:    []int{},
	}, true
}

// phones are the phones seen during the window, marking which ones were
// still on USB / listed by usbmuxd at its end.
func (s sampleResult) phones(goos string) []phone {
	var out []phone
	for _, sg := range s.seen {
		var devs []usb.Device
		var entries []usbmux.Entry
		if sg.USB != nil {
			devs = append(devs, *sg.USB)
		}
		if sg.Usbmux != nil {
			entries = append(entries, *sg.Usbmux)
		}
		for _, p := range mergePhones(devs, entries, goos) {
			if p.Key != sg.Key && (p.USB != nil || sg.USB == nil) {
				p.Key = sg.Key // the monitor's key (a serial-less USB view it tied to the phone)
			}
			if sg.Mode == mode.Restore && p.Mode == mode.Normal {
				p.Mode = mode.Restore
			}
			p.inWindow = true
			p.usbAtEnd = p.USB != nil && sg.OnUSB
			p.listedAtEnd = p.entry != nil && sg.Listed
			out = append(out, p)
		}
	}
	return out
}

// windowed runs a source for the window only; the monitor keeps going until
// the lockdown answers to what the sources reported are in.
type windowedUSB struct {
	w   *usb.Watcher
	ctx context.Context
}

func (s windowedUSB) Run(context.Context) <-chan usb.Event { return s.w.Run(s.ctx) }

type windowedMux struct {
	c   *usbmux.Client
	ctx context.Context
}

func (s windowedMux) Listen(context.Context) <-chan usbmux.Event { return s.c.Listen(s.ctx) }

// sampleLinks watches the USB bus (polling) and usbmuxd (Listen) through a
// device.Monitor for the run's window: the monitor is what counts drops and
// mode changes, here as in the window and `watch`. Both sources are watched
// because on Windows and macOS usbmuxd may be the only live one, and under
// umockdev the USB side is static.
func (r *run) sampleLinks(ctx context.Context) sampleResult {
	var res sampleResult
	window := r.opts.Window
	if window <= 0 {
		return res
	}
	wctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()

	var usbSrc device.USBEvents
	var watcher *usb.Watcher
	if r.src != nil {
		watcher = usb.NewWatcher(r.src, usb.WatcherOptions{
			Interval: r.e.cfg.PollInterval, FlapWindow: window + time.Second, Logger: r.e.log,
		})
		usbSrc = windowedUSB{watcher, wctx}
	} else {
		_, err := r.e.usbSource()
		res.failed = append(res.failed, fmt.Sprintf("%s: %v", sourceUSB, err))
	}
	mon := device.NewMonitor(usbSrc, windowedMux{r.client, wctx}, device.MonitorOptions{
		FlapWindow: window + time.Second, Logger: r.e.log, MaxPhones: maxPhones,
		QueryTimeout: r.e.cfg.UsbmuxTimeout + time.Second,
		// Normal and restore mode share product ids: lockdownd tells which
		// one came back, so a reboot into the restore ramdisk is a mode change.
		// The same query describes the phone (model, iOS version) for
		// the report when it was away at the quick pass.
		QueryMode: func(ctx context.Context, e usbmux.Entry) (mode.Mode, error) {
			info, err := r.client.QueryLockdown(ctx, e)
			if err != nil {
				return mode.Unknown, err
			}
			r.noteWindowLockdown(e.UDID, info)
			return info.Mode, nil
		},
		QueryChipID: r.client.QueryChipID,
	})
	live := &liveWindow{mon: mon, start: time.Now(), window: window}
	r.live.Store(live)
	usbPolled, muxConnected := false, false
	var muxErr, muxRefused error
	for ev := range mon.Run(ctx) {
		switch {
		case ev.Source == device.SourceUSB:
			usbPolled = true
			live.usbPolled.Store(true)
		case ev.Kind == device.UsbmuxConnected:
			muxConnected = true
			live.muxConnected.Store(true)
		case ev.Kind == device.UsbmuxDisconnected && ev.Err != nil:
			muxErr = ev.Err
			if errors.Is(ev.Err, usbmux.ErrProtocol) && wctx.Err() == nil {
				// A stream that sends what the frame guard refuses (a
				// plist bomb, garbage) was not watched.
				muxRefused = ev.Err
			}
		}
	}
	res.stability = map[string]device.Stability{}
	for _, st := range mon.Stability() {
		res.stability[st.Key] = st
	}
	res.seen = mon.Seen()
	if n := mon.Overflow(); n > 0 {
		res.overflow = n
		res.failed = append(res.failed, i18n.T("findings.detail.overflow", i18n.Args{"Max": i18n.Int(maxPhones), "Events": i18n.Int(n)}))
	}
	if watcher != nil {
		if usbPolled || watcher.Err() == nil {
			res.watched = append(res.watched, sourceUSB)
		} else {
			res.failed = append(res.failed, fmt.Sprintf("%s: %v", sourceUSB, watcher.Err()))
		}
	}
	switch {
	case muxRefused != nil:
		res.failed = append(res.failed, fmt.Sprintf("%s: %v", sourceUsbmux, muxRefused))
	case muxConnected:
		res.watched = append(res.watched, sourceUsbmux)
	default:
		if muxErr == nil {
			muxErr = errors.New(i18n.T("findings.detail.no_connection_in_window"))
		}
		res.failed = append(res.failed, fmt.Sprintf("%s: %v", sourceUsbmux, muxErr))
	}
	return res
}

// byPhone is the monitor's stability of each phone, as the stability check
// reads it: per source, drops (departures that were not mode changes),
// arrivals, flaps and their times.
func (s sampleResult) byPhone(phones []phone) []checks.PhoneStability {
	var out []checks.PhoneStability
	for _, p := range phones {
		st, ok := s.stability[p.Key]
		if !ok {
			continue
		}
		ps := checks.PhoneStability{Key: p.Key, Flaps: st.Flaps(), Detaches: st.Drops(), Attaches: st.Attaches()}
		for _, src := range []device.Source{device.SourceUSB, device.SourceUsbmux} {
			c := linkCount(st, src)
			if c.Detaches == 0 && c.Attaches == 0 && c.ModeChanges == 0 && !seenBy(st, src) {
				continue
			}
			if len(ps.All) == 0 || c.Flaps > ps.Worst.Flaps || (c.Flaps == ps.Worst.Flaps && c.Detaches > ps.Worst.Detaches) {
				ps.Worst = c
			}
			ps.All = append(ps.All, c)
		}
		out = append(out, ps)
	}
	return out
}

// seenBy reports whether src reported anything about the phone.
func seenBy(st device.Stability, src device.Source) bool {
	if src == device.SourceUSB {
		return st.USBAttaches+st.USBDetaches > 0
	}
	return st.UsbmuxAttaches+st.UsbmuxDetaches > 0
}

// linkCount is one source's share of a phone's stability.
func linkCount(st device.Stability, src device.Source) checks.LinkCount {
	c := checks.LinkCount{Source: string(src), Key: st.Key, ModeChanges: st.ModeChanges}
	if src == device.SourceUSB {
		c.Detaches, c.Attaches, c.Flaps = st.USBDrops, st.USBAttaches, st.USBFlaps
	} else {
		c.Detaches, c.Attaches, c.Flaps = st.UsbmuxDrops, st.UsbmuxAttaches, st.UsbmuxFlaps
	}
	var dropAt *time.Time
	for _, ch := range st.History {
		if ch.Source != src && ch.Kind != device.ChangeMode {
			continue
		}
		switch ch.Kind {
		case device.ChangeDrop:
			t := ch.Time
			dropAt = &t
		case device.ChangeReturn:
			if dropAt != nil {
				c.FlapTimes = append(c.FlapTimes, *dropAt)
				dropAt = nil
			}
		case device.ChangeMode:
			c.Transitions = append(c.Transitions, fmt.Sprintf("%s→%s", ch.From, ch.To))
		}
	}
	return c
}
