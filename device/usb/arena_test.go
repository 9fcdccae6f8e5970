//go:build cgo

package usb

import (
	"os"
	"runtime"
	"testing"

	"github.com/restoredoctor/restoredoctor/internal/mallocarena"
)

// TestMallocArenasBounded: a program that uses libusb through this package
// runs with glibc's malloc arenas bounded (issue 18, item 7).
func TestMallocArenasBounded(t *testing.T) {
	if runtime.GOOS != "linux" || os.Getenv("MALLOC_ARENA_MAX") != "" {
		t.Skip("glibc on Linux only, and only when the user set no MALLOC_ARENA_MAX")
	}
	if got := mallocarena.Arenas(); got != mallocarena.MaxArenas {
		t.Errorf("arena limit %d, want %d", got, mallocarena.MaxArenas)
	}
}
