package rules

import (
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// BenchmarkEvaluate runs the rules over a busy finding set (every DESIGN.md
// finding once, with something tried).
func BenchmarkEvaluate(b *testing.B) {
	cat := catalog.MustDefault()
	in := Input{Mode: "recovery", Tried: Tried{Cable: true, Restart: true},
		Findings: []report.Finding{unstable, fullSpeed, hub, noDevice, ctrlTO, ldTO, ldSlow, recovery, dfu, muxDown,
			muxHung, muxMiss, untrusted, denied, noLibusb, servers, redirect, security, outdated}}
	b.ReportAllocs()
	for b.Loop() {
		v := Evaluate(cat, in)
		if v.PrimaryStep == nil {
			b.Fatal("no primary step")
		}
	}
}

// BenchmarkEvaluateHealthy is the common case: nothing found.
func BenchmarkEvaluateHealthy(b *testing.B) {
	cat := catalog.MustDefault()
	b.ReportAllocs()
	for b.Loop() {
		_ = Evaluate(cat, Input{Mode: "normal"})
	}
}
