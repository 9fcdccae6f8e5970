package sim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ioTimeout bounds every test read and write; generous, since the machine is shared.
const ioTimeout = 10 * time.Second

// testLog logs to the test output when -v is given.
func testLog(t *testing.T) *slog.Logger {
	t.Helper()
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// startSim starts sc on a unix socket in a temp dir (TCP loopback on
// Windows: LocalAddress) and closes it at cleanup.
func startSim(t *testing.T, sc Scenario) *Server {
	t.Helper()
	// Unix socket paths are limited to ~108 bytes; t.TempDir() can be long.
	dir, err := os.MkdirTemp("", "rdsim")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	srv, err := Start(context.Background(), LocalAddress(dir), sc, testLog(t))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

func startBuiltin(t *testing.T, name string) *Server {
	t.Helper()
	sc, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return startSim(t, sc)
}

// muxClient is a minimal usbmuxd client speaking the frame format directly.
type muxClient struct {
	t   testing.TB
	c   net.Conn
	tag uint32
}

func dialMux(t testing.TB, srv *Server) *muxClient {
	t.Helper()
	network, address, err := ParseAddress(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	d := net.Dialer{Timeout: ioTimeout}
	c, err := d.Dial(network, address)
	if err != nil {
		t.Fatalf("dial %s: %v", srv.Addr(), err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &muxClient{t: t, c: c}
}

func (m *muxClient) send(msg map[string]any) uint32 {
	m.t.Helper()
	m.tag++
	if _, ok := msg["ProgName"]; !ok {
		msg["ProgName"] = "sim-test"
		msg["ClientVersionString"] = "sim-test-1"
		msg["kLibUSBMuxVersion"] = 3
	}
	frame, err := EncodeMuxPlist(m.tag, msg)
	if err != nil {
		m.t.Fatal(err)
	}
	m.writeRaw(frame)
	return m.tag
}

func (m *muxClient) writeRaw(b []byte) {
	m.t.Helper()
	_ = m.c.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := m.c.Write(b); err != nil {
		m.t.Fatalf("write: %v", err)
	}
}

func (m *muxClient) recvErr(timeout time.Duration) (MuxHeader, map[string]any, error) {
	_ = m.c.SetReadDeadline(time.Now().Add(timeout))
	h, payload, err := ReadMuxFrame(m.c)
	if err != nil {
		return h, nil, err
	}
	d, err := DecodeDict(payload)
	return h, d, err
}

func (m *muxClient) recv() (MuxHeader, map[string]any) {
	m.t.Helper()
	h, d, err := m.recvErr(ioTimeout)
	if err != nil {
		m.t.Fatalf("recv: %v", err)
	}
	return h, d
}

// request sends msg and returns the reply, checking the tag is echoed.
func (m *muxClient) request(msg map[string]any) map[string]any {
	m.t.Helper()
	tag := m.send(msg)
	h, d := m.recv()
	if h.Tag != tag || h.Version != 1 || h.Message != muxMsgPlist {
		m.t.Fatalf("reply header %+v: want version 1, message 8, tag %d", h, tag)
	}
	return d
}

func resultNumber(t testing.TB, d map[string]any) uint64 {
	t.Helper()
	if str(d, "MessageType") != "Result" {
		t.Fatalf("want a Result message, got %v", d)
	}
	n, ok := uintVal(d, "Number")
	if !ok {
		t.Fatalf("Result without Number: %v", d)
	}
	return n
}

func swap16(p uint16) uint16 { return p>>8 | p<<8 }

// connect issues Connect and returns the Result number.
func (m *muxClient) connect(deviceID int, port uint16) uint64 {
	m.t.Helper()
	return resultNumber(m.t, m.request(map[string]any{"MessageType": "Connect", "DeviceID": deviceID, "PortNumber": swap16(port)}))
}

// lockdown opens a lockdown tunnel to deviceID on a new connection.
func lockdownTo(t testing.TB, srv *Server, deviceID int) *muxClient {
	t.Helper()
	m := dialMux(t, srv)
	if n := m.connect(deviceID, LockdownPort); n != 0 {
		t.Fatalf("Connect to lockdownd: result %d", n)
	}
	return m
}

func (m *muxClient) ldSend(req map[string]any) {
	m.t.Helper()
	if _, ok := req["Label"]; !ok {
		req["Label"] = "sim-test"
	}
	frame, err := EncodeLockdownPlist(req)
	if err != nil {
		m.t.Fatal(err)
	}
	m.writeRaw(frame)
}

func (m *muxClient) ldRecvErr(timeout time.Duration) (map[string]any, error) {
	_ = m.c.SetReadDeadline(time.Now().Add(timeout))
	p, err := ReadLockdownFrame(m.c)
	if err != nil {
		return nil, err
	}
	return DecodeDict(p)
}

func (m *muxClient) ld(req map[string]any) map[string]any {
	m.t.Helper()
	m.ldSend(req)
	d, err := m.ldRecvErr(ioTimeout)
	if err != nil {
		m.t.Fatalf("lockdown recv after %v: %v", req["Request"], err)
	}
	return d
}

// expectClosed asserts the peer closes the connection (EOF or reset) before
// the deadline; data still in flight is discarded.
func (m *muxClient) expectClosed() {
	m.t.Helper()
	_ = m.c.SetReadDeadline(time.Now().Add(ioTimeout))
	_, err := io.Copy(io.Discard, m.c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		m.t.Fatal("connection still open after the deadline")
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		var op *net.OpError
		if !errors.As(err, &op) {
			m.t.Fatalf("unexpected read error: %v", err)
		}
	}
}

func firstDeviceID(t testing.TB, srv *Server) int {
	t.Helper()
	ps := srv.Phones()
	if len(ps) == 0 {
		t.Fatal("no phone attached")
	}
	return ps[0].DeviceID
}
