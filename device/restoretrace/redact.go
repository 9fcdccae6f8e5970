package restoretrace

import (
	"maps"
	"strings"

	"github.com/restoredoctor/restoredoctor/internal/idhash"
)

// ibootPublic are the iBoot serial-string fields that name the chip, the
// board and the boot stage, not the phone: they stay readable in a redacted
// trace. Every other field (ECID, SRNM, IMEI, NONC, SNON and any key this
// list does not know) is hashed.
var ibootPublic = map[string]bool{
	"SDOM": true, "CPID": true, "CPRV": true, "CPFM": true, "SCEP": true,
	"BDID": true, "IBFL": true, "SRTG": true, "PWND": true,
}

// keyPrefixes are the phone-key kinds (device.Key) whose value is an
// identifier. "usb:<bus-ports>" and "usbmux:<DeviceID>" name a port or a
// handle of this computer and stay as they are.
var keyPrefixes = []string{"ecid:", "udid:"}

// Redact returns e with its identifiers replaced by idhash.Hash, the same
// hash the reports use: the identifier part of Key and the identifying
// iBoot fields. It does not change e (the IBoot map is copied). Redacting a
// redacted event changes nothing.
func Redact(e Event) Event {
	e.Key = RedactKey(e.Key)
	if e.USB != nil && len(e.USB.IBoot) > 0 {
		u := *e.USB
		u.IBoot = maps.Clone(u.IBoot)
		for k, v := range u.IBoot {
			if !ibootPublic[k] && v != "" {
				u.IBoot[k] = idhash.Hash(v)
			}
		}
		e.USB = &u
	}
	return e
}

// RedactKey hashes the identifier inside a phone key ("ecid:…" → "ecid:id-…").
func RedactKey(key string) string {
	for _, p := range keyPrefixes {
		if v, ok := strings.CutPrefix(key, p); ok && v != "" {
			return p + idhash.Hash(v)
		}
	}
	return key
}
