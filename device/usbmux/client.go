package usbmux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/danielpaulus/go-ios/ios"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
)

// Default timeouts, used when Options leaves them zero.
const (
	DefaultDialTimeout    = 2 * time.Second
	DefaultRequestTimeout = 3 * time.Second
)

// Options tunes a Client. Zero values take the defaults.
type Options struct {
	// DialTimeout bounds opening the socket to usbmuxd.
	DialTimeout time.Duration
	// RequestTimeout bounds each request/reply exchange (usbmuxd or lockdownd).
	RequestTimeout time.Duration
	// BackoffMin and BackoffMax bound the wait between Listen reconnect attempts
	// (defaults 100 ms and 5 s); the wait doubles after each failed attempt.
	BackoffMin, BackoffMax time.Duration
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// KeepTunnels > 0 keeps the lockdown tunnel a successful QueryLockdown
	// used open for that long, so a ProbeRTT of the same phone (same
	// DeviceID) reuses it instead of dialing usbmuxd and connecting again.
	// Close closes the tunnels still kept. 0 closes every tunnel at once.
	KeepTunnels time.Duration
}

// Entry is one device as usbmuxd lists it.
type Entry struct {
	// UDID is usbmuxd's SerialNumber: "00008110-001A2B3C4D5E6F70" (new style) or 40 hex digits.
	UDID string
	// DeviceID is usbmuxd's handle for the attachment; it changes on every re-attach.
	DeviceID  int
	ProductID int
	// LocationID is where usbmuxd found it: on Linux (bus << 16) | address
	// (usbmuxd usb.c, usb_get_location); on macOS IOKit's locationID
	// (0xBBPPPPPP: bus in the top byte, one nibble per hub port); on Windows
	// whatever AMDS reports. Only compare it with a USB location on Linux.
	LocationID uint32
	// ConnectionType is "USB" or "Network".
	ConnectionType string
	// ConnectionSpeed is the link speed in bit/s as usbmuxd reports it (480000000 for high speed), 0 when absent.
	ConnectionSpeed int
}

func entryFrom(id int, p ios.DeviceProperties) Entry {
	if id == 0 {
		id = p.DeviceID
	}
	// usbmuxd relays what the phone (or a gadget pretending to be one) says.
	return Entry{
		UDID:            textsafe.Clean(p.SerialNumber, textsafe.MaxValue),
		DeviceID:        id,
		ProductID:       p.ProductID,
		LocationID:      uint32(p.LocationID),
		ConnectionType:  textsafe.Clean(p.ConnectionType, textsafe.MaxValue),
		ConnectionSpeed: p.ConnectionSpeed,
	}
}

// Client talks to one usbmuxd address. It holds no connection between calls
// unless Options.KeepTunnels asks it to keep lockdown tunnels (see Close),
// and is safe for concurrent use.
type Client struct {
	addr Address
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	parked  map[int]*parkedTunnel   // kept lockdown tunnels by DeviceID
	replies map[string]decodedReply // small decoded lockdownd replies (decodeReply)
}

// parkedTunnel is a lockdown tunnel kept for reuse; its timer closes it.
type parkedTunnel struct {
	s     *session
	timer *time.Timer
}

// park keeps s, a lockdown tunnel to deviceID, for KeepTunnels, detached
// from the context of the call that opened it.
func (c *Client) park(deviceID int, s *session) {
	s.stop()
	_ = s.g.SetDeadline(time.Time{})
	pt := &parkedTunnel{s: s}
	c.mu.Lock()
	if c.parked == nil {
		c.parked = map[int]*parkedTunnel{}
	}
	old := c.parked[deviceID]
	c.parked[deviceID] = pt
	pt.timer = time.AfterFunc(c.opts.KeepTunnels, func() { c.expire(deviceID, pt) })
	c.mu.Unlock()
	if old != nil {
		old.close()
	}
}

// expire closes pt when its keep time is over, unless it was taken or
// replaced meanwhile.
func (c *Client) expire(deviceID int, pt *parkedTunnel) {
	c.mu.Lock()
	kept := c.parked[deviceID] == pt
	if kept {
		delete(c.parked, deviceID)
	}
	c.mu.Unlock()
	if kept {
		pt.close()
	}
}

// close closes a kept tunnel already taken out of Client.parked.
func (pt *parkedTunnel) close() {
	pt.timer.Stop()
	pt.s.close()
}

// take returns the kept tunnel to e, bound to ctx and op, or nil.
func (c *Client) take(ctx context.Context, e Entry, op string) *session {
	c.mu.Lock()
	pt := c.parked[e.DeviceID]
	delete(c.parked, e.DeviceID)
	c.mu.Unlock()
	if pt == nil {
		return nil
	}
	if ctx.Err() != nil {
		pt.close()
		return nil
	}
	pt.timer.Stop()
	pt.s.bind(ctx, op)
	return pt.s
}

// Close closes the lockdown tunnels kept for reuse (Options.KeepTunnels).
// The client stays usable.
func (c *Client) Close() error {
	c.mu.Lock()
	kept := c.parked
	c.parked = nil
	c.mu.Unlock()
	for _, pt := range kept {
		pt.close()
	}
	return nil
}

