package usbmux_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// BenchmarkLockdownRoundTrip measures one lockdownd GetValue through go-ios,
// the guard and the simulator's usbmuxd tunnel (healthy scenario, unix socket).
func BenchmarkLockdownRoundTrip(b *testing.B) {
	sc, err := sim.Builtin("healthy")
	if err != nil {
		b.Fatal(err)
	}
	srv := startScenarioB(b, sc)
	a, _ := usbmux.ParseAddress(srv.Addr())
	c := usbmux.NewClient(a, usbmux.Options{RequestTimeout: 5 * time.Second})
	ctx := context.Background()
	es, err := c.List(ctx)
	if err != nil || len(es) != 1 {
		b.Fatal(es, err)
	}
	b.ResetTimer()
	st, err := c.ProbeRTT(ctx, es[0], b.N)
	b.StopTimer()
	if err != nil || st.Timeouts+st.Failures != 0 {
		b.Fatal(st, err)
	}
	b.ReportMetric(float64(st.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(st.P95.Microseconds()), "p95-µs")
}

// BenchmarkRawLoopbackRoundTrip is the floor: the same length-prefixed XML
// plist request/reply size over a unix socket to an echo peer, no plist work.
func BenchmarkRawLoopbackRoundTrip(b *testing.B) {
	ln, err := net.Listen("unix", b.TempDir()+"/echo")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 64<<10)
		for {
			var h [4]byte
			if _, err := io.ReadFull(c, h[:]); err != nil {
				return
			}
			n := binary.BigEndian.Uint32(h[:])
			if _, err := io.ReadFull(c, buf[:n]); err != nil {
				return
			}
			if _, err := c.Write(append(h[:], buf[:n]...)); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	req, _ := plist.Marshal(map[string]any{"Label": "restoredoctor", "Request": "GetValue", "Key": "ProductVersion"}, plist.XMLFormat)
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(req)))
	frame = append(frame, req...)
	reply := make([]byte, len(frame))
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := c.Write(frame); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, reply); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	b.StopTimer()
	c.Close()
	<-done
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(samples[(len(samples)*95+99)/100-1].Microseconds()), "p95-µs")
}

func startScenarioB(b *testing.B, sc sim.Scenario) *sim.Server {
	b.Helper()
	srv, err := sim.Start(context.Background(), "unix://"+b.TempDir()+"/mux", sc, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv
}

// BenchmarkQueryAndProbe is one phone's lockdown work in a quick pass:
// QueryLockdown on a kept tunnel, then a 3-request ProbeRTT on it (what each
// of 32 phones gets), against the simulator (healthy scenario, unix socket).
func BenchmarkQueryAndProbe(b *testing.B) {
	sc, err := sim.Builtin("healthy")
	if err != nil {
		b.Fatal(err)
	}
	srv := startScenarioB(b, sc)
	a, _ := usbmux.ParseAddress(srv.Addr())
	c := usbmux.NewClient(a, usbmux.Options{RequestTimeout: 5 * time.Second, KeepTunnels: time.Minute})
	defer c.Close()
	ctx := context.Background()
	es, err := c.List(ctx)
	if err != nil || len(es) != 1 {
		b.Fatal(es, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.QueryLockdown(ctx, es[0]); err != nil {
			b.Fatal(err)
		}
		if st, err := c.ProbeRTT(ctx, es[0], 3); err != nil || len(st.Samples) != 3 {
			b.Fatal(st, err)
		}
	}
}
