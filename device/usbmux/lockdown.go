package usbmux

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/danielpaulus/go-ios/ios"
	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/internal/stats"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
)

// Lockdown service types QueryType answers with.
const (
	TypeLockdown = "com.apple.mobile.lockdown" // iOS running normally
	TypeRestored = "com.apple.mobile.restored" // restore ramdisk: restore mode
)

// LockdownKeys are the values read without pairing, from one GetValue
// without a Key (key by key, in this order, when lockdownd refuses that).
var LockdownKeys = []string{"ProductType", "ProductVersion", "BuildVersion", "DeviceName", "DeviceClass", "HardwareModel", "UniqueDeviceID"}

// label identifies this tool to lockdownd.
const label = "restoredoctor"

// TrustState is whether the phone trusts this computer.
type TrustState string

// Trust states.
const (
	// TrustTrusted: usbmuxd holds a pair record and lockdownd accepted it (ValidatePair).
	TrustTrusted TrustState = "trusted"
	// TrustPending: the phone shows "Trust This Computer?" and waits for the user.
	TrustPending TrustState = "pairing_pending"
	// TrustNotTrusted: no pair record on this computer, or the phone rejected it.
	TrustNotTrusted TrustState = "not_trusted"
	// TrustUnknown: it could not be told (locked phone, restore mode, I/O failure).
	TrustUnknown TrustState = "unknown"
)

// Trusted is the one mapping of a trust state to "does the phone trust this
// computer": true, false, or nil when it could not be told.
func (t TrustState) Trusted() *bool {
	var v bool
	switch t {
	case TrustTrusted:
		v = true
	case TrustNotTrusted, TrustPending:
	default:
		return nil
	}
	return &v
}

// LockdownInfo is what lockdownd tells a host that has not started a session.
type LockdownInfo struct {
	// Type is QueryType's answer: TypeLockdown or TypeRestored.
	Type string
	// Mode is Normal for TypeLockdown, Restore for TypeRestored, Unknown otherwise.
	Mode mode.Mode
	// Values holds every key of LockdownKeys lockdownd answered, as text.
	Values map[string]string
	// Refused holds keys lockdownd refused, with its Error ("MissingValue",
	// "GetProhibited", …), or "not among the values" when its answer to
	// GetValue without a Key did not hold them.
	Refused map[string]string
	// The common values, copied out of Values ("" when not answered).
	ProductType, ProductVersion, BuildVersion, DeviceName, DeviceClass, HardwareModel, UniqueDeviceID string
	// PairRecord: usbmuxd holds a pair record for the phone.
	PairRecord bool
	// Trust is the trust state and TrustDetail lockdownd's word for it
	// ("InvalidHostID", "PairingDialogResponsePending", …) or why it is unknown.
	Trust       TrustState
	TrustDetail string
	// Redials counts tunnels re-opened after lockdownd dropped one mid-query.
	Redials int
	// Duration is how long the whole query took.
	Duration time.Duration
}

// maxQueryRedials bounds QueryLockdown's re-dials after dropped tunnels.
const maxQueryRedials = 5

// ldRequest is a lockdownd request; go-ios has no QueryType or ValidatePair call.
type ldRequest struct {
	Label           string
	Request         string
	Key             string         `plist:"Key,omitempty"`
	Domain          string         `plist:"Domain,omitempty"`
	QueryKey        string         `plist:"QueryKey,omitempty"`
	ProtocolVersion string         `plist:"ProtocolVersion,omitempty"`
	PairRecord      *pairRecordRef `plist:"PairRecord,omitempty"`
	HostID          string         `plist:"HostID,omitempty"`
	SystemBUID      string         `plist:"SystemBUID,omitempty"`
	Service         string         `plist:"Service,omitempty"`
}

type pairRecordRef struct {
	DeviceCertificate []byte
	HostCertificate   []byte
	HostID            string
	RootCertificate   []byte
	SystemBUID        string
}

// ldReply is the common shape of lockdownd replies.
type ldReply struct {
	Request          string
	Type             string
	Error            string
	Key              string
	Value            any
	SessionID        string
	EnableSessionSSL bool
	Port             uint16 // StartService
	EnableServiceSSL bool   // StartService
}

// openLockdown connects through usbmuxd to lockdownd (port 62078) on e.
func (c *Client) openLockdown(ctx context.Context, e Entry, op string) (*session, error) {
	s, err := c.open(ctx, op)
	if err != nil {
		return nil, err
	}
	return s.connectLockdown(e)
}

