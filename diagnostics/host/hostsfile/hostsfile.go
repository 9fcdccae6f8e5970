// Package hostsfile parses a hosts file (/etc/hosts,
// %SystemRoot%\System32\drivers\etc\hosts) and finds the lines that map an
// Apple host, above all the servers a restore needs (gs.apple.com for
// signing, albert.apple.com for activation, …). Jailbreak guides and "block
// iOS updates" tools put such lines there and forget them; error 1002 and its
// cousins follow.
//
// Parsing is streaming with bounded memory: lines longer than MaxLineLength
// are cut, reading stops after MaxBytes, and at most MaxEntries matches are
// kept. It tolerates comments, tabs, CRLF, a UTF-8 or UTF-16 byte-order mark,
// several names per line, IPv6 (with zones) and garbage lines. It holds
// mechanism only: no findings, no policy; it must not import app/ or device/.
package hostsfile

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits that keep memory bounded whatever the file holds.
const (
	// MaxLineLength is the longest line parsed; the rest of a longer line is
	// skipped (and counted in Scan.Overlong).
	MaxLineLength = 4096
	// MaxBytes is how much of a file is read; a larger file sets Scan.Truncated.
	MaxBytes = 64 << 20
	// MaxEntries is how many matching entries are kept; Scan.AppleEntries
	// counts them all.
	MaxEntries = 100
	// maxText caps Entry.Text.
	maxText = 200
)

// RestoreHosts are the Apple hosts an iPhone restore or update talks to.
// Redirecting any of them breaks restores.
var RestoreHosts = []string{
	"gs.apple.com",               // TSS: signs the firmware for this phone
	"albert.apple.com",           // activation
	"humb.apple.com",             // activation / device certificates
	"static.ips.apple.com",       // activation assets
	"mesu.apple.com",             // software-update catalogue
	"appldnld.apple.com",         // firmware (IPSW) downloads
	"updates.cdn-apple.com",      // firmware downloads
	"updates-http.cdn-apple.com", // firmware downloads over HTTP
	"itunes.apple.com",           // iTunes / Apple Devices version checks
	"ocsp.apple.com",             // certificate revocation checks during TLS
	"ocsp2.apple.com",
	"valid.apple.com",
}

// AppleDomains are domains whose names (the domain itself and every name
// under it) count as Apple hosts.
var AppleDomains = []string{"apple.com", "cdn-apple.com", "icloud.com", "mzstatic.com"}

// readLimit is MaxBytes; tests lower it to keep the race detector fast.
var readLimit int64 = MaxBytes

var restoreSet = func() map[string]bool {
	m := make(map[string]bool, len(RestoreHosts))
	for _, h := range RestoreHosts {
		m[h] = true
	}
	return m
}()

// Entry is one hosts-file line that maps at least one Apple host.
type Entry struct {
	// Line is the 1-based line number.
	Line int
	// Address is the address the names are mapped to.
	Address string
	// Names are the Apple names on the line (lower case, no trailing dot).
	Names []string
	// Restore is true when one of Names is in RestoreHosts.
	Restore bool
	// Blocks is true when Address is unspecified (0.0.0.0, ::) or loopback:
	// the names are blocked rather than sent elsewhere.
	Blocks bool
	// Text is the line as written, trimmed and capped.
	Text string
}

// Scan is what Parse found.
type Scan struct {
	// Entries are the lines mapping Apple hosts, at most MaxEntries.
	Entries []Entry
	// AppleEntries counts every such line, kept or not.
	AppleEntries int
	// Lines is how many lines were read.
	Lines int
	// Mappings counts lines with a valid address and at least one name.
	Mappings int
	// Garbage counts non-blank, non-comment lines that are not mappings.
	Garbage int
	// Overlong counts lines longer than MaxLineLength (parsed up to the cut).
	Overlong int
	// Truncated is true when reading stopped at MaxBytes.
	Truncated bool
	// Encoding is "utf-8", "utf-8-bom", "utf-16le" or "utf-16be".
	Encoding string
}

