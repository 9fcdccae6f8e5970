package usbmux

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"howett.net/plist"
)

// MaxFrame is the largest frame payload accepted from usbmuxd or lockdownd.
// Real replies are a few KiB (a device list, a pair record); go-ios itself
// allows 16 MiB. A larger length prefix is rejected before anything is allocated.
const MaxFrame = 4 << 20

// Framing is the length-prefix format on a connection.
type Framing int

// Framings: usbmuxd's 16-byte little-endian header (length includes the
// header), then lockdownd's 4-byte big-endian payload length once a Connect
// to port 62078 succeeded; FramingTLS once go-ios runs TLS over the
// connection (frames are inside the records: bytes pass through unchecked,
// the deadlines still apply).
const (
	FramingUsbmux Framing = iota
	FramingLockdown
	FramingTLS
)

func (f Framing) String() string {
	switch f {
	case FramingLockdown:
		return "lockdown"
	case FramingTLS:
		return "tls"
	}
	return "usbmux"
}

// FrameError is a frame rejected before it reached go-ios.
type FrameError struct {
	Framing Framing
	Length  uint64 // payload length announced by the prefix (usbmux: total length incl. header)
	Reason  string // "exceeds 4 MiB", "shorter than its header", "reply is not a plist", …
	Head    []byte // first bytes of a non-plist payload, for the message
}

func (e *FrameError) Error() string {
	switch {
	case e.Head != nil:
		return fmt.Sprintf("%s: %s (starts %q)", e.Framing, e.Reason, e.Head)
	case e.Length > 0 || e.Reason != "":
		if e.Reason == "exceeds 4 MiB" {
			return fmt.Sprintf("%s: frame length %d exceeds 4 MiB", e.Framing, e.Length)
		}
		return fmt.Sprintf("%s: frame length %d: %s", e.Framing, e.Length, e.Reason)
	}
	return fmt.Sprintf("%s: bad frame", e.Framing)
}

// ReadFrame reads one frame in framing f from r and returns its payload (the
// usbmux header stripped). It checks the announced length against max before
// allocating and requires the payload to be an XML or binary plist whose top
// level is a dictionary, as every usbmuxd and lockdownd reply is.
func ReadFrame(r io.Reader, f Framing, max int) (header, payload []byte, err error) {
	hlen := 16
	if f == FramingLockdown {
		hlen = 4
	}
	header = make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, nil, err
	}
	var n uint64
	if f == FramingLockdown {
		n = uint64(binary.BigEndian.Uint32(header))
	} else {
		total := uint64(binary.LittleEndian.Uint32(header))
		if total < 16 {
			return nil, nil, &FrameError{Framing: f, Length: total, Reason: "shorter than its 16-byte header"}
		}
		if total-16 > uint64(max) {
			return nil, nil, &FrameError{Framing: f, Length: total, Reason: "exceeds 4 MiB"}
		}
		n = total - 16
	}
	if n > uint64(max) {
		return nil, nil, &FrameError{Framing: f, Length: n, Reason: "exceeds 4 MiB"}
	}
	if n == 0 {
		return nil, nil, &FrameError{Framing: f, Reason: "reply is not a plist", Head: []byte{}}
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, err
	}
	if err := checkPlistDict(payload); err != nil {
		head := payload
		if len(head) > 16 {
			head = head[:16]
		}
		return nil, nil, &FrameError{Framing: f, Length: n, Reason: err.Error(), Head: bytes.Clone(head)}
	}
	return header, payload, nil
}

// checkPlistDict accepts XML or binary plists with a dictionary at the top.
// howett.net/plist also parses the OpenStep text format, which would accept
// almost any text, so the format is checked first.
func checkPlistDict(b []byte) error {
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if !bytes.HasPrefix(t, []byte("bplist00")) && !bytes.HasPrefix(t, []byte("<?xml")) &&
		!bytes.HasPrefix(t, []byte("<plist")) && !bytes.HasPrefix(t, []byte("<!DOCTYPE")) {
		return errors.New("reply is not a plist")
	}
	var v map[string]any
	format, err := plist.Unmarshal(b, &v)
	if err != nil {
		return errors.New("reply is not a plist dictionary")
	}
	if format != plist.XMLFormat && format != plist.BinaryFormat {
		return errors.New("reply is not a plist")
	}
	return nil
}

// guardConn sits between go-ios and the socket. It reads whole frames itself
// (see ReadFrame), so absurd lengths and non-plist payloads fail with a
// FrameError before go-ios allocates or silently decodes an empty struct, and
// it remembers the last payload and the real I/O error, both of which go-ios
// discards or flattens.
type guardConn struct {
	net.Conn
	max int

	mu       sync.Mutex
	framing  Framing
	pending  []byte // rest of the current frame, served to go-ios
	last     []byte // payload of the last complete frame read
	lastFErr *FrameError
	lastIO   error
}

func newGuardConn(c net.Conn) *guardConn {
	return &guardConn{Conn: c, max: MaxFrame}
}

func (g *guardConn) setFraming(f Framing) {
	g.mu.Lock()
	g.framing = f
	g.mu.Unlock()
}

// Read serves the current frame; when it is used up, it reads and checks the
// next. Reads come from one goroutine at a time (go-ios is sequential); the
// mutex only guards the fields, never a blocking read.
func (g *guardConn) Read(p []byte) (int, error) {
	g.mu.Lock()
	if g.lastFErr != nil {
		fe := g.lastFErr
		g.mu.Unlock()
		return 0, fe
	}
	if len(g.pending) == 0 && g.framing == FramingTLS {
		g.mu.Unlock()
		n, err := g.Conn.Read(p)
		if err != nil {
			g.mu.Lock()
			g.lastIO = err
			g.mu.Unlock()
		}
		return n, err
	}
	if len(g.pending) == 0 {
		f := g.framing
		g.mu.Unlock()
		h, payload, err := ReadFrame(g.Conn, f, g.max)
		g.mu.Lock()
		if err != nil {
			var fe *FrameError
			if errors.As(err, &fe) {
				g.lastFErr = fe
			} else {
				g.lastIO = err
			}
			g.mu.Unlock()
			return 0, err
		}
		g.last = payload
		g.pending = append(h, payload...)
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	g.mu.Unlock()
	return n, nil
}

// Write records a write failure for classifyIO; go-ios often ignores or flattens it.
func (g *guardConn) Write(p []byte) (int, error) {
	n, err := g.Conn.Write(p)
	if err != nil {
		g.mu.Lock()
		g.lastIO = err
		g.mu.Unlock()
	}
	return n, err
}

func (g *guardConn) frameErr() *FrameError {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lastFErr
}

func (g *guardConn) ioErr() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lastIO
}

// lastPayload returns the payload of the last frame read (nil before any).
func (g *guardConn) lastPayload() []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

// clearIO forgets a recorded I/O error (before the next request on the same conn).
func (g *guardConn) clearIO() {
	g.mu.Lock()
	g.lastIO = nil
	g.mu.Unlock()
}
