package viewmodel

import (
	"testing"
	"time"
)

// The view-models are rebuilt on every live event; these keep them cheap.

func BenchmarkBuildSteps(b *testing.B) {
	r := load(b, "report-flapping.json")
	in := StepsInput{Report: r, Catalog: testCatalog, Family: "face-id-or-8-later"}
	b.ReportAllocs()
	for b.Loop() {
		BuildSteps(in)
	}
}

func BenchmarkBuildStrip30s(b *testing.B) {
	t0 := time.Now()
	var events []StripEvent
	var samples []LatencySample
	for i := range 120 { // a flap every 250 ms and a sample every 250 ms for 30 s
		at := t0.Add(time.Duration(i) * 250 * time.Millisecond)
		events = append(events, StripEvent{Time: at, Kind: MarkDetach})
		samples = append(samples, LatencySample{Time: at, RTT: time.Duration(i) * time.Millisecond})
	}
	b.ReportAllocs()
	for b.Loop() {
		BuildStrip(t0, 30*time.Second, events, samples)
	}
}
