// Package gctune sets the garbage collector for a short command-line run.
// It owns nothing else and imports only the standard library.
package gctune

import (
	"os"
	"runtime/debug"
)

// Settings of ShortRun.
const (
	// Percent is the GOGC of a short run: the heap may grow to five times
	// the live heap (at least 4 MiB × 5) before a collection.
	Percent = 400
	// MemoryLimit caps the heap of a short run (GOMEMLIMIT, a soft limit:
	// the collector runs as often as it must to stay under it).
	MemoryLimit = 256 << 20
)

// ShortRun sets GOGC to Percent under a MemoryLimit for a run that lasts
// seconds, such as `check`: it allocates a few hundred KB per phone (plist
// decoding, almost all garbage at once) over a live heap of 1–2 MB, so with
// the default GOGC of 100 a 32-phone check spends three collections, each
// scanning every phone's goroutine, on memory the process frees at exit
// anyway. With Percent it does none (2 MB more resident), and a longer run
// still collects, bounded by MemoryLimit. A GOGC or GOMEMLIMIT set in the
// environment wins. restore puts back the settings in effect before.
func ShortRun() (restore func()) {
	gc, limit := -1, int64(-1)
	if os.Getenv("GOGC") == "" {
		gc = debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = debug.SetMemoryLimit(MemoryLimit)
	}
	return func() {
		if gc != -1 {
			debug.SetGCPercent(gc)
		}
		if limit != -1 {
			debug.SetMemoryLimit(limit)
		}
	}
}
