//go:build !unix

package diagnostics

import (
	"path/filepath"
	"testing"
)

// fifo: no named pipes in the file system here; a missing path is refused too.
func fifo(t *testing.T, dir string) string { return filepath.Join(dir, "no-fifo-here") }