// connectLockdown turns the usbmuxd connection s into a tunnel to lockdownd
// on e. On failure s is closed.
func (s *session) connectLockdown(e Entry) (*session, error) {
	if err := s.arm(); err != nil {
		s.close()
		return nil, err
	}
	s.g.forgetReply() // an earlier request's reply must not pass for Connect's
	ld, err := s.mux.ConnectLockdown(e.DeviceID)
	if err != nil {
		defer s.close()
		return nil, s.muxFail("Connect to lockdownd", err)
	}
	s.g.setFraming(FramingLockdown)
	s.ld = ld
	return s, nil
}

// encodedRequest is a lockdownd request already framed by go-ios's lockdown
// codec (4-byte big-endian length + XML plist); requestRaw sends it as is.
type encodedRequest []byte

// frameOnce returns req framed by go-ios's lockdown codec, encoded on first
// use: requests that never change are not encoded again for every phone.
// It returns nil if go-ios could not encode it.
func frameOnce(req ldRequest) func() encodedRequest {
	return sync.OnceValue(func() encodedRequest {
		b, err := ios.NewPlistCodec().Encode(req)
		if err != nil {
			return nil
		}
		return b
	})
}

// The requests every phone gets, framed once.
var (
	queryTypeRequest = frameOnce(ldRequest{Label: label, Request: "QueryType"})
	allValuesRequest = frameOnce(ldRequest{Label: label, Request: "GetValue"})
	probeRequest     = frameOnce(ldRequest{Label: label, Request: "GetValue", Key: "ProductVersion"})
)

// requestRaw sends one lockdownd request (a struct go-ios encodes, or an
// encodedRequest) and reads its reply within RequestTimeout. The reply is
// decoded once (Client.decodeReply), as a map (restored's QueryValue
// answers {key: value}), and the common fields are taken from it. The map
// may be shared with other callers: it is read-only.
func (s *session) requestRaw(req any) (ldReply, map[string]any, error) {
	if err := s.arm(); err != nil {
		return ldReply{}, nil, err
	}
	b, err := s.exchange(req)
	if err != nil {
		return ldReply{}, nil, err
	}
	r, m, err := s.c.decodeReply(b)
	if err != nil {
		return ldReply{}, nil, s.failReply(err)
	}
	return r, m, nil
}

// exchange sends req (see send) and reads the reply frame with go-ios,
// through the frame guard; it returns the reply's payload, undecoded.
func (s *session) exchange(req any) ([]byte, error) {
	if err := s.send(req); err != nil {
		return nil, err
	}
	b, err := s.ld.ReadMessage()
	if err != nil {
		return nil, s.fail(err)
	}
	return b, nil
}

// send sends req to lockdownd: an encodedRequest as it is, anything else
// encoded by go-ios.
func (s *session) send(req any) error {
	var err error
	if f, ok := req.(encodedRequest); ok {
		if len(f) == 0 {
			return s.failReply(errors.New("lockdownd request could not be encoded"))
		}
		err = s.dc.Send(f)
	} else {
		err = s.ld.Send(req)
	}
	if err != nil {
		return s.fail(err)
	}
	return nil
}

// Replies of at most maxCachedReplySize bytes are kept decoded by their
// bytes, up to maxCachedReplies of them per Client: QueryType's,
// ValidatePair's and the probe's answers are byte-identical across requests
// and often across phones. Larger replies (every value of a phone) differ
// from phone to phone and are decoded each time.
const (
	maxCachedReplies   = 32
	maxCachedReplySize = 512
)

// decodedReply is a decoded lockdownd reply; m is read-only.
type decodedReply struct {
	r ldReply
	m map[string]any
}

// decodeReply decodes a lockdownd reply, b being a payload the frame guard
// accepted. A small reply byte-identical to one decoded before is not
// decoded again. The error wraps ErrProtocol.
func (c *Client) decodeReply(b []byte) (ldReply, map[string]any, error) {
	small := len(b) <= maxCachedReplySize
	if small {
		c.mu.Lock()
		d, ok := c.replies[string(b)]
		c.mu.Unlock()
		if ok {
			return d.r, d.m, nil
		}
	}
	var m map[string]any
	if _, err := plist.Unmarshal(b, &m); err != nil {
		return ldReply{}, nil, &causeError{kind: ErrProtocol, cause: fmt.Errorf("lockdownd reply: %w", err)}
	}
	r := ldReplyFrom(m)
	if small {
		c.mu.Lock()
		if c.replies == nil {
			c.replies = map[string]decodedReply{}
		}
		if len(c.replies) < maxCachedReplies {
			c.replies[string(b)] = decodedReply{r, m}
		}
		c.mu.Unlock()
	}
	return r, m, nil
}

