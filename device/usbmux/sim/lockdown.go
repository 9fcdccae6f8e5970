package sim

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
)

// lockdownSession is the state of one lockdown tunnel.
type lockdownSession struct {
	srv       *Server
	phone     Phone
	sessionID string
	// after runs once the current answer was written (EnterRecovery reboots then).
	after func()
	// upgrade: TLS starts once the current answer was written (StartSession, unless PlaintextSession).
	upgrade bool
}

// serveLockdown answers lockdownd requests on a tunnel until the client says
// Goodbye, the tunnel is closed (detach, Close) or LockdownDropAfter answers
// were sent. replies is the phone's cache of answers (wirecache.go); nil
// disables it.
func (s *Server) serveLockdown(c net.Conn, p Phone, replies *replyCache, log *slog.Logger) {
	sess := &lockdownSession{srv: s, phone: p}
	if s.sc.Garbage != "" {
		replies = nil // the garbage scenarios answer differently on purpose
	}
	answered := 0
	for {
		s.idle(c)
		payload, err := ReadLockdownFrame(c)
		if err != nil {
			if !errors.Is(err, io.EOF) && s.ctx.Err() == nil {
				log.Debug("lockdown read", "err", err)
			}
			return
		}
		inSession := sess.sessionID != ""
		var frame []byte
		bye := false
		if r, ok := replies.get(inSession, payload); ok {
			s.count("lockdown:" + r.name)
			if !s.lockdownDelay() {
				return
			}
			frame = r.frame
		} else {
			req, err := s.requests.decode(payload)
			if err != nil {
				log.Debug("lockdown request", "err", err)
				s.count("lockdown:invalid")
				return
			}
			name := str(req, "Request")
			s.count("lockdown:" + name)
			if log.Enabled(s.ctx, slog.LevelDebug) {
				log.Debug("lockdown request", "request", name, "key", str(req, "Key"), "domain", str(req, "Domain"))
			}
			var resp map[string]any
			resp, bye = sess.answer(req)
			if !s.lockdownDelay() {
				return
			}
			frame, err = EncodeLockdownPlist(resp)
			if s.sc.Garbage == GarbageBombLockdown && name == "GetValue" {
				s.count("garbage")
				bomb := plisttest.Bomb(BombLevels, map[string]string{"Request": name, "Key": str(req, "Key")}, "Value")
				frame = binary.BigEndian.AppendUint32(nil, uint32(len(bomb)))
				frame = append(frame, bomb...)
			}
			if err != nil {
				log.Error("lockdown encode", "err", err)
				return
			}
			if pureRequests[name] && !bye && sess.after == nil && !sess.upgrade {
				replies.put(inSession, payload, cachedReply{name: name, frame: frame})
			}
		}
		if err := s.write(c, frame); err != nil {
			return
		}
		if sess.after != nil {
			sess.after()
			sess.after = nil
		}
		if sess.upgrade {
			sess.upgrade = false
			tc, err := s.serverTLS(c)
			if err != nil {
				log.Debug("lockdown session TLS", "err", err)
				return
			}
			c = tc
		}
		answered++
		if bye {
			return
		}
		if s.sc.LockdownDropAfter > 0 && answered >= s.sc.LockdownDropAfter {
			log.Debug("lockdown-drops: closing tunnel", "answered", answered)
			return
		}
	}
}

