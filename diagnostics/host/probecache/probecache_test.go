package probecache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGetPutFlushReload(t *testing.T) {
	dir := testtmp.Dir(t)
	prog := filepath.Join(dir, "usbmuxd")
	writeFile(t, prog, "#!/bin/sh\n")
	st, err := StampOf(prog)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "cache", "sub", "probes.json") // directories created by Flush
	c := New(file, nil)
	if _, ok := c.Get("exec usbmuxd --version", st); ok {
		t.Fatal("hit in an empty cache")
	}
	c.Put("exec usbmuxd --version", st, "usbmuxd 1.1.1\n")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 && os.PathSeparator == '/' {
		t.Errorf("cache file mode %v: readable by others", fi.Mode())
	}

	c2 := New(file, nil)
	if v, ok := c2.Get("exec usbmuxd --version", st); !ok || v != "usbmuxd 1.1.1\n" {
		t.Fatalf("reloaded Get = %q, %v", v, ok)
	}
	if err := c2.Flush(); err != nil { // nothing changed: no write
		t.Fatal(err)
	}

	// An upgrade replaces the program: another size and time, no hit.
	time.Sleep(10 * time.Millisecond)
	writeFile(t, prog, "#!/bin/sh\necho new\n")
	st2, err := StampOf(prog)
	if err != nil {
		t.Fatal(err)
	}
	if st2 == st {
		t.Fatal("stamp unchanged by a rewrite")
	}
	if _, ok := c2.Get("exec usbmuxd --version", st2); ok {
		t.Error("hit after the program changed")
	}
}

func TestStampOf(t *testing.T) {
	dir := testtmp.Dir(t)
	if _, err := StampOf(dir); !errors.Is(err, ErrNotRegular) {
		t.Errorf("directory: %v, want ErrNotRegular", err)
	}
	if _, err := StampOf(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v, want ErrNotExist", err)
	}
}

func TestCorruptFilesAreIgnoredAndRewritten(t *testing.T) {
	huge := `{"schema":"` + Schema + `","entries":[` + strings.Repeat(`{"key":"k","stamp":{"path":"/p"},"value":"v"},`, MaxFileSize/40) + `]}`
	tests := []struct {
		name    string
		content string
	}{
		{"empty", ""},
		{"garbage", "\x00\x01\x02not json"},
		{"truncated", `{"schema":"` + Schema + `","entries":[{"key":"a"`},
		{"other schema", `{"schema":"someone-else/v9","entries":[]}`},
		{"array", `[1,2,3]`},
		{"wrong types", `{"schema":"` + Schema + `","entries":"nope"}`},
		{"huge", huge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testtmp.Dir(t)
			prog := filepath.Join(dir, "prog")
			writeFile(t, prog, "x")
			st, _ := StampOf(prog)
			file := filepath.Join(dir, "probes.json")
			writeFile(t, file, tt.content)
			c := New(file, nil)
			if _, ok := c.Get("k", st); ok {
				t.Fatal("hit from a corrupt file")
			}
			c.Put("k", st, "v1")
			if err := c.Flush(); err != nil {
				t.Fatal(err)
			}
			if v, ok := New(file, nil).Get("k", st); !ok || v != "v1" {
				t.Errorf("after rewrite Get = %q, %v", v, ok)
			}
		})
	}
}

func TestDecodeDropsBadEntries(t *testing.T) {
	long := strings.Repeat("x", MaxValue+1)
	doc := `{"schema":"` + Schema + `","entries":[` +
		`{"key":"","stamp":{"path":"/a"},"value":"no key"},` +
		`{"key":"nopath","stamp":{},"value":"v"},` +
		`{"key":"long","stamp":{"path":"/a"},"value":"` + long + `"},` +
		`{"key":"good","stamp":{"path":"/a","size":3},"value":"ok"}]}`
	es, err := decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es["good"].Value != "ok" {
		t.Errorf("decode kept %+v", es)
	}
	if _, err := decode(bytes.Repeat([]byte(" "), MaxFileSize+1)); !errors.Is(err, ErrTooBig) {
		t.Errorf("oversized: %v", err)
	}
}

