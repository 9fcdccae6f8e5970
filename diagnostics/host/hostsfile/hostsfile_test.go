package hostsfile

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

func parseString(t *testing.T, s string) Scan {
	t.Helper()
	sc, err := Parse(context.Background(), strings.NewReader(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sc
}

type wantEntry struct {
	line    int
	addr    string
	names   string // space-joined
	restore bool
	blocks  bool
}

func checkEntries(t *testing.T, got []Entry, want []wantEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Address != w.addr || strings.Join(g.Names, " ") != w.names || g.Restore != w.restore || g.Blocks != w.blocks {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file                     string
		encoding                 string
		mappings, garbage, lines int
		entries                  []wantEntry
	}{
		{"windows_default.hosts", "utf-8", 0, 0, 21, nil},
		{"macos_default.hosts", "utf-8", 3, 0, 9, nil},
		{"windows_jailbreak_bom_crlf.hosts", "utf-8-bom", 4, 0, 10, []wantEntry{
			{6, "74.208.105.171", "gs.apple.com", true, false},
			{9, "0.0.0.0", "mesu.apple.com appldnld.apple.com", true, true},
		}},
		{"linux_mixed.hosts", "utf-8", 7, 5, 12, []wantEntry{
			{4, "::ffff:127.0.0.1", "updates.cdn-apple.com", true, true},
			{5, "2001:db8::1", "www.apple.com support.apple.com", false, false},
			{12, "1.2.3.4", "apple.com", false, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc, err := Parse(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Encoding != tt.encoding || sc.Mappings != tt.mappings || sc.Garbage != tt.garbage || sc.Lines != tt.lines {
				t.Errorf("encoding %s mappings %d garbage %d lines %d, want %s %d %d %d",
					sc.Encoding, sc.Mappings, sc.Garbage, sc.Lines, tt.encoding, tt.mappings, tt.garbage, tt.lines)
			}
			checkEntries(t, sc.Entries, tt.entries)
			if sc.AppleEntries != len(tt.entries) {
				t.Errorf("AppleEntries = %d", sc.AppleEntries)
			}
			if sc.RestoreRedirected() != (len(tt.entries) > 0 && tt.entries[0].restore) {
				t.Errorf("RestoreRedirected = %v", sc.RestoreRedirected())
			}
		})
	}
}

func TestParseInline(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		entries []wantEntry
	}{
		{"empty", "", nil},
		{"no trailing newline", "1.2.3.4 gs.apple.com", []wantEntry{{1, "1.2.3.4", "gs.apple.com", true, false}}},
		{"comment glued to name", "1.2.3.4 gs.apple.com#x\n", []wantEntry{{1, "1.2.3.4", "gs.apple.com", true, false}}},
		{"upper case and trailing dot", "1.2.3.4 GS.Apple.COM.\n", []wantEntry{{1, "1.2.3.4", "gs.apple.com", true, false}}},
		{"only CR CR LF", "1.2.3.4\talbert.apple.com\r\r\n", []wantEntry{{1, "1.2.3.4", "albert.apple.com", true, false}}},
		{"vertical tab and form feed", "1.2.3.4\v\falbert.apple.com\n", []wantEntry{{1, "1.2.3.4", "albert.apple.com", true, false}}},
		{"icloud is apple, not restore", "1.2.3.4 p01-ckdatabase.icloud.com\n", []wantEntry{{1, "1.2.3.4", "p01-ckdatabase.icloud.com", false, false}}},
		{"lookalike domains are not apple", "1.2.3.4 notapple.com apple.com.example fakeapple.com\n", nil},
		{"ipv6 zone block", "::1%eth0 gs.apple.com\n", []wantEntry{{1, "::1%eth0", "gs.apple.com", true, true}}},
		{"commented line", "  # 1.2.3.4 gs.apple.com\n", nil},
		{"second line", "\n\n  10.0.0.1   a b mesu.apple.com c  \n", []wantEntry{{3, "10.0.0.1", "mesu.apple.com", true, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEntries(t, parseString(t, tt.in).Entries, tt.entries)
		})
	}
}

func utf16File(s string, bigEndian bool) []byte {
	var order binary.ByteOrder = binary.LittleEndian
	bom := []byte{0xFF, 0xFE}
	if bigEndian {
		order, bom = binary.BigEndian, []byte{0xFE, 0xFF}
	}
	buf := bytes.NewBuffer(bom)
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(buf, order, u)
	}
	return buf.Bytes()
}

func TestParseUTF16(t *testing.T) {
	src := "# saved by Notepad as Unicode\r\n127.0.0.1 localhost\r\n0.0.0.0 gs.apple.com\r\n"
	for _, be := range []bool{false, true} {
		sc, err := Parse(context.Background(), bytes.NewReader(utf16File(src, be)))
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{false: "utf-16le", true: "utf-16be"}[be]
		if sc.Encoding != want {
			t.Errorf("encoding %s, want %s", sc.Encoding, want)
		}
		checkEntries(t, sc.Entries, []wantEntry{{3, "0.0.0.0", "gs.apple.com", true, true}})
	}
}

func TestParseOverlongLine(t *testing.T) {
	long := "1.2.3.4 " + strings.Repeat("x", 3*MaxLineLength) + " gs.apple.com\n"
	in := "0.0.0.0 " + strings.Repeat("filler.example ", 300) + "mesu.apple.com\n" + long + "1.2.3.4 albert.apple.com\n"
	sc := parseString(t, in)
	if sc.Overlong != 2 || sc.Lines != 3 {
		t.Fatalf("overlong %d lines %d", sc.Overlong, sc.Lines)
	}
	// The first overlong line is cut before mesu.apple.com; the second's name
	// is past the cut too. Line counting must survive both.
	checkEntries(t, sc.Entries, []wantEntry{{3, "1.2.3.4", "albert.apple.com", true, false}})
	for _, e := range sc.Entries {
		if len(e.Text) > maxText+len("…") {
			t.Errorf("text not capped: %d", len(e.Text))
		}
	}
}

func TestParseEntryCap(t *testing.T) {
	var b strings.Builder
	for i := range MaxEntries + 50 {
		fmt.Fprintf(&b, "10.0.%d.%d host%d.apple.com\n", i/256, i%256, i)
	}
	sc := parseString(t, b.String())
	if len(sc.Entries) != MaxEntries || sc.AppleEntries != MaxEntries+50 {
		t.Errorf("entries %d apple %d", len(sc.Entries), sc.AppleEntries)
	}
}

func TestParseTruncated(t *testing.T) {
	// A reader that never ends: Parse must stop at MaxBytes.
	defer func(old int64) { readLimit = old }(readLimit)
	readLimit = 1 << 20
	r := io.MultiReader(strings.NewReader("0.0.0.0 gs.apple.com\n"), endless{})
	sc, err := Parse(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Truncated || len(sc.Entries) != 1 {
		t.Errorf("truncated %v entries %d", sc.Truncated, len(sc.Entries))
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	line := "127.0.0.1 filler.example\n"
	n := 0
	for n < len(p) {
		n += copy(p[n:], line)
	}
	return n, nil
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseErrors(t *testing.T) {
	if _, err := Parse(context.Background(), failingReader{}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Parse(ctx, endless{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.hosts")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(utf16File("0.0.0.0 gs.apple.com\n", false))
	f.Add([]byte{0xFE, 0xFF, 0x00})
	f.Add([]byte("1.2.3.4 " + strings.Repeat("a", MaxLineLength+10) + "\n::1 gs.apple.com"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse(context.Background(), bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Parse of in-memory bytes failed: %v", err)
		}
		if len(sc.Entries) > MaxEntries || sc.AppleEntries < len(sc.Entries) {
			t.Fatalf("entry counts %d/%d", len(sc.Entries), sc.AppleEntries)
		}
		if sc.Mappings+sc.Garbage > sc.Lines {
			t.Fatalf("mappings %d + garbage %d > lines %d", sc.Mappings, sc.Garbage, sc.Lines)
		}
		last := 0
		for _, e := range sc.Entries {
			if e.Line <= last || e.Line > sc.Lines || len(e.Names) == 0 || e.Address == "" {
				t.Fatalf("bad entry %+v (lines %d)", e, sc.Lines)
			}
			last = e.Line
			for _, n := range e.Names {
				if a, _ := Classify(n); !a {
					t.Fatalf("non-Apple name %q in entry", n)
				}
			}
		}
	})
}

// tenMB is a realistic large hosts file: an ad-block list with a few Apple
// lines sprinkled in.
func tenMB() []byte {
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF# big block list\r\n")
	for i := 0; b.Len() < 10<<20; i++ {
		switch {
		case i%50000 == 0:
			fmt.Fprintf(&b, "0.0.0.0 gs.apple.com # line %d\r\n", i)
		case i%7 == 0:
			fmt.Fprintf(&b, "# section %d\r\n", i)
		default:
			fmt.Fprintf(&b, "0.0.0.0\tads%d.tracker-network.example  cdn%d.tracker-network.example\r\n", i, i)
		}
	}
	return b.Bytes()
}

func TestParseTenMB(t *testing.T) {
	data := tenMB()
	sc, err := Parse(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Truncated || sc.AppleEntries == 0 || sc.Garbage != 0 {
		t.Errorf("truncated %v apple %d garbage %d", sc.Truncated, sc.AppleEntries, sc.Garbage)
	}
}

func BenchmarkParse10MB(b *testing.B) {
	data := tenMB()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(context.Background(), bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseLine checks that the streaming parser and ParseLine agree on
// what a single line is.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"1.2.3.4 gs.apple.com", "::1 a # c", "junk", "", "1.2.3.4 .", "0.0.0.0 GS.APPLE.COM."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n") || len(line) > MaxLineLength || strings.HasPrefix(line, "\xEF\xBB\xBF") ||
			strings.HasPrefix(line, "\xFF\xFE") || strings.HasPrefix(line, "\xFE\xFF") {
			t.Skip()
		}
		_, names, kind := ParseLine([]byte(line))
		sc := parseString(t, line)
		if (kind == LineMapping) != (sc.Mappings == 1) || (kind == LineGarbage) != (sc.Garbage == 1) {
			t.Fatalf("ParseLine kind %d, scan mappings %d garbage %d", kind, sc.Mappings, sc.Garbage)
		}
		if kind == LineMapping && len(names) == 0 {
			t.Fatal("mapping without names")
		}
	})
}
