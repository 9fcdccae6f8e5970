package live

// The window's backend against the simulator on a real unix socket: live
// events from both the USB view and usbmuxd's Listen, the lockdownd facts of
// the device card, host status, and a real engine run whose device keys
// match the live ones (so the report's facts land on the right card).

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

func newTestBackend(t *testing.T, scenario string) *Backend {
	t.Helper()
	srv, sess, _ := startTestSession(t, scenario, session.Config{SampleEvery: 200 * time.Millisecond})
	return &Backend{sess: sess, addr: srv.Addr(), noNetwork: true, log: slog.New(slog.DiscardHandler)}
}

// startTestSession starts the simulator with scenario on a unix socket in a
// short temporary folder (returned: unix socket paths are limited) and a
// session over it; cfg gives the session's timings, the rest is filled in.
// Everything is closed at cleanup.
func startTestSession(t *testing.T, scenario string, cfg session.Config) (*sim.Server, *session.Session, string) {
	t.Helper()
	sc, err := sim.Builtin(scenario)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "rdmux") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	srv, err := sim.Start(context.Background(), "unix://"+filepath.Join(dir, "mux"), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	addr, err := usbmux.ResolveAddress(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: log, ToolVersion: "test"})
	t.Cleanup(func() { engine.Close() })
	cfg.Engine, cfg.USB, cfg.Usbmux, cfg.Logger = engine, srv.USBSource(), usbmux.NewClient(addr, usbmux.Options{Logger: log}), log
	return srv, session.New(cfg), dir
}

// collector gathers Watch events until a condition holds.
type collector struct {
	mu     sync.Mutex
	events []app.DeviceEvent
	ch     chan struct{}
}

func (c *collector) emit(ev app.DeviceEvent) {
	c.mu.Lock()
	c.events = append(c.events, ev)
	c.mu.Unlock()
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

func (c *collector) waitFor(t *testing.T, what string, cond func([]app.DeviceEvent) bool) []app.DeviceEvent {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		c.mu.Lock()
		evs := append([]app.DeviceEvent(nil), c.events...)
		c.mu.Unlock()
		if cond(evs) {
			return evs
		}
		select {
		case <-c.ch:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; events: %+v", what, evs)
		}
	}
}

func find(evs []app.DeviceEvent, kind app.EventKind, source string) (app.DeviceEvent, bool) {
	for _, e := range evs {
		if e.Kind == kind && e.Source == source {
			return e, true
		}
	}
	return app.DeviceEvent{}, false
}

func watch(t *testing.T, b *Backend) *collector {
	t.Helper()
	c := &collector{ch: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Watch(ctx, c.emit) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Watch did not return after cancel")
		}
	})
	return c
}

