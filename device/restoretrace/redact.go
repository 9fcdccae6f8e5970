package restoretrace

import (
	"maps"

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

// Redact returns e with its identifiers replaced by idhash.Hash, the same
// hash the reports use: Key (hashed whole, as a report hashes devices[].key,
// so the two match) and the identifying iBoot fields. It does not change e (the IBoot map is copied). Redacting a
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

// RedactKey is the redacted form of a phone key: idhash.Hash of the whole
// key ("ecid:001A…" → "id-…"), as reports redact devices[].key; "" stays "".
func RedactKey(key string) string {
	if key == "" {
		return ""
	}
	return idhash.Hash(key)
}
