package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentileAndMedian(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	cases := []struct {
		in       []time.Duration
		p50, p95 time.Duration
		med      time.Duration
	}{
		{nil, 0, 0, 0},
		{ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 2 * time.Millisecond, 4 * time.Millisecond, 2 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), 10 * time.Millisecond, 19 * time.Millisecond, 10 * time.Millisecond},
	}
	for _, c := range cases {
		if got := percentile(c.in, 50); got != c.p50 {
			t.Errorf("p50(%v) = %v, want %v", c.in, got, c.p50)
		}
		if got := percentile(c.in, 95); got != c.p95 {
			t.Errorf("p95(%v) = %v, want %v", c.in, got, c.p95)
		}
		if got := median(c.in); got != c.med {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.med)
		}
	}
	if got := medianF([]float64{3, 1, 2}); got != 2 {
		t.Errorf("medianF = %v, want 2", got)
	}
}

func TestParseStatCPU(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want time.Duration
		err  bool
	}{
		{"plain", "1234 (restoredoctor) S 1 1234 1234 0 -1 4194560 500 0 0 0 150 25 0 0 20 0 9 0 100 1000 200", 1750 * time.Millisecond, false},
		{"name with spaces and parens", "77 (a) b (c)) R 1 2 3 0 -1 0 0 0 0 0 3 4 0 0", 70 * time.Millisecond, false},
		{"short", "1 (x) S 1 2", 0, true},
		{"no paren", "garbage", 0, true},
		{"not numbers", "1 (x) S 1 2 3 0 -1 0 0 0 0 0 u s 0", 0, true},
	}
	for _, c := range cases {
		got, err := parseStatCPU([]byte(c.in))
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s: parseStatCPU = %v, %v; want %v, err %v", c.name, got, err, c.want, c.err)
		}
	}
	// And the real thing: our own process has used some CPU.
	if _, err := procCPU(os.Getpid()); err != nil {
		t.Errorf("procCPU(self): %v", err)
	}
}

func TestParseStatusRSS(t *testing.T) {
	got, err := parseStatusRSS([]byte("Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t   20480 kB\n"))
	if err != nil || got != 20 {
		t.Errorf("parseStatusRSS = %v, %v; want 20 MB", got, err)
	}
	if _, err := parseStatusRSS([]byte("Name:\tx\n")); err == nil {
		t.Error("missing VmRSS accepted")
	}
	if _, err := parseStatusRSS([]byte("VmRSS:\t12 pages\n")); err == nil {
		t.Error("odd unit accepted")
	}
	if mb, err := procRSS(os.Getpid()); err != nil || mb <= 0 {
		t.Errorf("procRSS(self) = %v, %v", mb, err)
	}
}

func TestSpliceReadme(t *testing.T) {
	const table = "| a | b |\n|---|---|\n| 1 | 2 |"
	placeholder := "# X\n\nintro\n\n## Performance\n\nFilled in by `make bench` (see below).\n\n## Licence\n\nMIT\n"
	out, err := spliceReadme(placeholder, table)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, markStart+"\n"+table+"\n"+markEnd) || strings.Contains(out, "Filled in by") {
		t.Errorf("placeholder not replaced:\n%s", out)
	}
	if !strings.HasPrefix(out, "# X\n\nintro\n\n## Performance\n") || !strings.HasSuffix(out, "\n## Licence\n\nMIT\n") {
		t.Errorf("text outside the section changed:\n%s", out)
	}
	// Second run: only the block between the markers changes.
	again, err := spliceReadme(out, "new")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(again, table) || !strings.Contains(again, markStart+"\nnew\n"+markEnd) || strings.Count(again, markStart) != 1 {
		t.Errorf("re-splice wrong:\n%s", again)
	}
	if !strings.Contains(again, performanceIntro) {
		t.Error("intro lost on re-splice")
	}
	// Last section of the file.
	last, err := spliceReadme("# X\n\n## Performance\n\nold text\n", table)
	if err != nil || strings.Contains(last, "old text") || !strings.HasSuffix(last, markEnd+"\n") {
		t.Errorf("last-section splice = %q, %v", last, err)
	}
	for _, bad := range []string{"# X\n\nno section\n", "## Performance\n" + markStart + "\n"} {
		if _, err := spliceReadme(bad, table); err == nil {
			t.Errorf("spliceReadme(%q) accepted", bad)
		}
	}
}

func TestRewriteReadmeKeepsMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(p, []byte("# R\n\n## Performance\n\nx\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := rewriteReadme(p, "T"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, %v; want 0640", st.Mode(), err)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), markStart+"\nT\n"+markEnd) {
		t.Errorf("README = %q", b)
	}
}

func TestParseGoBenchText(t *testing.T) {
	out := `goos: linux
pkg: github.com/restoredoctor/restoredoctor/device/usbmux
BenchmarkReadFrame/usbmux-2         	  500000	      2400 ns/op	    1024 B/op	      12 allocs/op
BenchmarkNoMem-2   	 1000	 99.5 ns/op
BenchmarkBroken-2 garbage
PASS
pkg: github.com/restoredoctor/restoredoctor/diagnostics/rules
BenchmarkEvaluate-2	10000	150000 ns/op	2048 B/op	30 allocs/op
`
	got := parseGoBenchText(out)
	want := []hotRow{
		{"BenchmarkReadFrame/usbmux", "device/usbmux", "2400", "1024", "12"},
		{"BenchmarkNoMem", "device/usbmux", "99.5", "", ""},
		{"BenchmarkEvaluate", "diagnostics/rules", "150000", "2048", "30"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestFmtDur(t *testing.T) {
	cases := map[time.Duration]string{
		83 * time.Microsecond:   "83 µs",
		2500 * time.Microsecond: "2.50 ms",
		119 * time.Millisecond:  "119 ms",
		1500 * time.Millisecond: "1.50 s",
	}
	for d, want := range cases {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLineMatchers(t *testing.T) {
	cases := []struct {
		s              string
		attach, detach bool
	}{
		{"17:01:02.123 attach usbmux id-1234 iPhone14,3 normal", true, false},
		{"17:01:02.123 detach usbmux id-1234", false, true},
		{"usbmuxd connected", false, false},
	}
	for _, c := range cases {
		if isAttachLine(c.s) != c.attach || isDetachLine(c.s) != c.detach {
			t.Errorf("%q: attach %v detach %v", c.s, isAttachLine(c.s), isDetachLine(c.s))
		}
	}
}

func TestNsText(t *testing.T) {
	for in, want := range map[string]string{"308.5": "308 ns", "2737": "2.74 µs", "85904870": "85.90 ms", "1.5e9": "1.50 s", "x": "x"} {
		if got := nsText(in); got != want {
			t.Errorf("nsText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGoiosCodecRTT(t *testing.T) {
	_, reply, err := lockdownFrames()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := goiosCodecRTT(reply, 50)
	if err != nil || len(ds) != 50 || ds[0] <= 0 {
		t.Fatalf("goiosCodecRTT = %v, %v", ds, err)
	}
	if _, err := goiosCodecRTT(reply[:len(reply)-1], 1); err == nil {
		t.Error("a truncated reply passed")
	}
}
