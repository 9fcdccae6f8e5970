package live

// "Watch my restore" in the window over the real backend and the simulator
// on a real socket: while the window records, nothing reaches the phone.

import (
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// queue runs the window's background results on the test goroutine.
type queue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *queue) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

// pump runs queued work until cond holds (fails after 20 s).
func (q *queue) pump(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
		if len(fns) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func phoneRequests(st sim.Stats) map[string]int {
	out := map[string]int{"tunnels": st.Tunnels, "Connect": st.Requests["Connect"]}
	for k, n := range st.Requests {
		if strings.HasPrefix(k, "lockdown:") || strings.HasPrefix(k, "diagnostics:") || strings.HasPrefix(k, "iboot:") {
			out[k] = n
		}
	}
	return out
}

func TestWindowRecordingSendsNothingToThePhone(t *testing.T) {
	srv, sess, dir := startTestSession(t, "healthy", session.Config{PollInterval: 50 * time.Millisecond, SampleEvery: 100 * time.Millisecond})
	log := slog.New(slog.DiscardHandler)
	tracePath := filepath.Join(dir, "rec.jsonl")
	b := New(Config{Session: sess, UsbmuxdAddress: srv.Addr(), NoNetwork: true, Logger: log, Recording: Recording{
		USB:       func(*slog.Logger) (usb.Source, func(), error) { return srv.USBSource(), func() {}, nil },
		TracePath: func(time.Time) (string, error) { return tracePath, nil },
		Poll:      20 * time.Millisecond, Source: "test",
	}})
	q := &queue{}
	cat := catalog.MustDefault()
	u := app.New(test.NewTempApp(t), b, app.Options{Do: q.do, Catalog: cat})
	u.Start()
	defer u.Stop()
	// The plug-in starts a check: lockdown requests reach the phone.
	q.pump(t, "the automatic check to talk to the phone", func() bool { return phoneRequests(srv.Stats())["lockdown:QueryType"] > 0 })

	u.ToggleRecording()
	q.pump(t, "the recorder to start", func() bool { return u.State().Recording.Timeline != nil })
	before := phoneRequests(srv.Stats())
	// Another phone plugged in, a mode change: the live view would ask
	// lockdownd about them (QueryType, GetValue); the recorder must not.
	id := srv.Attach(sim.PhoneB())
	q.pump(t, "the recorder to see the second phone", func() bool { return u.State().Recording.Events >= 3 })
	srv.Detach(id)
	// The followed phone goes into recovery mode.
	for _, ph := range srv.Phones() {
		if ph.UDID == sim.PhoneA().UDID {
			srv.Detach(ph.DeviceID)
		}
	}
	p := sim.PhoneA()
	p.Mode, p.ProductID = mode.Recovery, 0x1281
	srv.Attach(p)
	q.pump(t, "the recorder to see the recovery phone", func() bool {
		st := u.State().Recording.Status
		return st.Stage == restore.Recovery || st.Stage == restore.BootStage
	})
	u.CheckAgain() // refused while recording
	waitUntil := time.Now().Add(600 * time.Millisecond)
	q.pump(t, "a while", func() bool { return time.Now().After(waitUntil) })
	if after := phoneRequests(srv.Stats()); !maps.Equal(before, after) {
		t.Fatalf("requests reached the phone while the window recorded:\nbefore %v\nafter  %v", before, after)
	}
	if u.State().Check.Running {
		t.Fatal("a check runs while recording")
	}

	u.ToggleRecording() // Stop
	q.pump(t, "the recording to end", func() bool { return u.State().Recording.Ended })
	r := u.State().Recording
	if !r.Stopped() || r.Verdict == nil || r.Report == nil || r.TracePath != tracePath || r.Err != nil {
		t.Fatalf("recording = %+v", r)
	}
	if _, err := os.Stat(tracePath); err != nil {
		t.Fatalf("no trace file: %v", err)
	}
	// The live view is back after the recording.
	q.pump(t, "the live view to see the phone again", func() bool { return len(u.State().Phones) > 0 })
}
