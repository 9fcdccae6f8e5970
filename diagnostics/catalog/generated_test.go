package catalog

import (
	"encoding/json"
	"path"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catfile"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catgen"
	"github.com/restoredoctor/restoredoctor/internal/gentest"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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

// TestTranslationsMatchTheEnglish: every steps message of every translation
// carries the hash of the English text it was translated from, and that is
// the English text of today. A reworded sentence, or a line inserted into a
// step (which shifts the IDs after it), fails here until the translations
// are redone: a worried user must never follow another sentence's
// translation.
func TestTranslationsMatchTheEnglish(t *testing.T) {
	en := bundleHashes(t, "steps.en.json")
	for _, l := range i18n.Supported()[1:] {
		name := "steps." + l.Code + ".json"
		for id, h := range bundleHashes(t, name) {
			switch {
			case en[id] == "":
				// The completeness test in internal/i18n names extra messages.
			case h == "":
				t.Errorf("assets/lang/%s: %s has no \"hash\": copy it from steps.en.json once the translation is checked", name, id)
			case h != en[id]:
				t.Errorf("assets/lang/%s: %s was translated from an older English text: translate it again, then copy the hash from steps.en.json", name, id)
			}
		}
	}
}

// bundleHashes returns the "hash" of every message in assets/lang/name.
func bundleHashes(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := assets.FS.ReadFile(path.Join(i18n.BundleDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make(map[string]string, len(raw))
	for id, v := range raw {
		var m struct {
			Hash string `json:"hash"`
		}
		_ = json.Unmarshal(v, &m) // a plain string has no hash
		out[id] = m.Hash
	}
	return out
}
