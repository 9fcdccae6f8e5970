// Package plistlimit checks a plist from outside (usbmuxd, lockdownd, or a
// client of the simulator) against size limits without decoding it: it walks
// a binary plist's offset table and object references, or scans an XML
// plist's tags, and allocates only a small table per object. A plist that
// passes can be decoded by howett.net/plist (through go-ios or directly) in
// bounded memory and time; one that does not is rejected with a *LimitError.
//
// The walk counts what a decoder would materialise: a binary plist may refer
// to one object from many places (CoreFoundation shares equal strings and
// numbers, so shared references are legal), and a few hundred bytes of
// shared arrays expand to billions of objects. Expanded sizes are memoised
// per object, so the check is linear in the input.
//
// It imports nothing from the project and is used by device/usbmux (the
// frame guard) and device/usbmux/sim.
package plistlimit

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Limits bounds what a plist may contain. Zero fields take Default's values.
type Limits struct {
	// MaxObjects caps the objects stored in the plist (binary: the offset
	// table's count; XML: the value elements).
	MaxObjects int
	// MaxExpanded caps the objects a decoder would create once every shared
	// reference is expanded.
	MaxExpanded int
	// MaxDepth caps the nesting of arrays and dictionaries (the top level is 1).
	MaxDepth int
	// MaxString caps one string, key or data value, in bytes as stored.
	MaxString int
	// MaxExpandedBytes caps the string, key and data bytes a decoder would
	// create once every shared reference is expanded.
	MaxExpandedBytes int
}

// Default are the limits for usbmuxd and lockdownd messages. Real ones hold
// tens of objects (a device list of 32 phones about 600), nest 4 deep, and
// carry strings of a few KiB at most (certificates in a pair record).
var Default = Limits{
	MaxObjects:       1 << 16,
	MaxExpanded:      1 << 16,
	MaxDepth:         32,
	MaxString:        256 << 10,
	MaxExpandedBytes: 8 << 20,
}

func (l Limits) withDefaults() Limits {
	if l.MaxObjects <= 0 {
		l.MaxObjects = Default.MaxObjects
	}
	if l.MaxExpanded <= 0 {
		l.MaxExpanded = Default.MaxExpanded
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = Default.MaxDepth
	}
	if l.MaxString <= 0 {
		l.MaxString = Default.MaxString
	}
	if l.MaxExpandedBytes <= 0 {
		l.MaxExpandedBytes = Default.MaxExpandedBytes
	}
	return l
}

// Sentinel causes; test with errors.Is.
var (
	// ErrNotPlist: the bytes are neither an XML nor a binary plist.
	ErrNotPlist = errors.New("not a plist")
	// ErrMalformed: the plist is cut short or its structure is inconsistent
	// (references out of range, a reference cycle, unbalanced tags).
	ErrMalformed = errors.New("malformed plist")
	// ErrNotDict: the top-level object is not a dictionary.
	ErrNotDict = errors.New("top level is not a dictionary")
	// ErrLimit: the plist exceeds one of the Limits.
	ErrLimit = errors.New("plist over a limit")
)

// LimitError says which limit a plist broke, or why it is not an acceptable plist.
type LimitError struct {
	Kind   error  // one of the sentinels
	Detail string // "expands to more than 65536 objects", "nested deeper than 32", …
}

func (e *LimitError) Error() string {
	if e.Detail == "" {
		return e.Kind.Error()
	}
	return e.Kind.Error() + ": " + e.Detail
}

// Unwrap returns the sentinel.
func (e *LimitError) Unwrap() error { return e.Kind }

func fail(kind error, format string, args ...any) error {
	return &LimitError{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// Kind is the type of a plist value.
type Kind uint8

// Value kinds.
const (
	KindOther Kind = iota // null, fill, UID, set
	KindDict
	KindArray
	KindString
	KindData
	KindInteger
	KindReal
	KindBool
	KindDate
)

var kindNames = [...]string{"other", "dictionary", "array", "string", "data", "integer", "real", "boolean", "date"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Field is one key of the top-level dictionary, described without decoding it.
type Field struct {
	Key  string
	Kind Kind
	// Int is the value of an integer that fits in int64 (Kind == KindInteger).
	Int int64
}

// maxFields caps the top-level keys a Summary keeps.
const maxFields = 64

// maxKeyLen caps the length of a top-level key a Summary keeps.
const maxKeyLen = 64

// Summary describes a checked plist's top-level dictionary: the kind of each
// key's value and small integers, which is what a caller needs to tell a
// usbmuxd Result from a device list without a second decode. It keeps the
// first 64 keys of up to 64 bytes.
type Summary struct {
	Binary bool
	Fields []Field
}

// Lookup returns the top-level field key.
func (s Summary) Lookup(key string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Int returns the top-level integer key.
func (s Summary) Int(key string) (int64, bool) {
	f, ok := s.Lookup(key)
	if !ok || f.Kind != KindInteger {
		return 0, false
	}
	return f.Int, true
}

func (s *Summary) add(f Field) {
	if len(s.Fields) < maxFields {
		s.Fields = append(s.Fields, f)
	}
}

// Check checks b against lim and requires a dictionary at the top. It never
// decodes b and allocates at most about 12 bytes per stored object.
func Check(b []byte, lim Limits) (Summary, error) {
	lim = lim.withDefaults()
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(b, []byte("bplist00")):
		return checkBinary(b, lim)
	case bytes.HasPrefix(t, []byte("<?xml")), bytes.HasPrefix(t, []byte("<plist")), bytes.HasPrefix(t, []byte("<!DOCTYPE")):
		return checkXML(t, lim)
	}
	return Summary{}, &LimitError{Kind: ErrNotPlist}
}
