package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/restoredoctor/restoredoctor/internal/idhash"
)

// RedactedPrefix starts every redacted identifier: "id-" and 8 hex digits.
const RedactedPrefix = idhash.Prefix

// HashID returns the redacted form of an identifier (idhash.Hash: "id-" and
// the first 8 hex digits of the SHA-256 of the normalised identifier). It is
// stable across runs and machines, so two reports of the same phone (before
// and after a fix) still match, and the UDID and the USB serial of one phone
// hash alike; restore traces (device/restoretrace) hash with the same
// function. An already redacted value is returned unchanged.
func HashID(id string) string { return idhash.Hash(id) }

// IsRedacted reports whether s is a HashID result: RedactedPrefix and eight
// lower-case hex digits.
func IsRedacted(s string) bool { return idhash.IsRedacted(s) }

// NormalizeID is the form identifiers are compared and hashed in
// (idhash.Normalize): lower case, without "0x", dashes, colons, brackets or
// spaces, and without leading zeros.
func NormalizeID(id string) string { return idhash.Normalize(id) }

// identifierKeys are evidence keys (compared lower case, without "_" and
// "-") whose values are identifiers and are always hashed.
var identifierKeys = map[string]bool{
	"udid": true, "uniquedeviceid": true, "serial": true, "serialnumber": true,
	"usbserial": true, "ecid": true, "uniquechipid": true, "imei": true, "imei2": true,
	"meid": true, "iccid": true, "srnm": true, "nonce": true, "nonc": true, "snon": true,
	"apnonce": true, "sepnonce": true, "key": true, "devicekey": true, "devicename": true,
	"phonenumber": true, "wifiaddress": true, "bluetoothaddress": true, "macaddress": true,
}

var keyNormalizer = strings.NewReplacer("_", "", "-", "")

func isIdentifierKey(k string) bool {
	return identifierKeys[strings.ToLower(keyNormalizer.Replace(k))]
}

// Identifier shapes found in free text (summaries, details, reasons, error
// strings inside evidence): new-style UDIDs (8-16 hex with or without dash),
// 40-hex UDIDs, nonces and other long hex, 0x-prefixed ECIDs, IMEIs and
// decimal ECIDs, and 10–12 character upper-case serial numbers.
var shapeRE = sync.OnceValue(func() *regexp.Regexp { // compiled on first use, not at start-up
	return regexp.MustCompile(strings.Join([]string{
		`\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16}\b`, // 00008110-001A2B3C4D5E6F70
		`\b(?:0[xX])?[0-9A-Fa-f]{16,}\b`,     // 40-hex UDID, 24-hex serial, ECID, nonces
		`\b0[xX][0-9A-Fa-f]{11,15}\b`,        // ECID without leading zeros
		`\b[0-9]{14,15}\b`,                   // IMEI, decimal ECID (16+ digits: previous)
		`\b[A-Z0-9]{10,12}\b`,                // serial numbers (filtered: letters and digits)
	}, "|"))
})

// minKnownLen is the shortest normalised identifier scrubbed from text by
// value: shorter values ("1-2" as a device key) would erase ordinary numbers.
const minKnownLen = 8

// redactor replaces identifiers in strings: the known values collected from
// the report first, then anything shaped like an identifier.
type redactor struct {
	// knownLower are the known values in lower case, longest first.
	knownLower []string
	// trie holds knownLower byte by byte: ASCII text, the usual case, is
	// scanned for the longest known value at each position (replaceKnown),
	// which is what the regular expression below matches. With many phones
	// that expression has hundreds of alternatives, and compiling and
	// running it over every detail string grew with the square of the
	// phone count.
	trie []trieNode
	// asciiKnown: every known value is ASCII, so the scan can be used.
	asciiKnown bool
	// pattern is the case-insensitive alternation of the known values,
	// longest first; known is compiled from it on first use, for text or
	// values that are not ASCII (its case folding knows non-ASCII letters).
	pattern   string
	knownOnce sync.Once
	known     *regexp.Regexp
}

// trieNode is a node of redactor.trie: end when a known value ends here.
type trieNode struct {
	edges []trieEdge
	end   bool
}

