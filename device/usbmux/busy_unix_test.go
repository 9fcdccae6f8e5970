//go:build linux

package usbmux_test

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"

	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// listenBacklog opens a unix socket listener with the given accept backlog
// (sim.ListenBacklog).
func listenBacklog(t *testing.T, path string, backlog int) net.Listener {
	t.Helper()
	ln, err := sim.ListenBacklog(path, backlog)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// slowUsbmuxd answers ListDevices with an empty list, one connection at a
// time, taking per for each: a usbmuxd under load.
func slowUsbmuxd(t *testing.T, ln net.Listener, per time.Duration) {
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			time.Sleep(per)
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			if h, _, err := sim.ReadMuxFrame(conn); err == nil {
				frame, _ := sim.EncodeMuxPlist(h.Tag, map[string]any{"DeviceList": []any{}})
				_, _ = conn.Write(frame)
			}
			_ = conn.Close()
		}
	}()
}

// TestBusyUsbmuxdIsRetried: 50 parallel checks against a usbmuxd with an
// accept backlog of 5 all get their answer (issue 14, defect 6: they got
// EAGAIN and were told usbmuxd was not running).
func TestBusyUsbmuxdIsRetried(t *testing.T) {
	path := testtmp.Dir(t) + "/mux"
	slowUsbmuxd(t, listenBacklog(t, path, 5), 2*time.Millisecond)
	a, _ := usbmux.ParseAddress("unix://" + path)
	c := usbmux.NewClient(a, usbmux.Options{DialTimeout: 10 * time.Second, RequestTimeout: 10 * time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.List(ctxT(t, 20*time.Second))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("List: %v (status %s)", err, usbmux.StatusOf(err))
		}
	}
}

// TestBusyIsNotUnreachable: a usbmuxd that never accepts within the dial
// timeout is busy (not_responding), and a socket nobody listens on is
// unreachable, at once.
func TestBusyIsNotUnreachable(t *testing.T) {
	path := testtmp.Dir(t) + "/mux"
	ln := listenBacklog(t, path, 1)
	defer ln.Close()
	a, _ := usbmux.ParseAddress("unix://" + path)
	c := usbmux.NewClient(a, usbmux.Options{DialTimeout: 300 * time.Millisecond, RequestTimeout: 300 * time.Millisecond})
	// Fill the queue: these connections are never accepted.
	for range 4 {
		if conn, err := net.DialTimeout("unix", path, 50*time.Millisecond); err == nil {
			defer conn.Close()
		}
	}
	_, err := c.List(ctxT(t, 5*time.Second))
	if !errors.Is(err, usbmux.ErrBusy) || usbmux.StatusOf(err) != usbmux.StatusNotResponding {
		t.Errorf("full queue: %v (status %s), want ErrBusy and not_responding", err, usbmux.StatusOf(err))
	}

	stale := testtmp.Dir(t) + "/stale"
	sl := listenBacklog(t, stale, 1)
	sl.(*net.UnixListener).SetUnlinkOnClose(false)
	sl.Close() // the socket file stays, nobody listens: ECONNREFUSED
	sa, _ := usbmux.ParseAddress("unix://" + stale)
	start := time.Now()
	// A dial timeout far above the bound below: being called unreachable
	// within the bound means it did not wait for the timeout.
	_, err = usbmux.NewClient(sa, usbmux.Options{DialTimeout: 20 * time.Second}).List(ctxT(t, 30*time.Second))
	if !errors.Is(err, usbmux.ErrUnreachable) || errors.Is(err, usbmux.ErrBusy) {
		t.Errorf("stale socket: %v, want ErrUnreachable", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("stale socket took %v to be called unreachable", el)
	}
}
