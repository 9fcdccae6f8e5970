package report_test

import (
	"io"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func BenchmarkJSON(b *testing.B) {
	r := report.Redact(flappingReport())
	b.ReportAllocs()
	for b.Loop() {
		if err := r.JSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkdown(b *testing.B) {
	r := report.Redact(flappingReport())
	cat := catalog.MustDefault()
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Markdown(io.Discard, &r, cat); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkText(b *testing.B) {
	r := report.Redact(flappingReport())
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Text(io.Discard, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	r := flappingReport()
	b.ReportAllocs()
	for b.Loop() {
		_ = report.Redact(r)
	}
}

func BenchmarkValidate(b *testing.B) {
	data := encode(b, flappingReport())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Validate(data); err != nil {
			b.Fatal(err)
		}
	}
}
