// Package idhash is the one redaction of identifiers (UDID, ECID, serial,
// IMEI, nonces) shared by the reports (diagnostics/report) and the restore
// trace files (device/restoretrace): "id-" and the first 8 hex digits of the
// SHA-256 of the normalised identifier. It lives in internal/ so that device/
// can use it without importing diagnostics/. It imports nothing of the project.
package idhash

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// Prefix starts every redacted identifier: "id-" and 8 hex digits.
const Prefix = "id-"

// Hash returns the redacted form of an identifier: Prefix and the first 8
// hex digits of the SHA-256 of Normalize(id). It is stable across runs and
// machines, so two reports or traces of the same phone still match, and the
// UDID and the USB serial of one phone hash alike. An already redacted value
// is returned unchanged.
func Hash(id string) string {
	if IsRedacted(id) {
		return id
	}
	sum := sha256.Sum256([]byte(Normalize(id)))
	return Prefix + hex.EncodeToString(sum[:4])
}

// IsRedacted reports whether s is a Hash result: Prefix and eight lower-case
// hex digits.
func IsRedacted(s string) bool {
	h, ok := strings.CutPrefix(s, Prefix)
	if !ok || len(h) != 8 {
		return false
	}
	for _, c := range []byte(h) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Normalize is the form identifiers are compared and hashed in: lower case,
// without "0x", dashes, colons, brackets or spaces, and without leading
// zeros, so "00008110-001A2B3C4D5E6F70" (UDID) and "00008110001a2b3c4d5e6f70"
// (USB serial) are equal, as are "0x001A2B3C4D5E6F70" and "1a2b3c4d5e6f70" (ECID).
func Normalize(id string) string {
	s := strings.ToLower(strings.TrimSpace(id))
	s = strings.TrimPrefix(s, "0x")
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == ':' || r == '[' || r == ']' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if t := strings.TrimLeft(s, "0"); t != "" {
		s = t
	}
	return s
}