// Parse reads a hosts file from r. It fails only when reading fails or ctx
// ends; malformed content is counted, never an error.
func Parse(ctx context.Context, r io.Reader) (Scan, error) {
	var s Scan
	lr := &io.LimitedReader{R: r, N: readLimit + 1}
	br := bufio.NewReaderSize(lr, MaxLineLength+1)
	s.Encoding = "utf-8"
	switch head, _ := br.Peek(3); {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		s.Encoding = "utf-8-bom"
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		s.Encoding = "utf-16le"
		if head[0] == 0xFE {
			s.Encoding = "utf-16be"
		}
		// Notepad's "Unicode": decode to UTF-8 (BOMOverride consumes the BOM).
		dec := unicode.BOMOverride(unicode.UTF8.NewDecoder())
		br = bufio.NewReaderSize(transform.NewReader(br, dec), MaxLineLength+1)
	}

	for {
		if s.Lines%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return s, fmt.Errorf("hostsfile: parse stopped at line %d: %w", s.Lines, err)
			}
		}
		line, overlong, err := readLine(br)
		if len(line) > 0 || err == nil {
			s.Lines++
			if overlong {
				s.Overlong++
			}
			s.add(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return s, fmt.Errorf("hostsfile: read line %d: %w", s.Lines+1, err)
		}
	}
	if lr.N <= 0 {
		s.Truncated = true
	}
	return s, nil
}

// readLine returns the next line without its terminator, at most
// MaxLineLength bytes; the rest of a longer line is read and dropped.
func readLine(br *bufio.Reader) (line []byte, overlong bool, err error) {
	b, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		overlong = true
		line = append([]byte(nil), b[:MaxLineLength]...)
		// Cut at the last separator so a name is not split in two.
		if i := bytes.LastIndexAny(line, " \t"); i > 0 {
			line = line[:i]
		}
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		if err == nil || err == io.EOF {
			return line, true, err
		}
		return line, true, err
	}
	return bytes.TrimRight(b, "\r\n"), false, err
}

func (s *Scan) add(raw []byte) {
	// Hot path for big block lists: no allocation unless the line holds an
	// Apple name or its address must be parsed.
	if i := bytes.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	first, rest := nextField(raw)
	if first == nil {
		return
	}
	addr, err := netip.ParseAddr(string(first))
	if err != nil {
		s.Garbage++
		return
	}
	var apple []string
	restore, names := false, 0
	var lower [maxNameLen]byte
	for f, r := nextField(rest); f != nil; f, r = nextField(r) {
		n := bytes.TrimSuffix(f, []byte("."))
		if len(n) == 0 {
			continue
		}
		names++
		if len(n) > maxNameLen {
			continue // longer than any DNS name: cannot be an Apple host
		}
		l := lower[:len(n)]
		for i, c := range n {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			l[i] = c
		}
		if isApple, isRestore := classifyBytes(l); isApple {
			apple = append(apple, string(l))
			restore = restore || isRestore
		}
	}
	if names == 0 {
		s.Garbage++
		return
	}
	s.Mappings++
	if len(apple) == 0 {
		return
	}
	s.AppleEntries++
	if len(s.Entries) >= MaxEntries {
		return
	}
	s.Entries = append(s.Entries, Entry{
		Line:    s.Lines,
		Address: addr.String(),
		Names:   apple,
		Restore: restore,
		Blocks:  addr.IsUnspecified() || addr.IsLoopback(),
		Text:    cleanText(raw),
	})
}

// maxNameLen is the longest DNS name (RFC 1035).
const maxNameLen = 253

// nextField splits off the first whitespace-separated field of b, with the
// same separators as strings.Fields for ASCII (space, \t, \n, \v, \f, \r).
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, nil
	}
	j := i
	for j < len(b) && !isSpace(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func classifyBytes(name []byte) (apple, restore bool) {
	if restoreSet[string(name)] { // no allocation: map index by converted bytes
		return true, true
	}
	for _, d := range AppleDomains {
		if bytes.HasSuffix(name, []byte(d)) {
			k := len(name) - len(d)
			if k == 0 || name[k-1] == '.' {
				return true, false
			}
		}
	}
	return false, false
}

// LineKind says what ParseLine found.
type LineKind int

// Line kinds.
const (
	// LineBlank is an empty or comment-only line.
	LineBlank LineKind = iota
	// LineMapping is an address followed by at least one name.
	LineMapping
	// LineGarbage is anything else.
	LineGarbage
)

// Classify says whether name (lower case, no trailing dot) is an Apple host
// and whether it is one of the RestoreHosts.
func Classify(name string) (apple, restore bool) {
	if restoreSet[name] {
		return true, true
	}
	for _, d := range AppleDomains {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true, false
		}
	}
	return false, false
}

// cleanText makes a line safe and short enough for evidence.
func cleanText(raw []byte) string {
	t := strings.TrimSpace(strings.ToValidUTF8(string(raw), "\uFFFD"))
	t = strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, t)
	if len(t) > maxText {
		cut := maxText
		for cut > 0 && !utf8.RuneStart(t[cut]) {
			cut--
		}
		t = t[:cut] + "…"
	}
	return t
}
