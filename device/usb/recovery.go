package usb

import (
	"errors"
	"strconv"
	"strings"
)

// ErrNotRecoverySerial is returned by ParseRecoverySerial for a string with no
// KEY:VALUE field at all (a normal-mode serial, garbage).
var ErrNotRecoverySerial = errors.New("usb: not an iBoot serial string")

// ParseRecoverySerial parses the iBoot serial string of a device in recovery
// or DFU mode: space-separated KEY:VALUE fields, values possibly in brackets
// ("SRTG:[iBoot-10151.41.12]"; brackets are removed, a bracketed value may
// contain spaces). Keys may come in any order or be missing; unknown keys go
// to Extra; a repeated key keeps its first value; tokens without a colon are
// ignored. It never panics and reads at most the first 4096 bytes.
func ParseRecoverySerial(s string) (RecoveryInfo, error) {
	const maxLen = 4096
	if len(s) > maxLen {
		s = s[:maxLen]
	}
	var info RecoveryInfo
	found := false
	for i := 0; i < len(s); {
		// Skip separators.
		for i < len(s) && isSep(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		for i < len(s) && !isSep(s[i]) && s[i] != ':' {
			i++
		}
		if i >= len(s) || s[i] != ':' {
			continue // a token without a colon
		}
		key := s[start:i]
		i++ // the colon
		var val string
		if i < len(s) && s[i] == '[' {
			end := strings.IndexByte(s[i+1:], ']')
			if end < 0 {
				val = s[i+1:]
				i = len(s)
			} else {
				val = s[i+1 : i+1+end]
				i += end + 2
			}
		} else {
			vs := i
			for i < len(s) && !isSep(s[i]) {
				i++
			}
			// A stray closing bracket outside brackets is noise, never part of a value.
			val = strings.ReplaceAll(s[vs:i], "]", "")
		}
		if key == "" {
			continue
		}
		found = true
		info.set(key, val)
	}
	if !found {
		return RecoveryInfo{}, ErrNotRecoverySerial
	}
	return info, nil
}

func isSep(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0 }

func (r *RecoveryInfo) set(key, val string) {
	var dst *string
	switch key {
	case "SDOM":
		dst = &r.SDOM
	case "CPID":
		dst = &r.CPID
	case "CPRV":
		dst = &r.CPRV
	case "CPFM":
		dst = &r.CPFM
	case "SCEP":
		dst = &r.SCEP
	case "BDID":
		dst = &r.BDID
	case "ECID":
		dst = &r.ECID
	case "IBFL":
		dst = &r.IBFL
	case "SRTG":
		dst = &r.SRTG
	case "SRNM":
		dst = &r.SRNM
	case "IMEI":
		dst = &r.IMEI
	case "NONC":
		dst = &r.NONC
	case "SNON":
		dst = &r.SNON
	default:
		if r.Extra == nil {
			r.Extra = make(map[string]string)
		}
		if _, dup := r.Extra[key]; !dup {
			r.Extra[key] = val
		}
		return
	}
	if *dst == "" {
		*dst = val
	}
}

// CPIDValue is the chip id as a number (0x8110 for Phone A); ok is false when
// the field is missing or not hexadecimal.
func (r RecoveryInfo) CPIDValue() (uint32, bool) { return parseHex32(r.CPID) }

// BDIDValue is the board id as a number (0x0E for Phone A).
func (r RecoveryInfo) BDIDValue() (uint32, bool) { return parseHex32(r.BDID) }

// ECIDValue is the unique chip id as a number.
func (r RecoveryInfo) ECIDValue() (uint64, bool) {
	v, err := strconv.ParseUint(r.ECID, 16, 64)
	return v, err == nil
}

func parseHex32(s string) (uint32, bool) {
	v, err := strconv.ParseUint(s, 16, 32)
	return uint32(v), err == nil
}
