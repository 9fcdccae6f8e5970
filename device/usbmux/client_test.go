package usbmux_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/internal/netserve"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	udidA = "00008110-001A2B3C4D5E6F70"
	udidB = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
)

// startSim runs a built-in scenario on a fresh unix socket, closed at cleanup.
func startSim(t *testing.T, name string) *sim.Server {
	t.Helper()
	sc, err := sim.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return startScenario(t, sc, muxListenAddr(t))
}

// muxListenAddr is a fresh address for a simulator: a unix socket in a temp
// dir, or on Windows a free TCP loopback port (fixed, so a test can restart
// the simulator on the same address).
func muxListenAddr(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return "unix://" + filepath.Join(testtmp.Dir(t), "mux")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "tcp://" + ln.Addr().String()
}

// fakeUsbmuxd listens on a fresh usbmuxd address (muxListenAddr) and runs
// serve on every connection, closing it after, until the test ends. It
// returns the address.
func fakeUsbmuxd(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	addr := muxListenAddr(t)
	a, err := usbmux.ParseAddress(addr)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen(a.Network, a.Addr)
	if err != nil {
		t.Fatal(err)
	}
	wait := netserve.Serve(ln, serve)
	t.Cleanup(func() { _ = ln.Close(); wait() })
	return addr
}

func startScenario(t *testing.T, sc sim.Scenario, addr string) *sim.Server {
	t.Helper()
	srv, err := sim.Start(context.Background(), addr, sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func clientFor(t *testing.T, addr string, timeout time.Duration) *usbmux.Client {
	t.Helper()
	a, err := usbmux.ParseAddress(addr)
	if err != nil {
		t.Fatal(err)
	}
	return usbmux.NewClient(a, usbmux.Options{DialTimeout: time.Second, RequestTimeout: timeout, BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond})
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func listOne(t *testing.T, c *usbmux.Client) usbmux.Entry {
	t.Helper()
	es, err := c.List(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("List = %d entries, want 1: %+v", len(es), es)
	}
	return es[0]
}

func TestListHealthy(t *testing.T) {
	srv := startSim(t, "healthy")
	c := clientFor(t, srv.Addr(), 2*time.Second)
	e := listOne(t, c)
	want := usbmux.Entry{UDID: udidA, DeviceID: e.DeviceID, ProductID: 0x12A8, LocationID: 0x00010005, ConnectionType: "USB", ConnectionSpeed: 480000000}
	if e != want || e.DeviceID <= 0 {
		t.Errorf("entry = %+v, want %+v", e, want)
	}
	st, err := c.Health(ctxT(t, 5*time.Second))
	if st != usbmux.StatusOK || err != nil {
		t.Errorf("Health = %q, %v; want ok", st, err)
	}
}

func TestListScenarios(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		n        int
		speed    int
	}{
		{"none", 0, 0},
		{"multi", 4, 480000000},
		{"full-speed", 1, 12000000},
		{"recovery", 0, 0}, // recovery phones are not listed by usbmuxd
		{"restore", 1, 480000000},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			srv := startSim(t, tc.scenario)
			es, err := clientFor(t, srv.Addr(), 2*time.Second).List(ctxT(t, 5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != tc.n {
				t.Fatalf("%d entries, want %d: %+v", len(es), tc.n, es)
			}
			seen := map[string]bool{}
			for _, e := range es {
				if e.ConnectionSpeed != tc.speed || e.UDID == "" || seen[e.UDID] {
					t.Errorf("entry %+v: want speed %d and a unique UDID", e, tc.speed)
				}
				seen[e.UDID] = true
			}
			if tc.scenario == "multi" && (!seen[udidA] || !seen[udidB]) {
				t.Errorf("multi: phones A and B not both listed: %+v", es)
			}
		})
	}
}

func TestHealthFaults(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		status   usbmux.Status
		sentinel error
		text     string
	}{
		{"hung", usbmux.StatusNotResponding, usbmux.ErrNotResponding, "no answer before the deadline"},
		{"garbage", usbmux.StatusError, usbmux.ErrProtocol, "frame length 4294967280 exceeds 4 MiB"},
		{"garbage-not-plist", usbmux.StatusError, usbmux.ErrProtocol, "reply is not a plist"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			srv := startSim(t, tc.scenario)
			const timeout = 300 * time.Millisecond
			c := clientFor(t, srv.Addr(), timeout)
			start := time.Now()
			st, err := c.Health(ctxT(t, 10*time.Second))
			if el := time.Since(start); el > timeout+2*time.Second {
				t.Errorf("Health took %v with a %v request timeout", el, timeout)
			}
			if st != tc.status {
				t.Errorf("status = %q, want %q (err %v)", st, tc.status, err)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.sentinel)
			}
			a, _ := usbmux.ParseAddress(srv.Addr())
			where := "usbmux: list devices at " + a.String()
			if err == nil || !strings.Contains(err.Error(), tc.text) || !strings.HasPrefix(err.Error(), where) {
				t.Errorf("err = %v, want %q after %q", err, tc.text, where)
			}
			var fe *usbmux.FrameError
			if tc.status == usbmux.StatusError && !errors.As(err, &fe) {
				t.Errorf("err = %v, want a *FrameError inside", err)
			}
		})
	}
}

