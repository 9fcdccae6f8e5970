package app

import (
	"fmt"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// This file holds the small widget helpers the panes share.

// card puts content on a rounded, tinted background.
func card(content fyne.CanvasObject, alpha uint8, tint fyne.ThemeColorName) fyne.CanvasObject {
	bg := canvas.NewRectangle(withAlpha(theme.Color(tint), alpha))
	bg.CornerRadius = 6
	if alpha >= 0x30 {
		bg.StrokeColor = theme.Color(tint)
		bg.StrokeWidth = 1.5
	} else {
		bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
		bg.StrokeWidth = 1
	}
	return container.NewStack(bg, container.NewPadded(content))
}

// bullets joins lines into one text, each prefixed with mark or, when mark
// is empty, numbered.
//
// Fyne wraps text only at spaces (and inside a "word" only when it is
// longer than the line): a Japanese or Chinese sentence has no spaces, so
// after "1. " it went to the next line whole, leaving "1." alone on its
// line. Lines whose first word is in those scripts get no space after the
// number ("1．" with the full-width stop, which carries its own gap) or the
// mark.
func bullets(lines []string, mark string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		cjk := firstWordCJK(l)
		switch {
		case mark == "" && cjk:
			fmt.Fprintf(&b, "%d．%s", i+1, l)
		case mark == "":
			fmt.Fprintf(&b, "%d. %s", i+1, l)
		case cjk:
			b.WriteString(mark + l)
		default:
			b.WriteString(mark + " " + l)
		}
	}
	return b.String()
}

// firstWordCJK reports whether the first word of s (up to a space) has a
// Han, Hiragana or Katakana character: Japanese or Chinese text, which
// has no spaces between words ("USB接続とケーブル…" too).
func firstWordCJK(s string) bool {
	for _, r := range s {
		if unicode.IsSpace(r) {
			return false
		}
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

// wrappedTitle is a bold heading that wraps: a sentence-long one (German
// "Falls es den Wiederherstellungsmodus verlässt: Tasten für … (iPhone 13
// Pro Max):") on one line widened the window past a 1024-px screen.
func wrappedTitle(s string) *widget.Label {
	l := wrapped(s)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// greyText is readable but subdued text (steps that do not apply): the
// placeholder colour, which keeps contrast in both themes unlike "disabled".
func greyText(s string, size fyne.ThemeSizeName) *widget.RichText {
	seg := &widget.TextSegment{Text: s, Style: widget.RichTextStyle{
		ColorName: theme.ColorNamePlaceHolder, SizeName: size, Inline: true,
	}}
	rt := widget.NewRichText(seg)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// setText changes a label's text when it differs: SetText redraws the
// label even when the text is the same.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

// showIf shows or hides o.
func showIf(o fyne.CanvasObject, on bool) {
	if on && !o.Visible() {
		o.Show()
	} else if !on && o.Visible() {
		o.Hide()
	}
}

// rowSize is what the layout of a row of a box depends on.
type rowSize struct {
	min     fyne.Size
	visible bool
}

// relayout lays box out again when one of its rows changed size or
// visibility and leaves it alone otherwise: refreshing the box would also
// redraw every text in it, on each live event and progress tick. rows holds
// the sizes of the last layout. It reports whether it laid the box out.
func relayout(box *fyne.Container, rows *[]rowSize) bool {
	changed := len(*rows) != len(box.Objects)
	if changed {
		*rows = make([]rowSize, len(box.Objects))
	}
	for i, o := range box.Objects {
		r := rowSize{visible: o.Visible()}
		if r.visible {
			r.min = o.MinSize()
		}
		if (*rows)[i] != r {
			(*rows)[i], changed = r, true
		}
	}
	if changed {
		box.Refresh()
	}
	return changed
}

// lineRow is one rendered line of the device or host card.
type lineRow struct{ label, value *widget.Label }

// setLines shows lines in box. When the rows on screen have the same labels
// their values are updated in place; only a different set of rows is built
// anew.
func setLines(box *fyne.Container, rows *[]lineRow, lines []viewmodel.Line) {
	same := len(*rows) == len(lines)
	for i := 0; same && i < len(lines); i++ {
		same = (*rows)[i].label.Text == lines[i].Label
	}
	if !same {
		box.Objects, *rows = linesObjects(lines)
		box.Refresh()
		return
	}
	for i, ln := range lines {
		v := (*rows)[i].value
		imp := lineImportance(ln)
		if v.Text != ln.Value || v.Importance != imp {
			v.Text, v.Importance = ln.Value, imp
			v.Refresh()
		}
	}
}

func lineImportance(ln viewmodel.Line) widget.Importance {
	if ln.Bad {
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

func linesObjects(lines []viewmodel.Line) ([]fyne.CanvasObject, []lineRow) {
	var objs []fyne.CanvasObject
	var rows []lineRow
	for _, ln := range lines {
		k := widget.NewLabel(ln.Label)
		k.TextStyle = fyne.TextStyle{Bold: true}
		v := widget.NewLabel(ln.Value)
		v.Wrapping = fyne.TextWrapWord
		v.Importance = lineImportance(ln)
		rows = append(rows, lineRow{k, v})
		// Values that change while a phone flaps (connection, trust) get
		// two lines, so a longer value does not move the rows below it.
		lines := 1
		if ln.Label == viewmodel.ConnectionLabel() || ln.Label == viewmodel.TrustLabel() || ln.Label == viewmodel.ServiceLabel() {
			lines = 2
		}
		objs = append(objs, reserveLines(container.NewBorder(nil, nil, k, nil, v), lines, theme.SizeNameText))
	}
	return objs, rows
}

// revealer scrolls the pane that holds a focused control so that it is in
// view (keyboard users otherwise tab to controls below the fold).
type revealer interface{ reveal(fyne.CanvasObject) }

// focusCheck is a check box that, when it gets the keyboard focus, is
// scrolled into view.
type focusCheck struct {
	widget.Check
	r revealer
}

func newFocusCheck(label string, r revealer, changed func(bool)) *focusCheck {
	c := &focusCheck{r: r}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// FocusGained scrolls the box into view.
func (c *focusCheck) FocusGained() {
	c.Check.FocusGained()
	if c.r != nil {
		c.r.reveal(c)
	}
}

// reveal scrolls whichever of the window's two panes holds o so that o is
// in view. The panes sit side by side: the one whose columns hold o's left
// edge holds it.
func (u *UI) reveal(o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(o)
	for _, sc := range []*container.Scroll{u.leftScroll, u.rightScroll} {
		if sc == nil {
			continue
		}
		sp := d.AbsolutePositionForObject(sc)
		if pos.X < sp.X || pos.X >= sp.X+sc.Size().Width {
			continue
		}
		top := pos.Y - sp.Y
		bottom := top + o.Size().Height
		switch {
		case top < 0:
			sc.Offset.Y += top - theme.Padding()
		case bottom > sc.Size().Height:
			sc.Offset.Y += bottom - sc.Size().Height + theme.Padding()
		default:
			return
		}
		sc.Offset.Y = max(sc.Offset.Y, 0)
		sc.Refresh()
		return
	}
}
