package catalog

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catfile"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catgen"
	"github.com/restoredoctor/restoredoctor/internal/gentest"
)

// TestGeneratedCatalogCurrent fails when catalog_gen.go or the English
// bundle assets/lang/steps.en.json is not what the generator makes of
// assets/steps/catalog.json and backup.json: the JSON is the source of
// truth, and the program reads only the Go value and the bundle.
func TestGeneratedCatalogCurrent(t *testing.T) {
	data, err := assets.FS.ReadFile(Path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := catfile.Decode(data)
	if err != nil {
		t.Fatalf("assets/%s: %v", Path, err)
	}
	backupData, err := assets.FS.ReadFile(BackupPath)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := catfile.DecodeBackup(backupData)
	if err != nil {
		t.Fatalf("assets/%s: %v", BackupPath, err)
	}
	want, err := catgen.Source(f, bk)
	if err != nil {
		t.Fatal(err)
	}
	const regenerate = "go generate ./diagnostics/catalog"
	gentest.Current(t, "catalog_gen.go", want, "assets/"+Path+" and "+BackupPath, regenerate)
	bundle, err := catgen.Bundle(f, bk)
	if err != nil {
		t.Fatal(err)
	}
	gentest.Current(t, filepath.Join("..", "..", "assets", filepath.FromSlash(BundlePath)), bundle, "assets/"+Path+" and "+BackupPath, regenerate)
	// The generated value is the decoded file, and Load's catalogue is
	// what Parse makes of the JSON.
	if !reflect.DeepEqual(embedded(), f) || !reflect.DeepEqual(embeddedBackup(), bk) {
		t.Error("embedded() or embeddedBackup() differs from the decoded JSON")
	}
	parsed, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if loaded := MustDefault(); !reflect.DeepEqual(loaded, parsed) {
		t.Error("Load() differs from Parse(assets JSON)")
	}
}
