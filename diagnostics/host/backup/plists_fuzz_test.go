package backup

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
)

// seedPlists adds every plist of the testdata trees and a bomb to f.
func seedPlists(f *testing.F) {
	_ = filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".plist") {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	f.Add(plisttest.Bomb(40, map[string]string{"SnapshotState": "finished"}, "IsEncrypted"))
	f.Add([]byte("bplist00"))
	f.Add([]byte("<plist><dict><key>Last Backup Date</key><string>yesterday</string></dict></plist>"))
}

func FuzzParseInfo(f *testing.F) {
	seedPlists(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseInfo(b)
		if err == nil && len(info.DeviceName) > 4*256 {
			t.Fatalf("device name not capped: %d bytes", len(info.DeviceName))
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	seedPlists(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseStatus(b)
		if err != nil && st != (Status{}) {
			t.Fatalf("a failed parse returned %+v", st)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	seedPlists(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil && m.IsEncrypted != nil {
			t.Fatalf("a failed parse returned %+v", m)
		}
	})
}
