package usbmux_test

import (
	"errors"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

func TestReadBackupSettings(t *testing.T) {
	tests := []struct {
		name    string
		trust   string
		cloud   bool
		tls     bool
		mode    mode.Mode
		latency time.Duration
		garbage string
		wantErr error
		want    *bool
	}{
		{name: "trusted, iCloud Backup off", trust: sim.TrustTrusted, want: ptrBool(false)},
		{name: "trusted, iCloud Backup on", trust: sim.TrustTrusted, cloud: true, want: ptrBool(true)},
		{name: "trusted, the session in TLS", trust: sim.TrustTrusted, cloud: true, tls: true, want: ptrBool(true)},
		{name: "untrusted: cannot be asked", trust: sim.TrustUntrusted, cloud: true, wantErr: usbmux.ErrNeedsTrust},
		{name: "restore mode: cannot be asked", trust: sim.TrustTrusted, mode: mode.Restore, wantErr: usbmux.ErrNotNormalMode},
		{name: "silent lockdownd: one request timeout", trust: sim.TrustTrusted, latency: 2 * time.Second, wantErr: usbmux.ErrNotResponding},
		{name: "a plist bomb as the answer: refused before decoding", trust: sim.TrustTrusted, garbage: sim.GarbageBombLockdown, wantErr: usbmux.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sim.PhoneA()
			p.Trust, p.CloudBackup = tt.trust, tt.cloud
			if tt.mode != "" {
				p.Mode = tt.mode
			}
			srv := startScenario(t, sim.Scenario{Name: "backup", Phones: []sim.Phone{p}, PlaintextSession: !tt.tls, LockdownLatency: tt.latency, Garbage: tt.garbage}, muxListenAddr(t))
			c := clientFor(t, srv.Addr(), 300*time.Millisecond)
			if tt.latency == 0 {
				c = clientFor(t, srv.Addr(), 2*time.Second)
			}
			got, err := c.ReadBackupSettings(ctxT(t, 5*time.Second), listOne(t, c))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("ReadBackupSettings = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if got.CloudBackupEnabled != nil {
					t.Errorf("a failed query guessed %v", *got.CloudBackupEnabled)
				}
				return
			}
			if got.CloudBackupEnabled == nil || *got.CloudBackupEnabled != *tt.want {
				t.Errorf("CloudBackupEnabled %v, want %v", got.CloudBackupEnabled, *tt.want)
			}
			if got.WillEncrypt == nil || *got.WillEncrypt {
				t.Errorf("WillEncrypt %v, want false", got.WillEncrypt)
			}
			st := srv.Stats().Requests
			if st["lockdown:SetValue"] != 0 || st["lockdown:RemoveValue"] != 0 || st["lockdown:StartSession"] != 1 {
				t.Errorf("requests %v: want one session and nothing written", st)
			}
		})
	}
}

func ptrBool(b bool) *bool { return &b }
