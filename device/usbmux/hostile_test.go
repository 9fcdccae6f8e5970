package usbmux_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
)

// heapPeak samples the live heap every millisecond while f runs.
func heapPeak(f func()) uint64 {
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				mu.Lock()
				peak = max(peak, ms.HeapAlloc)
				mu.Unlock()
			}
		}
	}()
	f()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	return peak
}

// TestLockdownBomb: a lockdownd GetValue reply that expands to 2^70 objects
// is refused by the frame guard, as a protocol error naming the limit, fast
// and in little memory.
func TestLockdownBomb(t *testing.T) {
	srv := startSim(t, "bomb-lockdown")
	c := clientFor(t, srv.Addr(), time.Second)
	e := listOne(t, c)
	var info usbmux.LockdownInfo
	var err error
	start := time.Now()
	peak := heapPeak(func() { info, err = c.QueryLockdown(ctxT(t, 10*time.Second), e) })
	if !errors.Is(err, usbmux.ErrProtocol) || !errors.Is(err, plistlimit.ErrLimit) {
		t.Fatalf("QueryLockdown err = %v, want ErrProtocol and plistlimit.ErrLimit", err)
	}
	if info.Type != usbmux.TypeLockdown {
		t.Errorf("QueryType before the bomb = %q", info.Type)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("QueryLockdown took %v", el)
	}
	if peak > 64<<20 {
		t.Errorf("peak heap %d MiB, want under 64", peak>>20)
	}
	st, err := c.ProbeRTT(ctxT(t, 10*time.Second), e, 3)
	if err != nil || st.Failures != 3 || !errors.Is(st.Err, plistlimit.ErrLimit) {
		t.Errorf("ProbeRTT = %+v, %v; want 3 failures with plistlimit.ErrLimit", st, err)
	}
}

// TestListenBomb: the bomb on the Listen stream ends that connection with a
// disconnected event carrying the limit error; the listener goes on.
func TestListenBomb(t *testing.T) {
	srv := startSim(t, "bomb-listen")
	c := clientFor(t, srv.Addr(), time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Listen(ctx)
	var got error
	peak := heapPeak(func() {
		for got == nil {
			ev := next(t, ch, 5*time.Second)
			if ev.Kind == usbmux.EventDisconnected {
				got = ev.Err
			}
		}
	})
	if !errors.Is(got, plistlimit.ErrLimit) {
		t.Errorf("disconnected with %v, want plistlimit.ErrLimit", got)
	}
	if peak > 64<<20 {
		t.Errorf("peak heap %d MiB, want under 64", peak>>20)
	}
	drainClosed(t, cancel, ch)
}

// answerWith serves a usbmuxd that answers every request with reply.
func answerWith(t *testing.T, reply map[string]any) string {
	t.Helper()
	body, err := plist.Marshal(reply, plist.XMLFormat)
	if err != nil {
		t.Fatal(err)
	}
	return fakeUsbmuxd(t, func(conn net.Conn) {
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		for {
			h, _, err := sim.ReadMuxFrame(conn)
			if err != nil {
				return
			}
			if _, err := conn.Write(sim.AppendMuxFrame(nil, 1, 8, h.Tag, body)); err != nil {
				return
			}
		}
	})
}

// TestListDeviceListShapes: a DeviceList that is a dictionary is a protocol
// error, not "0 devices"; a Result is a refusal.
func TestListDeviceListShapes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply map[string]any
		want  error // nil: ok with 0 devices
	}{
		{"empty array", map[string]any{"DeviceList": []any{}}, nil},
		{"dictionary", map[string]any{"DeviceList": map[string]any{"a": 1}}, usbmux.ErrProtocol},
		{"string", map[string]any{"DeviceList": "none"}, usbmux.ErrProtocol},
		{"missing", map[string]any{"Other": 1}, usbmux.ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientFor(t, answerWith(t, tc.reply), time.Second)
			es, err := c.List(ctxT(t, 5*time.Second))
			if tc.want == nil {
				if err != nil || len(es) != 0 {
					t.Errorf("List = %v, %v", es, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("List err = %v, want %v", err, tc.want)
			}
		})
	}
	var re *usbmux.ReplyError
	c := clientFor(t, answerWith(t, map[string]any{"MessageType": "Result", "Number": 1}), time.Second)
	if _, err := c.List(ctxT(t, 5*time.Second)); !errors.As(err, &re) || re.Number != 1 {
		t.Errorf("List of a Result 1 = %v, want a ReplyError", err)
	}
}