func TestHealthUnreachable(t *testing.T) {
	addr := muxListenAddr(t) // nothing listens there
	c := clientFor(t, addr, time.Second)
	st, err := c.Health(ctxT(t, 5*time.Second))
	if st != usbmux.StatusUnreachable || !errors.Is(err, usbmux.ErrUnreachable) {
		t.Fatalf("Health = %q, %v; want unreachable", st, err)
	}
	if a, _ := usbmux.ParseAddress(addr); !strings.Contains(err.Error(), "usbmux: list devices at "+a.String()) {
		t.Errorf("err %q does not say what and where", err)
	}
}

func TestHungCancel(t *testing.T) {
	// A long request timeout; only cancelling ctx can unblock the read.
	srv := startSim(t, "hung")
	c := clientFor(t, srv.Addr(), time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.List(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("List returned %v after cancel", el)
	}
}

func TestQueryLockdown(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		mode     mode.Mode
		typ      string
		trust    usbmux.TrustState
		record   bool
		values   map[string]string
	}{
		{"healthy", mode.Normal, usbmux.TypeLockdown, usbmux.TrustTrusted, true, map[string]string{
			"ProductType": "iPhone14,3", "ProductVersion": "17.5.1", "BuildVersion": "21F90", "DeviceName": "Test iPhone",
			"DeviceClass": "iPhone", "HardwareModel": "D64AP", "UniqueDeviceID": udidA}},
		{"untrusted", mode.Normal, usbmux.TypeLockdown, usbmux.TrustNotTrusted, false, map[string]string{
			"ProductType": "iPhone14,3", "ProductVersion": "17.5.1"}},
		{"restore", mode.Restore, usbmux.TypeRestored, usbmux.TrustUnknown, true, map[string]string{
			"ProductType": "iPhone14,3", "HardwareModel": "D64AP", "UniqueDeviceID": udidA}},
		{"slow-lockdown", mode.Normal, usbmux.TypeLockdown, usbmux.TrustTrusted, true, map[string]string{"ProductVersion": "17.5.1"}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, tc.scenario)
			c := clientFor(t, srv.Addr(), 3*time.Second)
			e := listOne(t, c)
			info, err := c.QueryLockdown(ctxT(t, 30*time.Second), e)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode != tc.mode || info.Type != tc.typ || info.Trust != tc.trust || info.PairRecord != tc.record {
				t.Errorf("info = mode %q type %q trust %q (%s) record %v; want %q %q %q %v",
					info.Mode, info.Type, info.Trust, info.TrustDetail, info.PairRecord, tc.mode, tc.typ, tc.trust, tc.record)
			}
			for k, v := range tc.values {
				if info.Values[k] != v {
					t.Errorf("Values[%s] = %q, want %q", k, info.Values[k], v)
				}
			}
			if tc.scenario == "healthy" && (info.ProductType != "iPhone14,3" || info.UniqueDeviceID != udidA || len(info.Refused) != 0) {
				t.Errorf("healthy: fields %+v", info)
			}
			if tc.scenario == "restore" && info.Refused["ProductVersion"] == "" {
				t.Errorf("restore: ProductVersion not refused: %+v", info)
			}
			has, err := c.HasPairRecord(ctxT(t, 5*time.Second), e.UDID)
			if err != nil || has != tc.record {
				t.Errorf("HasPairRecord = %v, %v; want %v", has, err, tc.record)
			}
		})
	}
}

