package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

func TestWindowSize(t *testing.T) {
	cases := []struct {
		name   string
		screen fyne.Size
		want   fyne.Size
	}{
		{"unknown screen", fyne.Size{}, preferredSize},
		{"full HD", fyne.NewSize(1920, 1080), preferredSize},
		{"768-px laptop", fyne.NewSize(1366, 768), fyne.NewSize(1180, 672)},
		{"1024x640", fyne.NewSize(1024, 640), fyne.NewSize(976, 544)},
		{"smaller than the minimum", fyne.NewSize(640, 480), MinWindowSize},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := WindowSize(c.screen)
			if got != c.want {
				t.Errorf("WindowSize(%v) = %v, want %v", c.screen, got, c.want)
			}
			if c.screen.Width >= MinWindowSize.Width+48 && (got.Width > c.screen.Width || got.Height > c.screen.Height) {
				t.Errorf("WindowSize(%v) = %v does not fit the screen", c.screen, got)
			}
		})
	}
}

// visibleIn reports whether target is laid out entirely inside the window
// and inside the viewport of every scroll container around it.
func visibleIn(root fyne.CanvasObject, winSize fyne.Size, target fyne.CanvasObject) bool {
	type rect struct{ x0, y0, x1, y1 float32 }
	var found, ok bool
	var walk func(o fyne.CanvasObject, origin fyne.Position, clip rect)
	walk = func(o fyne.CanvasObject, origin fyne.Position, clip rect) {
		if found || o == nil || !o.Visible() {
			return
		}
		p := origin.Add(o.Position())
		r := rect{p.X, p.Y, p.X + o.Size().Width, p.Y + o.Size().Height}
		if o == target {
			found = true
			ok = r.x0 >= clip.x0-0.5 && r.y0 >= clip.y0-0.5 && r.x1 <= clip.x1+0.5 && r.y1 <= clip.y1+0.5 && r.x1 > r.x0 && r.y1 > r.y0
			return
		}
		if _, isScroll := o.(*container.Scroll); isScroll {
			clip = rect{max(clip.x0, r.x0), max(clip.y0, r.y0), min(clip.x1, r.x1), min(clip.y1, r.y1)}
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c, p, clip)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c, p, clip)
			}
		}
	}
	walk(root, fyne.NewPos(0, 0), rect{0, 0, winSize.Width, winSize.Height})
	return found && ok
}

// At 1024×640 (and at the window's minimum size) the action bar's "Check
// again" and the first step's "Show how"/"Hide" are on screen without
// scrolling; the content allows the minimum size. In every language: the
// German, French and Spanish texts run about 30 % longer.
func TestWindowFitsSmallScreens(t *testing.T) {
	inEnglish(t)
	for _, l := range i18n.Supported() {
		t.Run(l.Code, func(t *testing.T) { windowFits(t, l.Code) })
	}
}

func windowFits(t *testing.T, code string) {
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{Demo: "flapping", Language: code})
	h.attach(phoneA)
	h.waitVerdict()
	if min := h.u.Window().Content().MinSize(); min.Width > MinWindowSize.Width || min.Height > MinWindowSize.Height {
		t.Fatalf("content needs %v, more than the minimum window size %v", min, MinWindowSize)
	}
	for _, size := range []fyne.Size{WindowSize(fyne.NewSize(1024, 640)), MinWindowSize, fyne.NewSize(1024, 640)} {
		h.u.Window().Resize(size)
		root := h.u.Window().Content()
		if !visibleIn(root, size, h.u.bar.check) {
			t.Errorf("%v: %q is not on screen", size, h.u.bar.check.Text)
		}
		var first *stepWidgets
		for _, sw := range h.u.steps.widgets {
			if sw.card.Primary {
				first = sw
			}
		}
		if first == nil || !visibleIn(root, size, first.toggle) {
			t.Errorf("%v: the first step's %q button is not on screen", size, "Show how")
		}
	}
	h.shot("size-1024x640-" + code)
}

// At large sizes the steps' text does not run across the whole screen.
func TestStepTextWidthCapped(t *testing.T) {
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{})
	h.attach(phoneA)
	h.waitVerdict()
	h.u.Window().Resize(fyne.NewSize(1920, 1080))
	n := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			n++
			if w.Size().Width > maxTextWidth {
				t.Errorf("label %q is %.0f px wide (cap %.0f)", w.Text, w.Size().Width, maxTextWidth)
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(h.u.rightBox)
	if n < 10 {
		t.Fatalf("only %d labels in the steps panel", n)
	}
}

