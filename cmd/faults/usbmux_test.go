package faults

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// A usbmuxd that accepts and reads but never answers: every call returns
// not_responding within its request timeout, Listen reports the connection as
// down and stops when cancelled.
func TestHungUsbmuxd(t *testing.T) {
	guard(t)
	sc, err := sim.Builtin("hung")
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, sc)
	const req = 300 * time.Millisecond
	c := clientFor(t, srv.Addr(), req)
	entry := usbmux.Entry{UDID: sim.PhoneA().UDID, DeviceID: 1}

	cases := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Health", func(ctx context.Context) error {
			st, err := c.Health(ctx)
			if st != usbmux.StatusNotResponding {
				t.Errorf("Health status = %q, want %q", st, usbmux.StatusNotResponding)
			}
			return err
		}},
		{"List", func(ctx context.Context) error { _, err := c.List(ctx); return err }},
		{"HasPairRecord", func(ctx context.Context) error { _, err := c.HasPairRecord(ctx, entry.UDID); return err }},
		{"QueryLockdown", func(ctx context.Context) error { _, err := c.QueryLockdown(ctx, entry); return err }},
		{"ProbeRTT", func(ctx context.Context) error { _, err := c.ProbeRTT(ctx, entry, 5); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			// QueryLockdown makes two sequential requests (pair record, connect).
			within(t, 2*req+slack, tc.name, func() { err = tc.call(context.Background()) })
			if !errors.Is(err, usbmux.ErrNotResponding) {
				t.Errorf("%s error = %v, want ErrNotResponding", tc.name, err)
			}
			var ue *usbmux.Error
			if !errors.As(err, &ue) || ue.Op == "" {
				t.Errorf("%s error %v does not say what was attempted (*usbmux.Error)", tc.name, err)
			}
		})
	}

	t.Run("cancel beats a long request timeout", func(t *testing.T) {
		slow := clientFor(t, srv.Addr(), time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		var err error
		within(t, 200*time.Millisecond+slack, "List with an hour-long request timeout", func() { _, err = slow.List(ctx) })
		if err == nil {
			t.Fatal("List on a hung usbmuxd succeeded")
		}
	})

	t.Run("Listen", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch := c.Listen(ctx)
		var first usbmux.Event
		within(t, req+slack, "first Listen event", func() { first = <-ch })
		if first.Kind != usbmux.EventDisconnected || !errors.Is(first.Err, usbmux.ErrNotResponding) {
			t.Errorf("first event = %+v, want disconnected with ErrNotResponding", first)
		}
		cancel()
		within(t, slack, "Listen channel close after cancel", func() {
			for range ch {
			}
		})
	})
}

// rawMux is a hand-written usbmuxd for frames the simulator does not produce:
// it answers ReadPairRecord with "no record" (2) and Connect with OK, then
// answers every lockdownd request with lockdownReply; every other request
// gets muxReply. Either may be a garbage frame announcing 4 GB.
type rawMux struct {
	ln            net.Listener
	muxReply      []byte
	lockdownReply []byte
	wg            sync.WaitGroup
}

func startRawMux(t *testing.T, muxReply, lockdownReply []byte) *rawMux {
	t.Helper()
	ln, err := net.Listen("unix", sockDir(t)+"/raw.sock")
	if err != nil {
		t.Fatal(err)
	}
	r := &rawMux{ln: ln, muxReply: muxReply, lockdownReply: lockdownReply}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(func() { _ = ln.Close(); r.wg.Wait() })
	return r
}

func (r *rawMux) addr() string { return "unix://" + r.ln.Addr().String() }

func (r *rawMux) accept() {
	defer r.wg.Done()
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			r.serve(c)
		}()
	}
}

func (r *rawMux) serve(c net.Conn) {
	for {
		h, payload, err := sim.ReadMuxFrame(c)
		if err != nil {
			return
		}
		m, err := sim.DecodeDict(payload)
		if err != nil {
			return
		}
		switch m["MessageType"] {
		case "ReadPairRecord":
			f, _ := sim.EncodeMuxPlist(h.Tag, map[string]any{"MessageType": "Result", "Number": 2})
			_, _ = c.Write(f)
		case "Connect":
			f, _ := sim.EncodeMuxPlist(h.Tag, map[string]any{"MessageType": "Result", "Number": 0})
			_, _ = c.Write(f)
			for {
				if _, err := sim.ReadLockdownFrame(c); err != nil {
					return
				}
				if _, err := c.Write(r.lockdownReply); err != nil {
					return
				}
			}
		default:
			if _, err := c.Write(r.muxReply); err != nil {
				return
			}
		}
	}
}