// ldReplyFrom takes the common lockdownd reply fields out of a decoded reply;
// a field of the wrong type counts as absent. Strings are cleaned of control
// characters and capped (textsafe): they end up in messages and reports.
func ldReplyFrom(m map[string]any) ldReply {
	str := func(k string) string { v, _ := m[k].(string); return textsafe.Clean(v, textsafe.MaxValue) }
	flag := func(k string) bool { v, _ := m[k].(bool); return v }
	r := ldReply{Request: str("Request"), Type: str("Type"), Error: str("Error"), Key: str("Key"), Value: m["Value"], SessionID: str("SessionID"),
		EnableSessionSSL: flag("EnableSessionSSL"), EnableServiceSSL: flag("EnableServiceSSL")}
	switch p := m["Port"].(type) {
	case uint64:
		if p <= 0xffff {
			r.Port = uint16(p)
		}
	case int64:
		if p >= 0 && p <= 0xffff {
			r.Port = uint16(p)
		}
	}
	return r
}

// QueryLockdown opens lockdownd on e without pairing and reads what it gives an
// untrusted host: QueryType (restore mode answers com.apple.mobile.restored),
// the LockdownKeys, and the trust state (pair record present and accepted by
// ValidatePair, which starts no session). On an I/O failure it returns what it
// read so far together with the error.
func (c *Client) QueryLockdown(ctx context.Context, e Entry) (LockdownInfo, error) {
	start := time.Now()
	info := LockdownInfo{Mode: mode.Unknown, Values: map[string]string{}, Refused: map[string]string{}, Trust: TrustUnknown}

	// The pair record is read on the connection that then connects to
	// lockdownd; one that failed below the reply level is not reused.
	op := "query lockdown of " + e.UDID
	var rec ios.PairRecord
	var hasRec bool
	var recErr error
	s, err := c.open(ctx, op)
	if err == nil {
		rec, hasRec, recErr = s.readPair(e.UDID)
		if recErr != nil && s.spent() {
			s.close()
			s, err = c.openLockdown(ctx, e, op)
		} else {
			s, err = s.connectLockdown(e)
		}
	}
	info.PairRecord = hasRec
	if err != nil {
		info.TrustDetail = "lockdownd not reachable"
		info.Duration = time.Since(start)
		return info, err
	}
	keep := false
	defer func() {
		if keep {
			c.park(e.DeviceID, s)
		} else {
			s.close()
		}
	}()
	// A phone with a bad link drops tunnels; the query re-dials (up to
	// maxQueryRedials times, counted in Redials) and repeats the request, so
	// one drop does not hide everything else. ProbeRTT measures drops.
	do := func(req any) (ldReply, map[string]any, error) {
		for {
			r, m, err := s.requestRaw(req)
			if err == nil || !errors.Is(err, ErrDropped) || info.Redials >= maxQueryRedials {
				return r, m, err
			}
			s.close()
			ns, oerr := c.openLockdown(ctx, e, op)
			if oerr != nil {
				return ldReply{}, nil, err
			}
			s = ns
			info.Redials++
		}
	}

	r, _, err := do(queryTypeRequest())
	if err != nil {
		info.Duration = time.Since(start)
		return info, err
	}
	if r.Error != "" {
		info.Duration = time.Since(start)
		return info, s.failReply(&ReplyError{Service: "lockdownd", Request: "QueryType", Message: r.Error})
	}
	info.Type, info.Mode = r.Type, modeOfType(r.Type)

	// lockdownd answers a GetValue without a Key with every value it gives
	// this host, in one round trip (what `ideviceinfo -s` asks); restored has
	// no such request, and a lockdownd that refuses it is asked key by key.
	keys := LockdownKeys
	if info.Mode != mode.Restore {
		r, _, err := do(allValuesRequest())
		if err != nil {
			info.Duration = time.Since(start)
			return info, err
		}
		if all, ok := r.Value.(map[string]any); ok && r.Error == "" {
			keys = nil
			for _, k := range LockdownKeys {
				if v, ok := all[k]; ok && v != nil {
					info.Values[k] = valueText(v)
				} else {
					info.Refused[k] = "not among the values"
				}
			}
		}
	}
	for _, k := range keys {
		// lockdownd answers GetValue {Key, Value}; restored answers QueryValue {key: value}.
		req := ldRequest{Label: label, Request: "GetValue", Key: k}
		if info.Mode == mode.Restore {
			req = ldRequest{Label: label, Request: "QueryValue", QueryKey: k}
		}
		r, m, err := do(req)
		if err != nil {
			info.Duration = time.Since(start)
			return info, err
		}
		v := r.Value
		if info.Mode == mode.Restore {
			v = m[k]
		}
		switch {
		case r.Error != "":
			info.Refused[k] = r.Error
		case v == nil:
			info.Refused[k] = "no value"
		default:
			info.Values[k] = valueText(v)
		}
	}
	info.ProductType = info.Values["ProductType"]
	info.ProductVersion = info.Values["ProductVersion"]
	info.BuildVersion = info.Values["BuildVersion"]
	info.DeviceName = info.Values["DeviceName"]
	info.DeviceClass = info.Values["DeviceClass"]
	info.HardwareModel = info.Values["HardwareModel"]
	info.UniqueDeviceID = info.Values["UniqueDeviceID"]

	switch {
	case info.Mode == mode.Restore:
		info.Trust, info.TrustDetail = TrustUnknown, "restore mode: no pairing"
	case recErr != nil:
		info.Trust, info.TrustDetail = TrustUnknown, "pair record unreadable: "+recErr.Error()
	default:
		// ValidatePair starts no session and shows no dialog. Without a record it
		// is still asked (with an empty one): a phone showing "Trust This
		// Computer?" answers PairingDialogResponsePending, others InvalidHostID.
		ref := &pairRecordRef{}
		if hasRec {
			ref = &pairRecordRef{DeviceCertificate: rec.DeviceCertificate, HostCertificate: rec.HostCertificate,
				HostID: rec.HostID, RootCertificate: rec.RootCertificate, SystemBUID: rec.SystemBUID}
		}
		r, _, err := do(ldRequest{Label: label, Request: "ValidatePair", ProtocolVersion: "2", PairRecord: ref})
		if err != nil {
			info.Trust, info.TrustDetail = TrustUnknown, "ValidatePair failed: "+err.Error()
			info.Duration = time.Since(start)
			return info, err
		}
		info.Trust, info.TrustDetail = trustFromReply(hasRec, r.Error)
	}
	keep = c.opts.KeepTunnels > 0
	info.Duration = time.Since(start)
	return info, nil
}

