//go:build ignore

// gen writes catalog_gen.go from assets/steps/catalog.json and backup.json,
// and the English steps bundle assets/lang/steps.en.json from the same
// texts (go generate runs it in this directory):
// go generate ./diagnostics/catalog
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
	const in, backupIn, out, bundleOut = "../../assets/steps/catalog.json", "../../assets/steps/backup.json",
		"catalog_gen.go", "../../assets/lang/steps.en.json"
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	backupData, err := os.ReadFile(backupIn)
	if err != nil {
		return err
	}
	bk, err := catfile.DecodeBackup(backupData)
	if err != nil {
		return fmt.Errorf("%s: %w", backupIn, err)
	}
	// The catalogue's rules first: never generate a catalogue Load would refuse.
	if err := catalog.Check(data, backupData); err != nil {
		return fmt.Errorf("%s, %s: %w", in, backupIn, err)
	}
	f, err := catfile.Decode(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	src, err := catgen.Source(f, bk)
	if err != nil {
		return err
	}
	bundle, err := catgen.Bundle(f, bk)
	if err != nil {
		return err
	}
	if err := os.WriteFile(bundleOut, bundle, 0o644); err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
