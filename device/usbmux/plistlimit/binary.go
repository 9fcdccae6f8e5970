package plistlimit

import (
	"encoding/binary"
	"math"
)

// Binary plist layout (CFBinaryPList, "bplist00"): objects, an offset table
// of numObjects entries of offsetSize bytes, and a 32-byte trailer.
const (
	bplistHeader  = 8
	bplistTrailer = 32
)

// node is the memo for one object: its state in the walk and what it expands to.
type node struct {
	state  uint8  // 0 unvisited, 1 on the current path, 2 done
	height uint8  // nesting levels below and including it (containers count 1)
	count  uint32 // objects it expands to, itself included (saturates at the limit + 1)
	bytes  uint32 // string/data bytes it expands to (saturates likewise)
}

type bscan struct {
	b         []byte
	lim       Limits
	offSize   int
	refSize   int
	n         uint64
	tableOff  uint64
	objectEnd uint64 // objects end where the offset table starts
	nodes     []node
}

func checkBinary(b []byte, lim Limits) (Summary, error) {
	if len(b) < bplistHeader+bplistTrailer {
		return Summary{}, fail(ErrMalformed, "binary plist of %d bytes is shorter than its header and trailer", len(b))
	}
	tr := b[len(b)-bplistTrailer:]
	s := &bscan{b: b, lim: lim, offSize: int(tr[6]), refSize: int(tr[7])}
	s.n = binary.BigEndian.Uint64(tr[8:])
	top := binary.BigEndian.Uint64(tr[16:])
	s.tableOff = binary.BigEndian.Uint64(tr[24:])
	if s.offSize < 1 || s.offSize > 8 || s.refSize < 1 || s.refSize > 8 {
		return Summary{}, fail(ErrMalformed, "offset size %d, reference size %d", s.offSize, s.refSize)
	}
	if s.n == 0 || s.n > uint64(lim.MaxObjects) {
		if s.n == 0 {
			return Summary{}, fail(ErrMalformed, "no objects")
		}
		return Summary{}, fail(ErrLimit, "%d objects, more than %d", s.n, lim.MaxObjects)
	}
	end := uint64(len(b) - bplistTrailer)
	if s.tableOff < bplistHeader || s.tableOff > end || (end-s.tableOff)/uint64(s.offSize) < s.n {
		return Summary{}, fail(ErrMalformed, "offset table outside the file")
	}
	if top >= s.n {
		return Summary{}, fail(ErrMalformed, "top object %d of %d", top, s.n)
	}
	s.objectEnd = s.tableOff
	s.nodes = make([]node, s.n)
	if err := s.visit(top, 1); err != nil {
		return Summary{}, err
	}
	nd := s.nodes[top]
	if int(nd.count) > lim.MaxExpanded {
		return Summary{}, fail(ErrLimit, "expands to more than %d objects", lim.MaxExpanded)
	}
	if int(nd.bytes) > lim.MaxExpandedBytes {
		return Summary{}, fail(ErrLimit, "expands to more than %d bytes of strings and data", lim.MaxExpandedBytes)
	}
	return s.summary(top)
}

// uint reads a big-endian unsigned integer of size bytes (1..8).
func beUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// offset returns the byte offset of object ref, checked to lie among the objects.
func (s *bscan) offset(ref uint64) (uint64, error) {
	p := s.tableOff + ref*uint64(s.offSize)
	off := beUint(s.b[p : p+uint64(s.offSize)])
	if off < bplistHeader || off >= s.objectEnd {
		return 0, fail(ErrMalformed, "object %d at offset %d outside the objects", ref, off)
	}
	return off, nil
}

// object describes the object at off: its marker's kind, and for strings,
// data and containers the length (elements or bytes) and where the content starts.
type object struct {
	kind   Kind
	marker byte
	length uint64 // bytes for string/data; references for containers (dict: keys + values)
	start  uint64
	intVal int64
	intOK  bool
}