// trustFromReply maps the pair-record presence and lockdownd's ValidatePair
// error to a trust state.
func trustFromReply(hasRecord bool, lockdownErr string) (TrustState, string) {
	switch lockdownErr {
	case "":
		if !hasRecord {
			return TrustNotTrusted, "no pair record on this computer"
		}
		return TrustTrusted, "pair record accepted"
	case "PairingDialogResponsePending":
		return TrustPending, lockdownErr
	case "InvalidHostID", "InvalidPairRecord", "UserDeniedPairing", "PairingProhibitedOverThisConnection", "NotPaired":
		if !hasRecord {
			return TrustNotTrusted, "no pair record on this computer (" + lockdownErr + ")"
		}
		return TrustNotTrusted, lockdownErr
	default:
		return TrustUnknown, lockdownErr
	}
}

// valueText renders a lockdown value as text, cleaned and capped (textsafe).
func valueText(v any) string {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case []byte:
		if len(t) > textsafe.MaxValue {
			t = t[:textsafe.MaxValue]
		}
		s = fmt.Sprintf("%x", t)
	default:
		s = fmt.Sprint(t)
	}
	return textsafe.Clean(s, textsafe.MaxValue)
}

// RTTStats summarises a lockdown round-trip probe.
type RTTStats struct {
	// Requests is how many requests were attempted (n unless ctx ended early).
	Requests int
	// Timeouts counts requests with no reply before their deadline.
	Timeouts int
	// Failures counts dropped connections and failed re-dials.
	Failures int
	// Redials counts connections re-opened after a timeout or a drop.
	Redials int
	// P50, P95 and Max are over the successful round trips (nearest rank).
	P50, P95, Max time.Duration
	// Samples are the successful round trips, in order.
	Samples []time.Duration
	// Err is the first failure's cause, nil when every request succeeded.
	Err error
}

// DefaultProbeRequests is ProbeRTT's n when n <= 0.
const DefaultProbeRequests = 20