// lockdownDelay waits LockdownLatency + rand[0, LockdownJitter); false when the server is closing.
func (s *Server) lockdownDelay() bool {
	d := s.sc.LockdownLatency
	if s.sc.LockdownJitter > 0 {
		d += rand.N(s.sc.LockdownJitter)
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

func lockdownErr(req, e string) map[string]any {
	m := map[string]any{"Error": e}
	if req != "" {
		m["Request"] = req
	}
	return m
}

// answer builds the reply to one request; bye reports the tunnel closes after it.
func (ls *lockdownSession) answer(req map[string]any) (resp map[string]any, bye bool) {
	p := ls.phone
	name := str(req, "Request")
	if name == "Goodbye" {
		return map[string]any{"Request": "Goodbye", "Result": "Success"}, true
	}
	if p.Mode == mode.Restore {
		return ls.answerRestored(name, req), false
	}
	switch name {
	case "QueryType":
		return map[string]any{"Request": name, "Type": "com.apple.mobile.lockdown"}, false
	case "GetValue":
		return ls.getValue(req), false
	case "ValidatePair":
		switch p.Trust {
		case TrustTrusted:
			return map[string]any{"Request": name}, false
		case TrustPending:
			return lockdownErr(name, "PairingDialogResponsePending"), false
		default:
			return lockdownErr(name, "InvalidHostID"), false
		}
	case "Pair":
		switch p.Trust {
		case TrustTrusted:
			return map[string]any{"Request": name, "EscrowBag": []byte("simulated-escrow-bag")}, false
		case TrustDenied:
			return lockdownErr(name, "UserDeniedPairing"), false
		default:
			return lockdownErr(name, "PairingDialogResponsePending"), false
		}
	case "StartSession":
		if p.Trust != TrustTrusted {
			return lockdownErr(name, "InvalidHostID"), false
		}
		if !ls.srv.pairedHost(p.UDID, str(req, "HostID"), str(req, "SystemBUID")) {
			// lockdownd knows the host by the HostID (and SystemBUID) of the
			// pair record it issued; anything else is a stranger.
			return lockdownErr(name, "InvalidHostID"), false
		}
		if ls.sessionID != "" {
			return lockdownErr(name, "SessionActive"), false
		}
		ls.sessionID = newUUID()
		// The session continues inside TLS, as on a real phone, unless the
		// scenario asks for plaintext.
		ls.upgrade = ls.srv.sc.sessionTLS()
		return map[string]any{"Request": name, "SessionID": ls.sessionID, "EnableSessionSSL": ls.srv.sc.sessionTLS()}, false
	case "StopSession":
		if ls.sessionID == "" {
			return lockdownErr(name, "SessionInactive"), false
		}
		ls.sessionID = ""
		return map[string]any{"Request": name}, false
	case "StartService":
		if ls.sessionID == "" {
			return lockdownErr(name, "SessionInactive"), false
		}
		if str(req, "Service") == DiagnosticsRelayService {
			ls.srv.startService(p.DeviceID)
			return map[string]any{"Request": name, "Service": DiagnosticsRelayService, "Port": DiagnosticsRelayPort,
				"EnableServiceSSL": ls.srv.sc.sessionTLS()}, false
		}
		return lockdownErr(name, "InvalidService"), false
	case "EnterRecovery":
		if ls.sessionID == "" && !p.EnterRecoveryWithoutSession {
			return lockdownErr(name, "SessionInactive"), false
		}
		id := p.DeviceID
		ls.after = func() { ls.srv.reboot(id, mode.Recovery) }
		return map[string]any{"Request": name}, false
	case "SetValue", "RemoveValue":
		if ls.sessionID == "" {
			return lockdownErr(name, "SessionInactive"), false
		}
		if name == "SetValue" {
			return lockdownErr(name, "SetProhibited"), false
		}
		return lockdownErr(name, "RemoveProhibited"), false
	default:
		return lockdownErr(name, "UnknownRequest"), false
	}
}

func (ls *lockdownSession) getValue(req map[string]any) map[string]any {
	key, domain := str(req, "Key"), str(req, "Domain")
	resp := map[string]any{"Request": "GetValue"}
	if key != "" {
		resp["Key"] = key
	}
	if domain == BackupDomain && ls.sessionID != "" {
		return ls.phone.backupValue(resp, key)
	}
	if domain != "" {
		resp["Domain"] = domain
		// Only the global domain is simulated.
		resp["Error"] = "MissingValue"
		return resp
	}
	values := ls.phone.publicValues()
	if ls.sessionID != "" {
		values = ls.phone.allValues()
	}
	if key == "" {
		resp["Value"] = values
		return resp
	}
	v, ok := values[key]
	if !ok {
		resp["Error"] = "MissingValue"
		return resp
	}
	resp["Value"] = v
	return resp
}

// answerRestored answers as restored does on a phone in restore mode.
func (ls *lockdownSession) answerRestored(name string, req map[string]any) map[string]any {
	switch name {
	case "QueryType":
		return map[string]any{"Request": name, "Type": "com.apple.mobile.restored", "RestoreProtocolVersion": 15}
	case "QueryValue":
		key := str(req, "QueryKey")
		vals := ls.phone.restoreValues()
		if v, ok := vals[key]; ok {
			return map[string]any{key: v}
		}
		return map[string]any{"Error": "MissingValue", "QueryKey": key}
	default:
		return lockdownErr(name, "UnknownRequest")
	}
}

// pairedHost reports whether hostID and systemBUID are those of the pair
// record for udid: one a client saved (SavePairRecord after Pair), else the
// one the simulator issues (ReadPairRecord). HostIDs compare without regard
// to case; a saved record without a SystemBUID does not check it.
func (s *Server) pairedHost(udid, hostID, systemBUID string) bool {
	wantHost, wantBUID := hostIDFor(udid), s.buid
	s.mu.Lock()
	saved, ok := s.pairRecords[normUDID(udid)]
	s.mu.Unlock()
	if ok {
		var rec struct{ HostID, SystemBUID string }
		if _, err := plist.Unmarshal(saved, &rec); err != nil {
			return false
		}
		wantHost, wantBUID = rec.HostID, rec.SystemBUID
	}
	if hostID == "" || !strings.EqualFold(hostID, wantHost) {
		return false
	}
	return wantBUID == "" || systemBUID == wantBUID
}

// BackupDomain is the lockdown domain of the phone's backup settings,
// the one the client asks (usbmux.ReadBackupSettings).
const BackupDomain = usbmux.BackupDomain

// backupValue answers GetValue in BackupDomain (inside a session): the whole
// domain without a Key, else the one key.
func (p Phone) backupValue(resp map[string]any, key string) map[string]any {
	resp["Domain"] = BackupDomain
	values := map[string]any{
		"CloudBackupEnabled": p.CloudBackup,
		"RequiresEncryption": false,
		"WillEncrypt":        false,
		"Version":            "2.0",
	}
	if key == "" {
		resp["Value"] = values
		return resp
	}
	if v, ok := values[key]; ok {
		resp["Value"] = v
	} else {
		resp["Error"] = "MissingValue"
	}
	return resp
}