// A phone that keeps dropping off and coming back changes the live values
// (connected/disconnected, progress, the strip's caption); nothing in the
// left pane may move because of it, in English and in the longer German
// and the CJK texts.
func TestLeftPaneDoesNotJumpWhileFlapping(t *testing.T) {
	inEnglish(t)
	for _, code := range []string{"en", "de", "ja"} {
		t.Run(code, func(t *testing.T) { leftPaneStays(t, code) })
	}
}

func leftPaneStays(t *testing.T, code string) {
	b := newFake(t, "report-flapping.json", "report-flapping.json")
	h := newHarness(t, b, Options{Language: code})
	h.attach(phoneA)
	h.waitVerdict()
	positions := func() []float32 {
		var ys []float32
		for _, o := range h.u.leftBox.Objects {
			ys = append(ys, o.Position().Y)
		}
		return ys
	}
	before := positions()
	same := func(when string) {
		t.Helper()
		after := positions()
		for i := range before {
			if after[i] != before[i] {
				t.Errorf("%s: row %d of the left pane moved from y=%.0f to y=%.0f", when, i, before[i], after[i])
			}
		}
	}
	h.b.events <- DeviceEvent{Kind: EventDetach, Source: "usb", Time: h.at, Device: phoneA}
	h.pump(func() bool { return !h.u.st.Phones[phoneA.Key].GoneAt.IsZero() })
	same("after a drop")
	d := phoneA
	d.OnUSB, d.SpeedMbps, d.Listed = false, 0, true
	h.b.events <- DeviceEvent{Kind: EventAttach, Source: "usbmux", Time: h.at, Device: d}
	h.pump(func() bool { return h.u.st.Phones[phoneA.Key].GoneAt.IsZero() })
	same("after it came back")
	b.mu.Lock()
	b.block = make(chan struct{})
	b.mu.Unlock()
	test.Tap(h.u.bar.check)
	h.pump(func() bool { return h.u.st.Check.Running && h.u.st.Check.Progress.Total == 3 })
	same("while checking")
	close(b.block)
	h.waitVerdict()
	same("after the check")
}

// TestBarWrapsLongLabels: with the longer German, French and Spanish
// labels the action bar takes two rows rather than widening the window
// past MinWindowSize; with the English ones it is one row.
func TestBarWrapsLongLabels(t *testing.T) {
	test.NewTempApp(t)
	budget := MinWindowSize.Width - 4*theme.Padding()
	for _, tt := range []struct {
		labels []string
		rows   int
	}{
		{[]string{"Check again", "Quick check (10 s)", "Thorough (30 s)", "Watch my restore", "English"}, 1},
		{[]string{"Erneut prüfen", "Schnellprüfung (10 s)", "Gründlich (30 s)", "Wiederherstellung beobachten", "Deutsch"}, 2},
		{[]string{"Comprobar de nuevo", "Comprobación rápida (10 s)", "A fondo (30 s)", "Vigilar mi restauración", "Português (Brasil)"}, 2},
	} {
		check := widget.NewButtonWithIcon(tt.labels[0], theme.ViewRefreshIcon(), nil)
		choice := widget.NewRadioGroup(tt.labels[1:3], nil)
		choice.Horizontal = true
		record := widget.NewButtonWithIcon(tt.labels[3], theme.MediaRecordIcon(), nil)
		waiting := widget.NewLabel("Warte auf ein iPhone, das zurückkommt…")
		waiting.Truncation = fyne.TextTruncateEllipsis
		sel := widget.NewSelect([]string{tt.labels[4]}, nil)
		sel.PlaceHolder = tt.labels[4]
		bar := container.New(barLayout{budget: budget, fillWant: waiting.MinSize().Width}, check, choice, record, waiting, sel)
		min := bar.MinSize()
		if min.Width > budget {
			t.Errorf("%q: the bar needs %.0f px, more than the %.0f of the smallest window", tt.labels[0], min.Width, budget)
		}
		bar.Resize(fyne.NewSize(budget, min.Height))
		rows := 1
		if record.Position().Y > check.Position().Y {
			rows = 2
		}
		if rows != tt.rows {
			t.Errorf("%q: %d rows, want %d", tt.labels[0], rows, tt.rows)
		}
		for _, o := range []fyne.CanvasObject{check, choice, record, sel} {
			if p, s := o.Position(), o.Size(); p.X < 0 || p.X+s.Width > budget+0.5 || p.Y+s.Height > min.Height+0.5 || s.Width < o.MinSize().Width {
				t.Errorf("%q: an item at %v size %v is cut off in a %.0f×%.0f bar", tt.labels[0], p, s, budget, min.Height)
			}
		}
		if waiting.Position().X+waiting.Size().Width > budget+0.5 {
			t.Errorf("%q: the waiting text runs past the bar", tt.labels[0])
		}
		// The waiting indicator comes and goes while a phone flaps: the
		// bar keeps its height.
		waiting.Hide()
		if h := bar.MinSize().Height; h != min.Height {
			t.Errorf("%q: the bar is %.0f px tall without the waiting text, %.0f with it", tt.labels[0], h, min.Height)
		}
	}
}

