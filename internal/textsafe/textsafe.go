// Package textsafe makes text from outside (a phone, a USB descriptor,
// usbmuxd, lockdownd) safe to print: Clean strips control characters, so an
// escape sequence cannot clear a terminal, set its title or forge a line,
// and caps the length, so one value cannot grow a report to megabytes. It
// runs in linear time and imports nothing from the project; device/usbmux,
// device/usb and the report renderers all call it.
package textsafe

import (
	"strings"
	"unicode/utf8"
)

// MaxValue caps one value read from a phone or usbmuxd (a ProductType, a
// device name, a lockdownd error), in bytes. Real values are under 64.
const MaxValue = 256

// Ellipsis marks a value cut by Clean.
const Ellipsis = "…"

// Clean returns s with every control character removed (C0 and C1 controls,
// DEL, and the Unicode bidirectional overrides that reorder a line; tab,
// newline and carriage return become one space), invalid UTF-8 replaced by
// U+FFFD, and at most max bytes (cut on a character boundary and marked with
// Ellipsis; max <= 0 means no cap). Text that is already clean and short is
// returned as is, without allocating.
func Clean(s string, max int) string {
	if max > 0 && len(s) > max {
		s = cut(s, max-len(Ellipsis)) + Ellipsis
	}
	if IsClean(s) {
		return s
	}
	s = clean(s)
	if max > 0 && len(s) > max {
		// U+FFFD (3 bytes) replaced single invalid bytes: cut again.
		s = cut(s, max-len(Ellipsis)) + Ellipsis
	}
	return s
}

func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unsafeRune(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IsClean reports whether s holds no control character and no invalid UTF-8.
func IsClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune: C0/C1 controls, DEL, and bidi embeddings, overrides and isolates.
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// cut returns the longest prefix of s of at most n bytes that ends on a
// character boundary.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
