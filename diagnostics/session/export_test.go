package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := testtmp.Dir(t)
	path := filepath.Join(dir, "r.json")
	if err := WriteFileAtomic(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("content = %q", b)
	}
	// A directory in the way makes the rename fail; nothing else may change.
	bad := filepath.Join(dir, "sub")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(bad, []byte("x")); err == nil {
		t.Fatal("rename over a directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestExport: JSON and Markdown through one writer; identifiers redacted
// unless asked; no report and unknown formats are clear errors.
func TestExport(t *testing.T) {
	dir := testtmp.Dir(t)
	r := &report.Report{Schema: report.Schema, Devices: []report.Device{{Key: "ecid:001A2B3C4D5E6F70", Mode: "normal"}}}
	for _, tc := range []struct {
		f      Format
		ids    bool
		leaked bool
	}{{FormatJSON, false, false}, {FormatJSON, true, true}, {FormatMarkdown, false, false}} {
		p := filepath.Join(dir, string(tc.f))
		if err := Export(p, r, tc.f, tc.ids, nil); err != nil {
			t.Fatalf("%s: %v", tc.f, err)
		}
		b, _ := os.ReadFile(p)
		if got := strings.Contains(string(b), "001A2B3C4D5E6F70"); got != tc.leaked {
			t.Errorf("%s ids=%v: identifier in the file = %v", tc.f, tc.ids, got)
		}
	}
	if err := Export(filepath.Join(dir, "x"), nil, FormatJSON, false, nil); !errors.Is(err, ErrNoReport) {
		t.Errorf("no report: %v", err)
	}
	if err := Export(filepath.Join(dir, "x"), r, "pdf", false, nil); err == nil {
		t.Error("unknown format: want an error")
	}
}
