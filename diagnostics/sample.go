package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
)

// Link event sources.
const (
	sourceUSB    = "usb"
	sourceUsbmux = "usbmux"
)

// sampleResult is what was seen on the link sources during the window.
type sampleResult struct {
	events  []checks.LinkEvent
	watched []string // sources that delivered a view of the devices
	failed  []string // "source: why" for sources that could not be watched
	seen    seenDevices
}

// seenDevices is the last known view of every device seen during the
// window, and whether it was still there at the end.
type seenDevices struct {
	usb        map[string]usb.Device // by Location()
	usbPresent map[string]bool
	mux        map[int]usbmux.Entry // by DeviceID
	muxPresent map[int]bool
}

func (s *seenDevices) noteUSB(ev usb.Event) {
	if s.usb == nil {
		s.usb, s.usbPresent = map[string]usb.Device{}, map[string]bool{}
	}
	loc := ev.Device.Location()
	switch ev.Kind {
	case usb.Attached, usb.ModeChange:
		s.usb[loc], s.usbPresent[loc] = ev.Device, true
	case usb.Detached:
		if _, ok := s.usb[loc]; !ok {
			s.usb[loc] = ev.Device
		}
		s.usbPresent[loc] = false
	}
}

func (s *seenDevices) noteMux(ev usbmux.Event) {
	if s.mux == nil {
		s.mux, s.muxPresent = map[int]usbmux.Entry{}, map[int]bool{}
	}
	switch ev.Kind {
	case usbmux.EventAttach:
		s.mux[ev.DeviceID], s.muxPresent[ev.DeviceID] = ev.Entry, true
	case usbmux.EventDetach:
		if _, ok := s.mux[ev.DeviceID]; !ok {
			s.mux[ev.DeviceID] = ev.Entry
		}
		s.muxPresent[ev.DeviceID] = false
	}
}

// phones merges the devices seen during the window into phones, marking
// which ones were still on USB / listed by usbmuxd at its end. usbmuxd
// entries of the same phone (a new DeviceID per re-attach) are folded into
// one, present if any of them is.
func (s seenDevices) phones(goos string) []phone {
	var devs []usb.Device
	for _, d := range s.usb {
		devs = append(devs, d)
	}
	slices.SortFunc(devs, func(a, b usb.Device) int { return strings.Compare(a.Location(), b.Location()) })
	ids := slices.Sorted(maps.Keys(s.mux))
	var entries []usbmux.Entry
	byUDID := map[string]int{}
	listed := map[string]bool{}
	for _, id := range ids {
		e := s.mux[id]
		k := checks.NormalizeSerial(e.UDID)
		if k == "" {
			k = fmt.Sprintf("device-%d", id)
		}
		listed[k] = listed[k] || s.muxPresent[id]
		if i, ok := byUDID[k]; ok {
			if s.muxPresent[id] || !s.muxPresent[entries[i].DeviceID] {
				entries[i] = e
			}
			continue
		}
		byUDID[k] = len(entries)
		entries = append(entries, e)
	}
	ps := mergePhones(devs, entries, goos)
	for i := range ps {
		p := &ps[i]
		p.inWindow = true
		p.usbAtEnd = p.USB != nil && s.usbPresent[p.USB.Location()]
		if p.entry != nil {
			k := checks.NormalizeSerial(p.entry.UDID)
			if k == "" {
				k = fmt.Sprintf("device-%d", p.entry.DeviceID)
			}
			p.listedAtEnd = listed[k]
		}
	}
	return ps
}