// absPos is the position of target in root's coordinates (ok false when
// target is not under root).
func absPos(root, target fyne.CanvasObject) (pos fyne.Position, ok bool) {
	var walk func(o fyne.CanvasObject, origin fyne.Position) bool
	walk = func(o fyne.CanvasObject, origin fyne.Position) bool {
		p := origin.Add(o.Position())
		if o == target {
			pos = p
			return true
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				if walk(c, p) {
					return true
				}
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				if walk(c, p) {
					return true
				}
			}
		}
		return false
	}
	return pos, walk(root, fyne.Position{})
}

// The check button's label changes width (German "Jetzt prüfen", "Wird geprüft …",
// "Erneut prüfen"), which can move the waiting indicator to a second row of
// the action bar: the button must get its new width and the panes below
// must move down with the bar, never lie under its second row (seen at
// 1024×640 in German under Xvfb).
func TestPanesBelowTheBarAfterItWraps(t *testing.T) {
	inEnglish(t)
	for _, code := range []string{"en", "de", "fr", "ja"} {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t, newFake(t, "report-flapping.json", "report-flapping.json"), Options{Demo: "flapping", Language: code})
			h.u.Window().Resize(WindowSize(fyne.NewSize(1024, 640)))
			h.attach(phoneA)
			h.waitVerdict()
			test.Tap(h.u.bar.check)
			h.pump(func() bool { return h.u.st.Check.Running })
			h.waitVerdict()
			root := h.u.Window().Content()
			bar, ok1 := absPos(root, h.u.bar.box)
			left, ok2 := absPos(root, h.u.leftScroll)
			if !ok1 || !ok2 {
				t.Fatal("the bar or the left pane is not in the window")
			}
			bottom := bar.Y + h.u.bar.box.MinSize().Height
			if h.u.bar.box.Size().Height < h.u.bar.box.MinSize().Height-0.5 {
				t.Errorf("the bar is %.0f px tall, its rows need %.0f", h.u.bar.box.Size().Height, h.u.bar.box.MinSize().Height)
			}
			if c := h.u.bar.check; c.Size().Width < c.MinSize().Width-0.5 {
				t.Errorf("%q is %.0f px wide, it needs %.0f", c.Text, c.Size().Width, c.MinSize().Width)
			}
			if left.Y < bottom {
				t.Errorf("the left pane starts at y=%.0f, under the bar that ends at y=%.0f", left.Y, bottom)
			}
		})
	}
}

// Step 5 after "I have a backup" (the button sequence of the model and
// its heading) still fits the window at 1024×640 in every language: the
// German heading on one line widened the window past the screen.
func TestStep5AcknowledgedFits(t *testing.T) {
	inEnglish(t)
	for _, l := range i18n.Supported() {
		t.Run(l.Code, func(t *testing.T) {
			h := newHarness(t, newFake(t, "report-recovery.json"), Options{Demo: "recovery", Language: l.Code})
			h.attach(phoneARecovery)
			h.waitVerdict()
			test.Tap(h.u.steps.widgets[5].ack)
			h.pump(func() bool { return true })
			// The acknowledgement's check box does not wrap: in most
			// languages it is wider than MinWindowSize allows; the window
			// at 1024×640 is the promise here.
			if min, max := h.u.Window().Content().MinSize(), WindowSize(fyne.NewSize(1024, 640)); min.Width > max.Width {
				t.Errorf("content needs %.0f px wide after the acknowledgement, more than the %.0f of the window at 1024×640", min.Width, max.Width)
			}
		})
	}
}
