package host

import (
	"context"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/probecache"
)

// runCached runs c, or answers it from cache when c is Stable, run is a
// Locator and the program file is the one the cached answer was recorded
// for. Only complete, successful outputs are recorded; a program that
// cannot be located is left to run to report (not installed stays an
// honest miss, never a cached answer).
func runCached(ctx context.Context, run Runner, cache *probecache.Cache, c Command) (Output, error) {
	loc, ok := run.(Locator)
	if cache == nil || !c.Stable || !ok {
		return run.Run(ctx, c)
	}
	path, err := loc.Locate(c)
	if err != nil {
		return run.Run(ctx, c)
	}
	st, err := probecache.StampOf(path)
	if err != nil {
		return run.Run(ctx, c)
	}
	key := "exec " + c.String()
	if v, ok := cache.Get(key, st); ok {
		return Output{Stdout: []byte(v)}, nil
	}
	out, err := run.Run(ctx, c)
	if err == nil && out.ExitCode == 0 && !out.Truncated {
		cache.Put(key, st, string(out.Stdout))
	}
	return out, err
}

// flushCache writes cache's changes, if any; a failure only costs the next
// check its speed, so it is logged by the cache, not reported.
func flushCache(cache *probecache.Cache) {
	if cache != nil {
		_ = cache.Flush()
	}
}
