package usb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func dev(pid uint16, addr int, path ...int) Device {
	return Device{VendorID: mode.AppleVendorID, ProductID: pid, Mode: mode.FromProductID(pid), Bus: 1, Address: addr,
		PortPath: path, HubDepth: max(len(path)-1, 0), BehindHub: len(path) > 1, SpeedMbps: 480}
}

var (
	normalA   = dev(0x12A8, 5, 2)
	recoveryA = dev(0x1281, 6, 2)
	dfuA      = dev(0x1227, 7, 2)
	normalB   = dev(0x12A8, 9, 1, 3)
)

// step is one poll of a scripted source: the devices present and how much
// fake time passed since the previous poll.
type step struct {
	after time.Duration
	devs  []Device
	err   error
}

// script is a Source that plays steps in order, then repeats the last
// snapshot; its clock advances with the steps.
type script struct {
	mu    sync.Mutex
	steps []step
	i     int
	now   time.Time
}

func (s *script) Snapshot(ctx context.Context) ([]Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.i < len(s.steps) {
		st := s.steps[s.i]
		s.i++
		s.now = s.now.Add(st.after)
		return st.devs, st.err
	}
	last := s.steps[len(s.steps)-1]
	return last.devs, last.err
}

func (s *script) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *script) done() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.i >= len(s.steps)
}

type ev struct {
	kind  EventKind
	loc   string
	mode  mode.Mode
	prev  mode.Mode
	reenu bool
	at    time.Duration // since t0
}

func (e ev) String() string {
	return fmt.Sprintf("%s %s %s (prev %q, reenum %v) at %v", e.kind, e.loc, e.mode, e.prev, e.reenu, e.at)
}

func runScript(t *testing.T, steps []step, want int) []ev {
	t.Helper()
	src := &script{steps: steps, now: t0}
	w := NewWatcher(src, WatcherOptions{Interval: time.Millisecond, FlapWindow: 10 * time.Second,
		ModeChangeWindow: 3 * time.Minute, Now: src.clock})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := w.Run(ctx)
	var got []ev
	for len(got) < want {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed after %d events, want %d: %v", len(got), want, got)
			}
			got = append(got, ev{e.Kind, e.Device.Location(), e.Device.Mode, e.PrevMode, e.Reenumeration, e.Time.Sub(t0)})
		case <-ctx.Done():
			t.Fatalf("timed out after %d events, want %d: %v", len(got), want, got)
		}
	}
	// Let the rest of the script play: it must produce nothing more.
	for !src.done() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond)
	cancel()
	for e := range ch {
		t.Errorf("unexpected extra event %v %s", e.Kind, e.Device.Location())
	}
	return got
}