type trieEdge struct {
	b  byte
	to int32
}

func newRedactor(r *Report) *redactor {
	var vals []string
	add := func(s string) {
		if s == "" || IsRedacted(s) || len(NormalizeID(s)) < minKnownLen {
			return
		}
		vals = append(vals, s, NormalizeID(s), strings.ReplaceAll(s, "-", ""))
		if n := strings.TrimPrefix(strings.ToLower(s), "0x"); n != strings.ToLower(s) {
			vals = append(vals, n)
		}
	}
	for _, d := range r.Devices {
		add(d.Key)
		if _, id, ok := strings.Cut(d.Key, ":"); ok {
			add(id) // "ecid:<ECID>": the ECID also appears bare and inside UDIDs
		}
		if rec := d.Recovery; rec != nil {
			for _, v := range []string{rec.ECID, rec.SRNM, rec.IMEI, rec.NONC, rec.SNON} {
				add(v)
			}
		}
	}
	for _, f := range r.Findings {
		add(f.DeviceKey)
		collectIdentifiers(f.Evidence, add)
	}
	if rt := r.RestoreTimeline; rt != nil {
		add(rt.DeviceKey)
		if _, id, ok := strings.Cut(rt.DeviceKey, ":"); ok {
			add(id)
		}
	}
	if len(vals) == 0 {
		return &redactor{}
	}
	slices.SortFunc(vals, func(a, b string) int { return len(b) - len(a) }) // longest first
	vals = slices.Compact(vals)
	quoted := make([]string, len(vals))
	lower := make([]string, len(vals))
	rd := &redactor{asciiKnown: true, trie: []trieNode{{}}}
	for i, v := range vals {
		quoted[i] = regexp.QuoteMeta(v)
		lower[i] = strings.ToLower(v)
		rd.asciiKnown = rd.asciiKnown && isASCII(lower[i])
		rd.insert(lower[i])
	}
	rd.knownLower, rd.pattern = lower, `(?i)`+strings.Join(quoted, "|")
	return rd
}

// insert adds the lower-case value v to the trie.
func (rd *redactor) insert(v string) {
	n := int32(0)
	for i := 0; i < len(v); i++ {
		next := rd.child(n, v[i])
		if next < 0 {
			next = int32(len(rd.trie))
			rd.trie = append(rd.trie, trieNode{})
			rd.trie[n].edges = append(rd.trie[n].edges, trieEdge{v[i], next})
		}
		n = next
	}
	rd.trie[n].end = true
}

// child is the trie node below node n by byte b, -1 when there is none.
func (rd *redactor) child(n int32, b byte) int32 {
	for _, e := range rd.trie[n].edges {
		if e.b == b {
			return e.to
		}
	}
	return -1
}

// longestAt is the length of the longest known value starting at s[i]
// (ASCII letters in either case), 0 when none does.
func (rd *redactor) longestAt(s string, i int) int {
	best, n := 0, int32(0)
	for j := i; j < len(s); j++ {
		next := rd.child(n, lowerASCII(s[j]))
		if next < 0 {
			break
		}
		n = next
		if rd.trie[n].end {
			best = j - i + 1
		}
	}
	return best
}

// knownRE is the regular expression of the known values, compiled on first use.
func (rd *redactor) knownRE() *regexp.Regexp {
	rd.knownOnce.Do(func() { rd.known = regexp.MustCompile(rd.pattern) })
	return rd.known
}

