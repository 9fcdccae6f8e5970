package stats

import (
	"testing"
	"time"
)

func ms(v ...float64) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x * float64(time.Millisecond))
	}
	return out
}

func TestPercentile(t *testing.T) {
	twenty := make([]time.Duration, 20)
	for i := range twenty {
		twenty[i] = time.Duration(20-i) * time.Millisecond // unsorted on purpose
	}
	for _, tc := range []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(3), 95, 3 * time.Millisecond},
		{"median of 4 is the 2nd", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p95 of 20 is the 19th", twenty, 95, 19 * time.Millisecond},
		{"p95 of 10 is the 10th", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 95, 10 * time.Millisecond},
		{"p100 is the max", ms(5, 9, 1), 100, 9 * time.Millisecond},
		{"p0 is the min", ms(5, 9, 1), 0, 1 * time.Millisecond},
	} {
		if got := Percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("%s: Percentile = %v, want %v", tc.name, got, tc.want)
		}
	}
	in := ms(3, 1, 2)
	if p50, p95, mx := Summary(in); p50 != 2*time.Millisecond || p95 != 3*time.Millisecond || mx != 3*time.Millisecond {
		t.Errorf("Summary = %v %v %v", p50, p95, mx)
	}
	if in[0] != 3*time.Millisecond {
		t.Error("input sorted in place")
	}
}

// TestMillis: one rounding rule (0.1 ms, half away from zero), so 0.15 ms
// reads 0.2 ms everywhere (issue 9: a finding said 0.2 and devices[] 0.1).
func TestMillis(t *testing.T) {
	for in, want := range map[time.Duration]float64{
		0: 0, 150 * time.Microsecond: 0.2, 149 * time.Microsecond: 0.1, 1234567 * time.Nanosecond: 1.2, 2 * time.Second: 2000,
	} {
		if got := Millis(in); got != want {
			t.Errorf("Millis(%v) = %v, want %v", in, got, want)
		}
	}
}
