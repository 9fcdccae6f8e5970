package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// LockdownPort is the TCP port of lockdownd on the phone (host byte order).
const LockdownPort = 62078

// writeTimeout bounds every write to a client, so a client that stops reading
// cannot stall the simulator.
const writeTimeout = 5 * time.Second

// listenerQueue is how many events a Listen client may lag behind before it is dropped.
const listenerQueue = 256

// Stats are the simulator's counters since Start.
type Stats struct {
	// Connections is the number of accepted usbmuxd connections.
	Connections int
	// Tunnels is the number of successful Connects to lockdownd.
	Tunnels int
	// Requests counts requests by type: usbmuxd MessageType ("ListDevices",
	// "Listen", …), "binary" for old binary-protocol frames, and lockdownd
	// requests as "lockdown:GetValue", "lockdown:QueryType", …; names the
	// simulator does not know count as "unknown" / "lockdown:unknown".
	Requests map[string]int
	// Attaches and Detaches count phone arrivals and departures (Attach, Detach, flapping).
	Attaches, Detaches int
}

// Server is a running simulator. Create it with Start, stop it with Close.
type Server struct {
	log      *slog.Logger
	sc       Scenario
	ln       net.Listener
	addr     string // USBMUXD_SOCKET_ADDRESS form
	sockPath string // unix socket path, "" for TCP
	buid     string

	ctx    context.Context
	cancel context.CancelFunc
	stop   func() bool // detaches the ctx watcher; guarded by mu
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	mu          sync.Mutex
	nextID      int
	phones      []Phone
	conns       map[net.Conn]struct{}
	listeners   map[*listener]struct{}
	tunnels     map[int]map[net.Conn]struct{}
	pairRecords map[string][]byte
	trusted     map[string]bool     // UDIDs of trusted phones ever attached: their record outlives a detach
	nvram       map[string]nvram    // iBoot environment per UDID (actions.go)
	services    map[int]bool        // DeviceIDs whose diagnostics relay was started (actions.go)
	replies     map[int]*replyCache // encoded lockdownd answers per attached phone (wirecache.go)
	pairReplies map[string][]byte   // encoded ReadPairRecord replies with the generated record, by UDID
	stats       Stats

	requests requestCache // decoded requests by payload (wirecache.go)

	down atomic.Bool // usbmuxd "stopped" by a replay (replay.go): connections are closed at once
}

type listener struct {
	ch   chan []byte
	conn net.Conn
}