// TestEscapesFromThePhoneAreCleaned: lockdown values and usbmuxd's serial
// number arrive without control characters and capped (issue 14, defect 5).
func TestEscapesFromThePhoneAreCleaned(t *testing.T) {
	const esc = "\x1b[2J\x1b]0;owned\x07\r\nforged\u009b"
	p := sim.PhoneA()
	p.UDID = "00008110-001A2B3C4D5E6F70" + esc
	p.ProductType = esc + strings.Repeat("x", 100<<10)
	p.DeviceName = esc
	p.ProductVersion = esc
	srv := startScenario(t, sim.Scenario{Phones: []sim.Phone{p}}, muxListenAddr(t))
	c := clientFor(t, srv.Addr(), time.Second)
	e := listOne(t, c)
	info, _ := c.QueryLockdown(ctxT(t, 10*time.Second), e)
	for name, v := range map[string]string{"UDID": e.UDID, "ProductType": info.ProductType, "DeviceName": info.DeviceName, "ProductVersion": info.ProductVersion} {
		if !textsafe.IsClean(v) || len(v) > textsafe.MaxValue {
			t.Errorf("%s = %q (%d bytes): not cleaned or not capped", name, v, len(v))
		}
		if v == "" {
			t.Errorf("%s is empty", name)
		}
	}
}

// lockdownAnswering serves a usbmuxd that accepts Connect and then answers
// the n-th lockdownd request on the tunnel with replies[n % len(replies)].
func lockdownAnswering(t *testing.T, replies []map[string]any) string {
	t.Helper()
	frames := make([][]byte, len(replies))
	for i, r := range replies {
		f, err := sim.EncodeLockdownPlist(r)
		if err != nil {
			t.Fatal(err)
		}
		frames[i] = f
	}
	ok, err := plist.Marshal(map[string]any{"MessageType": "Result", "Number": 0}, plist.XMLFormat)
	if err != nil {
		t.Fatal(err)
	}
	return fakeUsbmuxd(t, func(conn net.Conn) {
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		h, _, err := sim.ReadMuxFrame(conn)
		if err != nil {
			return
		}
		if _, err := conn.Write(sim.AppendMuxFrame(nil, 1, 8, h.Tag, ok)); err != nil {
			return
		}
		for n := 0; ; n++ {
			if _, err := sim.ReadLockdownFrame(conn); err != nil {
				return
			}
			if _, err := conn.Write(frames[n%len(frames)]); err != nil {
				return
			}
		}
	})
}

// TestProbeReplies: the probe counts every lockdownd answer as a round trip,
// a refusal too (restored answers GetValue with UnknownRequest), whether it
// repeats an earlier reply byte for byte or not; a reply that is neither a
// Value nor an Error is a protocol failure, however often it comes.
func TestProbeReplies(t *testing.T) {
	value := map[string]any{"Request": "GetValue", "Key": "ProductVersion", "Value": "17.5.1"}
	for _, tc := range []struct {
		name     string
		replies  []map[string]any
		failures int // of 6 requests
	}{
		{"same value", []map[string]any{value}, 0},
		{"values change", []map[string]any{value, {"Request": "GetValue", "Key": "ProductVersion", "Value": "18.0"}, {"Value": "x"}, {"Value": "y"}, {"Value": "z"}, {"Value": 1}}, 0},
		{"refused", []map[string]any{{"Request": "GetValue", "Error": "UnknownRequest"}}, 0},
		{"no value", []map[string]any{{"Request": "GetValue", "Key": "ProductVersion"}}, 6},
		{"valid then empty", []map[string]any{value, {"Request": "GetValue"}}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientFor(t, lockdownAnswering(t, tc.replies), time.Second)
			e := usbmux.Entry{UDID: udidA, DeviceID: 1}
			st, err := c.ProbeRTT(ctxT(t, 10*time.Second), e, 6)
			if err != nil {
				t.Fatal(err)
			}
			if st.Requests != 6 || st.Failures != tc.failures || len(st.Samples) != 6-tc.failures || st.Timeouts != 0 {
				t.Errorf("stats = %+v, want %d failures of 6", st, tc.failures)
			}
			if tc.failures > 0 && !errors.Is(st.Err, usbmux.ErrProtocol) {
				t.Errorf("first failure = %v, want ErrProtocol", st.Err)
			}
		})
	}
}
