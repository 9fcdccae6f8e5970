//go:build unix

package diagnostics

import (
	"path/filepath"
	"syscall"
	"testing"
)

// fifo makes a named pipe in dir: opening it for reading blocks until a
// writer comes.
func fifo(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "ca.fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
