package viewmodel

import (
	"reflect"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestNoiseRule(t *testing.T) {
	counts := []struct {
		before, after int
		want          Direction
	}{
		{0, 0, Same}, {3, 3, Same},
		{4, 3, Same}, {3, 4, Same}, // one more or fewer drop in a window is chance
		{0, 1, Worse}, {1, 0, Better}, // reaching or leaving 0 always counts
		{4, 2, Better}, {2, 4, Worse}, {5, 1, Better},
	}
	for _, c := range counts {
		if got := countDirection(c.before, c.after); got != c.want {
			t.Errorf("count %d → %d: %s, want %s", c.before, c.after, got, c.want)
		}
	}
	latency := []struct {
		before, after float64
		want          Direction
	}{
		{16.1, 0.1, Same}, // 160× but 16 ms: noise on a healthy link
		{40, 85, Same},    // 45 ms more: not beyond 50 ms
		{100, 180, Same},  // 80 ms more but under 2×
		{40, 900, Worse},  // 22× and 860 ms
		{1153, 120, Better},
		{60, 121, Worse}, // just over 2× and over 50 ms
		{60, 120, Same},  // exactly 2×: not beyond
	}
	for _, c := range latency {
		if got := latencyDirection(c.before, c.after); got != c.want {
			t.Errorf("p95 %g → %g ms: %s, want %s", c.before, c.after, got, c.want)
		}
	}
}

// TestBuildChangesNoise: the cases of issue 10 item 3 — an unchanged fault
// is not "better", a healthy link's jitter is not shown, and nothing is
// credited to a step the user did not tick.
func TestBuildChangesNoise(t *testing.T) {
	with := func(drops int, p95 float64) *report.Report {
		r := load(t, "report-flapping.json")
		r.Devices[0].Stability.Detaches = drops
		r.Devices[0].Lockdown.RTTms.P95 = p95
		return r
	}
	cases := []struct {
		name          string
		before, after *report.Report
		tb, ta        Tried
		want          []Change
	}{
		{name: "4 → 3 drops, nothing ticked", before: with(4, 40), after: with(3, 40), want: []Change{
			{Text: "drops: 4 → 3, about the same", Direction: Same},
		}},
		{name: "4 → 3 drops, cable ticked before: not credited", before: with(4, 40), after: with(3, 40), tb: Tried{Cable: true, Port: true}, ta: Tried{Cable: true, Port: true}, want: []Change{
			{Text: "drops: 4 → 3, about the same", Direction: Same},
		}},
		{name: "4 → 3 drops, cable newly ticked: still not credited", before: with(4, 40), after: with(3, 40), ta: Tried{Cable: true}, want: []Change{
			{Text: "drops: 4 → 3, about the same", Direction: Same},
		}},
		{name: "p95 16.1 → 0.1 ms on a healthy link", before: with(0, 16.1), after: with(0, 0.1), want: []Change{
			{Text: "no change since the previous check", Direction: Same},
		}},
		{name: "drops stop after the cable", before: with(4, 40), after: with(0, 40), ta: Tried{Cable: true}, want: []Change{
			{Text: "drops: 4 → 0 after changing the cable", Direction: Better},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := BuildChanges(c.before, c.after, "", c.tb, c.ta)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestStripSetDrops: the caption takes the live model's drop count, not the
// number of marks on the strip.
func TestStripSetDrops(t *testing.T) {
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	marks := []StripEvent{{Time: t0.Add(time.Second), Kind: MarkDetach}, {Time: t0.Add(2 * time.Second), Kind: MarkDetach}}
	st := BuildStrip(t0, 10*time.Second, marks, []LatencySample{{Time: t0.Add(time.Second), RTT: 4 * time.Millisecond}})
	st.SetDrops(4)
	if want := "Stability over 10 s: 4 drops, answers took up to 4.0 ms"; st.Caption != want {
		t.Errorf("caption %q, want %q", st.Caption, want)
	}
	if got := LiveCaption(st, 3*time.Second, 10*time.Second); got != "So far (3 of 10 s): 4 drops, answers took up to 4.0 ms" {
		t.Errorf("live caption %q", got)
	}
	empty := BuildStrip(time.Time{}, 0, nil, nil)
	empty.SetDrops(2)
	if empty.Caption != "Stability: waiting for a check" {
		t.Errorf("no window: %q", empty.Caption)
	}
}
