package usbmux

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
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
// connection (frames are inside the records: the guard passes the bytes
// through, the deadlines still apply, and session.readMessage checks each
// decrypted frame with the same limits).
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
	// Err is the plist check's *plistlimit.LimitError when the payload was
	// refused (errors.Is(err, plistlimit.ErrLimit) for a plist bomb).
	Err error
}

// Unwrap returns the plist check's error, if any.
func (e *FrameError) Unwrap() error { return e.Err }

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
// level is a dictionary, as every usbmuxd and lockdownd reply is, within
// plistlimit.Default (objects, nesting, string sizes, shared-reference
// expansion). It never decodes the plist: that is left to go-ios, once; sum is the
// small summary of its top level the guard keeps instead.
func ReadFrame(r io.Reader, f Framing, max int) (header, payload []byte, sum plistlimit.Summary, err error) {
	frame, hlen, sum, err := readFrame(r, f, max)
	if err != nil {
		return nil, nil, sum, err
	}
	return frame[:hlen:hlen], frame[hlen:], sum, nil
}

// readFrame is ReadFrame returning the whole frame in one buffer (header
// then payload) and the header's length: the guard serves it to go-ios as is.
func readFrame(r io.Reader, f Framing, max int) (frame []byte, hlen int, sum plistlimit.Summary, err error) {
	hlen = 16
	if f == FramingLockdown {
		hlen = 4
	}
	var hb [16]byte
	if _, err := io.ReadFull(r, hb[:hlen]); err != nil {
		return nil, 0, sum, err
	}
	var n uint64
	if f == FramingLockdown {
		n = uint64(binary.BigEndian.Uint32(hb[:]))
	} else {
		total := uint64(binary.LittleEndian.Uint32(hb[:]))
		if total < 16 {
			return nil, 0, sum, &FrameError{Framing: f, Length: total, Reason: "shorter than its 16-byte header"}
		}
		if total-16 > uint64(max) {
			return nil, 0, sum, &FrameError{Framing: f, Length: total, Reason: "exceeds 4 MiB"}
		}
		n = total - 16
	}
	if n > uint64(max) {
		return nil, 0, sum, &FrameError{Framing: f, Length: n, Reason: "exceeds 4 MiB"}
	}
	if n == 0 {
		return nil, 0, sum, &FrameError{Framing: f, Reason: "reply is not a plist", Head: []byte{}}
	}
	frame = make([]byte, hlen+int(n))
	copy(frame, hb[:hlen])
	payload := frame[hlen:]
	if _, err := io.ReadFull(r, payload); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, sum, err
	}
	sum, err = plistlimit.Check(payload, plistlimit.Default)
	if err != nil {
		head := payload
		if len(head) > 16 {
			head = head[:16]
		}
		return nil, 0, sum, &FrameError{Framing: f, Length: n, Reason: replyReason(err), Head: bytes.Clone(head), Err: err}
	}
	return frame, hlen, sum, nil
}

// replyReason words a plist check failure for FrameError.Reason.
func replyReason(err error) string {
	switch {
	case errors.Is(err, plistlimit.ErrNotPlist):
		return "reply is not a plist"
	case errors.Is(err, plistlimit.ErrNotDict):
		return "reply is not a plist dictionary"
	case errors.Is(err, plistlimit.ErrLimit):
		return "reply refused: " + err.Error()
	}
	return "reply is not a plist dictionary: " + err.Error()
}

// guardConn sits between go-ios and the socket. It reads whole frames itself
// (see ReadFrame), so absurd lengths and non-plist payloads fail with a
// FrameError before go-ios allocates or silently decodes an empty struct, and
// it remembers a summary of the last reply (its top-level keys, kinds and
// small integers: plistlimit.Summary) and the real I/O error, both of which
// go-ios discards or flattens. Nothing here decodes a reply; go-ios does, once.
type guardConn struct {
	net.Conn
	max int
	// r buffers reads from Conn: a frame's header and payload usually
	// arrive together and are read with one system call, not two. Every
	// read of the connection goes through it (the TLS records too).
	r *bufio.Reader

	mu       sync.Mutex
	framing  Framing
	pending  []byte             // rest of the current frame, served to go-ios
	last     plistlimit.Summary // top level of the last complete frame read
	replied  bool               // a complete frame was read
	lastFErr *FrameError
	lastIO   error
}

// guardBuffer is the guard's read buffer: a lockdownd reply fits; longer
// frames are read into their own buffer directly.
const guardBuffer = 1 << 10

func newGuardConn(c net.Conn) *guardConn {
	return &guardConn{Conn: c, max: MaxFrame, r: bufio.NewReaderSize(c, guardBuffer)}
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
		n, err := g.r.Read(p)
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
		frame, _, sum, err := readFrame(g.r, f, g.max)
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
		g.last, g.replied = sum, true
		g.pending = frame
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

// tls reports whether the connection runs TLS (the guard passes records through).
func (g *guardConn) tls() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.framing == FramingTLS
}

// reject records fe, a frame refused above the guard (inside TLS): the
// connection is spent and later reads fail with it.
func (g *guardConn) reject(fe *FrameError) {
	g.mu.Lock()
	g.lastFErr = fe
	g.mu.Unlock()
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

// lastReply returns the summary of the last frame read; ok is false before any.
func (g *guardConn) lastReply() (sum plistlimit.Summary, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last, g.replied
}

// forgetReply forgets the last reply, so replied reports only replies read after it.
func (g *guardConn) forgetReply() {
	g.mu.Lock()
	g.last, g.replied = plistlimit.Summary{}, false
	g.mu.Unlock()
}

// clearIO forgets a recorded I/O error (before the next request on the same conn).
func (g *guardConn) clearIO() {
	g.mu.Lock()
	g.lastIO = nil
	g.mu.Unlock()
}
