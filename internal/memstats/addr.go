package memstats

import "unsafe"

// addr is p's address, for telling which mapping holds the Go heap. It is
// only printed, never turned back into a pointer.
func addr(p *[64]byte) uintptr { return uintptr(unsafe.Pointer(p)) }
