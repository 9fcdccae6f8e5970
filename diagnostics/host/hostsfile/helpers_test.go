package hostsfile

import (
	"bytes"
	"net/netip"
	"strings"
)

// Test helpers: ParseLine is the line-at-a-time oracle FuzzParseLine checks
// the streaming parser against.

// RestoreRedirected reports whether any entry maps a RestoreHosts name.
func (s Scan) RestoreRedirected() bool {
	for _, e := range s.Entries {
		if e.Restore {
			return true
		}
	}
	return false
}

// ParseLine parses one hosts-file line (without its terminator): an IP
// address, whitespace, one or more names, an optional # comment. Names come
// back lower case without a trailing dot.
func ParseLine(raw []byte) (netip.Addr, []string, LineKind) {
	if i := bytes.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	var fields []string
	for f, r := nextField(raw); f != nil; f, r = nextField(r) {
		fields = append(fields, string(f))
	}
	if len(fields) == 0 {
		return netip.Addr{}, nil, LineBlank
	}
	addr, err := netip.ParseAddr(fields[0])
	if err != nil || len(fields) < 2 {
		return netip.Addr{}, nil, LineGarbage
	}
	names := make([]string, 0, len(fields)-1)
	for _, f := range fields[1:] {
		if n := strings.TrimSuffix(strings.ToLower(f), "."); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return netip.Addr{}, nil, LineGarbage
	}
	return addr, names, LineMapping
}
