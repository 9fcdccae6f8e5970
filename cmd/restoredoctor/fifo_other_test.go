//go:build !unix

package main

import (
	"path/filepath"
	"testing"
)

// mkfifo: no named pipes in the file system here; a missing path is a usage error too.
func mkfifo(t *testing.T, dir string) string { return filepath.Join(dir, "no-fifo-here") }