func (s *bscan) object(ref uint64) (object, error) {
	off, err := s.offset(ref)
	if err != nil {
		return object{}, err
	}
	m := s.b[off]
	o := object{marker: m, start: off + 1}
	hi, lo := m>>4, uint64(m&0x0f)
	switch hi {
	case 0x0:
		switch m {
		case 0x08, 0x09:
			o.kind = KindBool
		case 0x00, 0x0f:
			o.kind = KindOther
		default:
			return object{}, fail(ErrMalformed, "object %d: unknown marker %#02x", ref, m)
		}
		return o, nil
	case 0x1:
		if lo > 4 {
			return object{}, fail(ErrMalformed, "object %d: integer of 2^%d bytes", ref, lo)
		}
		size := uint64(1) << lo
		if err := s.need(ref, o.start, size); err != nil {
			return object{}, err
		}
		o.kind = KindInteger
		raw := s.b[o.start : o.start+size]
		if size == 16 {
			// 128-bit: only small values matter to a Summary.
			if beUint(raw[:8]) == 0 && raw[8]&0x80 == 0 {
				o.intVal, o.intOK = int64(beUint(raw[8:])), true
			}
		} else {
			o.intVal, o.intOK = int64(beUint(raw)), true
		}
		return o, nil
	case 0x2:
		if lo != 2 && lo != 3 {
			return object{}, fail(ErrMalformed, "object %d: real of 2^%d bytes", ref, lo)
		}
		o.kind = KindReal
		return o, s.need(ref, o.start, uint64(1)<<lo)
	case 0x3:
		if m != 0x33 {
			return object{}, fail(ErrMalformed, "object %d: unknown marker %#02x", ref, m)
		}
		o.kind = KindDate
		return o, s.need(ref, o.start, 8)
	case 0x8:
		o.kind = KindOther
		return o, s.need(ref, o.start, lo+1)
	case 0x4, 0x5, 0x6, 0xa, 0xb, 0xc, 0xd:
	default:
		return object{}, fail(ErrMalformed, "object %d: unknown marker %#02x", ref, m)
	}
	n := lo
	if lo == 0x0f {
		// The length follows as an integer object.
		if err := s.need(ref, o.start, 1); err != nil {
			return object{}, err
		}
		im := s.b[o.start]
		if im>>4 != 0x1 || im&0x0f > 3 {
			return object{}, fail(ErrMalformed, "object %d: bad length marker %#02x", ref, im)
		}
		size := uint64(1) << (im & 0x0f)
		if err := s.need(ref, o.start+1, size); err != nil {
			return object{}, err
		}
		n = beUint(s.b[o.start+1 : o.start+1+size])
		o.start += 1 + size
	}
	avail := s.objectEnd - o.start
	switch hi {
	case 0x4:
		o.kind, o.length = KindData, n
	case 0x5:
		o.kind, o.length = KindString, n
	case 0x6:
		if n > avail/2 {
			return object{}, fail(ErrMalformed, "object %d: string runs past the objects", ref)
		}
		o.kind, o.length = KindString, 2*n
	case 0xa, 0xb, 0xc:
		o.kind = KindArray
		if hi != 0xa {
			o.kind = KindOther
		}
		if n > avail/uint64(s.refSize) {
			return object{}, fail(ErrMalformed, "object %d: %d references run past the objects", ref, n)
		}
		o.length = n
		return o, nil
	case 0xd:
		o.kind = KindDict
		if n > avail/uint64(s.refSize)/2 {
			return object{}, fail(ErrMalformed, "object %d: %d entries run past the objects", ref, n)
		}
		o.length = 2 * n
		return o, nil
	}
	if o.length > avail {
		return object{}, fail(ErrMalformed, "object %d: %d bytes run past the objects", ref, o.length)
	}
	if o.length > uint64(s.lim.MaxString) {
		return object{}, fail(ErrLimit, "a string or data value of %d bytes, more than %d", o.length, s.lim.MaxString)
	}
	return o, nil
}

func (s *bscan) need(ref, start, size uint64) error {
	if start > s.objectEnd || size > s.objectEnd-start {
		return fail(ErrMalformed, "object %d runs past the objects", ref)
	}
	return nil
}