func TestQueryLockdownPending(t *testing.T) {
	p := sim.PhoneA()
	p.Trust = sim.TrustPending
	srv := startScenario(t, sim.Scenario{Name: "pending", Phones: []sim.Phone{p}}, muxListenAddr(t))
	c := clientFor(t, srv.Addr(), 3*time.Second)
	info, err := c.QueryLockdown(ctxT(t, 10*time.Second), listOne(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if info.Trust != usbmux.TrustPending {
		t.Errorf("trust = %q (%s), want pairing_pending", info.Trust, info.TrustDetail)
	}
}

func TestQueryLockdownGoneDevice(t *testing.T) {
	srv := startSim(t, "healthy")
	c := clientFor(t, srv.Addr(), 3*time.Second)
	e := listOne(t, c)
	srv.Detach(e.DeviceID)
	_, err := c.QueryLockdown(ctxT(t, 10*time.Second), e)
	var re *usbmux.ReplyError
	if !errors.As(err, &re) || re.Number != 2 {
		t.Fatalf("err = %v, want usbmuxd result 2 (bad device)", err)
	}
}

func TestProbeRTT(t *testing.T) {
	t.Run("healthy", func(t *testing.T) {
		srv := startSim(t, "healthy")
		c := clientFor(t, srv.Addr(), 2*time.Second)
		st, err := c.ProbeRTT(ctxT(t, 30*time.Second), listOne(t, c), 0)
		if err != nil {
			t.Fatal(err)
		}
		if st.Requests != 20 || len(st.Samples) != 20 || st.Timeouts != 0 || st.Failures != 0 || st.Redials != 0 {
			t.Errorf("stats = %+v", st)
		}
		if !(0 < st.P50 && st.P50 <= st.P95 && st.P95 <= st.Max && st.Max < 2*time.Second) {
			t.Errorf("percentiles not ordered: p50 %v p95 %v max %v", st.P50, st.P95, st.Max)
		}
		if got := srv.Stats().Requests["lockdown:GetValue"]; got != 20 {
			t.Errorf("simulator saw %d GetValue, want 20", got)
		}
	})
	t.Run("lockdown-drops", func(t *testing.T) {
		// The simulator closes the tunnel after every 2nd answer: of 10
		// requests, every 3rd hits a closed tunnel and is redialled.
		srv := startSim(t, "lockdown-drops")
		c := clientFor(t, srv.Addr(), 2*time.Second)
		st, err := c.ProbeRTT(ctxT(t, 30*time.Second), listOne(t, c), 10)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("lockdown-drops: requests %d failures %d redials %d samples %d", st.Requests, st.Failures, st.Redials, len(st.Samples))
		if st.Requests != 10 || st.Failures == 0 || st.Redials != st.Failures || len(st.Samples)+st.Failures != 10 || st.Timeouts != 0 {
			t.Errorf("stats = %+v", st)
		}
		if !errors.Is(st.Err, usbmux.ErrDropped) {
			t.Errorf("first failure = %v, want ErrDropped", st.Err)
		}
	})
	t.Run("slow-lockdown", func(t *testing.T) {
		// 800 ms + 0..400 ms per answer against a 1 s deadline: some time out.
		srv := startSim(t, "slow-lockdown")
		c := clientFor(t, srv.Addr(), time.Second)
		e := listOne(t, c)
		st, err := c.ProbeRTT(ctxT(t, 60*time.Second), e, 6)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("slow-lockdown: %+v", st)
		if st.Requests != 6 || st.Timeouts+len(st.Samples)+st.Failures != 6 {
			t.Errorf("stats = %+v", st)
		}
		for _, d := range st.Samples {
			if d < 700*time.Millisecond {
				t.Errorf("sample %v faster than the simulated 800 ms latency", d)
			}
		}
		if st.Timeouts > 0 && !errors.Is(st.Err, usbmux.ErrNotResponding) {
			t.Errorf("timeouts %d but first failure %v", st.Timeouts, st.Err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		srv := startSim(t, "slow-lockdown")
		c := clientFor(t, srv.Addr(), time.Minute)
		e := listOne(t, c)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.ProbeRTT(ctx, e, 20)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("ProbeRTT returned %v after cancel", el)
		}
	})
}

// TestLockdownFaults pins what QueryLockdown and ProbeRTT return in each fault scenario.
func TestLockdownFaults(t *testing.T) {
	entryA := usbmux.Entry{UDID: udidA, DeviceID: 1, ProductID: 0x12A8, LocationID: 0x10005, ConnectionType: "USB"}
	for _, tc := range []struct {
		scenario string
		sentinel error // nil: QueryLockdown succeeds
	}{
		{"hung", usbmux.ErrNotResponding},
		{"garbage", usbmux.ErrProtocol},
		{"garbage-not-plist", usbmux.ErrProtocol},
		{"lockdown-drops", nil},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			srv := startSim(t, tc.scenario)
			c := clientFor(t, srv.Addr(), 300*time.Millisecond)
			start := time.Now()
			info, err := c.QueryLockdown(ctxT(t, 20*time.Second), entryA)
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("QueryLockdown took %v", el)
			}
			if tc.sentinel == nil {
				if err != nil || info.Redials == 0 || info.ProductVersion != "17.5.1" || info.Trust != usbmux.TrustTrusted {
					t.Errorf("info %+v, err %v; want values read across re-dials", info, err)
				}
				return
			}
			if !errors.Is(err, tc.sentinel) || info.Trust != usbmux.TrustUnknown {
				t.Errorf("QueryLockdown = trust %q, %v; want unknown and %v", info.Trust, err, tc.sentinel)
			}
			if _, err := c.ProbeRTT(ctxT(t, 20*time.Second), entryA, 3); !errors.Is(err, tc.sentinel) {
				t.Errorf("ProbeRTT err = %v, want %v", err, tc.sentinel)
			}
		})
	}
}

func TestQueryType(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		typ      string
		mode     mode.Mode
	}{
		{"healthy", usbmux.TypeLockdown, mode.Normal},
		{"restore", usbmux.TypeRestored, mode.Restore},
		{"untrusted", usbmux.TypeLockdown, mode.Normal},
	} {
		srv := startSim(t, tc.scenario)
		c := clientFor(t, srv.Addr(), 2*time.Second)
		typ, md, err := c.QueryType(ctxT(t, 5*time.Second), listOne(t, c))
		if err != nil || typ != tc.typ || md != tc.mode {
			t.Errorf("%s: QueryType = %q, %q, %v; want %q, %q", tc.scenario, typ, md, err, tc.typ, tc.mode)
		}
	}
}
