package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
)

// Issue 19, finding 9: the strip draws what its legend says: a drop is a
// full-height red line; an unanswered question is a short block of
// another colour, never taken for a drop.
func TestStripDrawsFailuresUnlikeDrops(t *testing.T) {
	test.NewTempApp(t)
	w := newStripWidget()
	w.Resize(fyne.NewSize(300, 40))
	w.set(viewmodel.Strip{
		Marks:  []viewmodel.Mark{{X: 0.2, Kind: viewmodel.MarkDetach}},
		Points: []viewmodel.Point{{X: 0.5, Y: 1, Failed: true}, {X: 0.7, Y: 0.2}},
	})
	var line *canvas.Line
	var rects []*canvas.Rectangle
	for _, o := range test.WidgetRenderer(w).Objects() {
		switch v := o.(type) {
		case *canvas.Line:
			line = v
		case *canvas.Rectangle:
			rects = append(rects, v)
		}
	}
	if line == nil || len(rects) != 3 {
		t.Fatalf("line %v, %d rectangles", line, len(rects))
	}
	failed := rects[1]
	if failed.FillColor == line.StrokeColor {
		t.Error("an unanswered question has the colour of a drop")
	}
	if h := failed.Size().Height; h >= 0.5*(40-6) {
		t.Errorf("an unanswered question is drawn %.0f px high, like a drop", h)
	}
	if !strings.Contains(viewmodel.StripLegend(), "not drops") || !strings.Contains(viewmodel.StripLegend(), "red line = the iPhone dropped off") {
		t.Errorf("legend %q", viewmodel.StripLegend())
	}
}

// Issue 19, finding 13: a file the save dialog created (0644 by the umask)
// is written 0600 like the command line's exports.
func TestDialogFileBecomesPrivate(t *testing.T) {
	h := newHarness(t, newFake(t, "report-healthy.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	path := filepath.Join(t.TempDir(), "report.md")
	if err := os.WriteFile(path, nil, 0o644); err != nil { // what the dialog leaves
		t.Fatal(err)
	}
	forgetDialogFile(path)
	if err := h.u.ExportTo(path, FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("export created %v, want 0600", fi.Mode().Perm())
	}
}

// Issue 19, finding 12: the computer's rows arriving late do not push the
// Check section down.
func TestHostRowsDoNotMoveCheck(t *testing.T) {
	h := newHarness(t, newFake(t, "report-hung.json"), Options{})
	h.u.Window().Resize(fyne.NewSize(1024, 640))
	d := fyne.CurrentApp().Driver()
	known := h.u.st.Host
	h.u.st.Host = viewmodel.Host{} // as before the probe answered
	h.u.render()
	before := d.AbsolutePositionForObject(h.u.progress.box).Y
	h.u.dispatch(state.HostProbed{Host: known})
	if after := d.AbsolutePositionForObject(h.u.progress.box).Y; after != before {
		t.Errorf("the Check section moved from %.0f to %.0f px when the computer's rows arrived", before, after)
	}
}

// Issue 19, finding 1: a check cut by the service going away says so in
// the headline, unless the check found the service itself at fault (the
// hung scenario), whose verdict stands.
func TestHeadlineAfterTheServiceWentAway(t *testing.T) {
	for _, c := range []struct {
		report, want string
	}{
		{"report-healthy.json", "stopped answering during the check"},
		{"report-hung.json", "Try step "}, // the check found the service at fault: its verdict stands
	} {
		s := state.New(catalog.MustDefault(), "", true, false)
		s = state.Reduce(s, state.DeviceEvent{Kind: state.EventAttach, Source: "usbmux", Device: phoneA})
		s = state.Reduce(s, state.DeviceEvent{Kind: state.EventServiceLost})
		s = state.Reduce(s, state.CheckDone{Seq: s.Check.Seq, Report: loadReport(t, c.report)})
		if got := headline(s, CatalogView(catalog.MustDefault(), "linux"), true).Text; !strings.Contains(got, c.want) {
			t.Errorf("%s: headline %q, want %q", c.report, got, c.want)
		}
	}
}

// The panes draw the state and nothing else: each shows its part of a
// given state, and drawing state A after state B gives exactly what
// drawing A alone gave (no pane keeps a fact of its own).
func TestPanesRenderTheState(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json", "report-healthy.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	a := h.u.st
	textsA := strings.Join(texts(h.u.Window().Content()), "\n")
	for _, c := range []struct {
		pane, got, want string
	}{
		{"phone", h.u.phone.heading.Text, phoneA.Name},
		{"host", h.u.host.rows[0].value.Text, "running"},
		{"progress", h.u.progress.label.Text, "Last check: "},
		{"strip", h.u.strip.caption.Text, "3 drops"},
		{"verdict", h.u.verdict.label.Text, "Try step 1 first"},
		{"details", h.u.details.text.Text, "usb.unstable"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s pane shows %q, want %q", c.pane, c.got, c.want)
		}
	}
	if sw := h.u.steps.widgets[1]; sw == nil || !sw.card.Primary {
		t.Error("steps pane: step 1 is not the primary card")
	}

	h.u.dispatch(state.TriedSet{Key: state.AnswerCable, On: true})
	h.u.dispatch(state.IncludeIDsSet{On: true})
	if !h.u.answers.checks[state.AnswerCable].Checked || !h.u.export.include.Checked {
		t.Error("answers or export pane does not show the state's ticks")
	}
	test.Tap(h.u.bar.check)
	h.waitVerdict()
	if strings.Join(texts(h.u.Window().Content()), "\n") == textsA {
		t.Fatal("state B draws like state A")
	}

	h.u.st = a
	h.u.render()
	if got := strings.Join(texts(h.u.Window().Content()), "\n"); got != textsA {
		t.Errorf("state A drawn after state B differs from state A drawn first:\n%s", firstDifference(textsA, got))
	}
	if h.u.answers.checks[state.AnswerCable].Checked || h.u.export.include.Checked {
		t.Error("ticks of state B stay on screen after state A is drawn")
	}
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + al[i] + " ≠ " + bl[i]
		}
	}
	return "lengths differ"
}
