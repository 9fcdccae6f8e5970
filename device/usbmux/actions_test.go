package usbmux_test

import (
	"errors"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// waitPhoneMode polls the simulator until its only phone is attached in
// mode want (a reboot detaches it first), or fails after d.
func waitPhoneMode(t *testing.T, srv *sim.Server, want mode.Mode, d time.Duration) sim.Phone {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ps := srv.Phones(); len(ps) == 1 && ps[0].Mode == want {
			return ps[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("phone not back in %s mode within %v: %+v", want, d, srv.Phones())
	return sim.Phone{}
}

func actionScenario(trust string, noSession bool) sim.Scenario {
	p := sim.PhoneA()
	p.Trust = trust
	p.EnterRecoveryWithoutSession = noSession
	return sim.Scenario{Name: "action", Phones: []sim.Phone{p}, RebootDelay: 50 * time.Millisecond}
}

func tlsScenario() sim.Scenario {
	sc := actionScenario(sim.TrustTrusted, false)
	sc.PlaintextSession = false // TLS sessions (the default)
	return sc
}

func TestEnterRecovery(t *testing.T) {
	tests := []struct {
		name      string
		trust     string
		noSession bool
		tls       bool
		wantErr   error
		wantReqs  map[string]int
	}{
		{name: "current iOS, trusted: session then EnterRecovery", trust: sim.TrustTrusted,
			wantReqs: map[string]int{"lockdown:EnterRecovery": 2, "lockdown:StartSession": 1}},
		{name: "current iOS, trusted, the session in TLS", trust: sim.TrustTrusted, tls: true,
			wantReqs: map[string]int{"lockdown:EnterRecovery": 2, "lockdown:StartSession": 1}},
		{name: "older iOS: no session needed", trust: sim.TrustUntrusted, noSession: true,
			wantReqs: map[string]int{"lockdown:EnterRecovery": 1, "lockdown:StartSession": 0}},
		{name: "current iOS, untrusted: refused", trust: sim.TrustUntrusted, wantErr: usbmux.ErrNeedsTrust,
			wantReqs: map[string]int{"lockdown:EnterRecovery": 1, "lockdown:StartSession": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := actionScenario(tt.trust, tt.noSession)
			sc.PlaintextSession = !tt.tls
			srv := startScenario(t, sc, muxListenAddr(t))
			c := clientFor(t, srv.Addr(), 2*time.Second)
			e := listOne(t, c)
			err := c.EnterRecovery(ctxT(t, 5*time.Second), e)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("EnterRecovery = %v, want %v", err, tt.wantErr)
			}
			for k, v := range tt.wantReqs {
				if got := srv.Stats().Requests[k]; got != v {
					t.Errorf("requests[%s] = %d, want %d", k, got, v)
				}
			}
			if tt.wantErr != nil {
				var te *usbmux.TrustError
				if !errors.As(err, &te) || te.Request != "EnterRecovery" {
					t.Errorf("error %v is not a *TrustError for EnterRecovery", err)
				}
				time.Sleep(100 * time.Millisecond)
				if ps := srv.Phones(); len(ps) != 1 || ps[0].Mode != mode.Normal {
					t.Errorf("refused EnterRecovery changed the phone: %+v", ps)
				}
				return
			}
			p := waitPhoneMode(t, srv, mode.Recovery, 5*time.Second)
			if p.ProductID != 0x1281 || p.DeviceID == e.DeviceID {
				t.Errorf("phone back as %04x id %d, want 0x1281 and a new id (was %d)", p.ProductID, p.DeviceID, e.DeviceID)
			}
			// usbmuxd no longer lists it; the USB view shows recovery.
			if es, err := c.List(ctxT(t, 2*time.Second)); err != nil || len(es) != 0 {
				t.Errorf("List after EnterRecovery = %+v, %v; want no devices", es, err)
			}
		})
	}
}

func TestRestart(t *testing.T) {
	for name, sc := range map[string]sim.Scenario{"trusted": actionScenario(sim.TrustTrusted, false), "trusted, TLS session and service": tlsScenario()} {
		t.Run(name, func(t *testing.T) { testRestartTrusted(t, sc) })
	}
	t.Run("untrusted", func(t *testing.T) {
		srv := startScenario(t, actionScenario(sim.TrustUntrusted, false), muxListenAddr(t))
		c := clientFor(t, srv.Addr(), 2*time.Second)
		err := c.Restart(ctxT(t, 5*time.Second), listOne(t, c))
		if !errors.Is(err, usbmux.ErrNeedsTrust) {
			t.Fatalf("Restart = %v, want ErrNeedsTrust", err)
		}
		if n := srv.Stats().Requests["diagnostics:Restart"]; n != 0 {
			t.Errorf("diagnostics Restart requests = %d, want 0", n)
		}
	})
}

func testRestartTrusted(t *testing.T, sc sim.Scenario) {
	{
		srv := startScenario(t, sc, muxListenAddr(t))
		c := clientFor(t, srv.Addr(), 2*time.Second)
		e := listOne(t, c)
		if err := c.Restart(ctxT(t, 5*time.Second), e); err != nil {
			t.Fatalf("Restart = %v", err)
		}
		if n := srv.Stats().Requests["diagnostics:Restart"]; n != 1 {
			t.Errorf("diagnostics Restart requests = %d, want 1", n)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			es, err := c.List(ctxT(t, 2*time.Second))
			if err == nil && len(es) == 1 && es[0].DeviceID != e.DeviceID {
				break // back, re-enumerated
			}
			if time.Now().After(deadline) {
				t.Fatalf("phone not back after Restart: %+v %v", es, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestActionsHungLockdown: a lockdownd that never answers costs one
// RequestTimeout, not a hang.
func TestActionsSlowLockdown(t *testing.T) {
	sc := actionScenario(sim.TrustTrusted, false)
	sc.LockdownLatency = 2 * time.Second
	srv := startScenario(t, sc, muxListenAddr(t))
	c := clientFor(t, srv.Addr(), 200*time.Millisecond)
	e := listOne(t, c)
	for name, f := range map[string]func() error{
		"EnterRecovery": func() error { return c.EnterRecovery(ctxT(t, 5*time.Second), e) },
		"Restart":       func() error { return c.Restart(ctxT(t, 5*time.Second), e) },
	} {
		if err := f(); !errors.Is(err, usbmux.ErrNotResponding) {
			t.Errorf("%s against a silent lockdownd = %v, want ErrNotResponding", name, err)
		}
	}
}
