package sim

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
)

// waitUSBMode polls the simulated USB view until its only device is in mode want.
func waitUSBMode(t *testing.T, s *Server, want mode.Mode, d time.Duration) usb.Device {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		devs, err := s.USBSource().Snapshot(context.Background())
		if err == nil && len(devs) == 1 && devs[0].Mode == want {
			return devs[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("USB view not in %s mode within %v: %+v", want, d, s.Phones())
	return usb.Device{}
}

// TestUSBOpenerExitRecovery runs the real usb.ExitRecovery against the
// simulated iBoot: the phone leaves recovery and comes back in normal mode,
// or back in recovery when iOS fails to start; DFU is refused untouched.
func TestUSBOpenerExitRecovery(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		want     mode.Mode
		wantErr  error
	}{
		{name: "recovery → normal", scenario: "recovery", want: mode.Normal},
		{name: "iOS does not start: back in recovery", scenario: "recovery-stuck", want: mode.Recovery},
		{name: "DFU refused", scenario: "dfu", want: mode.DFU, wantErr: usb.ErrWrongMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Builtin(tt.scenario)
			if err != nil {
				t.Fatal(err)
			}
			sc.RebootDelay = 30 * time.Millisecond
			s := startSim(t, sc)
			devs, err := s.USBSource().Snapshot(context.Background())
			if err != nil || len(devs) != 1 {
				t.Fatalf("snapshot = %+v, %v", devs, err)
			}
			before := devs[0]
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = usb.ExitRecovery(ctx, s.USBOpener(), before, usb.ExitRecoveryOptions{Timeout: time.Second})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("ExitRecovery = %v, want %v", err, tt.wantErr)
			}
			st := s.Stats()
			if tt.wantErr != nil {
				if st.Detaches != 0 || st.Requests["iboot:reboot"] != 0 {
					t.Errorf("refused action touched the phone: %+v", st)
				}
				return
			}
			for _, k := range []string{"iboot:setenv auto-boot true", "iboot:saveenv", "iboot:reboot"} {
				if st.Requests[k] != 1 {
					t.Errorf("requests[%s] = %d, want 1", k, st.Requests[k])
				}
			}
			after := waitUSBMode(t, s, tt.want, 5*time.Second)
			if after.Address == before.Address {
				t.Errorf("phone came back at the same address %d: not re-enumerated", after.Address)
			}
			if s.Stats().Detaches != 1 {
				t.Errorf("detaches = %d, want 1", s.Stats().Detaches)
			}
		})
	}
}

func TestUSBOpenerRefusesOtherRequests(t *testing.T) {
	s := startBuiltin(t, "recovery")
	devs, _ := s.USBSource().Snapshot(context.Background())
	cd, err := s.USBOpener().Open(context.Background(), devs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer cd.Close()
	if _, err := cd.Control(context.Background(), 0x40, 0, 0, 0, []byte("no terminator")); err == nil {
		t.Error("a command without NUL was accepted")
	}
	if _, err := cd.Control(context.Background(), 0xC0, 0, 0, 0, make([]byte, 4)); err == nil {
		t.Error("a vendor IN request was accepted")
	}
	gone := devs[0]
	gone.Address = 99
	if _, err := s.USBOpener().Open(context.Background(), gone); !errors.Is(err, usb.ErrDisconnected) {
		t.Errorf("open of a device not on the bus = %v, want ErrDisconnected", err)
	}
}
