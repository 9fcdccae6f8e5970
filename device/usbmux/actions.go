package usbmux

import (
	"context"
	"errors"
	"fmt"

	"github.com/danielpaulus/go-ios/ios"
	"howett.net/plist"
)

// DiagnosticsRelayService is the lockdown service that restarts, shuts down
// or sleeps the phone (go-ios's ios/diagnostics, libimobiledevice's
// idevicediagnostics).
const DiagnosticsRelayService = "com.apple.mobile.diagnostics_relay"

// lockdownd's word for a request that needs a session (StartSession) first.
const sessionInactive = "SessionInactive"

// ErrNeedsTrust: the request needs a lockdown session, which only a computer
// the phone trusts (a pair record the phone accepts) can start.
var ErrNeedsTrust = errors.New("the iPhone does not trust this computer")

// TrustError reports that an action needs a trusted (paired) computer and
// why this one is not: no pair record, or the phone refused StartSession
// with an error that means "not paired / not trusted" (see untrusted; other
// StartSession errors are a *ReplyError). It matches ErrNeedsTrust.
type TrustError struct {
	Request string // what needed the session: "EnterRecovery", "Restart"
	Detail  string // "no pair record on this computer", lockdownd's StartSession error, …
}

func (e *TrustError) Error() string {
	return fmt.Sprintf("%s needs the iPhone to trust this computer: %s", e.Request, e.Detail)
}

// Is makes errors.Is(err, ErrNeedsTrust) true.
func (e *TrustError) Is(target error) bool { return target == ErrNeedsTrust }

// startSession reads udid's pair record and starts a lockdown session on s:
// the StartSession request is ours (go-ios's hides lockdownd's refusal in
// its error text), the TLS that follows is go-ios's. Refusals come back as a
// *TrustError wrapped in *Error; I/O failures as *Error.
func (c *Client) startSession(ctx context.Context, s *session, udid, request string) (ios.PairRecord, error) {
	rec, ok, err := c.readPair(ctx, udid)
	if err != nil {
		return rec, err
	}
	if !ok {
		return rec, s.failReply(&TrustError{Request: request, Detail: "no pair record on this computer"})
	}
	r, _, err := s.requestRaw(ldRequest{Label: label, Request: "StartSession", ProtocolVersion: "2",
		HostID: rec.HostID, SystemBUID: rec.SystemBUID})
	if err != nil {
		return rec, err
	}
	if r.Error != "" {
		if untrusted(r.Error) {
			return rec, s.failReply(&TrustError{Request: request, Detail: "StartSession refused: " + r.Error})
		}
		return rec, s.failReply(&ReplyError{Service: "lockdownd", Request: "StartSession", Message: r.Error})
	}
	if r.EnableSessionSSL {
		if err := s.arm(); err != nil {
			return rec, err
		}
		s.g.setFraming(FramingTLS)
		if err := s.ld.EnableSessionSsl(rec); err != nil {
			return rec, s.fail(err)
		}
	}
	return rec, nil
}

// untrusted reports whether lockdownd's StartSession error means this
// computer is not paired with, or not (yet) trusted by, the phone: no or a
// stale pair record (InvalidHostID, InvalidPairRecord, NotPaired), a locked
// phone that must be unlocked to trust (PasswordProtected), or the Trust
// dialog's states. Any other error (InternalError, SessionActive, …) is a
// refusal of its own and is reported as it is.
func untrusted(lockdownErr string) bool {
	switch lockdownErr {
	case "InvalidHostID", "InvalidPairRecord", "NotPaired", "PasswordProtected",
		"PairingDialogResponsePending", "UserDeniedPairing", "PairingProhibitedOverThisConnection":
		return true
	}
	return false
}

// EnterRecovery asks lockdownd on e to reboot the phone into recovery mode.
// It first asks without a session, as older iOS versions accept; when
// lockdownd answers SessionInactive (current iOS) it starts a paired session
// and asks again, the way libimobiledevice's ideviceenterrecovery does. A
// phone that does not trust this computer then fails with an error matching
// ErrNeedsTrust (a *TrustError). Every exchange has RequestTimeout.
func (c *Client) EnterRecovery(ctx context.Context, e Entry) error {
	s, err := c.openLockdown(ctx, e, "enter recovery on "+e.UDID)
	if err != nil {
		return err
	}
	defer func() { s.close() }()
	req := ldRequest{Label: label, Request: "EnterRecovery"}
	r, _, err := s.requestRaw(req)
	if err != nil {
		return err
	}
	if r.Error == sessionInactive {
		if _, err := c.startSession(ctx, s, e.UDID, "EnterRecovery"); err != nil {
			return err
		}
		if r, _, err = s.requestRaw(req); err != nil {
			return err
		}
	}
	if r.Error != "" {
		return s.failReply(&ReplyError{Service: "lockdownd", Request: "EnterRecovery", Message: r.Error})
	}
	return nil
}

