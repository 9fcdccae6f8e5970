// Package stats holds the one percentile and millisecond rule of the
// project: nearest-rank percentiles of durations, and durations shown in
// milliseconds rounded to 0.1 ms. Everything that reports a p50/p95 (the
// lockdown RTT probe, the USB control probe, the checks, the report, the
// benchmarks) uses these, so the same samples read the same everywhere.
package stats

import (
	"slices"
	"time"
)

// Percentile is the p-th percentile (0–100) of samples by nearest rank
// (the smallest sample with at least p % of the samples at or below it);
// 0 for no samples. samples is not modified.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return s[rank(len(s), p)]
}

// Summary is the p50, p95 and maximum of samples (zeros for none).
func Summary(samples []time.Duration) (p50, p95, maxd time.Duration) {
	if len(samples) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return s[rank(len(s), 50)], s[rank(len(s), 95)], s[len(s)-1]
}

// rank is the 0-based nearest-rank index of the p-th percentile of n
// sorted samples: ceil(p/100 · n) − 1, clamped to the samples.
func rank(n int, p float64) int {
	// Integer arithmetic in hundredths avoids float rounding at exact ranks
	// (95 % of 20 samples is the 19th, not the 20th).
	r := (int(p*100)*n + 9999) / 10000
	return max(0, min(r-1, n-1))
}

// Millis is d in milliseconds rounded to 0.1 ms (half away from zero).
func Millis(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}