// muxHeader4G is a usbmuxd header announcing a 4 GiB frame (plist message, tag 1), and nothing after it.
func muxHeader4G() []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint32(b[0:], 0xFFFFFFFF)
	binary.LittleEndian.PutUint32(b[4:], 1)
	binary.LittleEndian.PutUint32(b[8:], 8)
	binary.LittleEndian.PutUint32(b[12:], 1)
	return b
}

// lockdownHeader4G is a lockdownd length prefix announcing 4 GiB - 1 bytes, then a few bytes.
func lockdownHeader4G() []byte {
	b := make([]byte, 4, 12)
	binary.BigEndian.PutUint32(b, 0xFFFFFFFF)
	return append(b, "<?xml ve"...)
}

// Frames that announce gigabytes are rejected before anything is allocated:
// the call fails fast with a protocol error naming the frame, and the heap
// stays small.
func TestGarbageFrames4GB(t *testing.T) {
	guard(t)
	entry := usbmux.Entry{UDID: sim.PhoneA().UDID, DeviceID: 1}

	t.Run("simulator bad-length usbmuxd", func(t *testing.T) {
		sc, err := sim.Builtin("garbage")
		if err != nil {
			t.Fatal(err)
		}
		srv := startSim(t, sc)
		c := clientFor(t, srv.Addr(), 2*time.Second)
		var st usbmux.Status
		within(t, 2*time.Second+slack, "Health against a garbage usbmuxd", func() { st, err = c.Health(context.Background()) })
		wantFrameErr(t, err, usbmux.FramingUsbmux)
		if st != usbmux.StatusError {
			t.Errorf("status = %q, want %q", st, usbmux.StatusError)
		}
	})

	t.Run("simulator not-plist usbmuxd", func(t *testing.T) {
		sc, err := sim.Builtin("garbage-not-plist")
		if err != nil {
			t.Fatal(err)
		}
		srv := startSim(t, sc)
		c := clientFor(t, srv.Addr(), 2*time.Second)
		within(t, 2*time.Second+slack, "List against a not-plist usbmuxd", func() { _, err = c.List(context.Background()) })
		wantFrameErr(t, err, usbmux.FramingUsbmux)
	})

	t.Run("usbmuxd header 0xFFFFFFFF", func(t *testing.T) {
		r := startRawMux(t, muxHeader4G(), nil)
		c := clientFor(t, r.addr(), 2*time.Second)
		var err error
		within(t, 2*time.Second+slack, "List", func() { _, err = c.List(context.Background()) })
		wantFrameErr(t, err, usbmux.FramingUsbmux)
		ctx, cancel := context.WithCancel(context.Background())
		ch := c.Listen(ctx)
		var ev usbmux.Event
		within(t, 2*time.Second+slack, "first Listen event", func() { ev = <-ch })
		cancel()
		for range ch {
		}
		if ev.Kind != usbmux.EventDisconnected {
			t.Errorf("first Listen event = %v, want disconnected", ev.Kind)
		}
		wantFrameErr(t, ev.Err, usbmux.FramingUsbmux)
	})

	t.Run("lockdownd length 0xFFFFFFFF", func(t *testing.T) {
		ok, _ := sim.EncodeMuxPlist(1, map[string]any{"MessageType": "Result", "Number": 0})
		r := startRawMux(t, ok, lockdownHeader4G())
		c := clientFor(t, r.addr(), 2*time.Second)
		var err error
		within(t, 2*time.Second+slack, "QueryLockdown", func() { _, err = c.QueryLockdown(context.Background(), entry) })
		wantFrameErr(t, err, usbmux.FramingLockdown)
		var st usbmux.RTTStats
		within(t, 3*2*time.Second+slack, "ProbeRTT", func() { st, err = c.ProbeRTT(context.Background(), entry, 3) })
		if err != nil {
			t.Fatalf("ProbeRTT: %v (per-request failures belong in the stats)", err)
		}
		if st.Requests != 3 || len(st.Samples) != 0 || st.Failures+st.Timeouts != 3 {
			t.Errorf("ProbeRTT stats = %+v, want 3 requests, 0 samples, 3 failures", st)
		}
		wantFrameErr(t, st.Err, usbmux.FramingLockdown)
	})

	t.Run("ReadFrame allocates nothing for a 4 GB header", func(t *testing.T) {
		for _, tc := range []struct {
			f     usbmux.Framing
			bytes []byte
		}{{usbmux.FramingUsbmux, muxHeader4G()}, {usbmux.FramingLockdown, lockdownHeader4G()}} {
			allocs := testing.AllocsPerRun(20, func() {
				_, _, _, err := usbmux.ReadFrame(&onceReader{b: tc.bytes}, tc.f, usbmux.MaxFrame)
				if err == nil {
					t.Fatal("ReadFrame accepted a 4 GB frame")
				}
			})
			// The header buffer and the error value; never the announced payload.
			if allocs > 8 {
				t.Errorf("%v: %v allocations per rejected frame", tc.f, allocs)
			}
		}
	})
}

