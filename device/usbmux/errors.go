package usbmux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

// Status is the state usbmuxd was found in. The values are the report
// contract's host.usbmuxd.status values (report.Usbmuxd*).
type Status string

// Usbmuxd statuses.
const (
	StatusOK            Status = "ok"             // answered a device list in time
	StatusUnreachable   Status = "unreachable"    // nothing listens at the address (not running, no socket)
	StatusNotResponding Status = "not_responding" // accepted the connection but did not answer in time
	StatusError         Status = "error"          // answered, but not the usbmuxd protocol (or another failure)
)

// Sentinel causes; test with errors.Is on any error this package returns.
var (
	// ErrUnreachable: the connection to usbmuxd could not be opened.
	ErrUnreachable = errors.New("unreachable")
	// ErrNotResponding: the peer did not answer before the deadline.
	ErrNotResponding = errors.New("no answer before the deadline")
	// ErrBusy: usbmuxd runs but its accept queue stayed full until the dial
	// deadline (EAGAIN); it comes with ErrNotResponding, never ErrUnreachable.
	ErrBusy = errors.New("usbmuxd is busy: its accept queue stayed full")
	// ErrDropped: the peer closed or reset the connection mid-conversation.
	ErrDropped = errors.New("connection dropped")
	// ErrProtocol: the peer answered with something that is not the expected protocol.
	ErrProtocol = errors.New("protocol error")
)

// Error is a failed operation against usbmuxd or, through it, lockdownd.
// Its text reads "usbmux: list devices at unix:///var/run/usbmuxd: <cause>".
type Error struct {
	Op   string  // what was attempted: "list devices", "query lockdown of <udid>", …
	Addr Address // the usbmuxd address
	Err  error   // the cause; wraps one of the sentinels, a *FrameError, a *ReplyError or a context error
}

func (e *Error) Error() string {
	return fmt.Sprintf("usbmux: %s at %s: %v", e.Op, e.Addr, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ReplyError is a well-formed reply that refuses the request: a usbmuxd Result
// with a non-zero Number, or a lockdownd reply carrying an Error string.
type ReplyError struct {
	Service string // "usbmuxd" or "lockdownd"
	Request string
	Number  int    // usbmuxd result code (0 for lockdownd)
	Message string // lockdownd's Error value, or usbmuxd's code meaning
}

func (e *ReplyError) Error() string {
	if e.Service == "usbmuxd" {
		return fmt.Sprintf("usbmuxd refused %s: result %d (%s)", e.Request, e.Number, e.Message)
	}
	return fmt.Sprintf("lockdownd refused %s: %s", e.Request, e.Message)
}

// muxResultText names usbmuxd result codes (usbmuxd-proto.h).
func muxResultText(n int) string {
	switch n {
	case 0:
		return "ok"
	case 1:
		return "bad command"
	case 2:
		return "bad device"
	case 3:
		return "connection refused"
	case 6:
		return "bad version"
	default:
		return "unknown code"
	}
}

// causeError joins a sentinel kind with the concrete error that showed it.
type causeError struct {
	kind  error
	cause error
}

func (e *causeError) Error() string {
	if e.cause == nil {
		return e.kind.Error()
	}
	return e.kind.Error() + ": " + e.cause.Error()
}

func (e *causeError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// StatusOf maps an error from this package to a usbmuxd status: nil → ok.
func StatusOf(err error) Status {
	switch {
	case err == nil:
		return StatusOK
	case errors.Is(err, ErrUnreachable):
		return StatusUnreachable
	case errors.Is(err, ErrNotResponding):
		return StatusNotResponding
	default:
		return StatusError
	}
}

// classifyDial turns a dial failure into an ErrUnreachable cause (or a context error).
func classifyDial(ctx context.Context, err error) error {
	if ctx.Err() == context.Canceled {
		return ctx.Err()
	}
	return &causeError{kind: ErrUnreachable, cause: err}
}

// classifyIO turns a failed read/write on an established connection into a
// cause: the frame guard's own error when it rejected a frame, a context error
// when the caller cancelled, ErrNotResponding on a deadline, ErrDropped when the
// peer closed or reset.
func classifyIO(ctx context.Context, g *guardConn, err error) error {
	if g != nil {
		if fe := g.frameErr(); fe != nil {
			return &causeError{kind: ErrProtocol, cause: fe}
		}
		// go-ios flattens errors with %v; the guard kept the real one.
		if ioErr := g.ioErr(); ioErr != nil {
			err = ioErr
		}
	}
	if ctx.Err() == context.Canceled {
		return ctx.Err()
	}
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) || ctx.Err() != nil {
		return &causeError{kind: ErrNotResponding, cause: err}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return &causeError{kind: ErrDropped, cause: err}
	}
	return &causeError{kind: ErrProtocol, cause: err}
}
