// Package gentest holds the one check the generated Go files' tests share:
// the file in the tree is what its generator makes today. It is imported by
// tests only.
package gentest

import (
	"bytes"
	"os"
	"testing"
)

// Current fails t when the file at path differs from want, the generator's
// output today, naming source (what the file is generated from) and the
// go generate command that brings it up to date.
func Current(t testing.TB, path string, want []byte, source, regenerate string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with %s: run %s", path, source, regenerate)
	}
}
