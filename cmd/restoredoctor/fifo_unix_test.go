//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
)

// mkfifo makes a named pipe in dir.
func mkfifo(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "ca.fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
