package usbmux_test

import (
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

func keepClient(t *testing.T, addr string, keep time.Duration) *usbmux.Client {
	t.Helper()
	a, err := usbmux.ParseAddress(addr)
	if err != nil {
		t.Fatal(err)
	}
	c := usbmux.NewClient(a, usbmux.Options{DialTimeout: time.Second, RequestTimeout: 3 * time.Second, KeepTunnels: keep})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestKeepTunnels: with KeepTunnels the probe reuses the query's tunnel (one
// usbmuxd connection for both); after Close, or once the keep time is over,
// it opens its own.
func TestKeepTunnels(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keep      time.Duration
		between   func(c *usbmux.Client)
		wantConns int
	}{
		{"reused", time.Minute, func(*usbmux.Client) {}, 1},
		{"closed", time.Minute, func(c *usbmux.Client) { _ = c.Close() }, 2},
		{"expired", 20 * time.Millisecond, func(*usbmux.Client) { time.Sleep(200 * time.Millisecond) }, 2},
		{"not kept", 0, func(*usbmux.Client) {}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSim(t, "healthy")
			c := keepClient(t, srv.Addr(), tc.keep)
			e := listOne(t, c)
			before := srv.Stats().Connections
			if _, err := c.QueryLockdown(ctxT(t, 10*time.Second), e); err != nil {
				t.Fatal(err)
			}
			tc.between(c)
			st, err := c.ProbeRTT(ctxT(t, 10*time.Second), e, 5)
			if err != nil || st.Requests != 5 || len(st.Samples) != 5 || st.Failures+st.Timeouts+st.Redials != 0 {
				t.Fatalf("ProbeRTT = %+v, %v", st, err)
			}
			if n := srv.Stats().Connections - before; n != tc.wantConns {
				t.Errorf("%d usbmuxd connections for the query and the probe, want %d", n, tc.wantConns)
			}
		})
	}
}

// TestKeptTunnelClosedByPhone: a kept tunnel lockdownd closed meanwhile is
// replaced without counting a failure.
func TestKeptTunnelClosedByPhone(t *testing.T) {
	// lockdownd closes every tunnel after its third answer: the query's
	// QueryType, GetValue and ValidatePair use them all.
	srv := startScenario(t, sim.Scenario{Name: "drop-after-3", Phones: []sim.Phone{sim.PhoneA()}, LockdownDropAfter: 3}, muxListenAddr(t))
	c := keepClient(t, srv.Addr(), time.Minute)
	e := listOne(t, c)
	if info, err := c.QueryLockdown(ctxT(t, 10*time.Second), e); err != nil || info.Redials != 0 {
		t.Fatalf("QueryLockdown = %+v, %v", info, err)
	}
	st, err := c.ProbeRTT(ctxT(t, 10*time.Second), e, 3)
	if err != nil || st.Requests != 3 || len(st.Samples) != 3 || st.Failures+st.Timeouts+st.Redials != 0 {
		t.Fatalf("ProbeRTT = %+v, %v; want 3 samples on a new tunnel and no failure", st, err)
	}
}