// replaceKnown replaces every known value in s with its HashID, as
// knownRE().ReplaceAllStringFunc(s, HashID) does: leftmost match first, the
// longest value at a position, ASCII letters matched in either case.
func (rd *redactor) replaceKnown(s string) string {
	if !rd.asciiKnown || !isASCII(s) {
		if !rd.mayContainKnown(s) {
			return s
		}
		return rd.knownRE().ReplaceAllStringFunc(s, HashID)
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		n := rd.longestAt(s, i)
		if n == 0 {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(HashID(s[i : i+n]))
		i += n
		last = i
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// collectIdentifiers passes every string or number under an identifier key
// (at any depth) to add.
func collectIdentifiers(v any, add func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if isIdentifierKey(k) {
				switch s := e.(type) {
				case string:
					add(s)
				case []string:
					for _, e := range s {
						add(e)
					}
				case []any:
					for _, e := range s {
						if str, ok := e.(string); ok {
							add(str)
						}
					}
				}
				continue
			}
			collectIdentifiers(e, add)
		}
	case []any:
		for _, e := range x {
			collectIdentifiers(e, add)
		}
	}
}

// text scrubs identifiers from free text.
func (rd *redactor) text(s string) string {
	if s == "" {
		return s
	}
	if len(rd.knownLower) > 0 {
		s = rd.replaceKnown(s)
	}
	if !mayHaveShape(s) {
		return s
	}
	return shapeRE().ReplaceAllStringFunc(s, func(m string) string {
		if isSerialShape(m) && !hasLetterAndDigit(m) {
			return m
		}
		return HashID(m)
	})
}

func (rd *redactor) mayContainKnown(s string) bool {
	l := strings.ToLower(s)
	for _, k := range rd.knownLower {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

// mayHaveShape is false when no identifier shape of shapeRE can be in s, so
// most texts skip the expression (and a report without such text never
// compiles it). Every shape holds 11 or more hexadecimal digits in a row
// (the 16-digit half of a new-style UDID, long hex, 0x ECIDs, 14+ decimal
// digits) or 10 or more upper-case letters and digits (serial numbers);
// ordinary words such as "restoredoctor" or "Information" have neither.
func mayHaveShape(s string) bool {
	hexRun, upperRun := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		digit := c >= '0' && c <= '9'
		upper := c >= 'A' && c <= 'Z'
		if digit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			hexRun++
		} else {
			hexRun = 0
		}
		if digit || upper {
			upperRun++
		} else {
			upperRun = 0
		}
		if hexRun >= 11 || upperRun >= 10 {
			return true
		}
	}
	return false
}

// isSerialShape: a token of 10–12 upper-case letters and digits, which is
// only a serial number when it mixes both ("CONNECTION" and "1234567890" are not).
func isSerialShape(m string) bool {
	return len(m) >= 10 && len(m) <= 12 && strings.IndexFunc(m, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0
}

func hasLetterAndDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789") && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// hashValue redacts a value stored under an identifier key.
func hashValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return x
		}
		return HashID(x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = HashID(s)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = hashValue(e)
		}
		return out
	case int, int64, uint64, uint32, int32, uint, json.Number:
		return HashID(fmt.Sprintf("%x", toUint(x)))
	case float64:
		return HashID(fmt.Sprintf("%x", uint64(x)))
	}
	return HashID(fmt.Sprint(v))
}

func toUint(v any) uint64 {
	switch x := v.(type) {
	case int:
		return uint64(x)
	case int64:
		return uint64(x)
	case int32:
		return uint64(x)
	case uint:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return uint64(n)
		}
	}
	return 0
}

