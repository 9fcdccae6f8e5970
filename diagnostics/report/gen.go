//go:build ignore

// gen writes json_gen.go, the report's JSON encoder, from the struct tags of
// Report and what it contains (go generate runs it in this directory):
// go generate ./diagnostics/report
package main

import (
	"fmt"
	"os"
	"reflect"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/report/internal/jsongen"
)

func main() {
	src, err := jsongen.Source(reflect.TypeFor[report.Report](), "report")
	if err == nil {
		err = os.WriteFile("json_gen.go", src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "diagnostics/report gen:", err)
		os.Exit(1)
	}
}