// Start listens on listen ("unix:///path", "unix:/path", "UNIX:/path", "/path",
// "tcp://127.0.0.1:0" or "127.0.0.1:0"), attaches the scenario's phones and
// serves until Close or until ctx is cancelled. A nil log discards logs;
// requests are logged at Debug level.
func Start(ctx context.Context, listen string, sc Scenario, log *slog.Logger) (*Server, error) {
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	network, address, err := ParseAddress(listen)
	if err != nil {
		return nil, err
	}
	if network == "unix" {
		if err := removeStaleSocket(ctx, address); err != nil {
			return nil, err
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, network, address)
	if err != nil {
		return nil, fmt.Errorf("sim: listen %s: %w", listen, err)
	}
	s := &Server{
		log:         log,
		sc:          sc,
		ln:          ln,
		buid:        newUUID(),
		nextID:      1,
		conns:       map[net.Conn]struct{}{},
		listeners:   map[*listener]struct{}{},
		tunnels:     map[int]map[net.Conn]struct{}{},
		pairRecords: map[string][]byte{},
		trusted:     map[string]bool{},
		nvram:       map[string]nvram{},
		services:    map[int]bool{},
		replies:     map[int]*replyCache{},
		pairReplies: map[string][]byte{},
		stats:       Stats{Requests: map[string]int{}},
	}
	if network == "unix" {
		s.sockPath = address
		s.addr = "unix://" + address
	} else {
		s.addr = ln.Addr().String()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	var flapIDs []int
	for _, p := range sc.Phones {
		flapIDs = append(flapIDs, s.Attach(p))
	}
	s.wg.Add(1)
	go s.acceptLoop()
	if sc.FlapInterval > 0 && len(flapIDs) > 0 {
		s.wg.Add(1)
		go s.flapLoop(flapIDs)
	}
	// Registered last: a ctx cancelled already closes a fully started server.
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	s.mu.Lock()
	s.stop = stop
	s.mu.Unlock()
	log.Info("usbmuxd simulator listening", "address", s.addr, "scenario", sc.Name, "phones", len(sc.Phones))
	return s, nil
}

// ParseAddress turns a usbmuxd address in any of the forms users write for
// libimobiledevice and go-ios (usbmux.ParseListenAddress: Windows paths are
// paths, TCP port 0 picks a free port) into a net.Listen network and address.
func ParseAddress(a string) (network, address string, err error) {
	addr, err := usbmux.ParseListenAddress(a)
	if err != nil {
		return "", "", fmt.Errorf("sim: %w", err)
	}
	return addr.Network, addr.Addr, nil
}

// ErrNotLoopback is returned (wrapped) by CheckLoopback for a TCP address
// other machines could reach.
var ErrNotLoopback = errors.New("not a loopback address: the simulator would be reachable from the network")

// CheckLoopback accepts unix sockets and TCP addresses on a loopback
// interface (127.0.0.0/8, ::1, localhost); anything else (0.0.0.0, ":27015",
// a LAN address) is refused: the simulator answers anyone who connects.
func CheckLoopback(a string) error {
	network, address, err := ParseAddress(a)
	if err != nil {
		return err
	}
	if network != "tcp" {
		return nil
	}
	host, _, _ := net.SplitHostPort(address)
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("sim: listen %q: %w", a, ErrNotLoopback)
}

// removeStaleSocket removes a unix socket left behind by a dead simulator; a
// live one (something accepts) or a non-socket file is an error.
func removeStaleSocket(ctx context.Context, path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim: socket %s: %w", path, err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("sim: socket %s: exists and is not a socket", path)
	}
	d := net.Dialer{Timeout: 500 * time.Millisecond}
	if c, err := d.DialContext(ctx, "unix", path); err == nil {
		_ = c.Close()
		return fmt.Errorf("sim: socket %s: already in use by another server", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("sim: remove stale socket %s: %w", path, err)
	}
	return nil
}

// Addr is the address clients use, in USBMUXD_SOCKET_ADDRESS form for go-ios:
// "unix:///path" or "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// LibimobiledeviceAddr is the address in the form libusbmuxd 2.0 accepts in
// USBMUXD_SOCKET_ADDRESS: "UNIX:/path" (upper-case scheme, one slash) or "host:port".
func (s *Server) LibimobiledeviceAddr() string {
	if s.sockPath != "" {
		return "UNIX:" + s.sockPath
	}
	return s.addr
}

// SocketPath is the unix socket path, "" when listening on TCP.
func (s *Server) SocketPath() string { return s.sockPath }

// Scenario returns the scenario the server was started with.
func (s *Server) Scenario() Scenario { return s.sc }

// Close stops accepting, closes every connection, removes the unix socket and
// waits for all goroutines. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		stop := s.stop
		s.mu.Unlock()
		if stop != nil {
			stop()
		}
		s.cancel()
		err := s.ln.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		if s.sockPath != "" {
			if rerr := os.Remove(s.sockPath); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
				err = fmt.Errorf("sim: remove socket: %w", rerr)
			}
		}
		s.closeErr = err
		s.log.Info("usbmuxd simulator stopped", "address", s.addr)
	})
	return s.closeErr
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = maps.Clone(s.stats.Requests)
	return st
}

// Phones returns the attached phones (with their DeviceID and defaults filled
// in), including recovery/DFU ones that usbmuxd does not list, in attach order.
func (s *Server) Phones() []Phone {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Phone, len(s.phones))
	for i, p := range s.phones {
		out[i] = p.clone()
	}
	return out
}

