package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "iPhone14,3", 0, "iPhone14,3"},
		{"clear screen", "\x1b[2J\x1b[HiPhone", 0, "[2J[HiPhone"},
		{"window title", "\x1b]0;pwned\x07name", 0, "]0;pwnedname"},
		{"forged line", "17.5\r\nVERDICT: fine", 0, "17.5  VERDICT: fine"},
		{"C1 CSI", "a\u009b2Jb", 0, "a2Jb"},
		{"bidi override", "abc\u202edcba", 0, "abcdcba"},
		{"DEL and NUL", "a\x7fb\x00c", 0, "abc"},
		{"invalid UTF-8", "a\xffb", 0, "a\ufffdb"},
		{"cap", strings.Repeat("x", 300), 256, strings.Repeat("x", 256-len(Ellipsis)) + Ellipsis},
		{"cap on a rune boundary", strings.Repeat("é", 200), 11, "éééé" + Ellipsis},
		{"unicode kept", "Jürgen’s iPhone", 0, "Jürgen’s iPhone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Clean(tc.in, tc.max)
			if got != tc.want {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !IsClean(got) || !utf8.ValidString(got) || (tc.max > 0 && len(got) > tc.max) {
				t.Errorf("Clean(%q) = %q is not clean or too long", tc.in, got)
			}
		})
	}
}

func TestCleanDoesNotAllocateForCleanText(t *testing.T) {
	s := "iPhone14,3 17.5.1"
	if n := testing.AllocsPerRun(100, func() { _ = Clean(s, MaxValue) }); n != 0 {
		t.Errorf("Clean of clean text allocates %v times", n)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("\x1b[2J\x1b]0;t\x07\r\n\u202e\xff", 16)
	f.Add(strings.Repeat("é", 50), 7)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 1 << 12
		got := Clean(s, max)
		if !IsClean(got) || !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q", s, got)
		}
		if max >= len(Ellipsis) && len(got) > max {
			t.Fatalf("Clean(%q, %d) is %d bytes", s, max, len(got))
		}
		if Clean(got, max) != got && max <= 0 {
			t.Fatalf("Clean is not idempotent on %q", got)
		}
	})
}

func BenchmarkClean1MB(b *testing.B) {
	s := strings.Repeat("iPhone\x1b[2J", 100000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Clean(s, 0)
	}
}