// diagRequest is a diagnostics_relay request ("Restart", "Goodbye").
type diagRequest struct {
	Request           string
	WaitForDisconnect bool `plist:"WaitForDisconnect,omitempty"`
	DisplayPass       bool `plist:"DisplayPass,omitempty"`
	DisplayFail       bool `plist:"DisplayFail,omitempty"`
}

type diagReply struct {
	Status string
	Error  string
}

// Restart restarts the phone through the diagnostics relay: a paired
// lockdown session (go-ios StartSession), StartService for
// DiagnosticsRelayService, a second usbmuxd connection to the service port
// (TLS through go-ios when the phone asks for it) and the Restart request.
// go-ios's own diagnostics package dials usbmuxd itself, without deadlines;
// here every exchange runs on a connection this client dialled, with
// RequestTimeout. A phone that does not trust this computer fails with an
// error matching ErrNeedsTrust.
func (c *Client) Restart(ctx context.Context, e Entry) error {
	op := "restart " + e.UDID
	s, err := c.openLockdown(ctx, e, op)
	if err != nil {
		return err
	}
	defer func() { s.close() }()
	rec, err := c.startSession(ctx, s, e.UDID, "Restart")
	if err != nil {
		return err
	}
	svc, _, err := s.requestRaw(ldRequest{Label: label, Request: "StartService", Service: DiagnosticsRelayService})
	if err != nil {
		return err
	}
	if svc.Error != "" || svc.Port == 0 {
		msg := svc.Error
		if msg == "" {
			msg = "no port in the reply"
		}
		return s.failReply(&ReplyError{Service: "lockdownd", Request: "StartService " + DiagnosticsRelayService, Message: msg})
	}

	ds, err := c.open(ctx, op)
	if err != nil {
		return err
	}
	defer ds.close()
	if err := ds.arm(); err != nil {
		return err
	}
	if err := ds.mux.Connect(e.DeviceID, svc.Port); err != nil {
		return ds.muxFail("Connect to "+DiagnosticsRelayService, err)
	}
	ds.g.setFraming(FramingLockdown)
	if svc.EnableServiceSSL {
		if err := ds.arm(); err != nil {
			return err
		}
		ds.g.setFraming(FramingTLS)
		if err := ds.dc.EnableSessionSsl(rec); err != nil {
			return ds.fail(err)
		}
	}
	r, err := ds.diag(diagRequest{Request: "Restart", WaitForDisconnect: true, DisplayPass: true, DisplayFail: true})
	if err != nil {
		return err
	}
	if r.Status != "Success" {
		msg := r.Error
		if msg == "" {
			msg = "Status " + r.Status
		}
		return ds.failReply(&ReplyError{Service: "diagnostics_relay", Request: "Restart", Message: msg})
	}
	// Goodbye is a courtesy; the phone may already be going down.
	_, _ = ds.diag(diagRequest{Request: "Goodbye"})
	return nil
}

// diag sends one diagnostics_relay request through go-ios's plist codec and
// reads the reply within RequestTimeout, through the same frame and plist
// limits as every other reply (readMessage), in TLS or not.
func (s *session) diag(req diagRequest) (diagReply, error) {
	if err := s.arm(); err != nil {
		return diagReply{}, err
	}
	codec := ios.NewPlistCodec()
	b, err := codec.Encode(req)
	if err != nil {
		return diagReply{}, s.failReply(err)
	}
	if err := s.dc.Send(b); err != nil {
		return diagReply{}, s.fail(err)
	}
	payload, err := s.readMessage()
	if err != nil {
		return diagReply{}, err
	}
	var r diagReply
	if _, err := plist.Unmarshal(payload, &r); err != nil {
		return diagReply{}, s.failReply(&causeError{kind: ErrProtocol, cause: fmt.Errorf("diagnostics_relay reply: %v", err)})
	}
	return r, nil
}
