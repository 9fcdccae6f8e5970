package usb

import (
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestLinksMallocArenaLimit: the file that brings in libusb (gousb, cgo)
// also links internal/mallocarena, so every program that calls libusb on
// many threads runs with glibc's malloc arenas bounded (issue 18, item 7;
// the limit itself is tested in internal/mallocarena). A test binary that
// imported the package itself could not tell, hence the source check.
func TestLinksMallocArenaLimit(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "libusb_cgo.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var gousb, arena bool
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		gousb = gousb || p == "github.com/google/gousb"
		arena = arena || p == "github.com/restoredoctor/restoredoctor/internal/mallocarena"
	}
	if !gousb || !arena {
		t.Errorf("libusb_cgo.go imports gousb %v, internal/mallocarena %v; want both", gousb, arena)
	}
}