// Attach plugs a phone in: Listen clients of a listed phone (normal or restore
// mode) get an Attached message. Zero fields get defaults (see Phone). It
// returns the phone's usbmuxd DeviceID.
func (s *Server) Attach(p Phone) int {
	p = p.withDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.DeviceID <= 0 || s.idInUse(p.DeviceID) {
		p.DeviceID = s.nextID
	}
	for s.idInUse(p.DeviceID) {
		p.DeviceID++
	}
	if p.DeviceID >= s.nextID {
		s.nextID = p.DeviceID + 1
	}
	s.phones = append(s.phones, p)
	s.replies[p.DeviceID] = newReplyCache()
	s.trusted[normUDID(p.UDID)] = p.Trust == TrustTrusted
	s.stats.Attaches++
	if p.listed() {
		s.broadcastLocked(0, attachedMsg(p))
	}
	s.log.Debug("phone attached", "device_id", p.DeviceID, "udid", p.UDID, "mode", p.Mode, "listed", p.listed())
	return p.DeviceID
}

// Detach unplugs the phone with that DeviceID: Listen clients get a Detached
// message (if usbmuxd listed it) and open lockdown tunnels to it are closed.
// It reports whether such a phone was attached.
func (s *Server) Detach(deviceID int) bool {
	_, ok := s.detach(deviceID)
	return ok
}

func (s *Server) detach(deviceID int) (Phone, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.phones, func(p Phone) bool { return p.DeviceID == deviceID })
	if i < 0 {
		return Phone{}, false
	}
	p := s.phones[i]
	s.phones = slices.Delete(s.phones, i, i+1)
	delete(s.replies, deviceID)
	s.stats.Detaches++
	if p.listed() {
		s.broadcastLocked(0, map[string]any{"MessageType": "Detached", "DeviceID": p.DeviceID})
	}
	for c := range s.tunnels[deviceID] {
		_ = c.Close()
	}
	s.log.Debug("phone detached", "device_id", deviceID, "udid", p.UDID)
	return p, true
}

func (s *Server) idInUse(id int) bool {
	return slices.ContainsFunc(s.phones, func(p Phone) bool { return p.DeviceID == id })
}

func (s *Server) phoneByID(id int) (Phone, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.phones {
		if p.DeviceID == id {
			return p.clone(), true
		}
	}
	return Phone{}, false
}

// broadcastLocked queues a message to every Listen client; s.mu is held.
func (s *Server) broadcastLocked(tag uint32, msg any) {
	frame, err := EncodeMuxPlist(tag, msg)
	if err != nil {
		s.log.Error("encode event", "err", err)
		return
	}
	for l := range s.listeners {
		select {
		case l.ch <- frame:
		default:
			// Hang up: closing the conn also fails a write stuck on a full socket.
			s.log.Warn("listen client lags behind, dropping it", "queued", len(l.ch))
			delete(s.listeners, l)
			_ = l.conn.Close()
		}
	}
}

// knownRequests are counted by name; anything else as "unknown" (or
// "lockdown:unknown"), so a client cannot grow the counters without bound.
var knownRequests = map[string]bool{
	"ListDevices": true, "Listen": true, "Connect": true, "ReadBUID": true, "ReadPairRecord": true,
	"SavePairRecord": true, "DeletePairRecord": true, "ListListeners": true,
	"binary": true, "bad-version": true, "invalid": true, "garbage": true,
	"lockdown:QueryType": true, "lockdown:GetValue": true, "lockdown:ValidatePair": true, "lockdown:Pair": true,
	"lockdown:StartSession": true, "lockdown:StopSession": true, "lockdown:StartService": true,
	"lockdown:SetValue": true, "lockdown:RemoveValue": true, "lockdown:Goodbye": true,
	"lockdown:QueryValue": true, "lockdown:invalid": true, "lockdown:EnterRecovery": true,
	"diagnostics:Restart": true, "diagnostics:Shutdown": true, "diagnostics:Sleep": true, "diagnostics:Goodbye": true,
	"diagnostics:invalid": true, "iboot:setenv auto-boot true": true, "iboot:setenv auto-boot false": true,
	"iboot:saveenv": true, "iboot:reboot": true,
}

