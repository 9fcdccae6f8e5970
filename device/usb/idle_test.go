//go:build cgo && linux

package usb

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// measureIdle runs a Watcher over the real Scanner for d and returns the
// process CPU time (utime+stime from /proc/self/stat) as a share of wall time.
func measureIdle(ctx context.Context, s *Scanner, d time.Duration) (float64, int, error) {
	polls := 0
	src := FuncSource(func(ctx context.Context) ([]Device, error) {
		polls++
		return s.Snapshot(ctx)
	})
	w := NewWatcher(src, WatcherOptions{})
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	before, err := cpuTicks()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	for range w.Run(ctx) {
	}
	wall := time.Since(start)
	after, err := cpuTicks()
	if err != nil {
		return 0, 0, err
	}
	const clkTck = 100 // USER_HZ on Linux
	cpu := time.Duration(after-before) * time.Second / clkTck
	return 100 * cpu.Seconds() / wall.Seconds(), polls, nil
}

func cpuTicks() (int64, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	// Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/self/stat: %q", s)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/self/stat: %q", s)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/self/stat: %q", s)
	}
	return u + st, nil
}