func (s *bscan) ref(o object, i uint64) (uint64, error) {
	p := o.start + i*uint64(s.refSize)
	r := beUint(s.b[p : p+uint64(s.refSize)])
	if r >= s.n {
		return 0, fail(ErrMalformed, "reference %d of %d objects", r, s.n)
	}
	return r, nil
}

// visit walks object ref at nesting depth depth and fills its memo. The
// recursion is bounded by MaxDepth: a deeper path fails before going on, and
// a cycle is a path that meets itself.
func (s *bscan) visit(ref uint64, depth int) error {
	nd := &s.nodes[ref]
	switch nd.state {
	case 2:
		if depth-1+int(nd.height) > s.lim.MaxDepth {
			return fail(ErrLimit, "nested deeper than %d", s.lim.MaxDepth)
		}
		return nil
	case 1:
		return fail(ErrMalformed, "object %d contains itself", ref)
	}
	o, err := s.object(ref)
	if err != nil {
		return err
	}
	nd.state = 1
	count, nbytes, height := uint64(1), uint64(0), uint64(1)
	switch o.kind {
	case KindString, KindData:
		nbytes = o.length
	case KindDict, KindArray, KindOther:
		if o.length > 0 && (o.marker>>4 == 0xa || o.marker>>4 == 0xb || o.marker>>4 == 0xc || o.marker>>4 == 0xd) {
			if depth >= s.lim.MaxDepth {
				return fail(ErrLimit, "nested deeper than %d", s.lim.MaxDepth)
			}
			for i := uint64(0); i < o.length; i++ {
				r, err := s.ref(o, i)
				if err != nil {
					return err
				}
				if err := s.visit(r, depth+1); err != nil {
					return err
				}
				c := s.nodes[r]
				count = satAdd(count, uint64(c.count), uint64(s.lim.MaxExpanded))
				nbytes = satAdd(nbytes, uint64(c.bytes), uint64(s.lim.MaxExpandedBytes))
				height = max(height, uint64(c.height)+1)
			}
		}
	}
	nd = &s.nodes[ref]
	nd.state = 2
	nd.count = uint32(min(count, uint64(s.lim.MaxExpanded)+1))
	nd.bytes = uint32(min(nbytes, uint64(s.lim.MaxExpandedBytes)+1))
	nd.height = uint8(min(height, math.MaxUint8))
	if int(nd.count) > s.lim.MaxExpanded {
		return fail(ErrLimit, "expands to more than %d objects", s.lim.MaxExpanded)
	}
	if int(nd.bytes) > s.lim.MaxExpandedBytes {
		return fail(ErrLimit, "expands to more than %d bytes of strings and data", s.lim.MaxExpandedBytes)
	}
	return nil
}

// satAdd adds, saturating just above cap so the sum never wraps.
func satAdd(a, b, cap uint64) uint64 {
	if a+b > cap {
		return cap + 1
	}
	return a + b
}

// summary describes the top-level object, which must be a dictionary.
func (s *bscan) summary(top uint64) (Summary, error) {
	o, err := s.object(top)
	if err != nil {
		return Summary{}, err
	}
	if o.kind != KindDict {
		return Summary{}, fail(ErrNotDict, "binary plist top level is a %s", o.kind)
	}
	sum := Summary{Binary: true}
	entries := o.length / 2
	for i := uint64(0); i < entries && len(sum.Fields) < maxFields; i++ {
		kr, _ := s.ref(o, i)
		vr, _ := s.ref(o, entries+i)
		k, err := s.object(kr)
		if err != nil {
			return Summary{}, err
		}
		if k.kind != KindString {
			return Summary{}, fail(ErrMalformed, "a dictionary key is a %s", k.kind)
		}
		if k.marker>>4 != 0x5 || k.length > maxKeyLen {
			continue // UTF-16 or long keys are never the ones looked up
		}
		v, err := s.object(vr)
		if err != nil {
			return Summary{}, err
		}
		f := Field{Key: string(s.b[k.start : k.start+k.length]), Kind: v.kind}
		if v.kind == KindInteger && v.intOK {
			f.Int = v.intVal
		}
		sum.add(f)
	}
	return sum, nil
}
