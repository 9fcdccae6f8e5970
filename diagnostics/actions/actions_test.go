package actions_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rig is the simulator with its USB view and a usbmuxd client, and a Runner over them.
type rig struct {
	srv    *sim.Server
	runner *actions.Runner
	look   actions.Look
}

func newRig(t *testing.T, sc sim.Scenario) rig {
	t.Helper()
	dir := testtmp.Dir(t)
	if sc.RebootDelay == 0 {
		sc.RebootDelay = 100 * time.Millisecond
	}
	srv, err := sim.Start(context.Background(), sim.LocalAddress(dir), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	addr, err := usbmux.ParseAddress(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c := usbmux.NewClient(addr, usbmux.Options{RequestTimeout: time.Second})
	look := actions.SnapshotLook(srv.USBSource(), c, "linux")
	hw := actions.Devices{USB: srv.USBOpener(), Usbmux: c, TransferTimeout: time.Second}
	return rig{srv: srv, look: look, runner: actions.NewRunner(hw, look, actions.Options{FollowTimeout: 10 * time.Second, Poll: 20 * time.Millisecond, LockDir: dir})}
}

func (r rig) phone(t *testing.T) device.Device {
	t.Helper()
	devs, err := r.look(context.Background())
	if err != nil || len(devs) != 1 {
		t.Fatalf("look = %+v, %v; want one phone", devs, err)
	}
	return devs[0]
}

func scenario(t *testing.T, name string) sim.Scenario {
	t.Helper()
	sc, err := sim.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestRunAgainstSimulator(t *testing.T) {
	tests := []struct {
		name        string
		scenario    string
		kind        actions.Kind
		want        actions.Outcome
		wantAfter   mode.Mode
		wantErr     error
		wantButtons bool
		summary     string
		severity    string
	}{
		{name: "exit recovery", scenario: "recovery", kind: actions.ExitRecovery, want: actions.Done, wantAfter: mode.Normal,
			summary: "left recovery mode and is back in normal mode in", severity: report.SeverityInfo},
		{name: "exit recovery, iOS does not start", scenario: "recovery-stuck", kind: actions.ExitRecovery, want: actions.BackInRecovery,
			wantAfter: mode.Recovery, summary: "iOS could not start; step 5 (restore) is the way forward", severity: report.SeverityCritical},
		{name: "exit recovery in DFU", scenario: "dfu", kind: actions.ExitRecovery, want: actions.Refused, wantErr: actions.ErrDFU,
			wantButtons: true, summary: "DFU mode, which cannot be left over USB", severity: report.SeverityInfo},
		{name: "enter recovery", scenario: "healthy", kind: actions.EnterRecovery, want: actions.Done, wantAfter: mode.Recovery,
			summary: "restarted into recovery mode in", severity: report.SeverityInfo},
		{name: "enter recovery, untrusted", scenario: "untrusted", kind: actions.EnterRecovery, want: actions.Refused,
			wantErr: usbmux.ErrNeedsTrust, wantButtons: true, summary: "needs the iPhone to trust it", severity: report.SeverityInfo},
		{name: "restart", scenario: "healthy", kind: actions.Restart, want: actions.Done, wantAfter: mode.Normal,
			summary: "the iPhone restarted: it left USB after", severity: report.SeverityInfo},
		{name: "restart, untrusted", scenario: "untrusted", kind: actions.Restart, want: actions.Refused,
			wantErr: usbmux.ErrNeedsTrust, wantButtons: true, summary: "restart it with its buttons", severity: report.SeverityInfo},
		{name: "restart in restore mode", scenario: "restore", kind: actions.Restart, want: actions.Refused,
			wantErr: actions.ErrRestoreMode, summary: "could interrupt the restore", severity: report.SeverityInfo},
		{name: "exit recovery of a normal phone", scenario: "healthy", kind: actions.ExitRecovery, want: actions.Refused,
			wantErr: actions.ErrNotApplicable, severity: report.SeverityInfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, scenario(t, tt.scenario))
			before := r.phone(t)
			res := r.runner.Run(context.Background(), actions.Request{Kind: tt.kind, Device: before, Family: model.FaceIDOr8Later})
			t.Logf("%s: %s (%v)", res.Outcome, res.Summary, res.Err)
			if res.Outcome != tt.want {
				t.Fatalf("outcome = %s (%v), want %s; summary %q", res.Outcome, res.Err, tt.want, res.Summary)
			}
			if tt.wantErr != nil && !errors.Is(res.Err, tt.wantErr) {
				t.Errorf("err = %v, want %v", res.Err, tt.wantErr)
			}
			if res.After != tt.wantAfter {
				t.Errorf("after = %q, want %q", res.After, tt.wantAfter)
			}
			if !strings.Contains(res.Summary, tt.summary) {
				t.Errorf("summary %q does not say %q", res.Summary, tt.summary)
			}
			if (len(res.Buttons) > 0) != tt.wantButtons {
				t.Errorf("buttons = %q, want some: %v", res.Buttons, tt.wantButtons)
			}
			f := res.Finding()
			if f.ID != tt.kind.FindingID() || f.Severity != tt.severity || f.DeviceKey != before.Key || f.Evidence["outcome"] != string(tt.want) {
				t.Errorf("finding = %+v", f)
			}
			if _, err := time.Parse(time.RFC3339, f.Evidence["started_at"].(string)); err != nil {
				t.Errorf("started_at: %v", err)
			}
			st := r.srv.Stats()
			if res.Outcome == actions.Refused && st.Detaches != 0 {
				t.Errorf("a refused action changed the phone: %d detaches", st.Detaches)
			}
			if res.Outcome == actions.Done && res.Device.Key != before.Key {
				t.Errorf("followed phone %q, started with %q", res.Device.Key, before.Key)
			}
		})
	}
}

func TestApplicable(t *testing.T) {
	usbDev := &usb.Device{Bus: 1, PortPath: []int{2}}
	entry := &usbmux.Entry{UDID: "x", DeviceID: 1, ConnectionType: "USB"}
	tests := []struct {
		name string
		d    device.Device
		want []actions.Kind
	}{
		{"recovery", device.Device{Mode: mode.Recovery, USB: usbDev}, []actions.Kind{actions.ExitRecovery}},
		{"recovery, no USB view", device.Device{Mode: mode.Recovery}, nil},
		{"dfu", device.Device{Mode: mode.DFU, USB: usbDev}, nil},
		{"normal", device.Device{Mode: mode.Normal, USB: usbDev, Usbmux: entry}, []actions.Kind{actions.EnterRecovery, actions.Restart}},
		{"normal over Wi-Fi only", device.Device{Mode: mode.Normal, Usbmux: &usbmux.Entry{ConnectionType: "Network"}}, nil},
		{"restore", device.Device{Mode: mode.Restore, USB: usbDev, Usbmux: entry}, nil},
	}
	for _, tt := range tests {
		got := actions.Applicable(tt.d)
		if len(got) != len(tt.want) {
			t.Errorf("%s: Applicable = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: Applicable = %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

// blockingHW holds ExitRecovery until released, to test one action per phone.
type blockingHW struct {
	entered chan struct{}
	release chan struct{}
}

func (h blockingHW) ExitRecovery(ctx context.Context, d usb.Device) error {
	close(h.entered)
	select {
	case <-h.release:
		return errors.New("released")
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (blockingHW) EnterRecovery(context.Context, usbmux.Entry) error { return nil }
func (blockingHW) Restart(context.Context, usbmux.Entry) error       { return nil }
func (blockingHW) LockdownMode(_ context.Context, e usbmux.Entry) (usbmux.ModeAnswer, error) {
	return okHW{}.LockdownMode(context.Background(), e)
}

// recoveryPhone is a phone in recovery mode as a fresh USB look shows it
// (recovery product id, iBoot serial read), and a Look that always sees it.
func recoveryPhone(key string) (device.Device, actions.Look) {
	d := device.Device{Key: key, Mode: mode.Recovery, USB: &usb.Device{Bus: 1, Address: 5, PortPath: []int{2}, ProductID: 0x1281,
		Mode: mode.Recovery, Recovery: &usb.RecoveryInfo{CPID: "8110", ECID: "001A2B3C4D5E6F70"}}}
	return d, func(context.Context) ([]device.Device, error) { return []device.Device{d}, nil }
}

func TestOneActionPerPhone(t *testing.T) {
	hw := blockingHW{entered: make(chan struct{}), release: make(chan struct{})}
	d, look := recoveryPhone("udid:A")
	lockDir := testtmp.Dir(t)
	r := actions.NewRunner(hw, look, actions.Options{FollowTimeout: time.Millisecond, LockDir: lockDir})
	done := make(chan actions.Result)
	go func() { done <- r.Run(context.Background(), actions.Request{Kind: actions.ExitRecovery, Device: d}) }()
	<-hw.entered
	if !r.Busy("udid:A") {
		t.Error("Busy = false while the action runs")
	}
	second := r.Run(context.Background(), actions.Request{Kind: actions.ExitRecovery, Device: d})
	if second.Outcome != actions.Refused || !errors.Is(second.Err, actions.ErrBusy) {
		t.Errorf("second action = %s %v, want refused busy", second.Outcome, second.Err)
	}
	// Another Runner (the window and a second backend) sees the same phone busy.
	other := actions.NewRunner(okHW{}, look, actions.Options{LockDir: lockDir})
	if third := other.Run(context.Background(), actions.Request{Kind: actions.ExitRecovery, Device: d}); !errors.Is(third.Err, actions.ErrBusy) {
		t.Errorf("action from another runner = %s %v, want refused busy", third.Outcome, third.Err)
	}
	close(hw.release)
	first := <-done
	if first.Outcome != actions.Failed || len(first.Buttons) == 0 {
		t.Errorf("first = %s, buttons %q; want failed with force-restart buttons", first.Outcome, first.Buttons)
	}
	if r.Busy("udid:A") {
		t.Error("still busy after the action ended")
	}
}

// TestActionDeadline: hardware that never returns is cut off by ActionTimeout.
func TestActionDeadline(t *testing.T) {
	hw := blockingHW{entered: make(chan struct{}), release: make(chan struct{})}
	d, look := recoveryPhone("udid:A")
	r := actions.NewRunner(hw, look, actions.Options{ActionTimeout: 50 * time.Millisecond, LockDir: testtmp.Dir(t)})
	res := r.Run(context.Background(), actions.Request{Kind: actions.ExitRecovery, Device: d})
	if res.Outcome != actions.Failed || !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("Run = %s %v, want failed with DeadlineExceeded", res.Outcome, res.Err)
	}
	if !strings.Contains(res.Summary, "no answer in time") {
		t.Errorf("summary %q", res.Summary)
	}
}

// TestNotBack: a phone that never returns ends with NotBack after FollowTimeout.
func TestNotBack(t *testing.T) {
	r := actions.NewRunner(okHW{}, func(context.Context) ([]device.Device, error) { return nil, nil },
		actions.Options{FollowTimeout: 100 * time.Millisecond, Poll: 10 * time.Millisecond, LockDir: testtmp.Dir(t)})
	d := device.Device{Key: "udid:A", UDID: "A", Mode: mode.Normal, Usbmux: &usbmux.Entry{UDID: "A", DeviceID: 3, ConnectionType: "USB"}}
	res := r.Run(context.Background(), actions.Request{Kind: actions.Restart, Device: d})
	if res.Outcome != actions.NotBack || res.Ran() != true || len(res.Buttons) == 0 {
		t.Fatalf("Run = %+v", res)
	}
	if f := res.Finding(); f.Severity != report.SeverityWarning {
		t.Errorf("finding severity %s", f.Severity)
	}
}

type okHW struct{}

func (okHW) ExitRecovery(context.Context, usb.Device) error    { return nil }
func (okHW) EnterRecovery(context.Context, usbmux.Entry) error { return nil }
func (okHW) Restart(context.Context, usbmux.Entry) error       { return nil }
func (okHW) LockdownMode(_ context.Context, e usbmux.Entry) (usbmux.ModeAnswer, error) {
	return usbmux.ModeAnswer{Type: usbmux.TypeLockdown, Mode: mode.Normal, UDID: e.UDID}, nil
}

func TestForceRestartData(t *testing.T) {
	for _, f := range model.Families() {
		if b := actions.ForceRestartButtons(f); len(b) == 0 || strings.Contains(b[0], "actions:") {
			t.Errorf("%s: %q", f, b)
		}
	}
	bad := []string{`{}`, `{"version":1,"force_restart":{}}`, `{"version":1,"force_restart":{"nope":["x"]}}`, `not json`}
	for _, b := range bad {
		if _, err := actions.ParseForceRestart([]byte(b)); err == nil {
			t.Errorf("ParseForceRestart(%s) accepted", b)
		}
	}
}

// TestFollowWaitsForUsbmuxd: a phone back in normal mode on USB counts as
// back once usbmuxd lists it, not before; without usbmuxd, after a grace.
func TestFollowWaitsForUsbmuxd(t *testing.T) {
	start, _ := recoveryPhone("udid:B")
	usbNormal := device.Device{Key: "udid:B", Mode: mode.Normal, USB: &usb.Device{Bus: 1, Address: 6, PortPath: []int{2}}}
	listed := usbNormal
	listed.Usbmux = &usbmux.Entry{DeviceID: 9, ConnectionType: "USB"}
	for _, tt := range []struct {
		name   string
		script []device.Device // one look each; the last repeats
		want   actions.Outcome
	}{
		{"listed after a while", []device.Device{start, {}, usbNormal, usbNormal, listed}, actions.Done},
		{"usbmuxd never lists it: back after the grace", []device.Device{start, {}, usbNormal}, actions.Done},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			i := 0
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			var looks []device.Device
			look := func(context.Context) ([]device.Device, error) {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(time.Second) // each look one second later
				d := tt.script[min(i, len(tt.script)-1)]
				i++
				looks = append(looks, d)
				if d.Key == "" {
					return nil, nil // away
				}
				return []device.Device{d}, nil
			}
			r := actions.NewRunner(okHW{}, look, actions.Options{Poll: time.Millisecond, Now: clock, LockDir: testtmp.Dir(t)})
			res := r.Run(context.Background(), actions.Request{Kind: actions.ExitRecovery, Device: start})
			if res.Outcome != tt.want || res.After != mode.Normal {
				t.Fatalf("outcome %s after %s (%v)", res.Outcome, res.After, res.Err)
			}
			mu.Lock()
			n := len(looks)
			mu.Unlock()
			if tt.script[len(tt.script)-1].Usbmux != nil && n != len(tt.script) {
				t.Errorf("judged after %d looks, want %d (when usbmuxd listed it)", n, len(tt.script))
			}
			if tt.script[len(tt.script)-1].Usbmux == nil && n < 10 {
				t.Errorf("judged after %d looks: did not wait for usbmuxd", n)
			}
		})
	}
}
