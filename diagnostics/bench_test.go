package diagnostics

import (
	"context"
	"log/slog"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// BenchmarkQuickPass is one `check --window 0 --no-network` run of the
// engine against the simulator's healthy phone (no process start-up).
func BenchmarkQuickPass(b *testing.B) {
	srv := startSim(b, "healthy")
	e := NewEngine(Config{USB: srv.USBSource(), Logger: slog.New(slog.DiscardHandler), Host: fakeHost})
	opts := Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true}
	b.ResetTimer()
	for b.Loop() {
		r, err := e.Run(context.Background(), opts, nil)
		if err != nil || len(r.Devices) != 1 || r.Host.Usbmuxd.Status != report.UsbmuxdOK {
			b.Fatalf("run: %v %+v", err, r)
		}
	}
}

// BenchmarkQuickPass32 is BenchmarkQuickPass with 32 phones at once.
func BenchmarkQuickPass32(b *testing.B) {
	dir := b.TempDir()
	srv, err := sim.Start(context.Background(), "unix://"+dir+"/mux", sim.Multi(32), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	e := NewEngine(Config{USB: srv.USBSource(), Logger: slog.New(slog.DiscardHandler), Host: fakeHost})
	opts := Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true}
	for b.Loop() {
		r, err := e.Run(context.Background(), opts, nil)
		if err != nil || len(r.Devices) != 32 {
			b.Fatalf("run: %v, %d devices", err, len(r.Devices))
		}
	}
}
