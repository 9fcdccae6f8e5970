package restore

import (
	"io"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// longRun is an hour of a restore with a drop every 10 s: the worst case the
// recorder feeds the timeline.
func longRun() []restoretrace.Event {
	s := flow()
	ms := int64(400_000)
	for range 360 {
		ms += 10_000
		s.off(ms).on(ms+500, "normal")
	}
	return s.stop(ms + 1000).evs
}

// BenchmarkApply is the cost of one event (the recorder applies each as it comes).
func BenchmarkApply(b *testing.B) {
	evs := longRun()
	h := restoretrace.Header{Source: "libusb+usbmuxd"}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		tl := New(h, Config{})
		for _, e := range evs {
			tl.Apply(e)
		}
		n += len(evs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}

// BenchmarkStatus is the live timer check the window makes each second.
func BenchmarkStatus(b *testing.B) {
	tl := flow().timeline(Config{})
	for b.Loop() {
		_ = tl.Status(500_000)
	}
}

func BenchmarkDecide(b *testing.B) {
	tl := New(restoretrace.Header{}, Config{})
	for _, e := range longRun() {
		tl.Apply(e)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = tl.Decide(Inputs{})
	}
}

func BenchmarkWritePNG(b *testing.B) {
	tl := New(restoretrace.Header{}, Config{})
	for _, e := range longRun() {
		tl.Apply(e)
	}
	for b.Loop() {
		if err := tl.WritePNG(io.Discard, PictureOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePNGJapanese draws the picture with a system CJK font
// (skipped without one): the cost of CJK labels over the built-in face.
func BenchmarkWritePNGJapanese(b *testing.B) {
	if len(systemCJKFontFiles()) == 0 {
		b.Skip("no CJK font")
	}
	if err := i18n.Use("ja"); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = i18n.Use("en") }()
	tl := New(restoretrace.Header{}, Config{})
	for _, e := range longRun() {
		tl.Apply(e)
	}
	tl.Image(PictureOptions{}) // finds and parses the font once per process
	for b.Loop() {
		if err := tl.WritePNG(io.Discard, PictureOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
