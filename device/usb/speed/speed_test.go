package speed

import "testing"

func TestName(t *testing.T) {
	for _, tc := range []struct {
		mbps float64
		want string
	}{{0, ""}, {1.5, "low speed"}, {12, "full speed"}, {480, "high speed"}, {5000, "SuperSpeed"}, {10000, "SuperSpeed"}} {
		if got := Name(tc.mbps); got != tc.want {
			t.Errorf("Name(%g) = %q, want %q", tc.mbps, got, tc.want)
		}
	}
}