// sampleLinks watches the USB bus (polling) and usbmuxd (Listen) for the
// run's window and returns every attach and detach seen. Both sources are
// watched because on Windows and macOS usbmuxd may be the only live one,
// and under umockdev the USB side is static.
func (r *run) sampleLinks(ctx context.Context) sampleResult {
	var res sampleResult
	window := r.opts.Window
	if window <= 0 {
		return res
	}
	wctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()

	var usbCh <-chan usb.Event
	var watcher *usb.Watcher
	if r.src != nil {
		watcher = usb.NewWatcher(r.src, usb.WatcherOptions{
			Interval: r.e.cfg.PollInterval, FlapWindow: window + time.Second, Logger: r.e.log,
		})
		usbCh = watcher.Run(wctx)
	} else {
		_, err := r.e.usbSource()
		res.failed = append(res.failed, fmt.Sprintf("%s: %v", sourceUSB, err))
	}
	muxCh := r.client.Listen(wctx)

	var queries sync.WaitGroup
	var qmu sync.Mutex
	var queried []checks.LinkEvent
	var usbFirst time.Time
	usbPolled := false
	muxConnected := false
	muxConnections := 0
	var muxErr, muxRefused error
	for usbCh != nil || muxCh != nil {
		select {
		case ev, ok := <-usbCh:
			if !ok {
				usbCh = nil
				continue
			}
			usbPolled = true
			res.seen.noteUSB(ev)
			if usbFirst.IsZero() {
				usbFirst = ev.Time
			}
			res.events = append(res.events, usbLinkEvents(ev, ev.Time.Equal(usbFirst))...)
		case ev, ok := <-muxCh:
			if !ok {
				muxCh = nil
				continue
			}
			switch ev.Kind {
			case usbmux.EventConnected:
				muxConnected = true
				muxConnections++
			case usbmux.EventDisconnected:
				if ev.Err != nil {
					muxErr = ev.Err
				}
				if errors.Is(ev.Err, usbmux.ErrProtocol) && wctx.Err() == nil {
					// A stream that sends what the frame guard refuses
					// (a plist bomb, garbage) was not watched.
					muxRefused = ev.Err
				}
			case usbmux.EventAttach, usbmux.EventDetach:
				res.seen.noteMux(ev)
				le := muxLinkEvent(ev, ev.Reconciled && muxConnections <= 1)
				if le.Kind == checks.LinkAttach && !le.Initial && ev.Entry.UDID != "" {
					// Normal and restore mode share product ids: ask
					// lockdownd which one came back, so a reboot into the
					// restore ramdisk counts as a mode change, not a flap.
					queries.Add(1)
					go func() {
						defer queries.Done()
						qctx, cancel := context.WithTimeout(ctx, r.e.cfg.UsbmuxTimeout+time.Second)
						defer cancel()
						if info, err := r.client.QueryLockdown(qctx, ev.Entry); err == nil && info.Mode == mode.Restore {
							le.Mode = mode.Restore
						}
						qmu.Lock()
						queried = append(queried, le)
						qmu.Unlock()
					}()
					continue
				}
				res.events = append(res.events, le)
			}
		}
	}
	queries.Wait()
	res.events = append(res.events, queried...)
	res.markRestoreMode(ctx, r)
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
			muxErr = fmt.Errorf("no connection within the window")
		}
		res.failed = append(res.failed, fmt.Sprintf("%s: %v", sourceUsbmux, muxErr))
	}
	return res
}

// markRestoreMode gives usbmuxd's initial attaches the mode lockdownd
// reported for the phone (restore mode looks like normal mode by product
// id), so a phone that left the restore ramdisk and came back in normal mode
// counts as a mode change. It waits for the lockdown facts no longer than ctx.
func (s *sampleResult) markRestoreMode(ctx context.Context, r *run) {
	wctx, cancel := context.WithTimeout(ctx, r.e.cfg.UsbmuxTimeout)
	defer cancel()
	ld, err := r.lockdown.Get(wctx)
	if err != nil {
		return
	}
	for i, e := range s.events {
		if e.Source != sourceUsbmux || !e.Initial || e.Kind != checks.LinkAttach {
			continue
		}
		if res, ok := ld[e.Key]; ok && res.info.Mode == mode.Restore {
			s.events[i].Mode = mode.Restore
		}
	}
}

// usbLinkEvents converts a watcher event; initial marks the first poll.
func usbLinkEvents(ev usb.Event, initial bool) []checks.LinkEvent {
	le := checks.LinkEvent{Source: sourceUSB, Time: ev.Time, Key: ev.Device.Location(), Mode: ev.Device.Mode}
	switch ev.Kind {
	case usb.Detached:
		le.Kind = checks.LinkDetach
	case usb.Attached:
		le.Kind = checks.LinkAttach
		le.Initial = initial && !ev.Reenumeration
	case usb.ModeChange:
		// Either a re-attach in another mode after a detach we already
		// counted, or a change between two polls: the same fold applies.
		le.Kind = checks.LinkModeChange
		le.PrevMode = ev.PrevMode
	default:
		return nil
	}
	return []checks.LinkEvent{le}
}

// muxLinkEvent converts a usbmuxd Listen attach/detach.
func muxLinkEvent(ev usbmux.Event, initial bool) checks.LinkEvent {
	le := checks.LinkEvent{
		Source: sourceUsbmux, Time: ev.Time, Key: checks.NormalizeSerial(ev.Entry.UDID),
		Mode: mode.FromProductID(uint16(ev.Entry.ProductID)),
	}
	if le.Key == "" {
		le.Key = fmt.Sprintf("device-%d", ev.DeviceID)
	}
	if le.Mode == mode.Unknown && ev.Entry.ProductID == 0 {
		le.Mode = "" // not known: the fold uses the last known mode
	}
	if ev.Kind == usbmux.EventDetach {
		le.Kind = checks.LinkDetach
	} else {
		le.Kind = checks.LinkAttach
		le.Initial = initial
	}
	return le
}

// byPhone folds the sampled events into per-phone stability.
func (s sampleResult) byPhone(phones []phone) []checks.PhoneStability {
	resolve := func(source, key string) string {
		for _, p := range phones {
			switch source {
			case sourceUSB:
				if p.USB != nil && p.USB.Location() == key {
					return p.Key
				}
			case sourceUsbmux:
				if p.Key == key || (p.Mux != nil && checks.NormalizeSerial(p.Mux.UDID) == key) {
					return p.Key
				}
			}
		}
		return ""
	}
	return checks.ByPhone(checks.CountLinks(s.events), resolve)
}
