package gentest

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records a Fatalf instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestCurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x_gen.go")
	if err := os.WriteFile(path, []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want string
		fail bool
	}{
		{path, "package x\n", false},
		{path, "package x // changed\n", true},
		{filepath.Join(t.TempDir(), "missing.go"), "package x\n", true},
	} {
		r := &recorder{TB: t}
		Current(r, c.path, []byte(c.want), "x.json", "go generate ./x")
		if r.failed != c.fail {
			t.Errorf("%s vs %q: failed %v, want %v", filepath.Base(c.path), c.want, r.failed, c.fail)
		}
	}
}