func TestBackendHealthyPhone(t *testing.T) {
	b := newTestBackend(t, "healthy")
	c := watch(t, b)
	const key = "ecid:001A2B3C4D5E6F70"
	evs := c.waitFor(t, "usb attach, usbmux attach and lockdown facts", func(evs []app.DeviceEvent) bool {
		_, u := find(evs, app.EventAttach, "usb")
		_, m := find(evs, app.EventAttach, "usbmux")
		_, l := find(evs, app.EventUpdate, "lockdown")
		return u && m && l
	})
	usbEv, _ := find(evs, app.EventAttach, "usb")
	muxEv, _ := find(evs, app.EventAttach, "usbmux")
	upd, _ := find(evs, app.EventUpdate, "lockdown")
	if usbEv.Device.Key != key || muxEv.Device.Key != key || upd.Device.Key != key {
		t.Errorf("keys: usb %q usbmux %q lockdown %q, want %q", usbEv.Device.Key, muxEv.Device.Key, upd.Device.Key, key)
	}
	if d := usbEv.Device; !d.OnUSB || d.SpeedMbps != 480 || d.BehindHub || d.Mode != mode.Normal {
		t.Errorf("usb view %+v", d)
	}
	if d := upd.Device; d.Name != "iPhone 13 Pro Max" || d.IOSVersion != "17.5.1" || d.Trusted == nil || !*d.Trusted || d.RecoveryFamily != "face-id-or-8-later" {
		t.Errorf("lockdown view %+v", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := b.HostStatus(ctx)
	if h.UsbmuxdStatus != report.UsbmuxdOK || h.USBStatus != "ok" {
		t.Errorf("host %+v", h)
	}

	// A real engine run: progress is reported, latency is sampled while it
	// runs, and the report's device key is the live one.
	var mu sync.Mutex
	var progress []app.Progress
	r, err := b.Check(ctx, app.CheckOptions{Window: 1 * time.Second}, func(p app.Progress) {
		mu.Lock()
		progress = append(progress, p)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Devices) != 1 || r.Devices[0].Key != key {
		t.Fatalf("report devices %+v, want one with key %q", r.Devices, key)
	}
	mu.Lock()
	if len(progress) == 0 || progress[len(progress)-1].Total == 0 || progress[0].Label == "" {
		t.Errorf("progress %+v", progress)
	}
	mu.Unlock()
	c.waitFor(t, "a latency sample", func(evs []app.DeviceEvent) bool {
		e, ok := find(evs, app.EventLatency, "usbmux")
		return ok && !e.Failed && e.RTT > 0
	})
	// Rerank with the real rules does not touch the report it was given.
	before := len(r.Steps)
	rr, err := app.Rerank(catalog.MustDefault(), r, app.CheckOptions{}.Tried)
	if err != nil || rr == r || len(rr.Steps) != before {
		t.Errorf("rerank: %v %p %p", err, rr, r)
	}
	if cat := app.CatalogView(catalog.MustDefault(), runtime.GOOS); len(cat.Steps) != 6 || cat.Recovery["iphone-7"].Steps == nil {
		t.Errorf("catalog view %+v", cat)
	}
}

func TestBackendRecoveryPhone(t *testing.T) {
	b := newTestBackend(t, "recovery")
	c := watch(t, b)
	evs := c.waitFor(t, "usb attach", func(evs []app.DeviceEvent) bool {
		_, ok := find(evs, app.EventAttach, "usb")
		return ok
	})
	ev, _ := find(evs, app.EventAttach, "usb")
	d := ev.Device
	if d.Key != "ecid:001A2B3C4D5E6F70" || d.Mode != mode.Recovery || d.Name != "iPhone 13 Pro Max" || d.RecoveryFamily != "face-id-or-8-later" {
		t.Errorf("recovery phone %+v", d)
	}
	if _, ok := find(evs, app.EventAttach, "usbmux"); ok {
		t.Error("usbmuxd listed a recovery-mode phone")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := b.Check(ctx, app.CheckOptions{}, func(app.Progress) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Devices) != 1 || r.Devices[0].Key != d.Key {
		t.Errorf("report key %+v, live key %q", r.Devices, d.Key)
	}
	if r.PrimaryStep == nil || *r.PrimaryStep != 5 {
		t.Errorf("primary step %v, want 5", r.PrimaryStep)
	}
}

func TestBackendUsbmuxdDown(t *testing.T) {
	addr, err := usbmux.ResolveAddress("unix:///nonexistent/restoredoctor-test.sock")
	if err != nil {
		t.Fatal(err)
	}
	b := &Backend{sess: session.New(session.Config{Usbmux: usbmux.NewClient(addr, usbmux.Options{})}), usbErr: errTestNoUSB, log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := b.HostStatus(ctx)
	if h.UsbmuxdStatus != report.UsbmuxdUnreachable || h.USBStatus != "unavailable" || h.Detail == "" {
		t.Errorf("host %+v", h)
	}
}

var errTestNoUSB = &testErr{"usb: libusb unavailable (test)"}

type testErr struct{ s string }

func (e *testErr) Error() string { return e.s }

// TestAppEvent: each monitor event reaches the app as its source's own view,
// keyed like the engine's report; usbmuxd's connection lost or back is the
// service's event.
func TestAppEvent(t *testing.T) {
	t0 := time.Now()
	u := usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 5, PortPath: []int{2}, SpeedMbps: 480, Serial: "00008110001A2B3C4D5E6F70"}
	r := u
	r.ProductID, r.Mode, r.Serial = 0x1281, mode.Recovery, ""
	r.Recovery = &usb.RecoveryInfo{CPID: "8110", BDID: "0E", ECID: "001A2B3C4D5E6F70"}
	e := usbmux.Entry{UDID: "00008110-001A2B3C4D5E6F70", DeviceID: 3, ProductID: 0x12A8, ConnectionType: "USB"}
	tests := []struct {
		name   string
		ev     session.Event
		ok     bool
		kind   app.EventKind
		source string
		key    string
		onUSB  bool
		listed bool
	}{
		{"usb attach", session.Event{Source: device.SourceUSB, Kind: session.Attach, Time: t0, USB: &u}, true, app.EventAttach, "usb", "ecid:001A2B3C4D5E6F70", true, false},
		// The merged view no longer has USB; the event still carries the watcher's device.
		{"usb detach while listed", session.Event{Source: device.SourceUSB, Kind: session.Detach, Time: t0, USB: &u, Phone: device.Device{Usbmux: &e}}, true, app.EventDetach, "usb", "ecid:001A2B3C4D5E6F70", true, false},
		{"usb mode change to recovery", session.Event{Source: device.SourceUSB, Kind: session.ModeChange, Time: t0, USB: &r, PrevMode: mode.Normal}, true, app.EventModeChange, "usb", "ecid:001A2B3C4D5E6F70", true, false},
		{"usbmux attach", session.Event{Source: device.SourceUsbmux, Kind: session.Attach, Time: t0, Entry: &e}, true, app.EventAttach, "usbmux", "ecid:001A2B3C4D5E6F70", false, true},
		{"usbmux detach", session.Event{Source: device.SourceUsbmux, Kind: session.Detach, Time: t0, Entry: &e, Gone: true}, true, app.EventDetach, "usbmux", "ecid:001A2B3C4D5E6F70", false, true},
		// The iPhone service's connection: the window must hear both (a
		// dropped "lost" left a stale "Connected" on the card).
		{"usbmuxd connected", session.Event{Source: device.SourceUsbmux, Kind: session.UsbmuxConnected, Time: t0}, true, app.EventServiceBack, "usbmux", "", false, false},
		{"usbmuxd lost", session.Event{Source: device.SourceUsbmux, Kind: session.UsbmuxDisconnected, Time: t0}, true, app.EventServiceLost, "usbmux", "", false, false},
		// lockdownd said restore mode: the session's merged view carries it.
		{"lockdown mode change", session.Event{Source: device.SourceUsbmux, Kind: session.ModeChange, Time: t0, Entry: &e, Phone: device.Device{Key: "ecid:001A2B3C4D5E6F70", Mode: mode.Restore}}, true, app.EventModeChange, "usbmux", "ecid:001A2B3C4D5E6F70", false, true},
		{"lockdown description", session.Event{Kind: session.Describe, Time: t0, Entry: &e, Phone: device.Device{Key: "ecid:001A2B3C4D5E6F70"}, Lockdown: &usbmux.LockdownInfo{ProductType: "iPhone14,3"}}, true, app.EventUpdate, "lockdown", "ecid:001A2B3C4D5E6F70", false, true},
	}
	for _, tc := range tests {
		got, ok := appEvent(tc.ev)
		if ok != tc.ok {
			t.Errorf("%s: ok %v, want %v", tc.name, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if got.Kind != tc.kind || got.Source != tc.source || got.Device.Key != tc.key || got.Device.OnUSB != tc.onUSB || got.Device.Listed != tc.listed || !got.Time.Equal(t0) {
			t.Errorf("%s: %+v", tc.name, got)
		}
	}
}