func TestWatcher(t *testing.T) {
	s := time.Second
	tests := []struct {
		name  string
		steps []step
		want  []ev
	}{
		{name: "attach", steps: []step{{devs: nil}, {after: s, devs: []Device{normalA}}},
			want: []ev{{Attached, "1-2", mode.Normal, "", false, s}}},
		{name: "present at start", steps: []step{{devs: []Device{normalA}}},
			want: []ev{{Attached, "1-2", mode.Normal, "", false, 0}}},
		{name: "detach", steps: []step{{devs: []Device{normalA}}, {after: s, devs: nil}},
			want: []ev{{Attached, "1-2", mode.Normal, "", false, 0}, {Detached, "1-2", mode.Normal, "", false, s}}},
		{name: "flap x3 within the window", steps: []step{
			{devs: []Device{normalA}},
			{after: s, devs: nil}, {after: s, devs: []Device{normalA}},
			{after: s, devs: nil}, {after: 2 * s, devs: []Device{normalA}},
			{after: s, devs: nil}, {after: 9 * s, devs: []Device{normalA}},
		}, want: []ev{
			{Attached, "1-2", mode.Normal, "", false, 0},
			{Detached, "1-2", mode.Normal, "", false, s}, {Attached, "1-2", mode.Normal, "", true, 2 * s},
			{Detached, "1-2", mode.Normal, "", false, 3 * s}, {Attached, "1-2", mode.Normal, "", true, 5 * s},
			{Detached, "1-2", mode.Normal, "", false, 6 * s}, {Attached, "1-2", mode.Normal, "", true, 15 * s},
		}},
		{name: "back after the flap window is a plain attach", steps: []step{
			{devs: []Device{normalA}}, {after: s, devs: nil}, {after: 11 * s, devs: []Device{normalA}},
		}, want: []ev{
			{Attached, "1-2", mode.Normal, "", false, 0}, {Detached, "1-2", mode.Normal, "", false, s},
			{Attached, "1-2", mode.Normal, "", false, 12 * s},
		}},
		{name: "re-enumerated between two polls (new address)", steps: []step{
			{devs: []Device{normalA}}, {after: s, devs: []Device{dev(0x12A8, 11, 2)}},
		}, want: []ev{
			{Attached, "1-2", mode.Normal, "", false, 0}, {Detached, "1-2", mode.Normal, "", false, s},
			{Attached, "1-2", mode.Normal, "", true, s},
		}},
		{name: "normal to recovery after a minute is a mode change", steps: []step{
			{devs: []Device{normalA}}, {after: s, devs: nil}, {after: 60 * s, devs: []Device{recoveryA}},
		}, want: []ev{
			{Attached, "1-2", mode.Normal, "", false, 0}, {Detached, "1-2", mode.Normal, "", false, s},
			{ModeChange, "1-2", mode.Recovery, mode.Normal, false, 61 * s},
		}},
		{name: "recovery to normal", steps: []step{
			{devs: []Device{recoveryA}}, {after: s, devs: nil}, {after: 30 * s, devs: []Device{normalA}},
		}, want: []ev{
			{Attached, "1-2", mode.Recovery, "", false, 0}, {Detached, "1-2", mode.Recovery, "", false, s},
			{ModeChange, "1-2", mode.Normal, mode.Recovery, false, 31 * s},
		}},
		{name: "mode change between two polls", steps: []step{
			{devs: []Device{recoveryA}}, {after: s, devs: []Device{dfuA}},
		}, want: []ev{
			{Attached, "1-2", mode.Recovery, "", false, 0}, {ModeChange, "1-2", mode.DFU, mode.Recovery, false, s},
		}},
		{name: "another mode after the mode-change window is an attach", steps: []step{
			{devs: []Device{normalA}}, {after: s, devs: nil}, {after: 4 * time.Minute, devs: []Device{recoveryA}},
		}, want: []ev{
			{Attached, "1-2", mode.Normal, "", false, 0}, {Detached, "1-2", mode.Normal, "", false, s},
			{Attached, "1-2", mode.Recovery, "", false, s + 4*time.Minute},
		}},
		{name: "two devices", steps: []step{
			{devs: []Device{normalB, normalA}}, {after: s, devs: []Device{normalB}}, {after: s, devs: []Device{normalB, normalA}},
			{after: s, devs: []Device{normalA}},
		}, want: []ev{
			{Attached, "1-1.3", mode.Normal, "", false, 0}, {Attached, "1-2", mode.Normal, "", false, 0},
			{Detached, "1-2", mode.Normal, "", false, s}, {Attached, "1-2", mode.Normal, "", true, 2 * s},
			{Detached, "1-1.3", mode.Normal, "", false, 3 * s},
		}},
		{name: "poll errors keep the last state", steps: []step{
			{devs: []Device{normalA}}, {after: s, err: errors.New("libusb hiccup")}, {after: s, devs: []Device{normalA}},
		}, want: []ev{{Attached, "1-2", mode.Normal, "", false, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runScript(t, tt.steps, len(tt.want))
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("event %d:\n got  %v\n want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestWatcherAnotherPhoneOnTheSamePortIsNoFlap(t *testing.T) {
	a, b := normalA, normalA
	a.Serial, b.Serial = "00008110-001A2B3C4D5E6F70", "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
	aAgain := normalA
	aAgain.Serial = "00008110001a2b3c4d5e6f70" // normalised: same phone
	got := runScript(t, []step{
		{devs: []Device{a}}, {after: time.Second, devs: nil}, {after: time.Second, devs: []Device{b}},
		{after: time.Second, devs: nil}, {after: time.Second, devs: []Device{aAgain}},
	}, 5)
	if got[2].reenu {
		t.Errorf("a different phone on the same port counted as a re-enumeration: %v", got[2])
	}
	if got[4].reenu {
		t.Errorf("phone A after phone B counted as a re-enumeration of B: %v", got[4])
	}
}

func TestWatcherCurrentAndErr(t *testing.T) {
	polled := make(chan struct{}, 100)
	fail := errors.New("boom")
	var mu sync.Mutex
	result := []Device{normalA}
	var resErr error
	src := FuncSource(func(ctx context.Context) ([]Device, error) {
		mu.Lock()
		defer mu.Unlock()
		select {
		case polled <- struct{}{}:
		default:
		}
		return result, resErr
	})
	w := NewWatcher(src, WatcherOptions{Interval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	ch := w.Run(ctx)
	<-ch // the attach
	if cur := w.Current(); len(cur) != 1 || cur[0].Location() != "1-2" {
		t.Errorf("Current = %v", cur)
	}
	mu.Lock()
	resErr, result = fail, nil
	mu.Unlock()
	deadline := time.After(5 * time.Second)
	for !errors.Is(w.Err(), fail) {
		select {
		case <-deadline:
			t.Fatal("Err never reported the poll failure")
		case <-polled:
		}
	}
	if cur := w.Current(); len(cur) != 1 {
		t.Errorf("a failed poll changed Current: %v", cur)
	}
	cancel()
	for range ch {
	}
	if ch2 := w.Run(context.Background()); ch2 != nil {
		if _, ok := <-ch2; ok {
			t.Error("second Run delivered an event")
		}
	}
}

// A source that blocks until ctx ends must not keep Run alive.
func TestWatcherSlowSourceCancel(t *testing.T) {
	started := make(chan struct{})
	src := FuncSource(func(ctx context.Context) ([]Device, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	ch := NewWatcher(src, WatcherOptions{}).Run(ctx)
	<-started
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("event from a cancelled watcher")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end after cancel")
	}
}

// A reader that stops reading: cancel still ends Run even with a full buffer.
func TestWatcherSlowReaderCancel(t *testing.T) {
	i := 0
	src := FuncSource(func(ctx context.Context) ([]Device, error) {
		i++
		if i%2 == 0 {
			return nil, nil
		}
		return []Device{normalA}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	w := NewWatcher(src, WatcherOptions{Interval: time.Microsecond, Buffer: 1})
	ch := w.Run(ctx)
	time.Sleep(20 * time.Millisecond) // the buffer fills, the loop blocks on send
	cancel()
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end after cancel with a full buffer")
	}
}

func BenchmarkWatcherDiff(b *testing.B) {
	devs := []Device{normalA, normalB, dev(0x12A8, 12, 1, 4), dev(0x1281, 13, 3)}
	tr := newTracker(10*time.Second, 3*time.Minute)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(500 * time.Millisecond)
		tr.step(now, devs)
	}
}

func BenchmarkWatcherDiffFlapping(b *testing.B) {
	tr := newTracker(10*time.Second, 3*time.Minute)
	now := t0
	snaps := [][]Device{{normalA, normalB}, {normalB}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		now = now.Add(500 * time.Millisecond)
		tr.step(now, snaps[i%2])
		i++
	}
}
