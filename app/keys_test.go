package app

import (
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func typeShortcut(h *harness, s fyne.Shortcut) {
	h.u.Window().Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

func TestKeyboardShortcuts(t *testing.T) {
	var saved []string
	h := newHarness(t, newFake(t, "report-flapping.json", "report-healthy.json"), Options{
		SaveDialog: func(_ fyne.Window, suggested string, done func(string, error)) {
			saved = append(saved, suggested)
			done("", nil) // cancelled
		},
	})
	h.attach(phoneA)
	h.waitVerdict()
	typeShortcut(h, shortcutCheck)
	if !h.u.st.Check.Running {
		t.Fatal("Ctrl+R did not start a check")
	}
	h.waitVerdict()
	if n := h.b.checkCount(); n != 2 {
		t.Errorf("checks = %d after Ctrl+R, want 2", n)
	}
	typeShortcut(h, shortcutExport)
	if len(saved) != 1 || !strings.HasSuffix(saved[0], ".md") {
		t.Errorf("Ctrl+E asked to save %v, want one Markdown report", saved)
	}
	if !strings.Contains(joined(h), "Ctrl+R check again") {
		t.Error("the window does not tell which shortcuts exist")
	}
	typeShortcut(h, shortcutQuit)
	if h.u.ctx.Err() == nil {
		t.Error("Ctrl+Q did not stop the window")
	}
}

// Tab reaches the buttons, and the focused one wears a ring that stands
// out from the background (WCAG non-text contrast, 3:1) in both themes.
func TestFocusRingVisible(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		h := newHarness(t, newFake(t, "report-flapping.json"), Options{})
		fyne.CurrentApp().Settings().SetTheme(variantTheme{Theme(), v})
		h.attach(phoneA)
		h.waitVerdict()
		c := h.u.Window().Canvas()
		c.Focus(h.u.bar.check)
		r := test.WidgetRenderer(h.u.bar.check).(*ringRenderer)
		ring := color.NRGBAModel.Convert(r.ring.StrokeColor).(color.NRGBA)
		bg := color.NRGBAModel.Convert(theme.Color(theme.ColorNameBackground)).(color.NRGBA)
		if ring.A != 0xff || contrast(ring, bg) < 3 {
			t.Errorf("variant %v: focus ring %v on %v (contrast %.2f), want opaque and ≥ 3:1", v, ring, bg, contrast(over(ring, bg), bg))
		}
		test.FocusNext(c)
		if c.Focused() == h.u.bar.check {
			t.Fatal("Tab did not move the focus")
		}
		if a := color.NRGBAModel.Convert(r.ring.StrokeColor).(color.NRGBA).A; a != 0 {
			t.Errorf("variant %v: ring still drawn after the focus moved on", v)
		}
	}
}

// With no phone the window shows that it is waiting, and offers no "Check
// again" before any check ran.
func TestWaitingForPhone(t *testing.T) {
	h := newHarness(t, newFake(t, "report-healthy.json"), Options{})
	if !h.u.bar.waitingBox.Visible() || !h.u.bar.waiting.Visible() {
		t.Error("no activity indicator while waiting for a phone")
	}
	all := joined(h)
	if !strings.Contains(all, "Waiting for an iPhone") {
		t.Errorf("window does not say it is waiting:\n%s", all)
	}
	if strings.Contains(all, "Check again") {
		t.Error(`"Check again" before any check ran`)
	}
	if !h.u.bar.check.Disabled() {
		t.Error("check button enabled with no phone to check")
	}
	h.attach(phoneA)
	h.waitVerdict()
	if h.u.bar.waitingBox.Visible() {
		t.Error("still waiting after a phone was checked")
	}
	if h.u.bar.check.Text != "Check again" || h.u.bar.check.Disabled() {
		t.Errorf("after a check the button reads %q (disabled %v)", h.u.bar.check.Text, h.u.bar.check.Disabled())
	}
}

// NoAutoCheck: a phone is connected but nothing ran yet: "Check now".
func TestCheckNowBeforeFirstCheck(t *testing.T) {
	h := newHarness(t, newFake(t, "report-healthy.json"), Options{NoAutoCheck: true})
	h.attach(phoneA)
	h.pump(func() bool { return len(h.u.st.Phones) == 1 })
	if h.u.bar.check.Text != "Check now" || h.u.bar.check.Disabled() {
		t.Errorf("button = %q (disabled %v), want an enabled \"Check now\"", h.u.bar.check.Text, h.u.bar.check.Disabled())
	}
}

// Issue 19, finding 11: the first Tab stop is "Check again" in the action
// bar (not a control below the fold of the left pane); Ctrl+E while the
// save dialog is open does not open a second one; a control that gets the
// focus below the fold is scrolled into view.
func TestKeyboardOrder(t *testing.T) {
	var asked int
	var finish func(string, error)
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{
		SaveDialog: func(_ fyne.Window, _ string, done func(string, error)) { asked++; finish = done },
	})
	h.attach(phoneA)
	h.waitVerdict()
	c := h.u.Window().Canvas()
	c.Unfocus()
	test.FocusNext(c)
	if c.Focused() != h.u.bar.check {
		t.Errorf("first Tab stop is %T, want the Check button", c.Focused())
	}

	typeShortcut(h, shortcutExport)
	typeShortcut(h, shortcutExport)
	if asked != 1 {
		t.Errorf("Ctrl+E twice opened %d save dialogs", asked)
	}
	finish("", nil)
	typeShortcut(h, shortcutExport)
	if asked != 2 {
		t.Error("no save dialog after the first one closed")
	}
	finish("", nil)

	h.u.Window().Resize(fyne.NewSize(1024, 640))
	box := h.u.answers.checks["restart"]
	c.Focus(box)
	top := fyne.CurrentApp().Driver().AbsolutePositionForObject(box).Y - fyne.CurrentApp().Driver().AbsolutePositionForObject(h.u.leftScroll).Y
	if top < 0 || top+box.Size().Height > h.u.leftScroll.Size().Height {
		t.Errorf("focused check box at %.0f px, outside the pane's %.0f px", top, h.u.leftScroll.Size().Height)
	}
}