// onceReader serves b, then blocks forever would be a hang; it returns EOF instead.
type onceReader struct{ b []byte }

func (r *onceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func wantFrameErr(t *testing.T, err error, f usbmux.Framing) {
	t.Helper()
	var fe *usbmux.FrameError
	switch {
	case err == nil:
		t.Errorf("no error, want a %v *FrameError", f)
	case !errors.Is(err, usbmux.ErrProtocol):
		t.Errorf("error = %v, want ErrProtocol", err)
	case !errors.As(err, &fe):
		t.Errorf("error = %v, want a *usbmux.FrameError", err)
	case fe.Framing != f:
		t.Errorf("FrameError framing = %v, want %v (%v)", fe.Framing, f, err)
	}
}

// A phone unplugged while lockdown is being queried or probed: the call ends
// promptly with a dropped/refused error or per-request failures, never hangs.
func TestDetachedMidProbe(t *testing.T) {
	guard(t)
	sc := sim.Scenario{Name: "detach-mid-probe", LockdownLatency: 100 * time.Millisecond}
	srv := startSim(t, sc)
	c := clientFor(t, srv.Addr(), time.Second)
	const n = 50 // 50 × 100 ms = 5 s if nothing happened

	t.Run("ProbeRTT", func(t *testing.T) {
		id := srv.Attach(sim.PhoneA())
		entry := findEntry(t, c, id)
		time.AfterFunc(300*time.Millisecond, func() { srv.Detach(id) })
		var st usbmux.RTTStats
		var err error
		within(t, n*time.Second+slack, "ProbeRTT across a detach", func() { st, err = c.ProbeRTT(context.Background(), entry, n) })
		if err != nil {
			t.Fatalf("ProbeRTT: %v (the first connection opened; failures belong in the stats)", err)
		}
		if st.Requests != n {
			t.Errorf("Requests = %d, want %d", st.Requests, n)
		}
		if st.Failures+st.Timeouts == 0 || st.Err == nil {
			t.Errorf("stats show no failure after the phone left: %+v", st)
		}
		if len(st.Samples) == n {
			t.Errorf("all %d round trips succeeded after the phone left", n)
		}
		if !errors.Is(st.Err, usbmux.ErrDropped) && !isReply(st.Err) {
			t.Errorf("first failure = %v, want ErrDropped or a usbmuxd refusal", st.Err)
		}
	})

	t.Run("QueryLockdown", func(t *testing.T) {
		slow := sim.PhoneA()
		id := srv.Attach(slow)
		entry := findEntry(t, c, id)
		// QueryType, GetValue and ValidatePair at 100 ms each: detach in the middle.
		time.AfterFunc(150*time.Millisecond, func() { srv.Detach(id) })
		var err error
		var info usbmux.LockdownInfo
		within(t, 10*time.Second+slack, "QueryLockdown across a detach", func() { info, err = c.QueryLockdown(context.Background(), entry) })
		if err == nil {
			t.Fatalf("QueryLockdown succeeded although the phone left mid-query: %+v", info)
		}
		if !errors.Is(err, usbmux.ErrDropped) && !isReply(err) {
			t.Errorf("error = %v, want ErrDropped or a usbmuxd refusal", err)
		}
	})
}

func isReply(err error) bool {
	var re *usbmux.ReplyError
	return errors.As(err, &re)
}

func findEntry(t *testing.T, c *usbmux.Client, id int) usbmux.Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	es, err := c.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, e := range es {
		if e.DeviceID == id {
			return e
		}
	}
	t.Fatalf("device %d not listed: %+v", id, es)
	return usbmux.Entry{}
}
