package catalog

import (
	"reflect"
	"testing"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catfile"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catgen"
	"github.com/restoredoctor/restoredoctor/internal/gentest"
)

// TestGeneratedCatalogCurrent fails when catalog_gen.go is not what the
// generator makes of assets/steps/catalog.json: the JSON is the source of
// truth, and the program reads only the Go value.
func TestGeneratedCatalogCurrent(t *testing.T) {
	data, err := assets.FS.ReadFile(Path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := catfile.Decode(data)
	if err != nil {
		t.Fatalf("assets/%s: %v", Path, err)
	}
	want, err := catgen.Source(f)
	if err != nil {
		t.Fatal(err)
	}
	gentest.Current(t, "catalog_gen.go", want, "assets/"+Path, "go generate ./diagnostics/catalog")
	// The generated value is the decoded file, and Load's catalogue is
	// what Parse makes of the JSON.
	if !reflect.DeepEqual(embedded(), f) {
		t.Error("embedded() differs from the decoded JSON")
	}
	parsed, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if loaded := MustDefault(); !reflect.DeepEqual(loaded, parsed) {
		t.Error("Load() differs from Parse(assets JSON)")
	}
}
