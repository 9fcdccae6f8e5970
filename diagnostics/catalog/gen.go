//go:build ignore

// gen writes catalog_gen.go from assets/steps/catalog.json (go generate runs
// it in this directory): go generate ./diagnostics/catalog
package main

import (
	"fmt"
	"os"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catfile"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "diagnostics/catalog gen:", err)
		os.Exit(1)
	}
}

func run() error {
	const in, out = "../../assets/steps/catalog.json", "catalog_gen.go"
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	// The catalogue's rules first: never generate a catalogue Load would refuse.
	if _, err := catalog.Parse(data); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	f, err := catfile.Decode(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	src, err := catgen.Source(f)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
