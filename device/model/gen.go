//go:build ignore

// gen writes table_gen.go from assets/models/models.json (go generate runs
// it in this directory): go generate ./device/model
package main

import (
	"fmt"
	"os"

	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/model/internal/tablegen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "device/model gen:", err)
		os.Exit(1)
	}
}

func run() error {
	const in, out = "../../assets/models/models.json", "table_gen.go"
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	src, err := tablegen.Generate(data, tablegen.Allowed(model.Families(), model.Unknown))
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return os.WriteFile(out, src, 0o644)
}
