package software

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseDpkgStatus(t *testing.T) {
	ps, err := ParseDpkgStatus(bytes.NewReader(read(t, "dpkg_status_bookworm.txt")), DpkgPackages)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Package{}
	for _, p := range ps {
		got[p.Name] = p
	}
	want := map[string]Package{
		"libusbmuxd6":            {"libusbmuxd6", "2.0.2-3", true},
		"libimobiledevice6":      {"libimobiledevice6", "1.3.0-7", true}, // the i386 leftover does not override it
		"usbmuxd":                {"usbmuxd", "1.1.1-5~exp2", true},
		"libimobiledevice-utils": {"libimobiledevice-utils", "1.3.0-7", false},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", ps)
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s = %+v, want %+v", n, got[n], w)
		}
	}
	if v := LibimobiledeviceFromDpkg(ps); v != "1.3.0-7" {
		t.Errorf("libimobiledevice %q", v)
	}
}

func TestParseDpkgStatusEdges(t *testing.T) {
	// A removed package listed after an installed one of the same name keeps the installed one.
	in := "Package: usbmuxd\nStatus: install ok installed\nVersion: 1.1.1\n\nPackage: usbmuxd\nStatus: deinstall ok config-files\nVersion: 1.0\n"
	ps, err := ParseDpkgStatus(strings.NewReader(in), []string{"usbmuxd"})
	if err != nil || len(ps) != 1 || !ps[0].Installed || ps[0].Version != "1.1.1" {
		t.Errorf("ParseDpkgStatus = %+v, %v", ps, err)
	}
	// No trailing blank line, CRLF, no version: not installed.
	ps, err = ParseDpkgStatus(strings.NewReader("Package: usbmuxd\r\nStatus: install ok installed\r\n"), []string{"usbmuxd"})
	if err != nil || len(ps) != 1 || ps[0].Installed {
		t.Errorf("without version: %+v, %v", ps, err)
	}
	// Empty file, garbage: nothing, no error.
	for _, in := range []string{"", "\x00\x01garbage\n\n\n", "Package\nStatus\n"} {
		if ps, err := ParseDpkgStatus(strings.NewReader(in), DpkgPackages); err != nil || len(ps) != 0 {
			t.Errorf("ParseDpkgStatus(%q) = %+v, %v", in, ps, err)
		}
	}
	// A read error is returned, with what was read so far.
	boom := errors.New("disk on fire")
	if _, err := ParseDpkgStatus(iotest.ErrReader(boom), DpkgPackages); !errors.Is(err, boom) {
		t.Errorf("read error = %v, want %v", err, boom)
	}
	// A line longer than the limit is an error, not a hang or a panic.
	long := "Package: x\nDescription: " + strings.Repeat("a", maxDpkgLine+1) + "\n"
	if _, err := ParseDpkgStatus(strings.NewReader(long), DpkgPackages); err == nil {
		t.Error("an overlong line was accepted")
	}
}

func BenchmarkParseDpkgStatus(b *testing.B) {
	// A status file the size of a desktop install: 3000 stanzas, the wanted ones last.
	var buf bytes.Buffer
	for i := range 3000 {
		buf.WriteString("Package: pkg" + strings.Repeat("x", i%7) + "\nStatus: install ok installed\nVersion: 1.0\nDescription: filler\n more filler\n\n")
	}
	buf.Write(read(b, "dpkg_status_bookworm.txt"))
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDpkgStatus(bytes.NewReader(data), DpkgPackages); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add(read(f, "dpkg_status_bookworm.txt"))
	f.Add([]byte("Package: usbmuxd\nStatus: install ok installed\nVersion: 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, _ := ParseDpkgStatus(bytes.NewReader(b), DpkgPackages)
		for _, p := range ps {
			if p.Installed && p.Version == "" {
				t.Fatalf("installed without a version: %+v", p)
			}
		}
		if len(ps) > len(DpkgPackages) {
			t.Fatalf("%d packages for %d names", len(ps), len(DpkgPackages))
		}
	})
}
