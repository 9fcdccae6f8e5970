package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
)

// TestModeMustBeConfirmed: against a hostile lockdownd (QueryType hangs,
// answers late, errors, names an unknown service, answers as restored, or
// bombs the identity query) enter recovery and restart are refused with the
// reason, and the simulator received no EnterRecovery and no Restart.
func TestModeMustBeConfirmed(t *testing.T) {
	phone := func(sc sim.Scenario) sim.Scenario {
		if len(sc.Phones) == 0 {
			sc.Phones = []sim.Phone{sim.PhoneA()}
		}
		return sc
	}
	restore := sim.PhoneA()
	restore.Mode = mode.Restore
	tests := []struct {
		name    string
		sc      sim.Scenario
		wantErr error
		reason  string
	}{
		{"QueryType hangs", phone(sim.Scenario{LockdownLatency: time.Hour}), actions.ErrModeUnconfirmed, "did not say within"},
		{"QueryType answers after the deadline", phone(sim.Scenario{LockdownLatency: 700 * time.Millisecond}), actions.ErrModeUnconfirmed, "did not say within"},
		{"QueryType errors", phone(sim.Scenario{QueryTypeAnswer: "Error:InternalError"}), actions.ErrModeUnconfirmed, "InternalError"},
		{"QueryType names an unknown service", phone(sim.Scenario{QueryTypeAnswer: "com.example.other"}), actions.ErrModeUnconfirmed, `"com.example.other"`},
		{"restore mode", phone(sim.Scenario{Phones: []sim.Phone{restore}}), actions.ErrRestoreMode, "could interrupt the restore"},
		{"the identity query is a plist bomb", phone(sim.Scenario{Garbage: sim.GarbageBombLockdown}), actions.ErrModeUnconfirmed, "plist over a limit"},
	}
	for _, tt := range tests {
		for _, kind := range []actions.Kind{actions.EnterRecovery, actions.Restart} {
			t.Run(tt.name+"/"+string(kind), func(t *testing.T) {
				r := newRigOpts(t, tt.sc, actions.Options{ConfirmTimeout: 300 * time.Millisecond})
				before := r.phone(t)
				if before.Mode != mode.Normal {
					t.Fatalf("the merged view shows %s; the test needs the guess \"normal\"", before.Mode)
				}
				res := r.runner.Run(context.Background(), actions.Request{Kind: kind, Device: before, Family: model.FaceIDOr8Later})
				t.Logf("%s: %s", res.Outcome, res.Summary)
				if res.Outcome != actions.Refused || !errors.Is(res.Err, tt.wantErr) {
					t.Fatalf("Run = %s (%v), want refused with %v", res.Outcome, res.Err, tt.wantErr)
				}
				if !strings.HasPrefix(res.Summary, "nothing was sent") || !strings.Contains(res.Summary, tt.reason) {
					t.Errorf("summary %q does not give the reason %q", res.Summary, tt.reason)
				}
				st := r.srv.Stats()
				for _, k := range []string{"lockdown:EnterRecovery", "lockdown:StartSession", "lockdown:StartService", "diagnostics:Restart"} {
					if st.Requests[k] != 0 {
						t.Errorf("%s reached the phone %d times", k, st.Requests[k])
					}
				}
				if st.Requests["lockdown:QueryType"] == 0 {
					t.Error("no QueryType was asked: the test proves nothing")
				}
			})
		}
	}
}

// TestExitRecoveryNeedsFreshRecovery: exit recovery goes ahead only when a
// fresh USB look shows a recovery-mode product id and an iBoot serial of
// the same chip; anything else is refused and no iBoot command is sent.
func TestExitRecoveryNeedsFreshRecovery(t *testing.T) {
	start, _ := recoveryPhone("ecid:A")
	normalNow := start
	normalNow.USB = &usb.Device{Bus: 1, Address: 6, PortPath: []int{2}, ProductID: 0x12A8, Mode: mode.Normal}
	noSerial := start
	u := *start.USB
	u.Recovery = nil
	noSerial.USB = &u
	other := start
	o := *start.USB
	o.Recovery = &usb.RecoveryInfo{CPID: "8110", ECID: "00000000DEADBEEF"}
	other.USB = &o
	dfu := start
	df := *start.USB
	df.ProductID, df.Mode = 0x1227, mode.DFU
	dfu.USB = &df
	for _, tt := range []struct {
		name    string
		look    actions.Look
		wantErr error
	}{
		{"look fails", func(context.Context) ([]device.Device, error) { return nil, errors.New("libusb: io error") }, actions.ErrModeUnconfirmed},
		{"look hangs", func(ctx context.Context) ([]device.Device, error) { <-ctx.Done(); return nil, ctx.Err() }, actions.ErrModeUnconfirmed},
		{"gone", func(context.Context) ([]device.Device, error) { return nil, nil }, actions.ErrModeUnconfirmed},
		{"normal mode now", func(context.Context) ([]device.Device, error) { return []device.Device{normalNow}, nil }, actions.ErrModeUnconfirmed},
		{"no iBoot serial", func(context.Context) ([]device.Device, error) { return []device.Device{noSerial}, nil }, actions.ErrModeUnconfirmed},
		{"another chip at the port", func(context.Context) ([]device.Device, error) { return []device.Device{other}, nil }, actions.ErrModeUnconfirmed},
		{"DFU now", func(context.Context) ([]device.Device, error) { return []device.Device{dfu}, nil }, actions.ErrDFU},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hw := &countingHW{}
			r := actions.NewRunner(hw, tt.look, actions.Options{ConfirmTimeout: 50 * time.Millisecond})
			res := r.Run(context.Background(), actions.Request{Kind: actions.ExitRecovery, Device: start})
			if res.Outcome != actions.Refused || !errors.Is(res.Err, tt.wantErr) {
				t.Fatalf("Run = %s (%v), want refused with %v", res.Outcome, res.Err, tt.wantErr)
			}
			if hw.exits != 0 {
				t.Errorf("ExitRecovery was called %d times", hw.exits)
			}
		})
	}
}

// countingHW counts the actions it was asked to do.
type countingHW struct {
	okHW
	exits int
}

func (h *countingHW) ExitRecovery(context.Context, usb.Device) error { h.exits++; return nil }

func newRigOpts(t *testing.T, sc sim.Scenario, opts actions.Options) rig {
	t.Helper()
	r := newRig(t, sc)
	addr, _ := usbmux.ParseAddress(r.srv.Addr())
	c := usbmux.NewClient(addr, usbmux.Options{RequestTimeout: time.Second})
	if opts.FollowTimeout == 0 {
		opts.FollowTimeout = 10 * time.Second
	}
	if opts.Poll == 0 {
		opts.Poll = 20 * time.Millisecond
	}
	r.runner = actions.NewRunner(actions.Devices{USB: r.srv.USBOpener(), Usbmux: c, TransferTimeout: time.Second}, r.look, opts)
	return r
}