// NewClient returns a client for addr.
func NewClient(addr Address, opts Options) *Client {
	quietGoIOS()
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.BackoffMin <= 0 {
		opts.BackoffMin = 100 * time.Millisecond
	}
	if opts.BackoffMax < opts.BackoffMin {
		opts.BackoffMax = max(5*time.Second, opts.BackoffMin)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{addr: addr, opts: opts, log: log.With("usbmuxd", addr.String())}
}

// Addr returns the usbmuxd address the client dials.
func (c *Client) Addr() Address { return c.addr }

// session is one socket to usbmuxd, wrapped for go-ios, with ctx wired to it.
type session struct {
	c    *Client
	ctx  context.Context
	op   string
	g    *guardConn
	dc   *ios.DeviceConnection // go-ios's view of g: services speak through it after Connect
	mux  *ios.UsbMuxConnection
	ld   *ios.LockDownConnection
	stop func() bool
}

// open dials usbmuxd (see dial) and hands the connection to go-ios.
// Cancelling ctx sets a past deadline, which unblocks any read.
func (c *Client) open(ctx context.Context, op string) (*session, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: op, Addr: c.addr, Err: err}
	}
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, &Error{Op: op, Addr: c.addr, Err: err}
	}
	g := newGuardConn(conn)
	s := &session{c: c, g: g}
	s.bind(ctx, op)
	s.dc = ios.NewDeviceConnectionWithConn(g)
	s.mux = ios.NewUsbMuxConnection(s.dc)
	return s, nil
}

// bind ties s to ctx and op: cancelling ctx sets a past deadline on the
// connection, which unblocks any read.
func (s *session) bind(ctx context.Context, op string) {
	s.ctx, s.op = ctx, op
	conn := s.g.Conn
	s.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
}

// Dial retry: a usbmuxd whose accept queue is full answers EAGAIN (unix
// socket) or ECONNREFUSED (TCP on Windows); it is busy, not gone.
const (
	dialBackoffMin = 5 * time.Millisecond
	dialBackoffMax = 200 * time.Millisecond
	// maxRefusedRetries bounds retries on ECONNREFUSED, which on a unix
	// socket also means nobody listens: "not running" must not wait long.
	maxRefusedRetries = 3
)

// dial connects within DialTimeout (and ctx), retrying with backoff while
// usbmuxd is busy. The error wraps ErrBusy and ErrNotResponding when it
// stayed busy to the end, ErrUnreachable when nothing listens.
func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	var d net.Dialer
	backoff, refused := dialBackoffMin, 0
	for {
		conn, err := d.DialContext(dctx, c.addr.Network, c.addr.Addr)
		if err == nil {
			return conn, nil
		}
		busy := errors.Is(err, syscall.EAGAIN)
		if errors.Is(err, syscall.ECONNREFUSED) && refused < maxRefusedRetries {
			refused++
			busy = true
		}
		if !busy || ctx.Err() != nil {
			return nil, classifyDial(ctx, err)
		}
		if dl, _ := dctx.Deadline(); time.Until(dl) < backoff {
			if errors.Is(err, syscall.ECONNREFUSED) {
				return nil, classifyDial(ctx, err)
			}
			return nil, &causeError{kind: ErrNotResponding, cause: &causeError{kind: ErrBusy, cause: err}}
		}
		c.log.Debug("usbmuxd busy, dialing again", "err", err, "backoff", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-dctx.Done():
			t.Stop()
			if ctx.Err() != nil {
				return nil, classifyDial(ctx, ctx.Err())
			}
			return nil, &causeError{kind: ErrNotResponding, cause: &causeError{kind: ErrBusy, cause: err}}
		case <-t.C:
		}
		backoff = min(2*backoff, dialBackoffMax)
	}
}

// arm sets the deadline for the next exchange: RequestTimeout from now, or
// ctx's deadline when that comes first. Setting it after a cancel would undo
// the AfterFunc's past deadline, so ctx is checked afterwards.
func (s *session) arm() error {
	s.g.clearIO()
	dl := time.Now().Add(s.c.opts.RequestTimeout)
	if d, ok := s.ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	_ = s.g.SetDeadline(dl)
	if err := s.ctx.Err(); err != nil {
		_ = s.g.SetDeadline(time.Unix(1, 0))
		return s.fail(err)
	}
	return nil
}

// disarm removes the deadline (Listen waits for events indefinitely; ctx still cancels).
func (s *session) disarm() {
	_ = s.g.SetDeadline(time.Time{})
	if s.ctx.Err() != nil {
		_ = s.g.SetDeadline(time.Unix(1, 0))
	}
}

func (s *session) close() {
	s.stop()
	_ = s.g.Conn.Close()
}

// fail wraps an I/O error from go-ios with what was attempted and where.
func (s *session) fail(err error) error {
	return &Error{Op: s.op, Addr: s.c.addr, Err: classifyIO(s.ctx, s.g, err)}
}

