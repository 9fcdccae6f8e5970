package report

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestReplaceKnownMatchesRegexp: the direct scan replaces exactly what the
// regular expression of known values does, on ASCII and non-ASCII text.
func TestReplaceKnownMatchesRegexp(t *testing.T) {
	r := &Report{}
	for i := range 40 {
		r.Devices = append(r.Devices, Device{Key: fmt.Sprintf("ecid:%016X", 0x001A2B3C4D5E0000+uint64(i))})
	}
	r.Devices = append(r.Devices, Device{Key: "udid:00008110-001A2B3C4D5E6F70"}, Device{Key: "serial:F2LXK0QJP0AB"},
		Device{Key: "udid:F2LXK0QJP0ABCD1234"}) // a known value that starts with another
	rd := newRedactor(r)
	if len(rd.knownLower) == 0 || !rd.asciiKnown {
		t.Fatal("no known values collected")
	}
	pieces := []string{"ecid:", "001A2B3C4D5E0007", "001a2b3c4d5e0027", "1A2B3C4D5E0003", "0x001A2B3C4D5E0011",
		"00008110-001A2B3C4D5E6F70", "00008110001a2b3c4d5e6f70", "F2LXK0QJP0AB", "f2lxk0qjp0ab", "F2LXK0QJP0ABCD1234", "CD12", "34", "001A2B3C4D5E00",
		": 10 requests, p50 0.1 ms; ", " ", "-", "x", "é", "\u212a", "Ⅹ", "0", "A"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		want := rd.knownRE().ReplaceAllStringFunc(s, HashID)
		if got := rd.replaceKnown(s); got != want {
			t.Fatalf("#%d replaceKnown(%q) = %q, want %q", i, s, got, want)
		}
	}
}
