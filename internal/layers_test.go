// Package internal_test holds the layering rule of internal/: it holds
// libraries only, so none of its packages may import a layer above it
// (cmd → app → diagnostics → device → internal).
package internal_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/restoredoctor/restoredoctor/"

// above are the layers internal/ must not import.
var above = []string{"app", "cmd", "diagnostics", "device"}

// upward lists the imports of the non-test Go files under root that point
// above internal/, as "file: import".
func upward(t *testing.T, root string) []string {
	t.Helper()
	var bad []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			for _, layer := range above {
				if p == module+layer || strings.HasPrefix(p, module+layer+"/") {
					bad = append(bad, path+": "+p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bad
}

func TestInternalImportsNothingAbove(t *testing.T) {
	for _, b := range upward(t, ".") {
		t.Errorf("internal/ holds libraries only, but %s points up", b)
	}
}

// TestUpwardFindsAnImport proves the check can fail: a package under a
// temporary directory that imports app/ is reported.
func TestUpwardFindsAnImport(t *testing.T) {
	dir := t.TempDir()
	src := "package x\n\nimport _ \"" + module + "app/viewmodel\"\n"
	if err := writeFile(filepath.Join(dir, "x", "x.go"), src); err != nil {
		t.Fatal(err)
	}
	if got := upward(t, dir); len(got) != 1 {
		t.Fatalf("upward found %v, want the one import of app/viewmodel", got)
	}
}

func writeFile(path, s string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(s), 0o600)
}
