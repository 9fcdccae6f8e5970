package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestShortRun(t *testing.T) {
	for _, tc := range []struct {
		name, gogc, gomemlimit string
		wantGC                 int
		wantLimit              int64
	}{
		{"defaults", "", "", Percent, MemoryLimit},
		{"GOGC set", "100", "", 100, MemoryLimit},
		{"GOMEMLIMIT set", "", "1GiB", Percent, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.gomemlimit)
			beforeGC, beforeLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
			defer func() { debug.SetGCPercent(beforeGC); debug.SetMemoryLimit(beforeLimit) }()
			restore := ShortRun()
			gc, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
			debug.SetGCPercent(gc)
			if gc != tc.wantGC || limit != tc.wantLimit {
				t.Errorf("during the run GOGC %d, limit %d; want %d, %d", gc, limit, tc.wantGC, tc.wantLimit)
			}
			restore()
			gc, limit = debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
			debug.SetGCPercent(gc)
			if gc != 100 || limit != math.MaxInt64 {
				t.Errorf("after restore GOGC %d, limit %d; want 100 and no limit", gc, limit)
			}
		})
	}
}
