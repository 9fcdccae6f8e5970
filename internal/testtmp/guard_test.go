package testtmp

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wineRun are the folders (from the repository's root) whose tests
// scripts/windows/test.sh runs under Wine (its pkgs list), where t.TempDir's
// cleanup fails.
var wineRun = []string{"assets", "device/mode", "device/model", "device/usb", "device/usbmux", "device/wintree",
	"device/restoretrace",
	"diagnostics", "app/viewmodel", "internal/localefix"}

var tempDirCall = regexp.MustCompile(`\b(t|tb|f)\.TempDir\(\)`)

// TestNoTempDirInWineRunTests fails when a test that also runs under Wine
// takes t.TempDir instead of Dir. Files built only for Linux or Unix are
// left out: Wine never runs them.
func TestNoTempDirInWineRunTests(t *testing.T) {
	for _, top := range wineRun {
		root := filepath.Join("..", "..", top)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
				return err
			}
			base := filepath.Base(path)
			for _, suf := range []string{"_linux_test.go", "_unix_test.go", "_darwin_test.go"} {
				if strings.HasSuffix(base, suf) {
					return nil
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.HasPrefix(first, []byte("//go:build")) &&
				!bytes.Contains(first, []byte("windows")) && !bytes.Contains(first, []byte("!")) {
				return nil
			}
			for i, line := range bytes.Split(data, []byte("\n")) {
				code, _, _ := bytes.Cut(line, []byte("//"))
				if tempDirCall.Match(code) {
					t.Errorf("%s:%d: t.TempDir under Wine fails at cleanup; use testtmp.Dir", path, i+1)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
