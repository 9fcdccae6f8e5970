package netserve

import (
	"io"
	"net"
	"sync/atomic"
	"testing"
)

// Each connection is handled and then closed; wait returns once the
// listener is closed and every handler is done.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var handled atomic.Int32
	wait := Serve(ln, func(c net.Conn) {
		buf := make([]byte, 1)
		if _, err := io.ReadFull(c, buf); err == nil {
			_, _ = c.Write(buf)
		}
		handled.Add(1)
	})
	for i := range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 1)
		if _, err := io.ReadFull(c, got); err != nil || got[0] != byte(i) {
			t.Fatalf("echo %d: %v %v", i, got, err)
		}
		// The server closed its side after handling: the next read ends.
		if n, err := c.Read(got); n != 0 || err == nil {
			t.Errorf("connection %d still open after its handler returned (n=%d, err=%v)", i, n, err)
		}
		c.Close()
	}
	_ = ln.Close()
	wait()
	if n := handled.Load(); n != 3 {
		t.Errorf("handled %d connections, want 3", n)
	}
}
