package viewmodel

import (
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// MarkKind is what a mark on the stability strip stands for.
type MarkKind string

// Kinds of marks on the stability strip.
const (
	MarkAttach MarkKind = "attach"
	MarkDetach MarkKind = "detach"
	MarkMode   MarkKind = "mode"
)

// StripEvent is one live event placed on the strip.
type StripEvent struct {
	Time time.Time
	Kind MarkKind
	// Key is the phone's key ("" for any phone); the window shows the
	// selected phone's marks.
	Key string
}

// LatencySample is one lockdown round trip.
type LatencySample struct {
	// Key is the phone's key ("" for any phone).
	Key  string
	Time time.Time
	RTT  time.Duration
	// Failed marks a timed-out or failed request.
	Failed bool
}

// Mark is a vertical mark on the strip at X (0 = window start, 1 = end).
type Mark struct {
	X    float32
	Kind MarkKind
}

// Point is a latency sample at X (0..1) and height Y (0 = none, 1 = the scale's top).
type Point struct {
	X, Y   float32
	Failed bool
}

// Strip is the stability strip: attach/detach marks and lockdown latency over
// the sampling window.
type Strip struct {
	Marks  []Mark
	Points []Point
	// ScaleMs is the latency at Y = 1.
	ScaleMs float64
	// Caption sums the strip up in words, for a window that has passed.
	Caption string
	// Summary is the caption's figures without the window ("1 drop, …").
	Summary string

	// What Summary is made of, for SetDrops.
	window        time.Duration
	drops, failed int
	maxMs         float64
	sampled       bool
}

// SetDrops puts the live model's drop count for the phone (device.Monitor's,
// since the check started) into the summary and caption in place of the
// count of detach marks, so the caption says what the Monitor counted.
func (s *Strip) SetDrops(n int) {
	if s.window <= 0 {
		return
	}
	s.drops = n
	s.summarise()
}

func (s *Strip) summarise() {
	drops := i18n.N("window.strip.drops", s.drops)
	switch {
	case !s.sampled || s.maxMs < 0.05: // not "up to 0.0 ms" when every question failed
		s.Summary = drops
	case s.failed > 0:
		s.Summary = i18n.N("window.strip.summary_failed", s.failed, i18n.Args{"Drops": drops, "Max": msText(s.maxMs)})
	default:
		s.Summary = i18n.T("window.strip.summary", i18n.Args{"Drops": drops, "Max": msText(s.maxMs)})
	}
	s.Caption = i18n.T("window.strip.caption", i18n.Args{"Window": seconds(s.window.Seconds()), "Summary": s.Summary})
}

// LiveCaption is the strip's caption while the check runs: the figures so
// far and how much of the window has passed; once the window has passed,
// the caption of the whole window.
func LiveCaption(s Strip, elapsed, window time.Duration) string {
	if window <= 0 || elapsed >= window || s.Summary == "" {
		return s.Caption
	}
	if elapsed < time.Second {
		return i18n.T("window.strip.just_started", i18n.Args{"Summary": s.Summary})
	}
	return i18n.T("window.strip.so_far", i18n.Args{"S": i18n.Int(int(max(elapsed, 0) / time.Second)), "Window": seconds(window.Seconds()), "Summary": s.Summary})
}

// BuildStrip places events and samples between start and start+window on
// the strip. Events outside the window are dropped; a zero window gives an
// empty strip with a waiting caption.
func BuildStrip(start time.Time, window time.Duration, events []StripEvent, samples []LatencySample) Strip {
	var s Strip
	if window <= 0 || start.IsZero() {
		s.Caption = i18n.T("window.strip.waiting")
		return s
	}
	pos := func(t time.Time) (float32, bool) {
		d := t.Sub(start)
		if d < 0 || d > window {
			return 0, false
		}
		return float32(float64(d) / float64(window)), true
	}
	detaches := 0
	for _, e := range events {
		x, ok := pos(e.Time)
		if !ok {
			continue
		}
		if e.Kind == MarkDetach {
			detaches++
		}
		s.Marks = append(s.Marks, Mark{X: x, Kind: e.Kind})
	}
	maxMs := 0.0
	for _, smp := range samples {
		if _, ok := pos(smp.Time); !ok || smp.Failed {
			continue
		}
		if ms := float64(smp.RTT) / float64(time.Millisecond); ms > maxMs {
			maxMs = ms
		}
	}
	s.ScaleMs = 20
	for s.ScaleMs < maxMs {
		s.ScaleMs *= 2
	}
	failed := 0
	for _, smp := range samples {
		x, ok := pos(smp.Time)
		if !ok {
			continue
		}
		y := float32(1)
		if smp.Failed {
			failed++
		} else {
			y = float32(float64(smp.RTT) / float64(time.Millisecond) / s.ScaleMs)
		}
		s.Points = append(s.Points, Point{X: x, Y: y, Failed: smp.Failed})
	}
	s.window, s.drops, s.failed, s.maxMs, s.sampled = window, detaches, failed, maxMs, len(samples) > 0
	s.summarise()
	return s
}

// StabilitySummary sums up the report's stability and lockdown figures for
// the phone with key (the first phone when absent) in one line.
func StabilitySummary(r *report.Report, key string) string {
	d, ok := pickDevice(r, key)
	if !ok {
		return i18n.T("window.stability.no_phone")
	}
	args := i18n.Args{"Window": seconds(d.Stability.WindowS)}
	if !d.Lockdown.Reachable || d.Lockdown.Requests == 0 {
		return i18n.N("window.stability.drops", d.Stability.Detaches, args)
	}
	// The 95th percentile, in words (the figure itself is in Details).
	args["Drops"] = i18n.N("window.stability.drops", d.Stability.Detaches, args)
	args["P95"] = msText(d.Lockdown.RTTms.P95)
	if n := d.Lockdown.Timeouts + d.Lockdown.Failures; n > 0 {
		return i18n.N("window.stability.answers_failed", n, args)
	}
	return i18n.T("window.stability.answers", args)
}
