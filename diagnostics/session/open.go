package session

// Open is the one place that builds a session over real parts (this
// computer's libusb and usbmuxd, or the demo simulator) with its engine: the
// window, `check`, `watch` and the action commands all start with it.

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
)

// Setup is what Open builds a session from.
type Setup struct {
	// Demo names a built-in simulator scenario (sim.BuiltinNames) played
	// instead of this computer's USB bus and usbmuxd; "" = the real ones.
	Demo string
	// UsbmuxdAddress is usbmuxd's address in any form
	// usbmux.ResolveAddress accepts ("" = USBMUXD_SOCKET_ADDRESS, else the
	// platform's). Demo mode uses the simulator's instead.
	UsbmuxdAddress string
	// Host are the checks' host probes: diagnostics.SystemHostChecks() for
	// a full check; the zero value skips them (an action's re-check).
	Host diagnostics.HostChecks
	// ToolVersion goes into the reports.
	ToolVersion string
	// PollInterval and SampleEvery are Config's (0: its defaults).
	PollInterval, SampleEvery time.Duration
	// Logger receives the logs (nil: discarded).
	Logger *slog.Logger
}

// parts are what Open opened for a session, and how to release them.
type parts struct {
	usbErr    error
	backupDir string // the demo's backup folder ("" outside the demo)
	opener    usb.Opener
	addr      string
	close     []func()
}

// Open opens the USB bus (libusb's, or the demo simulator's started on ctx)
// and builds the usbmuxd client, the engine (with s.Host) and the session
// over them. A bus that libusb cannot open is not an error: the session
// then has no live USB view, its checks' USB source says why, and USBErr
// returns the reason. Open fails on a bad usbmuxd address or a demo that
// cannot start. Close releases what Open opened.
func Open(ctx context.Context, s Setup) (*Session, error) {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var p parts
	var checkUSB, liveUSB usb.Source // the checks' (says why when unusable) and the live view's (nil then)
	if s.Demo != "" {
		sc, err := sim.Builtin(s.Demo)
		if err != nil {
			return nil, err
		}
		srv, stop, err := sim.StartDemo(ctx, sc, log)
		if err != nil {
			return nil, err
		}
		p.close = append(p.close, stop)
		bdir, err := writeDemoBackups(s.Demo, sc, time.Now())
		if err != nil {
			p.release()
			return nil, err
		}
		p.backupDir = bdir
		p.close = append(p.close, func() { os.RemoveAll(bdir) })
		checkUSB, liveUSB, p.opener, p.addr = srv.USBSource(), srv.USBSource(), srv.USBOpener(), srv.Addr()
		log.Info("demo mode", "scenario", s.Demo, "usbmuxd", p.addr)
	} else {
		p.addr = s.UsbmuxdAddress
	}
	addr, err := usbmux.ResolveAddress(p.addr)
	if err != nil {
		p.release()
		return nil, fmt.Errorf("usbmuxd address: %w", err)
	}
	if s.Demo == "" {
		var closeUSB func()
		checkUSB, liveUSB, closeUSB, p.usbErr = usb.Open(usb.ScannerOptions{Logger: log})
		p.close = append(p.close, closeUSB)
		if p.usbErr != nil {
			log.Warn("USB not usable", "err", p.usbErr)
		}
		p.opener, _ = liveUSB.(usb.Opener)
	}
	engine := diagnostics.NewEngine(diagnostics.Config{USB: checkUSB, Logger: log, ToolVersion: s.ToolVersion, Host: s.Host})
	p.close = append(p.close, func() { engine.Close() })
	sess := New(Config{Engine: engine, USB: liveUSB, Usbmux: usbmux.NewClient(addr, usbmux.Options{Logger: log}),
		PollInterval: s.PollInterval, SampleEvery: s.SampleEvery, Logger: log})
	sess.parts = p
	return sess, nil
}

// release closes the parts, the last opened first.
func (p *parts) release() {
	for i := len(p.close) - 1; i >= 0; i-- {
		p.close[i]()
	}
	p.close = nil
}

// Close releases what Open opened: the engine, then the USB bus or the demo
// simulator. It does nothing for a session made with New.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parts.release()
}

// USBErr is why this computer's USB bus could not be opened (nil when it
// could, and for the demo and sessions made with New).
func (s *Session) USBErr() error { return s.parts.usbErr }

// Opener opens USB devices for the recovery actions (nil without libusb).
func (s *Session) Opener() usb.Opener { return s.parts.opener }

// UsbmuxdAddress is the usbmuxd address for the checks' Options: the one
// given to Open (""= the default), or the demo simulator's.
func (s *Session) UsbmuxdAddress() string { return s.parts.addr }

// BackupDirs are the folders a check of this session scans for backups
// besides this computer's own: the demo's backup folder (a demo phone's
// backup, or none, written when the demo started); none outside the demo.
func (s *Session) BackupDirs() []string {
	if s.parts.backupDir == "" {
		return nil
	}
	return []string{s.parts.backupDir}
}