func (s *Server) count(key string) {
	if !knownRequests[key] {
		if prefix, _, ok := strings.Cut(key, ":"); ok && (prefix == "lockdown" || prefix == "diagnostics" || prefix == "iboot") {
			key = prefix + ":unknown"
		} else {
			key = "unknown"
		}
	}
	s.mu.Lock()
	s.stats.Requests[key]++
	s.mu.Unlock()
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				s.log.Error("accept", "err", err)
			}
			return
		}
		if s.down.Load() {
			_ = c.Close()
			continue
		}
		s.mu.Lock()
		if s.ctx.Err() != nil {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.stats.Connections++
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(c)
	}
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	_ = c.Close()
}

// idle gives the next request on c IdleTimeout to arrive in full: an idle
// or half-sent connection is closed then, so a client cannot hold the
// simulator's descriptors by opening connections and sending nothing.
func (s *Server) idle(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(s.sc.idleTimeout()))
}

func (s *Server) write(c net.Conn, frame []byte) error {
	_ = c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.Write(frame)
	return err
}

func (s *Server) reply(c net.Conn, tag uint32, msg any) error {
	frame, err := EncodeMuxPlist(tag, msg)
	if err != nil {
		return err
	}
	return s.write(c, frame)
}

// replyResult sends the usbmuxd Result message n (its payload is encoded once per number).
func (s *Server) replyResult(c net.Conn, tag uint32, n int) error {
	frame, err := resultFrame(tag, n)
	if err != nil {
		return err
	}
	return s.write(c, frame)
}

func resultMsg(n int) map[string]any {
	return map[string]any{"MessageType": "Result", "Number": n}
}

// serveConn speaks usbmuxd on one client connection until it is closed, turns
// into a Listen stream or into a lockdown tunnel.
func (s *Server) serveConn(c net.Conn) {
	defer s.wg.Done()
	defer s.untrack(c)
	log := s.log.With("conn", fmt.Sprintf("%p", c))
	if s.sc.Hung {
		// Accept and read, never answer (until the client is idle for
		// IdleTimeout).
		n := 0
		buf := make([]byte, 4096)
		for {
			s.idle(c)
			k, err := c.Read(buf)
			n += k
			if err != nil {
				break
			}
		}
		log.Debug("hung: client left or idle", "bytes_read", n)
		return
	}
	for {
		s.idle(c)
		h, payload, err := ReadMuxFrame(c)
		if err != nil {
			if !errors.Is(err, io.EOF) && s.ctx.Err() == nil {
				log.Debug("usbmux read", "err", err)
			}
			return
		}
		if s.sc.Garbage == GarbageBadLength || s.sc.Garbage == GarbageNotPlist {
			s.count("garbage")
			if err := s.write(c, garbageFrame(s.sc.Garbage, h.Tag)); err != nil {
				return
			}
			continue
		}
		if h.Version != 0 && h.Version != 1 {
			s.count("bad-version")
			if err := s.replyResult(c, h.Tag, muxResultBadVersion); err != nil {
				return
			}
			continue
		}
		if h.Message != muxMsgPlist {
			// The old binary protocol (version 0): answered with a binary
			// BADCOMMAND result; libusbmuxd only uses it after a BADVERSION.
			s.count("binary")
			res := []byte{muxResultBadCommand, 0, 0, 0}
			if err := s.write(c, AppendMuxFrame(nil, 0, muxMsgResult, h.Tag, res)); err != nil {
				return
			}
			continue
		}
		m, err := s.requests.decode(payload)
		if err != nil {
			// usbmuxd closes the connection on an unparsable plist.
			log.Debug("usbmux request", "err", err)
			s.count("invalid")
			return
		}
		mt := str(m, "MessageType")
		if mt == "" {
			log.Debug("usbmux request without MessageType")
			s.count("invalid")
			return
		}
		s.count(mt)
		if log.Enabled(s.ctx, slog.LevelDebug) {
			log.Debug("usbmux request", "type", mt, "tag", h.Tag, "prog", str(m, "ProgName"))
		}
		switch mt {
		case "ListDevices":
			err = s.reply(c, h.Tag, map[string]any{"DeviceList": s.deviceList()})
		case "Listen":
			s.listen(c, h.Tag, m)
			return
		case "Connect":
			if s.connect(c, h.Tag, m, log) {
				return
			}
		case "ReadBUID":
			err = s.reply(c, h.Tag, map[string]any{"BUID": s.buid})
		case "ReadPairRecord":
			err = s.readPairRecord(c, h.Tag, str(m, "PairRecordID"))
		case "SavePairRecord":
			err = s.savePairRecord(c, h.Tag, m)
		case "DeletePairRecord":
			err = s.deletePairRecord(c, h.Tag, str(m, "PairRecordID"))
		case "ListListeners":
			err = s.reply(c, h.Tag, map[string]any{"ListenerList": s.listenerList()})
		default:
			err = s.replyResult(c, h.Tag, muxResultBadCommand)
		}
		if err != nil {
			log.Debug("usbmux write", "err", err)
			return
		}
	}
}

