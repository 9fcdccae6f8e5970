package app

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// BenchmarkBuildFrame is what every event costs the window before any
// widget is touched: the frame the panes draw, derived from a state with a
// finished check and a running one that has collected a second of samples.
func BenchmarkBuildFrame(b *testing.B) {
	data, err := os.ReadFile("testdata/report-flapping.json")
	if err != nil {
		b.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		b.Fatal(err)
	}
	cat := catalog.MustDefault()
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	s := state.New(cat, "", true, true)
	s = state.Reduce(s, state.DeviceEvent{Kind: state.EventAttach, Source: "usbmux", Time: t0, Device: phoneA})
	s = state.Reduce(s, state.CheckDone{Seq: s.Check.Seq, Report: &r})
	s = state.Reduce(s, state.CheckRequested{Time: t0.Add(time.Second)})
	for i := range 40 {
		s = state.Reduce(s, state.DeviceEvent{Kind: state.EventLatency, Time: t0.Add(time.Second + time.Duration(i)*25*time.Millisecond), Device: phoneA, RTT: 3 * time.Millisecond})
	}
	view := CatalogView(cat, "linux")
	now := t0.Add(2 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		_ = buildFrame(s, view, now)
	}
}
