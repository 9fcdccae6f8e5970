package session

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// TestSessionProvisional: a check with a sampling window sends verdicts so
// far through its progress before the window ends. A clear fault is named
// in the first of them (not held back by the window); a healthy phone is
// never "No fault found" before the end; the drops so far never exceed the
// final count; the final report is not provisional.
func TestSessionProvisional(t *testing.T) {
	const window = 3 * time.Second
	for _, tc := range []struct {
		scenario string
		badMux   bool   // usbmuxd is not there
		finding  string // "" = none expected so far
		drops    bool   // a drop is seen before the window ends
	}{
		{scenario: "recovery", finding: report.FindingDeviceRecoveryMode},
		{scenario: "untrusted", finding: report.FindingLockdownUntrusted},
		{scenario: "full-speed", finding: report.FindingUSBFullSpeed},
		{scenario: "behind-hub", finding: report.FindingUSBBehindHub},
		{scenario: "healthy", badMux: true, finding: report.FindingUsbmuxUnreachable},
		{scenario: "healthy"},
		{scenario: "flapping", drops: true},
	} {
		name := tc.scenario
		if tc.badMux {
			name = "no-usbmuxd"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc, err := sim.Builtin(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := sim.Start(context.Background(), sim.LocalAddress(testtmp.Dir(t)), sc, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			muxAddr := srv.Addr()
			if tc.badMux {
				muxAddr = nobodyListens(t)
			}
			addr, err := usbmux.ResolveAddress(muxAddr)
			if err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.DiscardHandler)
			engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: log, UsbmuxTimeout: time.Second, PollInterval: 50 * time.Millisecond})
			defer engine.Close()
			sess := New(Config{Engine: engine, USB: srv.USBSource(), Usbmux: usbmux.NewClient(addr, usbmux.Options{RequestTimeout: time.Second, Logger: log}), Logger: log})

			var mu sync.Mutex
			var got []*report.Report
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			final, err := sess.Check(ctx, diagnostics.Options{Window: window, UsbmuxdAddress: muxAddr, NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 2},
				func(p diagnostics.Progress) {
					if p.Report != nil {
						mu.Lock()
						got = append(got, p.Report)
						mu.Unlock()
					}
				})
			if err != nil {
				t.Fatal(err)
			}
			if final.Provisional() {
				t.Fatalf("final report marked in progress: %+v", final.InProgress)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) == 0 {
				t.Fatal("no verdict so far was sent")
			}
			first := got[0]
			t.Logf("%d verdicts so far; first at %.1f s: %s", len(got), first.InProgress.ElapsedS, first.Summary)
			if !first.Provisional() || first.Complete || first.InProgress.ElapsedS >= window.Seconds() {
				t.Fatalf("first verdict so far: in progress %+v, want one within the window", first.InProgress)
			}
			if tc.finding != "" && !slices.ContainsFunc(first.Findings, func(f report.Finding) bool { return f.ID == tc.finding }) {
				t.Errorf("first verdict so far (%.1f of %g s) does not name %s: %v", first.InProgress.ElapsedS, window.Seconds(), tc.finding, first.Findings)
			}
			finalDrops := drops(final)
			sawDrop := false
			for _, r := range got {
				if !r.Provisional() {
					t.Fatal("a progress report without in_progress")
				}
				if strings.Contains(r.Summary, rules.NoFaultSummary()) || strings.Contains(r.Summary, "No fault found") {
					t.Errorf("verdict so far says no fault found: %q", r.Summary)
				}
				if r.Complete || len(r.IncompleteReasons) == 0 || !strings.HasPrefix(r.IncompleteReasons[0], diagnostics.InProgressPrefix()) {
					t.Errorf("verdict so far: complete %v, reasons %q", r.Complete, r.IncompleteReasons)
				}
				var buf bytes.Buffer
				if err := r.JSON(&buf); err != nil {
					t.Fatal(err)
				}
				if err := report.Validate(buf.Bytes()); err != nil {
					t.Errorf("verdict so far is not a valid report: %v", err)
				}
				n := drops(r)
				if n > finalDrops {
					t.Errorf("%d drops so far at %.1f s, %d in the final report", n, r.InProgress.ElapsedS, finalDrops)
				}
				if n > 0 && r.InProgress.ElapsedS < window.Seconds() {
					sawDrop = true
				}
			}
			if tc.drops && !sawDrop {
				t.Errorf("no drop shown before the window ended (final report: %d)", finalDrops)
			}
		})
	}
}

func drops(r *report.Report) int {
	n := 0
	for _, d := range r.Devices {
		n += d.Stability.Detaches
	}
	return n
}

// nobodyListens is a usbmuxd address where nothing listens: a socket path in
// an empty directory, or on Windows a TCP loopback port just freed.
func nobodyListens(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return "unix://" + filepath.Join(testtmp.Dir(t), "nobody-listens")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "tcp://" + addr
}
