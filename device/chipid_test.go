package device

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// TestMonitorOlderPhoneKeepsKeyInRecovery: a phone whose UDID does not
// carry the ECID (40 hex digits) is known in recovery mode only by its ECID.
// With lockdownd's UniqueChipID (QueryChipID) the monitor keeps its one key:
// normal → recovery is one phone, a mode change and no drop. Without it, it
// would be a second phone.
func TestMonitorOlderPhoneKeepsKeyInRecovery(t *testing.T) {
	const ecid = "000A1B2C3D4E5F60"
	for _, tc := range []struct {
		name       string
		ask        bool
		wantPhones int
		wantMC     int
	}{
		{"with UniqueChipID", true, 1, 1},
		{"without", false, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
			var clock atomic.Int64
			at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
			u, x := scriptedUSB{newScripted[usb.Event]()}, scriptedMux{newScripted[usbmux.Event]()}
			asked := make(chan string, 1)
			opts := MonitorOptions{Now: func() time.Time { return at(int(clock.Load())) }}
			if tc.ask {
				opts.QueryChipID = func(_ context.Context, e usbmux.Entry) (string, error) {
					asked <- e.UDID
					return ecid, nil
				}
			}
			m := NewMonitor(u, x, opts)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := m.Run(ctx)
			go func() {
				for range out {
				}
			}()
			b, mb := usbB(), muxB()
			rec := usb.Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: mode.Recovery, Bus: 1, Address: 12, PortPath: []int{1, 3}, HubDepth: 1, BehindHub: true,
				Serial: "CPID:8010 BDID:0C ECID:" + ecid, Recovery: &usb.RecoveryInfo{CPID: "8010", BDID: "0C", ECID: ecid}}

			u.in <- usb.Event{Kind: usb.Attached, Time: at(0), Device: b}
			x.in <- usbmux.Event{Kind: usbmux.EventConnected, Time: at(1), Devices: []usbmux.Entry{mb}}
			x.in <- usbmux.Event{Kind: usbmux.EventAttach, Time: at(2), DeviceID: mb.DeviceID, Entry: mb, Reconciled: true}
			waitFor(t, func() bool {
				ds := m.Devices()
				return len(ds) == 1 && ds[0].USB != nil && ds[0].Usbmux != nil
			})
			if tc.ask {
				if got := <-asked; got != udidB {
					t.Fatalf("asked for %q", got)
				}
				waitFor(t, func() bool {
					m.mu.Lock()
					defer m.mu.Unlock()
					return m.chipAlias[ECIDKey(ecid)] == keyB
				})
			}
			clock.Store(5000)
			u.in <- usb.Event{Kind: usb.Detached, Time: at(5000), Device: b}
			x.in <- usbmux.Event{Kind: usbmux.EventDetach, Time: at(5001), DeviceID: mb.DeviceID, Entry: mb}
			waitFor(t, func() bool { return len(m.Devices()) == 0 }) // both departures stamped at 5 s
			clock.Store(20000)
			u.in <- usb.Event{Kind: usb.Attached, Time: at(20000), Device: rec}
			waitFor(t, func() bool {
				for _, d := range m.Devices() {
					if d.Mode == mode.Recovery {
						return true
					}
				}
				return false
			})
			st := m.Stability()
			mc, drops := 0, 0
			for _, s := range st {
				mc += s.ModeChanges
				drops += s.Drops()
			}
			if len(st) != tc.wantPhones || mc != tc.wantMC {
				t.Errorf("%d phones, %d mode changes, %d drops; want %d phones, %d mode changes (%+v)", len(st), mc, drops, tc.wantPhones, tc.wantMC, st)
			}
			if tc.ask && (st[0].Key != keyB || drops != 0) {
				t.Errorf("key %s, %d drops; want %s and no drop", st[0].Key, drops, keyB)
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
