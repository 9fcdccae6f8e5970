// Package hexid parses the hexadecimal chip ids (CPID, BDID) that iBoot serial
// strings and the model table write: one rule for both, so the table and the
// lookups agree on what "0x0E", "0E" and "e" mean.
package hexid

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse parses a hexadecimal 32-bit number: surrounding space is ignored, a
// "0x" or "0X" prefix is optional, at most 8 digits, no sign.
func Parse(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	if s == "" || len(s) > 8 {
		return 0, fmt.Errorf("model: %q is not a 32-bit hexadecimal number", s)
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("model: %q is not a 32-bit hexadecimal number: %w", s, err)
	}
	return uint32(v), nil
}
