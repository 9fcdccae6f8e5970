// Package mallocarena bounds glibc's malloc arenas for the whole process,
// at load time (a C constructor, before the Go runtime starts its threads):
// import it for its side effect.
//
// glibc gives every thread that calls malloc while the others' arenas are
// busy an arena of its own, each reserving 64 MB of address space (on 64-bit
// Linux, up to 8 per core). Go's own heap does not use malloc, but every cgo
// call into libusb (gousb) runs on an OS thread, and a flood of attach
// events or transfers spreads those calls over many threads: under
// `ulimit -v 2000000` check and watch then died with "out of memory" while
// the Go heap held 20–34 MB (issue 18). Two arenas are plenty for the few
// small allocations libusb makes.
//
// A MALLOC_ARENA_MAX in the environment (glibc reads it itself) wins.
//
// Where glibc is not the C library (musl, macOS, Windows) or cgo is off,
// the package does nothing and Arenas returns 0.
//
// mallocarena imports nothing of this project.
package mallocarena

// MaxArenas is the arena limit set at start-up (glibc's M_ARENA_MAX; the
// constructor in arena_glibc.go spells the same number).
const MaxArenas = 2