func TestPutLimits(t *testing.T) {
	dir := testtmp.Dir(t)
	c := New(filepath.Join(dir, "p.json"), nil)
	st := Stamp{Path: "/x", Size: 1}
	c.Put("big", st, strings.Repeat("v", MaxValue+1))
	if _, ok := c.Get("big", st); ok {
		t.Error("an oversized value was kept")
	}
	for i := range MaxEntries + 5 {
		c.Put(strings.Repeat("k", i+1), st, "v")
	}
	c.mu.Lock()
	n := len(c.entries)
	c.mu.Unlock()
	if n > MaxEntries {
		t.Errorf("%d entries kept, limit %d", n, MaxEntries)
	}
}

// A cache file that is a symlink or a directory is not written through.
func TestFlushRefusesNonRegular(t *testing.T) {
	dir := testtmp.Dir(t)
	file := filepath.Join(dir, "probes.json")
	if err := os.Mkdir(file, 0o700); err != nil {
		t.Fatal(err)
	}
	c := New(file, nil)
	c.Put("k", Stamp{Path: "/x"}, "v")
	if err := c.Flush(); err == nil {
		t.Error("Flush over a directory succeeded")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"schema":"` + Schema + `","entries":[{"key":"k","stamp":{"path":"/p","size":1,"mtime_ns":2},"value":"v"}]}`))
	f.Add([]byte(`{"schema":"` + Schema + `"}`))
	f.Add([]byte("{"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := decode(data)
		if err != nil {
			return
		}
		if len(es) > MaxEntries {
			t.Fatalf("%d entries", len(es))
		}
		// What decodes re-encodes and decodes to the same entries.
		b, err := encode(es)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decode(b)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if len(again) != len(es) {
			t.Fatalf("round trip %d → %d entries", len(es), len(again))
		}
		for k, e := range es {
			if again[k] != e {
				t.Fatalf("round trip changed %q: %+v → %+v", k, e, again[k])
			}
		}
	})
}

// TestGetReverifiesTheFile: an answer about a file that is gone, or was
// replaced (new inode), is not given, whatever the entry's stamp says.
func TestGetReverifiesTheFile(t *testing.T) {
	dir := testtmp.Dir(t)
	bin := filepath.Join(dir, "usbmuxd")
	if err := os.WriteFile(bin, []byte("v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := StampOf(bin)
	if err != nil {
		t.Fatal(err)
	}
	c := New(filepath.Join(dir, "probes.json"), nil)
	c.Put("exec usbmuxd --version", st, "usbmuxd 1.1.1")
	if _, ok := c.Get("exec usbmuxd --version", st); !ok {
		t.Fatal("a fresh entry is not answered")
	}
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Get("exec usbmuxd --version", st); ok {
		t.Fatalf("answered %q for a binary that is not there", v)
	}
	if runtime.GOOS != "windows" && st.Inode == 0 {
		t.Error("no inode in the stamp")
	}
}

// TestLeftoverTempFilesRemoved: temporary files of a write killed before
// its rename are removed by the next write once older than LeftoverAge;
// younger ones (another process writing now) stay.
func TestLeftoverTempFilesRemoved(t *testing.T) {
	dir := testtmp.Dir(t)
	file := filepath.Join(dir, "probes.json")
	old := filepath.Join(dir, ".probes.json.123.tmp")
	young := filepath.Join(dir, ".probes.json.456.tmp")
	other := filepath.Join(dir, ".other.json.789.tmp")
	for _, p := range []string{old, young, other} {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * LeftoverAge)
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
	c := New(file, nil)
	c.Put("k", Stamp{Path: file}, "v")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{old: false, young: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

// TestUntrustedCacheFileIgnored: a cache file group or others may write is
// not read (its answers could be planted) and is replaced on the next write.
func TestUntrustedCacheFileIgnored(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	dir := testtmp.Dir(t)
	bin := filepath.Join(dir, "tool")
	if err := os.WriteFile(bin, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	st, _ := StampOf(bin)
	file := filepath.Join(dir, "probes.json")
	c := New(file, nil)
	c.Put("k", st, "planted")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, 0o666); err != nil {
		t.Fatal(err)
	}
	if v, ok := New(file, nil).Get("k", st); ok {
		t.Fatalf("world-writable cache answered %q", v)
	}
}
