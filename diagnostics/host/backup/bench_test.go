package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkScanMacOSTree scans the macOS testdata tree (two backups of the
// phone, another phone's, a file): three plists per backup and the size walk.
func BenchmarkScanMacOSTree(b *testing.B) {
	home, err := filepath.Abs("testdata/macos")
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{UDID: udidA, Locations: Locations("darwin", func(k string) string { return map[string]string{"HOME": home}[k] }, nil)}
	for b.Loop() {
		if _, err := Scan(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanLargeBackup walks a backup of 256 folders of 40 files each
// (10,240 entries; real ones hold up to a few hundred thousand), the size
// walk's cost per entry.
func BenchmarkScanLargeBackup(b *testing.B) {
	root := b.TempDir()
	src, err := filepath.Abs(filepath.Join("testdata", "macos", "Library", "Application Support", "MobileSync", "Backup", udidA))
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(root, udidA)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		b.Fatal(err)
	}
	for i := range 256 {
		d := filepath.Join(dst, fmt.Sprintf("%02x", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		for j := range 40 {
			if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("%02x%038d", i, j)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	opts := Options{UDID: udidA, Locations: []Location{{Path: root, App: AppFinder}}}
	for b.Loop() {
		res, err := Scan(context.Background(), opts)
		if err != nil || len(res.Backups) != 1 {
			b.Fatal(err, len(res.Backups))
		}
	}
}

// BenchmarkParseInfo decodes the binary Info.plist of the Windows tree.
func BenchmarkParseInfo(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "windows", "Apple", "MobileSync", "Backup", udidA, "Info.plist"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ParseInfo(raw); err != nil {
			b.Fatal(err)
		}
	}
}