// value deep-copies an evidence value, hashing identifier keys and
// scrubbing strings. Values of other types are first turned into plain JSON
// values so nothing escapes the scrubber.
func (rd *redactor) value(v any) any {
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, json.Number:
		return x
	case string:
		return rd.text(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if isIdentifierKey(k) {
				out[k] = hashValue(e)
			} else {
				out[k] = rd.value(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rd.value(e)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = rd.text(e)
		}
		return out
	case []int:
		return slices.Clone(x)
	case []float64:
		return slices.Clone(x)
	}
	// Anything else (structs, typed maps): through JSON to plain values.
	b, err := json.Marshal(v)
	if err != nil {
		return rd.text(fmt.Sprint(v))
	}
	var plain any
	if err := json.Unmarshal(b, &plain); err != nil {
		return rd.text(string(b))
	}
	return rd.value(plain)
}

// Redact returns a deep copy of r with every identifier replaced by its
// HashID: device keys (devices[].key and findings[].device_key), the
// recovery string's ECID, SRNM, IMEI and nonces, values under identifier
// keys in evidence (udid, serial, ecid, imei, device_name, …), and any
// identifier-shaped text (UDIDs, ECIDs, IMEIs, serial numbers) in
// summaries, details, reasons and evidence strings. r is not modified.
// Redacting twice gives the same result as redacting once.
func Redact(r Report) Report {
	rd := newRedactor(&r)
	out := r
	out.Summary = rd.text(r.Summary)
	out.BackupSummary = rd.texts(r.BackupSummary)
	if r.IncompleteReasons != nil {
		out.IncompleteReasons = make([]string, len(r.IncompleteReasons))
		for i, s := range r.IncompleteReasons {
			out.IncompleteReasons[i] = rd.text(s)
		}
	}
	out.Host.Usbmuxd.Address = rd.text(r.Host.Usbmuxd.Address)

	if r.Devices != nil {
		out.Devices = make([]Device, len(r.Devices))
		for i, d := range r.Devices {
			d.Key = HashID(d.Key)
			d.USB.PortPath = slices.Clone(d.USB.PortPath)
			if d.Lockdown.Trusted != nil {
				t := *d.Lockdown.Trusted
				d.Lockdown.Trusted = &t
			}
			if d.Recovery != nil {
				rec := *d.Recovery
				for _, p := range []*string{&rec.ECID, &rec.SRNM, &rec.IMEI, &rec.NONC, &rec.SNON} {
					if *p != "" {
						*p = HashID(*p)
					}
				}
				d.Recovery = &rec
			}
			out.Devices[i] = d
		}
	}
	if r.Checks != nil {
		out.Checks = make([]Check, len(r.Checks))
		for i, c := range r.Checks {
			c.Detail = rd.text(c.Detail)
			out.Checks[i] = c
		}
	}
	if r.Findings != nil {
		out.Findings = make([]Finding, len(r.Findings))
		for i, f := range r.Findings {
			f.Summary = rd.text(f.Summary)
			if f.DeviceKey != "" {
				f.DeviceKey = HashID(f.DeviceKey)
			}
			if f.Evidence != nil {
				f.Evidence = rd.value(f.Evidence).(map[string]any)
			}
			f.Steps = slices.Clone(f.Steps)
			out.Findings[i] = f
		}
	}
	if r.Steps != nil {
		out.Steps = make([]Step, len(r.Steps))
		for i, s := range r.Steps {
			if s.Rank != nil {
				n := *s.Rank
				s.Rank = &n
			}
			if s.Confidence != nil {
				c := *s.Confidence
				s.Confidence = &c
			}
			s.Reasons = rd.texts(s.Reasons)
			out.Steps[i] = s
		}
	}
	out.Professional.Reasons = rd.texts(r.Professional.Reasons)
	out.RestoreTimeline = rd.restoreTimeline(r.RestoreTimeline)
	if r.PrimaryStep != nil {
		n := *r.PrimaryStep
		out.PrimaryStep = &n
	}
	return out
}

func (rd *redactor) texts(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = rd.text(s)
	}
	return out
}

// restoreTimeline redacts a copy of rt: the device key hashed, identifiers in
// its texts replaced.
func (rd *redactor) restoreTimeline(rt *RestoreTimeline) *RestoreTimeline {
	if rt == nil {
		return nil
	}
	out := *rt
	if out.DeviceKey != "" {
		out.DeviceKey = HashID(out.DeviceKey)
	}
	out.Source = rd.text(rt.Source)
	out.IncompleteReasons = rd.texts(rt.IncompleteReasons)
	if rt.Stages != nil {
		out.Stages = make([]RestoreStage, len(rt.Stages))
		for i, s := range rt.Stages {
			s.SpeedsMbps = slices.Clone(s.SpeedsMbps)
			if s.UsbmuxListed != nil {
				l := *s.UsbmuxListed
				s.UsbmuxListed = &l
			}
			s.Inferred = rd.text(s.Inferred)
			s.Wrong = rd.text(s.Wrong)
			out.Stages[i] = s
		}
	}
	out.Verdict.Summary = rd.text(rt.Verdict.Summary)
	out.Verdict.Steps = slices.Clone(rt.Verdict.Steps)
	out.Verdict.Evidence = rd.texts(rt.Verdict.Evidence)
	return &out
}
