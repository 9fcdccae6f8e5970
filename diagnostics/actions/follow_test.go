package actions_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// TestFollowListingFailsOnce: after a restart request, one usbmuxd listing
// fails (no USB view of the phone on this computer, as with a phone seen
// only through usbmuxd). A failed listing is "could not look", not "the
// phone left": a phone that never leaves is reported as not having left.
func TestFollowListingFailsOnce(t *testing.T) {
	dir := testtmp.Dir(t)
	srv, err := sim.Start(context.Background(), sim.LocalAddress(dir), sim.Scenario{Phones: []sim.Phone{sim.PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	// The client dials a path that does not exist until the first look has
	// failed; then it leads to the simulator.
	flaky := filepath.Join(dir, "flaky.sock")
	addr, err := usbmux.ParseAddress("unix://" + flaky)
	if err != nil {
		t.Fatal(err)
	}
	c := usbmux.NewClient(addr, usbmux.Options{RequestTimeout: time.Second})
	noUSB := usb.FuncSource(func(context.Context) ([]usb.Device, error) { return nil, nil })
	inner := actions.SnapshotLook(noUSB, c, "linux")
	var once sync.Once
	var failed error
	look := func(ctx context.Context) ([]device.Device, error) {
		devs, err := inner(ctx)
		once.Do(func() {
			failed = err
			if lerr := os.Symlink(srv.SocketPath(), flaky); lerr != nil {
				t.Error(lerr)
			}
		})
		return devs, err
	}
	entry := usbmux.Entry{UDID: sim.PhoneA().UDID, DeviceID: srv.Phones()[0].DeviceID, ConnectionType: "USB"}
	start := device.Device{Key: device.KeyForUDID(entry.UDID), UDID: entry.UDID, Mode: mode.Normal, Usbmux: &entry}
	r := actions.NewRunner(okHW{}, look, actions.Options{FollowTimeout: 400 * time.Millisecond, Poll: 10 * time.Millisecond, LockDir: dir})
	res := r.Run(context.Background(), actions.Request{Kind: actions.Restart, Device: start})
	if failed == nil {
		t.Fatal("the first look did not fail: the test proves nothing")
	}
	t.Logf("%s: %s", res.Outcome, res.Summary)
	if res.Outcome != actions.NotBack {
		t.Fatalf("outcome %s (%s), want not_back: the phone never left", res.Outcome, res.Summary)
	}
	for _, s := range []string{"did not leave USB within", "it may not have restarted"} {
		if !strings.Contains(res.Summary, s) {
			t.Errorf("summary %q does not say %q", res.Summary, s)
		}
	}
}

// TestFollowNeedsTwoObservations: a departure is two successive successful
// looks without the phone; the result says when it left and when it came back.
func TestFollowNeedsTwoObservations(t *testing.T) {
	entry := usbmux.Entry{UDID: "A", DeviceID: 1, ConnectionType: "USB"}
	start := device.Device{Key: "udid:A", UDID: "A", Mode: mode.Normal, Usbmux: &entry}
	back := start
	e2 := entry
	e2.DeviceID = 2
	back.Usbmux = &e2
	var away device.Device // a look without the phone
	errLook := device.Device{Key: "error"}
	for _, tt := range []struct {
		name    string
		script  []device.Device // one look each; the last repeats
		want    actions.Outcome
		summary []string
	}{
		{"one look without it is no departure", []device.Device{away, start}, actions.NotBack,
			[]string{"did not leave USB within", "may not have restarted"}},
		{"absent, failed look, absent: not two successive", []device.Device{away, errLook, away, start}, actions.NotBack,
			[]string{"did not leave USB within"}},
		{"left and came back", []device.Device{start, away, away, away, back}, actions.Done,
			[]string{"left USB after 2 s", "back in normal mode after 5 s"}},
		{"left, never back", []device.Device{start, away, away}, actions.NotBack,
			[]string{"left USB after 2 s", "was not back within"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			i := 0
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			look := func(context.Context) ([]device.Device, error) {
				mu.Lock()
				defer mu.Unlock()
				d := tt.script[min(i, len(tt.script)-1)]
				i++
				now = now.Add(time.Second) // each look one second later
				switch d.Key {
				case "":
					return nil, nil
				case "error":
					return nil, errors.New("usbmuxd: no answer before the deadline")
				}
				return []device.Device{d}, nil
			}
			r := actions.NewRunner(okHW{}, look, actions.Options{FollowTimeout: 300 * time.Millisecond, Poll: time.Millisecond, Now: clock, LockDir: testtmp.Dir(t)})
			res := r.Run(context.Background(), actions.Request{Kind: actions.Restart, Device: start})
			t.Logf("%s: %s", res.Outcome, res.Summary)
			if res.Outcome != tt.want {
				t.Fatalf("outcome %s, want %s (%s)", res.Outcome, tt.want, res.Summary)
			}
			for _, s := range tt.summary {
				if !strings.Contains(res.Summary, s) {
					t.Errorf("summary %q does not say %q", res.Summary, s)
				}
			}
		})
	}
}

// TestFollowInterrupted: cancelling while following (SIGINT) ends with
// Interrupted, "stopped following (interrupted)", and counts as not run.
func TestFollowInterrupted(t *testing.T) {
	entry := usbmux.Entry{UDID: "A", DeviceID: 1, ConnectionType: "USB"}
	start := device.Device{Key: "udid:A", UDID: "A", Mode: mode.Normal, Usbmux: &entry}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	look := func(context.Context) ([]device.Device, error) {
		if n++; n == 3 {
			cancel()
		}
		return []device.Device{start}, nil
	}
	r := actions.NewRunner(okHW{}, look, actions.Options{Poll: time.Millisecond, LockDir: testtmp.Dir(t)})
	res := r.Run(ctx, actions.Request{Kind: actions.Restart, Device: start})
	if res.Outcome != actions.Interrupted || res.Ran() || !strings.Contains(res.Summary, "stopped following (interrupted)") {
		t.Fatalf("Run = %s ran=%v %q, want interrupted, not run", res.Outcome, res.Ran(), res.Summary)
	}
}
