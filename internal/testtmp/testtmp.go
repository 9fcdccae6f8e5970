// Package testtmp gives tests a temporary directory that also cleans up
// under Wine.
//
// testing.T.TempDir removes its directory with os.RemoveAll, which on
// Windows deletes through NtSetInformationFile(FileDispositionInformationEx);
// Wine 8 does not implement it, so every test using t.TempDir fails at
// cleanup there ("unlinkat …: Invalid function") although real Windows is
// fine. Dir removes its tree entry by entry with os.Remove (DeleteFileW and
// RemoveDirectoryW), which Wine has; a cleanup failure is still a test error,
// as with t.TempDir.
package testtmp

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Dir creates a fresh, short-named temporary directory (short: unix socket
// paths are limited to about 108 bytes) and removes it and everything in it
// when the test and its subtests finish.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rdt")
	if err != nil {
		t.Fatalf("testtmp: %v", err)
	}
	t.Cleanup(func() {
		if err := RemoveTree(dir); err != nil {
			t.Errorf("testtmp: cleanup: %v", err)
		}
	})
	return dir
}

// RemoveTree removes dir and everything under it, deepest entries first, one
// os.Remove each. It does not follow symbolic links. A dir that does not
// exist is not an error.
func RemoveTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	// WalkDir visits a directory before its entries: reversed, every
	// entry goes before the directory that holds it.
	slices.Reverse(paths)
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
