package faults

import (
	"context"
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// replyMux is a usbmuxd that answers each connection's first request with
// whatever bytes the fuzzer chose and then hangs up; for Connect it first
// accepts (result 0) and then answers the first lockdownd request with them.
type replyMux struct {
	ln    net.Listener
	mu    sync.Mutex
	reply []byte
	wg    sync.WaitGroup
}

func (r *replyMux) set(b []byte) {
	r.mu.Lock()
	r.reply = b
	r.mu.Unlock()
}

func (r *replyMux) get() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reply
}

func (r *replyMux) serve() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			h, payload, err := sim.ReadMuxFrame(c)
			if err != nil {
				return
			}
			m, _ := sim.DecodeDict(payload)
			switch m["MessageType"] {
			case "ReadPairRecord":
				f, _ := sim.EncodeMuxPlist(h.Tag, map[string]any{"MessageType": "Result", "Number": 2})
				_, _ = c.Write(f)
				return
			case "Connect":
				f, _ := sim.EncodeMuxPlist(h.Tag, map[string]any{"MessageType": "Result", "Number": 0})
				_, _ = c.Write(f)
				if _, err := sim.ReadLockdownFrame(c); err != nil {
					return
				}
			}
			_, _ = c.Write(r.get())
		}()
	}
}

func muxFrameOf(tb testing.TB, v any) []byte {
	f, err := sim.EncodeMuxPlist(1, v)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func ldFrameOf(tb testing.TB, v any) []byte {
	p, err := plist.Marshal(v, plist.XMLFormat)
	if err != nil {
		tb.Fatal(err)
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(p))), p...)
}

// FuzzUsbmuxClientReplies feeds arbitrary reply bytes from usbmuxd and from
// lockdownd to the real client (our frame guard, then go-ios's decoding):
// every call returns, before its deadline plus slack, without panicking, and
// any error is a typed *usbmux.Error. Its seeds run in plain `go test`.
func FuzzUsbmuxClientReplies(f *testing.F) {
	dev := map[string]any{"MessageType": "Attached", "DeviceID": 1, "Properties": map[string]any{
		"ConnectionType": "USB", "DeviceID": 1, "LocationID": 0x10005, "ProductID": 0x12A8, "SerialNumber": "00008110-001A2B3C4D5E6F70",
	}}
	seeds := [][]byte{
		muxFrameOf(f, map[string]any{"DeviceList": []any{dev}}),
		muxFrameOf(f, map[string]any{"DeviceList": "not a list"}),
		muxFrameOf(f, map[string]any{"DeviceList": []any{"x", 5, map[string]any{"Properties": "y"}}}),
		muxFrameOf(f, map[string]any{"DeviceList": []any{map[string]any{"DeviceID": "one", "Properties": map[string]any{"LocationID": "z", "SerialNumber": 7}}}}),
		muxFrameOf(f, map[string]any{"MessageType": "Result", "Number": "zero"}),
		muxFrameOf(f, map[string]any{"MessageType": "Result", "Number": 1}),
		ldFrameOf(f, map[string]any{"Request": "QueryType", "Type": "com.apple.mobile.lockdown"}),
		ldFrameOf(f, map[string]any{"Request": "GetValue", "Value": map[string]any{"nested": []any{1, 2.5, true}}}),
		ldFrameOf(f, map[string]any{"Type": 42, "Error": []any{"x"}}),
		muxHeader4G(),
		lockdownHeader4G(),
		{0x10, 0, 0, 0},
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	dir, err := mkSockDir()
	if err != nil {
		f.Fatal(err)
	}
	ln, err := net.Listen("unix", dir+"/fz.sock")
	if err != nil {
		f.Fatal(err)
	}
	r := &replyMux{ln: ln}
	r.wg.Add(1)
	go r.serve()
	f.Cleanup(func() { _ = ln.Close(); r.wg.Wait(); removeAll(dir) })

	const req = 300 * time.Millisecond
	c := usbmux.NewClient(usbmux.Address{Network: "unix", Addr: dir + "/fz.sock"}, usbmux.Options{DialTimeout: time.Second, RequestTimeout: req})
	entry := usbmux.Entry{UDID: "00008110-001A2B3C4D5E6F70", DeviceID: 1}
	f.Fuzz(func(t *testing.T, reply []byte) {
		r.set(reply)
		calls := []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"List", func(ctx context.Context) error { _, err := c.List(ctx); return err }},
			{"Health", func(ctx context.Context) error { _, err := c.Health(ctx); return err }},
			{"QueryLockdown", func(ctx context.Context) error { _, err := c.QueryLockdown(ctx, entry); return err }},
			{"ProbeRTT", func(ctx context.Context) error { _, err := c.ProbeRTT(ctx, entry, 2); return err }},
			{"Listen", func(ctx context.Context) error {
				// Listen reconnects until cancelled; it must stop and close its channel.
				ctx, cancel := context.WithTimeout(ctx, req)
				defer cancel()
				for range c.Listen(ctx) {
				}
				return nil
			}},
		}
		for _, cl := range calls {
			var err error
			within(t, 4*req+slack, cl.name, func() { err = cl.call(context.Background()) })
			if err != nil {
				var ue *usbmux.Error
				if !asUsbmuxError(err, &ue) {
					t.Errorf("%s: error %T %v is not a *usbmux.Error", cl.name, err, err)
				}
			}
		}
	})
}

func asUsbmuxError(err error, ue **usbmux.Error) bool {
	e, ok := err.(*usbmux.Error)
	if ok {
		*ue = e
	}
	return ok
}
