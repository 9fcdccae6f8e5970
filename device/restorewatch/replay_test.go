package restorewatch

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// recordReplay replays tr through a fresh simulator at speed and records it
// with a poll of poll (real time); the recording's times are scaled back to
// the trace's.
func recordReplay(t *testing.T, tr *restoretrace.Trace, speed float64, poll time.Duration) []restoretrace.Event {
	t.Helper()
	srv := startSim(t, "unix://"+filepath.Join(t.TempDir(), "mux.sock"), sim.Scenario{})
	mux := usbmux.NewClient(mustAddr(t, srv.Addr()), usbmux.Options{BackoffMin: poll, BackoffMax: poll})
	start := time.Now()
	c, cancel, done := record(t, Options{USB: srv.USBSource(), Mux: mux, Poll: poll, Start: start})
	first := c.waitFor(t, 0, "usbmuxd up", kind(restoretrace.MuxUp))
	offset := time.Since(start).Milliseconds()
	if err := sim.Replay(context.Background(), srv, tr, speed); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * poll) // let the last poll see the last change (not a timing assertion)
	cancel(ErrDone)
	<-done
	var out []restoretrace.Event
	for i, e := range c.all() {
		if i <= first { // the recorder's own start and first connection
			continue
		}
		e.TimeMS = int64(float64(e.TimeMS-offset) * speed)
		out = append(out, e)
	}
	return out
}

// observed is what a recording of the same restore must show again: USB and
// usbmuxd events, each source in its own order (the two are polled and
// streamed independently, so events a few milliseconds apart may swap).
func observed(ev []restoretrace.Event, source string) []restoretrace.Event {
	var out []restoretrace.Event
	for _, e := range ev {
		switch e.Kind {
		case restoretrace.USBAttach, restoretrace.USBDetach, restoretrace.USBChange:
			if source == "usb" {
				out = append(out, e)
			}
		case restoretrace.MuxAttach, restoretrace.MuxDetach, restoretrace.MuxDown, restoretrace.MuxUp:
			if source == "mux" {
				out = append(out, e)
			}
		}
	}
	return out
}

func describe(e restoretrace.Event) string {
	s := string(e.Kind)
	if e.USB != nil {
		s += fmt.Sprintf(" %s pid %04x addr %d %.0f Mbit/s, %d configurations %v %q", e.USB.Mode, e.USB.ProductID,
			e.USB.Address, e.USB.SpeedMbps, e.USB.Configurations, e.USB.Interfaces, e.USB.Product)
	}
	return s
}

// record(replay(trace)) ≈ trace: the same events of each source in the same
// order, at times within the poll (plus scheduling slack), and one recorded
// key per trace key.
func TestRecordReplayedTrace(t *testing.T) {
	tr, err := restoretrace.ReadFile("../restoretrace/testdata/recovery-then-restore.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	const speed = 50.0
	poll := 10 * time.Millisecond
	got := recordReplay(t, tr, speed, poll)
	slack := int64(float64((poll + 150*time.Millisecond).Milliseconds()) * speed)
	keys := map[string]string{}
	for _, source := range []string{"usb", "mux"} {
		want, have := observed(tr.Events, source), observed(got, source)
		if len(want) != len(have) {
			t.Fatalf("%s: recorded %d events, trace has %d\nrecorded: %+v", source, len(have), len(want), have)
		}
		for i := range want {
			w, h := want[i], have[i]
			if describe(w) != describe(h) {
				t.Errorf("%s event %d: recorded %q, trace %q", source, i, describe(h), describe(w))
			}
			if d := h.TimeMS - w.TimeMS; d < -slack || d > slack {
				t.Errorf("%s event %d (%s): recorded at %d ms, trace at %d ms", source, i, w.Kind, h.TimeMS, w.TimeMS)
			}
			if w.Key == "" {
				continue
			}
			if k, ok := keys[w.Key]; ok && k != h.Key {
				t.Errorf("trace key %s recorded as %s and %s", w.Key, k, h.Key)
			}
			keys[w.Key] = h.Key
		}
	}
}
