package sim

import (
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
)

func TestDecodeDictRefusesBombs(t *testing.T) {
	for name, in := range map[string][]byte{
		"shared refs": plisttest.Bomb(70, map[string]string{"MessageType": "ListDevices"}, "X"),
		"deep":        plisttest.Deep(5000, nil, "X"),
		"deep xml":    plisttest.DeepXML(5000, "X"),
		"wide":        plisttest.Wide(100000, nil, "X"),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := DecodeDict(in)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, plistlimit.ErrLimit) {
			t.Errorf("%s: DecodeDict err = %v, want plistlimit.ErrLimit", name, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
			t.Errorf("%s: DecodeDict allocated %d MiB", name, grew>>20)
		}
	}
}

// TestClientBombClosesConnection: a client sending the bomb is treated like
// any unparsable request (the connection is closed) and the server goes on.
func TestClientBombClosesConnection(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	for _, framing := range []string{"usbmux", "lockdown"} {
		var m *muxClient
		bomb := plisttest.Bomb(70, map[string]string{"MessageType": "ListDevices", "Request": "GetValue"}, "X")
		if framing == "lockdown" {
			m = lockdownTo(t, srv, srv.Phones()[0].DeviceID)
			m.writeRaw(append([]byte{0, 0, byte(len(bomb) >> 8), byte(len(bomb))}, bomb...))
		} else {
			m = dialMux(t, srv)
			m.writeRaw(AppendMuxFrame(nil, 1, muxMsgPlist, 1, bomb))
		}
		buf := make([]byte, 1)
		_ = m.c.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := m.c.Read(buf); !errors.Is(err, io.EOF) {
			t.Errorf("%s: after the bomb read = %v, want EOF (connection closed)", framing, err)
		}
	}
	list := dialMux(t, srv).request(map[string]any{"MessageType": "ListDevices"})
	if l, _ := list["DeviceList"].([]any); len(l) != 1 {
		t.Errorf("server after the bombs lists %v", list)
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"unix:///tmp/x.sock": true, "/tmp/x.sock": true, "127.0.0.1:27015": true, "tcp://[::1]:27015": true,
		"localhost:27015": true, "0.0.0.0:27015": false, ":27015": false, "tcp://192.168.1.2:27015": false, "[::]:27015": false,
	} {
		err := CheckLoopback(addr)
		if ok != (err == nil) || (!ok && !errors.Is(err, ErrNotLoopback)) {
			t.Errorf("CheckLoopback(%q) = %v, want ok %v", addr, err, ok)
		}
	}
}
