package report

import (
	"strings"
	"testing"
)

var shapeSeeds = []string{
	"", "restoredoctor", "Information unreachable lockdownd", "iPhone 13 Pro Max",
	"00008110-001A2B3C4D5E6F70", "0x1A2B3C4D5E6F", "0X0001A2B3C4D", "353456789012345", "12345678901234",
	"F2LXK0ABCD12", "C39ABC123DEF", "DNPXK0ABCD", strings.Repeat("a", 40), strings.Repeat("f", 11),
	"deadbeefcafe", "ABCDEFGHIJ", "abcdefabcde", "x0123456789", "é00008110-001A2B3C4D5E6F70é",
}

// TestMayHaveShape: the prefilter lets through every text the expression
// would change, and stops ordinary words.
func TestMayHaveShape(t *testing.T) {
	for _, s := range shapeSeeds {
		if shapeRE().MatchString(s) && !mayHaveShape(s) {
			t.Errorf("mayHaveShape(%q) = false, but the expression matches %q", s, shapeRE().FindString(s))
		}
	}
	for _, s := range []string{"restoredoctor", "Information", "unreachable lockdownd", "usbmuxd answered in 0.42 ms", "123456789"} {
		if mayHaveShape(s) {
			t.Errorf("mayHaveShape(%q) = true", s)
		}
	}
}

// FuzzMayHaveShape: no text the expression matches is stopped by the prefilter.
func FuzzMayHaveShape(f *testing.F) {
	for _, s := range shapeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if shapeRE().MatchString(s) && !mayHaveShape(s) {
			t.Fatalf("mayHaveShape(%q) = false, but the expression matches %q", s, shapeRE().FindString(s))
		}
	})
}