func garbageFrame(kind string, tag uint32) []byte {
	if kind == GarbageBadLength {
		f := AppendMuxFrame(nil, 1, muxMsgPlist, tag, nil)
		f[0], f[1], f[2], f[3] = 0xF0, 0xFF, 0xFF, 0xFF // length 0xFFFFFFF0, little-endian
		return f
	}
	junk := []byte("\x00\x01this is not a plist\xff\xfe<dict><key>")
	return AppendMuxFrame(nil, 1, muxMsgPlist, tag, junk)
}

func (s *Server) deviceList() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []any{}
	for _, p := range s.phones {
		if p.listed() {
			list = append(list, attachedMsg(p))
		}
	}
	return list
}

func (s *Server) listenerList() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for range s.listeners {
		out = append(out, map[string]any{
			"Blacklisted": false, "ConnType": 0, "ID String": "restoredoctor-sim-listener",
			"ProgName": "unknown", "kLibUSBMuxVersion": 3,
		})
	}
	return out
}

// attachedMsg is the Attached message / DeviceList entry usbmuxd sends (client.c create_device_attached_plist).
func attachedMsg(p Phone) map[string]any {
	return map[string]any{
		"MessageType": "Attached",
		"DeviceID":    p.DeviceID,
		"Properties": map[string]any{
			"ConnectionSpeed": p.ConnectionSpeed,
			"ConnectionType":  "USB",
			"DeviceID":        p.DeviceID,
			"LocationID":      p.LocationID,
			"ProductID":       p.ProductID,
			"SerialNumber":    p.UDID,
		},
	}
}

