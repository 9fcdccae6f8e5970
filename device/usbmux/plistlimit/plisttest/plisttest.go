// Package plisttest builds hostile binary and XML plists for tests, fuzz
// seeds and the simulator's hostile scenarios: shared-reference bombs, deep
// nesting and huge counts. It writes the bytes itself (howett.net/plist would
// never produce these shapes).
package plisttest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
)

// Builder writes a binary plist ("bplist00") object by object. References
// and offsets are 4 bytes wide.
type Builder struct {
	objs [][]byte
}

// String adds an ASCII string and returns its reference.
func (b *Builder) String(s string) int {
	return b.add(append(lenMarker(0x50, len(s)), s...))
}

// Int adds a 64-bit integer.
func (b *Builder) Int(v int64) int {
	o := []byte{0x13}
	return b.add(binary.BigEndian.AppendUint64(o, uint64(v)))
}

// Array adds an array of refs.
func (b *Builder) Array(refs ...int) int {
	o := lenMarker(0xa0, len(refs))
	for _, r := range refs {
		o = binary.BigEndian.AppendUint32(o, uint32(r))
	}
	return b.add(o)
}

// Dict adds a dictionary of key and value refs, in pairs.
func (b *Builder) Dict(keys, values []int) int {
	o := lenMarker(0xd0, len(keys))
	for _, r := range keys {
		o = binary.BigEndian.AppendUint32(o, uint32(r))
	}
	for _, r := range values {
		o = binary.BigEndian.AppendUint32(o, uint32(r))
	}
	return b.add(o)
}

func (b *Builder) add(o []byte) int {
	b.objs = append(b.objs, o)
	return len(b.objs) - 1
}

func lenMarker(m byte, n int) []byte {
	if n < 15 {
		return []byte{m | byte(n)}
	}
	return binary.BigEndian.AppendUint32([]byte{m | 0x0f, 0x12}, uint32(n))
}

// Bytes returns the plist with top as its top object.
func (b *Builder) Bytes(top int) []byte {
	out := []byte("bplist00")
	offs := make([]uint32, len(b.objs))
	for i, o := range b.objs {
		offs[i] = uint32(len(out))
		out = append(out, o...)
	}
	table := len(out)
	for _, off := range offs {
		out = binary.BigEndian.AppendUint32(out, off)
	}
	tr := make([]byte, 32)
	tr[6], tr[7] = 4, 4
	binary.BigEndian.PutUint64(tr[8:], uint64(len(b.objs)))
	binary.BigEndian.PutUint64(tr[16:], uint64(top))
	binary.BigEndian.PutUint64(tr[24:], uint64(table))
	return append(out, tr...)
}

// dictWith adds the top-level dictionary: fields as strings (sorted by key)
// plus key → value.
func (b *Builder) dictWith(fields map[string]string, key string, value int) int {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	var ks, vs []int
	for _, k := range names {
		ks = append(ks, b.String(k))
		vs = append(vs, b.String(fields[k]))
	}
	if key != "" {
		ks = append(ks, b.String(key))
		vs = append(vs, value)
	}
	return b.Dict(ks, vs)
}

// Bomb returns a dictionary holding fields (string values) and, under key, a
// shared-reference bomb: a = ["x"], then levels times a = [a, a]. Stored it
// is a few hundred bytes; expanded it is 2^levels strings.
func Bomb(levels int, fields map[string]string, key string) []byte {
	var b Builder
	a := b.Array(b.String("x"))
	for range levels {
		a = b.Array(a, a)
	}
	return b.Bytes(b.dictWith(fields, key, a))
}

// Deep returns a dictionary holding fields and, under key, arrays nested
// depth levels deep (binary, no sharing).
func Deep(depth int, fields map[string]string, key string) []byte {
	var b Builder
	a := b.Array()
	for range depth - 1 {
		a = b.Array(a)
	}
	return b.Bytes(b.dictWith(fields, key, a))
}

// Wide returns a dictionary holding fields and, under key, an array of n
// distinct integers (binary).
func Wide(n int, fields map[string]string, key string) []byte {
	var b Builder
	refs := make([]int, n)
	for i := range refs {
		refs[i] = b.Int(int64(i))
	}
	return b.Bytes(b.dictWith(fields, key, b.Array(refs...)))
}

// DeepXML returns an XML plist dictionary with arrays nested depth levels
// deep under key.
func DeepXML(depth int, key string) []byte {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<plist version=\"1.0\"><dict><key>" + key + "</key>")
	for range depth {
		buf.WriteString("<array>")
	}
	for range depth {
		buf.WriteString("</array>")
	}
	buf.WriteString("</dict></plist>\n")
	return buf.Bytes()
}

// WideXML returns an XML plist dictionary with an array of n integers under key.
func WideXML(n int, key string) []byte {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<plist version=\"1.0\"><dict><key>" + key + "</key><array>")
	for i := range n {
		fmt.Fprintf(&buf, "<integer>%d</integer>", i)
	}
	buf.WriteString("</array></dict></plist>\n")
	return buf.Bytes()
}