// failReply wraps a well-formed but unexpected or refusing reply.
func (s *session) failReply(err error) error {
	return &Error{Op: s.op, Addr: s.c.addr, Err: err}
}

// muxResult reads the Number of the last usbmuxd reply, if it has one,
// from the frame guard's summary (go-ios decoded the reply and dropped it).
func (s *session) muxResult() (n int, ok bool) {
	sum, ok := s.g.lastReply()
	if !ok {
		return 0, false
	}
	v, ok := sum.Int("Number")
	return int(v), ok
}

// replied reports whether a complete reply frame was read on the session.
func (s *session) replied() bool {
	_, ok := s.g.lastReply()
	return ok
}

// List returns the devices usbmuxd lists, within RequestTimeout.
func (c *Client) List(ctx context.Context) ([]Entry, error) {
	s, err := c.open(ctx, "list devices")
	if err != nil {
		return nil, err
	}
	defer s.close()
	return s.list()
}

func (s *session) list() ([]Entry, error) {
	if err := s.arm(); err != nil {
		return nil, err
	}
	dl, err := s.mux.ListDevices()
	if err != nil {
		return nil, s.fail(err)
	}
	// go-ios turns a Result or a malformed list into an empty one; the
	// guard's summary of the same reply tells them apart without decoding it again.
	sum, _ := s.g.lastReply()
	f, ok := sum.Lookup("DeviceList")
	if !ok {
		if n, ok := s.muxResult(); ok && n != 0 {
			return nil, s.failReply(&ReplyError{Service: "usbmuxd", Request: "ListDevices", Number: n, Message: muxResultText(n)})
		}
		return nil, s.failReply(&causeError{kind: ErrProtocol, cause: errors.New("reply has no DeviceList")})
	}
	if f.Kind != plistlimit.KindArray {
		return nil, s.failReply(&causeError{kind: ErrProtocol, cause: fmt.Errorf("reply's DeviceList is a %s, not an array", f.Kind)})
	}
	out := make([]Entry, 0, len(dl.DeviceList))
	for _, d := range dl.DeviceList {
		out = append(out, entryFrom(d.DeviceID, d.Properties))
	}
	return out, nil
}

// Health connects and lists devices within the deadline and says what state
// usbmuxd is in: ok, unreachable (no socket / refused), not_responding (accepts
// but does not answer in time) or error (answers garbage). The error explains
// any status other than ok.
func (c *Client) Health(ctx context.Context) (Status, error) {
	_, err := c.List(ctx)
	if err != nil && errors.Is(err, context.Canceled) {
		return StatusError, err
	}
	return StatusOf(err), err
}

// HasPairRecord reports whether usbmuxd holds a pair record for udid: the
// computer was trusted by this phone at some point. It says nothing about
// whether the phone still trusts it (see QueryLockdown's Trust).
func (c *Client) HasPairRecord(ctx context.Context, udid string) (bool, error) {
	_, ok, err := c.readPair(ctx, udid)
	return ok, err
}

func (c *Client) readPair(ctx context.Context, udid string) (ios.PairRecord, bool, error) {
	s, err := c.open(ctx, "read pair record of "+udid)
	if err != nil {
		return ios.PairRecord{}, false, err
	}
	defer s.close()
	return s.readPair(udid)
}

// readPair asks usbmuxd for udid's pair record on s. A usbmuxd connection
// answers any number of requests until a Connect turns it into a tunnel,
// so the record can be read on the connection that then connects to
// lockdownd (go-ios's ConnectLockdownWithSession does the same). After an
// error, s.spent tells whether the connection can still be used.
func (s *session) readPair(udid string) (ios.PairRecord, bool, error) {
	if err := s.arm(); err != nil {
		return ios.PairRecord{}, false, err
	}
	rec, err := s.mux.ReadPair(udid)
	if err == nil {
		return rec, true, nil
	}
	if s.spent() {
		return ios.PairRecord{}, false, s.fail(err)
	}
	// A well-formed reply without PairRecordData: usbmuxd has no record (result 2 on Linux).
	if n, ok := s.muxResult(); ok && n != 0 {
		return ios.PairRecord{}, false, nil
	}
	return ios.PairRecord{}, false, s.failReply(&causeError{kind: ErrProtocol, cause: fmt.Errorf("unexpected ReadPairRecord reply: %v", err)})
}

// muxFail wraps err, the failure of the usbmuxd request named request:
// as an I/O or framing failure when the connection is spent, else as
// usbmuxd's refusal with its Result number.
func (s *session) muxFail(request string, err error) error {
	if s.spent() {
		return s.fail(err)
	}
	n, _ := s.muxResult()
	return s.failReply(&ReplyError{Service: "usbmuxd", Request: request, Number: n, Message: muxResultText(n)})
}

// spent reports whether the last exchange on s failed below the reply
// level (I/O error, rejected frame, no reply): the connection is unusable.
func (s *session) spent() bool {
	return s.g.frameErr() != nil || s.g.ioErr() != nil || !s.replied()
}