// listen turns c into a Listen stream: the OK result, Attached for every
// listed phone, then Attached/Detached as phones come and go, until the client
// or server closes. The client is registered before the result is sent (as
// usbmuxd does in its single event loop), so a phone that comes or goes right
// after the client saw the result is never missed.
func (s *Server) listen(c net.Conn, tag uint32, req map[string]any) {
	l := &listener{ch: make(chan []byte, listenerQueue), conn: c}
	s.mu.Lock()
	for _, p := range s.phones {
		if p.listed() {
			if f, err := EncodeMuxPlist(0, attachedMsg(p)); err == nil {
				l.ch <- f
			}
		}
		if len(l.ch) == cap(l.ch) {
			break
		}
	}
	bomb := s.sc.Garbage == GarbageBombListen && len(l.ch) < cap(l.ch)
	if bomb {
		l.ch <- AppendMuxFrame(nil, 1, muxMsgPlist, 0, plisttest.Bomb(BombLevels,
			map[string]string{"MessageType": "Attached"}, "Bomb"))
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	if bomb {
		s.count("garbage")
	}
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	if err := s.replyResult(c, tag, muxResultOK); err != nil {
		return
	}

	gone := make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(gone)
		_ = c.SetReadDeadline(time.Time{}) // a Listen stream is idle by nature
		_, _ = io.Copy(io.Discard, c)      // a Listen client sends nothing more; EOF = it left
	}()
	for {
		select {
		case f := <-l.ch:
			if err := s.write(c, f); err != nil {
				return
			}
		case <-gone:
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// connect handles Connect; it reports whether the connection was consumed (tunnel or closed).
func (s *Server) connect(c net.Conn, tag uint32, m map[string]any, log *slog.Logger) bool {
	id, okID := uintVal(m, "DeviceID")
	portBE, okPort := uintVal(m, "PortNumber")
	if !okID {
		return s.replyResult(c, tag, muxResultBadDev) != nil
	}
	if !okPort {
		return s.replyResult(c, tag, muxResultBadCommand) != nil
	}
	// PortNumber is in network byte order: 62078 (0xF27E) arrives as 0x7EF2.
	port := uint16(portBE)>>8 | uint16(portBE)<<8
	p, ok := s.phoneByID(int(id))
	if !ok || !p.listed() {
		log.Debug("connect: no such device", "device_id", id)
		return s.replyResult(c, tag, muxResultBadDev) != nil
	}
	if port != LockdownPort && !(port == DiagnosticsRelayPort && s.serviceStarted(int(id))) {
		log.Debug("connect: port refused", "device_id", id, "port", port)
		return s.replyResult(c, tag, muxResultConnRefused) != nil
	}
	s.mu.Lock()
	if !s.idInUse(int(id)) { // detached meanwhile
		s.mu.Unlock()
		return s.replyResult(c, tag, muxResultBadDev) != nil
	}
	if s.tunnels[int(id)] == nil {
		s.tunnels[int(id)] = map[net.Conn]struct{}{}
	}
	s.tunnels[int(id)][c] = struct{}{}
	s.stats.Tunnels++
	replies := s.replies[int(id)]
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.tunnels[int(id)], c)
		if len(s.tunnels[int(id)]) == 0 {
			delete(s.tunnels, int(id))
		}
		s.mu.Unlock()
	}()
	if err := s.replyResult(c, tag, muxResultOK); err != nil {
		return true
	}
	if port == DiagnosticsRelayPort {
		log.Debug("connect: diagnostics relay open", "device_id", id)
		s.serveDiagnostics(c, p, log)
		return true
	}
	log.Debug("connect: lockdown tunnel open", "device_id", id)
	s.serveLockdown(c, p, replies, log)
	return true
}

// PairRecord is the pair record the simulator hands out for a trusted phone
// (ReadPairRecord → PairRecordData, an XML plist of this struct). The
// certificates are placeholders only in a PlaintextSession scenario (tls.go).
type PairRecord struct {
	HostID            string
	SystemBUID        string
	HostCertificate   []byte
	HostPrivateKey    []byte
	DeviceCertificate []byte
	RootCertificate   []byte
	RootPrivateKey    []byte
	EscrowBag         []byte
	WiFiMACAddress    string
}

func (s *Server) readPairRecord(c net.Conn, tag uint32, id string) error {
	if id == "" {
		return s.replyResult(c, tag, 22) // EINVAL, as usbmuxd
	}
	s.mu.Lock()
	rec, saved := s.pairRecords[normUDID(id)]
	trusted := s.trusted[normUDID(id)]
	s.mu.Unlock()
	if !saved && trusted {
		// The generated record never changes: its reply is encoded once per UDID.
		body, err := s.generatedPairReply(normUDID(id))
		if err != nil || body == nil {
			return s.replyResult(c, tag, muxResultBadDev)
		}
		return s.write(c, AppendMuxFrame(nil, 1, muxMsgPlist, tag, body))
	}
	if rec == nil {
		return s.replyResult(c, tag, muxResultBadDev) // ENOENT = 2
	}
	return s.reply(c, tag, map[string]any{"PairRecordData": rec})
}

// generatedPairReply is the encoded ReadPairRecord reply carrying the
// record the simulator generates for a trusted phone (pairRecordFor).
func (s *Server) generatedPairReply(udid string) ([]byte, error) {
	s.mu.Lock()
	body, ok := s.pairReplies[udid]
	s.mu.Unlock()
	if ok {
		return body, nil
	}
	rec := s.pairRecordFor(udid)
	if rec == nil {
		return nil, nil
	}
	body, err := plistMarshalXML(map[string]any{"PairRecordData": rec})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.pairReplies[udid] = body
	s.mu.Unlock()
	return body, nil
}

func (s *Server) pairRecordFor(udid string) []byte {
	pem := func(kind string) []byte {
		return []byte("-----BEGIN " + kind + "-----\nc2ltdWxhdGVkIGJ5IHJlc3RvcmVkb2N0b3Itc2lt\n-----END " + kind + "-----\n")
	}
	if s.sc.sessionTLS() {
		return s.tlsPairRecord(udid)
	}
	rec := PairRecord{
		HostID:            hostIDFor(udid),
		SystemBUID:        s.buid,
		HostCertificate:   pem("CERTIFICATE"),
		HostPrivateKey:    pem("RSA PRIVATE KEY"),
		DeviceCertificate: pem("CERTIFICATE"),
		RootCertificate:   pem("CERTIFICATE"),
		RootPrivateKey:    pem("RSA PRIVATE KEY"),
		EscrowBag:         []byte("simulated-escrow-bag"),
		WiFiMACAddress:    wifiAddress(udid),
	}
	b, err := plistMarshalXML(rec)
	if err != nil {
		s.log.Error("encode pair record", "err", err)
		return nil
	}
	return b
}

func (s *Server) savePairRecord(c net.Conn, tag uint32, m map[string]any) error {
	id := str(m, "PairRecordID")
	data, _ := m["PairRecordData"].([]byte)
	if id == "" || data == nil {
		return s.replyResult(c, tag, 22)
	}
	s.mu.Lock()
	s.pairRecords[normUDID(id)] = slices.Clone(data)
	s.mu.Unlock()
	return s.replyResult(c, tag, muxResultOK)
}

func (s *Server) deletePairRecord(c net.Conn, tag uint32, id string) error {
	if id == "" {
		return s.replyResult(c, tag, 22)
	}
	s.mu.Lock()
	delete(s.pairRecords, normUDID(id))
	s.mu.Unlock()
	return s.replyResult(c, tag, muxResultOK)
}

// flapLoop alternately detaches and re-attaches the scenario's phones.
func (s *Server) flapLoop(ids []int) {
	defer s.wg.Done()
	t := time.NewTicker(s.sc.FlapInterval)
	defer t.Stop()
	var gone []Phone
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if gone == nil {
			for _, id := range ids {
				if p, ok := s.detach(id); ok {
					gone = append(gone, p)
				}
			}
			if gone == nil {
				gone = []Phone{} // nothing left to flap: stay idle
			}
			continue
		}
		ids = ids[:0]
		for _, p := range gone {
			ids = append(ids, s.Attach(p.reenumerated()))
		}
		gone = nil
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0F | 0x40
	b[8] = b[8]&0x3F | 0x80
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// listed reports whether usbmuxd lists the phone (normal and restore mode only).
func (p Phone) listed() bool { return (p.Mode == mode.Normal || p.Mode == mode.Restore) && !p.Unlisted }

// LocalAddress is where a simulator that only this computer should reach
// listens (demo mode): a unix socket in dir, or on Windows, like Apple Mobile
// Device Service, TCP loopback on a free port (Windows before 10 1803 and
// Wine have no AF_UNIX sockets).
func LocalAddress(dir string) string {
	return localAddressFor(runtime.GOOS, dir)
}

func localAddressFor(goos, dir string) string {
	if goos == "windows" {
		return "tcp://127.0.0.1:0"
	}
	return "unix://" + filepath.Join(dir, "usbmuxd.sock")
}

// openConns is how many client connections the server holds open.
func (s *Server) openConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
