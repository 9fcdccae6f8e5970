package usbmux

import (
	"context"
	"errors"
	"time"
)

// BackupDomain is the lockdown domain holding the phone's backup settings:
// CloudBackupEnabled (iCloud Backup on), WillEncrypt (a local backup
// password is set), LastiTunesBackupDate. libimobiledevice reads WillEncrypt
// there (idevicebackup2) and lists the domain in ideviceinfo (`ideviceinfo -q
// com.apple.mobile.backup`, whose output shows CloudBackupEnabled:
// libimobiledevice issue #1344); it answers inside a paired session only.
const BackupDomain = "com.apple.mobile.backup"

// BackupSettings are the phone's backup settings as lockdownd tells a
// trusted computer. A nil pointer or zero time: the phone did not say.
type BackupSettings struct {
	// CloudBackupEnabled: iCloud Backup is on.
	CloudBackupEnabled *bool
	// WillEncrypt: backups to a computer are encrypted (a password is set).
	WillEncrypt *bool
	// LastComputerBackup is LastiTunesBackupDate: when a computer (any
	// computer, not necessarily this one) last backed the phone up.
	LastComputerBackup time.Time
}

// ErrNotNormalMode: the phone does not run iOS normally (restore mode), so
// lockdownd's settings cannot be asked.
var ErrNotNormalMode = errors.New("the iPhone is not running iOS normally")

// macEpoch is the Core Foundation reference date lockdownd counts from.
var macEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// ReadBackupSettings asks lockdownd on e for BackupDomain: QueryType (it
// must be lockdownd, not restored), a paired session (a phone that does not
// trust this computer fails with an error matching ErrNeedsTrust), then one
// GetValue of the whole domain. It is read-only: nothing is set. Every
// exchange has RequestTimeout and the reply passes the frame guard's size
// and shape limits before it is decoded.
func (c *Client) ReadBackupSettings(ctx context.Context, e Entry) (BackupSettings, error) {
	var out BackupSettings
	s, err := c.openLockdown(ctx, e, "read backup settings of "+e.UDID)
	if err != nil {
		return out, err
	}
	defer func() { s.close() }()
	r, _, err := s.requestRaw(queryTypeRequest())
	if err != nil {
		return out, err
	}
	if r.Error != "" {
		return out, s.failReply(&ReplyError{Service: "lockdownd", Request: "QueryType", Message: r.Error})
	}
	if r.Type != TypeLockdown {
		return out, s.failReply(ErrNotNormalMode)
	}
	if _, err := c.startSession(ctx, s, e.UDID, "GetValue "+BackupDomain); err != nil {
		return out, err
	}
	r, _, err = s.requestRaw(ldRequest{Label: label, Request: "GetValue", Domain: BackupDomain})
	if err != nil {
		return out, err
	}
	if r.Error != "" {
		return out, s.failReply(&ReplyError{Service: "lockdownd", Request: "GetValue " + BackupDomain, Message: r.Error})
	}
	m, ok := r.Value.(map[string]any)
	if !ok {
		return out, s.failReply(&causeError{kind: ErrProtocol, cause: errors.New("lockdownd's " + BackupDomain + " is not a dictionary")})
	}
	if v, ok := m["CloudBackupEnabled"].(bool); ok {
		out.CloudBackupEnabled = &v
	}
	if v, ok := m["WillEncrypt"].(bool); ok {
		out.WillEncrypt = &v
	}
	out.LastComputerBackup = macTime(m["LastiTunesBackupDate"])
	return out, nil
}

// macTime reads a date lockdownd gives as seconds since 2001-01-01 (or as a
// plist date); zero when absent, of another type or out of range.
func macTime(v any) time.Time {
	var secs float64
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case uint64:
		secs = float64(t)
	case int64:
		secs = float64(t)
	case float64:
		secs = t
	default:
		return time.Time{}
	}
	if secs <= 0 || secs > 100*365.25*24*3600 {
		return time.Time{}
	}
	return macEpoch.Add(time.Duration(secs * float64(time.Second)))
}