// ProbeRTT sends n lockdownd GetValue(ProductVersion) requests, each with its
// own RequestTimeout, over one connection. After a timeout or a drop it
// re-dials and goes on, counting it. It returns an error only when the first
// connection cannot be opened or ctx ends; per-request failures are in the
// stats. A reply counts as a round trip when it is a lockdownd answer, even
// one refusing the request (restored answers GetValue with UnknownRequest):
// the probe times the link, not the value.
func (c *Client) ProbeRTT(ctx context.Context, e Entry, n int) (RTTStats, error) {
	if n <= 0 {
		n = DefaultProbeRequests
	}
	op := "probe lockdown of " + e.UDID
	var st RTTStats
	req := probeRequest()
	st.Samples = make([]time.Duration, 0, n)
	// A tunnel QueryLockdown kept (Options.KeepTunnels) is used first. If
	// lockdownd closed it while it was kept, its first request finds it
	// closed: that is not counted and a new tunnel is opened. Any other
	// failure counts, and the loop re-dials as after any failure.
	var s *session
	redial := false
	if kept := c.take(ctx, e, op); kept != nil {
		d, err := kept.roundTrip(req)
		switch {
		case err == nil:
			s = kept
			st.Requests++
			st.Samples = append(st.Samples, d)
		case errors.Is(err, ErrDropped):
			kept.close()
		default:
			kept.close()
			st.Requests++
			st.record(err)
			redial = true
		}
	}
	if s == nil && !redial {
		var err error
		if s, err = c.openLockdown(ctx, e, op); err != nil {
			return st, err
		}
	}
	defer func() {
		if s != nil {
			s.close()
		}
	}()
	for i := st.Requests; i < n; i++ {
		if ctx.Err() != nil {
			st.finish()
			return st, &Error{Op: op, Addr: c.addr, Err: ctx.Err()}
		}
		st.Requests++
		if s == nil {
			st.Redials++
			var err error
			s, err = c.openLockdown(ctx, e, op)
			if err != nil {
				s = nil
				st.record(err)
				continue
			}
		}
		d, err := s.roundTrip(req)
		if err != nil {
			s.close()
			s = nil
			st.record(err)
			continue
		}
		st.Samples = append(st.Samples, d)
	}
	st.finish()
	return st, nil
}

// roundTrip sends req, the probe's request, on s and reads the reply frame
// with go-ios (through the frame guard, which checks its framing and
// limits), timed from send to the whole reply read. The reply must be a
// lockdownd answer (a Value, or an Error refusing the request); a reply
// byte-identical to one already checked is not decoded again
// (Client.decodeReply).
func (s *session) roundTrip(req encodedRequest) (time.Duration, error) {
	if err := s.arm(); err != nil {
		return 0, err
	}
	t0 := time.Now()
	b, err := s.exchange(req)
	d := time.Since(t0)
	if err != nil {
		return 0, err
	}
	r, _, err := s.c.decodeReply(b)
	if err != nil {
		return 0, s.failReply(err)
	}
	if r.Error == "" && r.Value == nil {
		return 0, s.failReply(&causeError{kind: ErrProtocol, cause: errors.New("lockdownd reply to GetValue has neither Value nor Error")})
	}
	return d, nil
}

func (st *RTTStats) record(err error) {
	if st.Err == nil {
		st.Err = err
	}
	if errors.Is(err, ErrNotResponding) {
		st.Timeouts++
	} else {
		st.Failures++
	}
}

func (st *RTTStats) finish() {
	if len(st.Samples) == 0 {
		return
	}
	st.P50, st.P95, st.Max = stats.Summary(st.Samples)
}

// QueryType asks lockdownd on e which service answers (one request, no
// pairing): TypeLockdown → mode.Normal, TypeRestored → mode.Restore. It is
// the cheap way to tell restore mode from normal mode.
func (c *Client) QueryType(ctx context.Context, e Entry) (string, mode.Mode, error) {
	s, err := c.openLockdown(ctx, e, "query type of "+e.UDID)
	if err != nil {
		return "", mode.Unknown, err
	}
	defer s.close()
	r, _, err := s.requestRaw(queryTypeRequest())
	if err != nil {
		return "", mode.Unknown, err
	}
	if r.Error != "" {
		return "", mode.Unknown, s.failReply(&ReplyError{Service: "lockdownd", Request: "QueryType", Message: r.Error})
	}
	return r.Type, modeOfType(r.Type), nil
}

// modeOfType is the mode a QueryType answer tells: TypeLockdown →
// mode.Normal, TypeRestored → mode.Restore, anything else mode.Unknown.
func modeOfType(t string) mode.Mode {
	switch t {
	case TypeLockdown:
		return mode.Normal
	case TypeRestored:
		return mode.Restore
	}
	return mode.Unknown
}
