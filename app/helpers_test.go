package app

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// fakeBackend is a Backend of plain values: events the test pushes, reports
// from testdata returned by Check in order.
type fakeBackend struct {
	t      *testing.T
	events chan DeviceEvent
	host   viewmodel.Host

	mu       sync.Mutex
	reports  []*report.Report
	checks   []CheckOptions
	progress []Progress
	block    chan struct{} // when non-nil, Check waits for it (or ctx)
	// cancelled is closed when a blocked Check ended because its ctx did.
	cancelled chan struct{}
}

func newFake(t *testing.T, reports ...string) *fakeBackend {
	t.Helper()
	f := &fakeBackend{
		t:      t,
		events: make(chan DeviceEvent, 64),
		host:   viewmodel.Host{UsbmuxdAddress: "unix:///var/run/usbmuxd", UsbmuxdStatus: report.UsbmuxdOK, USBStatus: viewmodel.USBOK},
		progress: []Progress{
			{Done: 0, Total: 3, Label: "USB stability"},
			{Done: 1, Total: 3, Label: "lockdown round trips"},
			{Done: 2, Total: 3, Label: "Apple servers"},
		},
	}
	for _, name := range reports {
		f.reports = append(f.reports, loadReport(t, name))
	}
	return f
}

func loadReport(t *testing.T, name string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &r
}

func (f *fakeBackend) Watch(ctx context.Context, emit func(DeviceEvent)) error {
	for {
		select {
		case ev := <-f.events:
			emit(ev)
		case <-ctx.Done():
			return nil
		}
	}
}

func (f *fakeBackend) HostStatus(ctx context.Context) viewmodel.Host { return f.host }

func (f *fakeBackend) Check(ctx context.Context, opts CheckOptions, progress func(Progress)) (*report.Report, error) {
	f.mu.Lock()
	f.checks = append(f.checks, opts)
	block := f.block
	var r *report.Report
	if len(f.reports) > 0 {
		r = f.reports[0]
		if len(f.reports) > 1 {
			f.reports = f.reports[1:]
		}
	}
	f.mu.Unlock()
	for _, p := range f.progress {
		progress(p)
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			if f.cancelled != nil {
				close(f.cancelled)
			}
			return nil, ctx.Err()
		}
	}
	if r == nil {
		return nil, context.DeadlineExceeded
	}
	// The real rules rank the fixture's findings, as the engine would.
	return Rerank(catalog.MustDefault(), r, opts.Tried)
}

func (f *fakeBackend) checkCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.checks)
}

// harness runs a UI on the test app with background results queued and
// executed on the test goroutine (pump), so the test and the UI never race.
type harness struct {
	t  *testing.T
	u  *UI
	b  *fakeBackend
	q  chan func()
	at time.Time
}

func newHarness(t *testing.T, b *fakeBackend, opts Options) *harness {
	t.Helper()
	return newHarnessOver(t, b, b, opts)
}

// newHarnessOver is newHarness with another Backend for the checks (live
// events still come from f).
func newHarnessOver(t *testing.T, be Backend, b *fakeBackend, opts Options) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{t: t, b: b, q: make(chan func(), 1024), at: time.Date(2026, 5, 20, 10, 15, 0, 0, time.UTC)}
	opts.Do = func(fn func()) { h.q <- fn }
	if opts.Language == "" {
		// The tests read English whatever the developer's OS speaks.
		opts.Language = "en"
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return h.at }
	}
	h.u = New(fyne.CurrentApp(), be, opts)
	h.u.Window().Resize(fyne.NewSize(1180, 780))
	t.Cleanup(func() {
		h.u.quit()
	})
	h.u.Start()
	h.pump(func() bool { return h.u.st.Host.Known })
	return h
}

// pump runs queued UI work until cond holds, failing after a deadline.
func (h *harness) pump(cond func() bool) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case fn := <-h.q:
			fn()
		case <-deadline:
			h.t.Fatal("timed out waiting for the UI")
		}
	}
	// Drain what is already queued.
	for {
		select {
		case fn := <-h.q:
			fn()
		default:
			return
		}
	}
}

func (h *harness) attach(d viewmodel.Device) {
	h.b.events <- DeviceEvent{Kind: EventAttach, Source: "usb", Time: h.at, Device: d}
}

// waitVerdict pumps until a check has finished.
func (h *harness) waitVerdict() {
	h.t.Helper()
	h.pump(func() bool { return !h.u.st.Check.Running && (h.u.st.Last != nil || h.u.st.RunErr != nil) })
}

// shot saves the window as a PNG under $RESTOREDOCTOR_SHOTS (for looking at
// the layout by eye); it does nothing when the variable is unset.
func (h *harness) shot(name string) {
	dir := os.Getenv("RESTOREDOCTOR_SHOTS")
	if dir == "" {
		return
	}
	img := h.u.Window().Canvas().Capture()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

var phoneA = viewmodel.Device{
	Key: "00008110-001A2B3C4D5E6F70", Name: "iPhone 13 Pro Max", ProductType: "iPhone14,3",
	Mode: mode.Normal, SpeedMbps: 480, OnUSB: true, Listed: true, RecoveryFamily: "face-id-or-8-later",
}

var phoneARecovery = viewmodel.Device{
	Key: "1-2", Name: "iPhone 13 Pro Max", ProductType: "iPhone14,3",
	Mode: mode.Recovery, SpeedMbps: 480, OnUSB: true, RecoveryFamily: "face-id-or-8-later",
}

var phoneB = viewmodel.Device{
	Key: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", Name: "iPhone 8", ProductType: "iPhone10,4",
	Mode: mode.Normal, SpeedMbps: 480, OnUSB: true, BehindHub: true, Listed: true, RecoveryFamily: "face-id-or-8-later",
}

// texts collects every label, button, check and rich text shown under o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
			return
		case *widget.Button:
			out = append(out, w.Text)
			return
		case *widget.RichText:
			out = append(out, w.String())
			return
		case *widget.Check:
			out = append(out, w.Text)
			return
		case *focusCheck:
			out = append(out, w.Text)
			return
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}
