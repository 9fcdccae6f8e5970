package faults

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// heapLimit is the peak live heap every fault test must stay under.
const heapLimit = 64 << 20

// slack is the generous margin added to a deadline before a call counts as
// hung. The machine is shared and tests run with -race: it is loose on
// purpose; only "returned at all, and not absurdly late" is asserted.
const slack = 5 * time.Second

// guard checks, when the test ends, that no goroutine started by the test is
// still running (goleak, against the goroutines alive at the start) and that
// the live heap never exceeded heapLimit while the test ran (sampled every
// few milliseconds through runtime/metrics, which does not stop the world).
// Call it first in a test, so its cleanup runs after every other cleanup
// (servers closed, contexts cancelled).
func guard(t *testing.T) {
	t.Helper()
	opts := []goleak.Option{goleak.IgnoreCurrent()}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })

	runtime.GC()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak {
				peak = v
			}
			select {
			case <-stop:
				return
			case <-tk.C:
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		wg.Wait()
		t.Logf("peak heap %.1f MB", float64(peak)/(1<<20))
		if peak > heapLimit {
			t.Errorf("peak heap %d bytes (%.1f MB), want under %d MB", peak, float64(peak)/(1<<20), heapLimit>>20)
		}
	})
}

// within runs fn and fails the test if it has not returned by limit. It
// returns how long fn took. fn keeps running after a failure (a goroutine
// cannot be killed), and goleak will then report it as well.
func within(t *testing.T, limit time.Duration, what string, fn func()) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
		return time.Since(start)
	case <-time.After(limit):
		t.Fatalf("%s: still running after %v: hung", what, limit)
		return 0
	}
}

// sockDir is a short temporary directory for unix sockets (108-byte path limit).
func sockDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "rdf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

// startSim starts the simulator with sc on a fresh unix socket and closes it
// when the test ends.
func startSim(t *testing.T, sc sim.Scenario) *sim.Server {
	t.Helper()
	srv, err := sim.Start(context.Background(), "unix://"+sockDir(t)+"/mux.sock", sc, nil)
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// clientFor returns a usbmux client for the simulator, with short timeouts.
func clientFor(t *testing.T, addr string, req time.Duration) *usbmux.Client {
	t.Helper()
	a, err := usbmux.ParseAddress(addr)
	if err != nil {
		t.Fatalf("parse %q: %v", addr, err)
	}
	return usbmux.NewClient(a, usbmux.Options{DialTimeout: time.Second, RequestTimeout: req, BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond})
}

// mkSockDir is sockDir for callers without a *testing.T (fuzz set-up).
func mkSockDir() (string, error) { return os.MkdirTemp("", "rdf") }

func removeAll(dir string) { _ = os.RemoveAll(dir) }
