// Package internal_test holds the layering rule of the module: every arrow
// points down, cmd → app → diagnostics → device → internal, and internal/
// holds libraries only. Test files count too: a test that imports a layer
// above its own belongs in that layer.
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

// layers lists the module's layers from the top down: a package may import
// its own layer and the layers after it, never one before it.
var layers = []string{"cmd", "app", "diagnostics", "device", "internal"}

// upward lists the imports of the Go files (test files included) under root,
// a directory of layer layers[level], that point to a layer above it, as
// "file: import".
func upward(t *testing.T, root string, level int) []string {
	t.Helper()
	var bad []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			for _, layer := range layers[:level] {
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

func TestEveryArrowPointsDown(t *testing.T) {
	for level, layer := range layers {
		root := filepath.Join("..", layer)
		if layer == "internal" {
			root = "."
		}
		for _, b := range upward(t, root, level) {
			t.Errorf("%s/ may import only the layers below it (%s), but %s points up",
				layer, strings.Join(layers[level+1:], ", "), b)
		}
	}
}

// TestInternalHoldsNoPrograms: internal/ holds libraries only; programs
// (package main) live under cmd/.
func TestInternalHoldsNoPrograms(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			t.Errorf("internal/ holds libraries only, but %s is a program: move it to cmd/", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpwardFindsAnImport proves the check can fail: a test file of internal/
// that imports diagnostics/, and a file of device/ that imports app/, are
// both reported; an import of a lower layer is not.
func TestUpwardFindsAnImport(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"x/x_test.go": "package x\n\nimport _ \"" + module + "diagnostics/report\"\n",
		"y/y.go":      "package y\n\nimport _ \"" + module + "internal/stats\"\n",
	}
	for name, src := range files {
		if err := writeFile(filepath.Join(dir, name), src); err != nil {
			t.Fatal(err)
		}
	}
	if got := upward(t, dir, len(layers)-1); len(got) != 1 || !strings.Contains(got[0], "x_test.go") {
		t.Fatalf("upward found %v, want the one import of diagnostics/report by x_test.go", got)
	}
	dev := t.TempDir()
	if err := writeFile(filepath.Join(dev, "z", "z.go"), "package z\n\nimport _ \""+module+"app/viewmodel\"\n"); err != nil {
		t.Fatal(err)
	}
	if got := upward(t, dev, 3); len(got) != 1 {
		t.Fatalf("upward found %v in device/, want the one import of app/viewmodel", got)
	}
}

func writeFile(path, s string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(s), 0o600)
}
