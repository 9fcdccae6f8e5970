package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Window sizes. The window opens at preferredSize when the screen has room,
// smaller on small screens, and never below MinWindowSize: the content's
// minimum, at which the action bar (Check again, Quick/Thorough) and the top
// of the first step card stay visible on a 1024×640 screen.
var (
	preferredSize = fyne.NewSize(1180, 780)
	// MinWindowSize is the smallest window the content allows.
	MinWindowSize = fyne.NewSize(760, 500)
)

// maxTextWidth caps the width of the steps panel's text at large window
// sizes: longer lines are hard to read.
const maxTextWidth float32 = 760

// WindowSize is the size the window opens at on a screen of the given size
// (in Fyne units; zero when unknown): the preferred size, shrunk to leave
// room for a panel and the window frame, and never below MinWindowSize.
func WindowSize(screen fyne.Size) fyne.Size {
	s := preferredSize
	if screen.Width > 0 && screen.Height > 0 {
		// Leave room for the window frame and a desktop panel or dock.
		s = s.Min(fyne.NewSize(screen.Width-48, screen.Height-96))
	}
	return s.Max(MinWindowSize)
}

// maxWidthLayout gives its objects at most max width, left-aligned, and
// the full height.
type maxWidthLayout struct{ max float32 }

func (l maxWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, l.max)
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (l maxWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// reserveLayout keeps at least a fixed height for values that change while
// the user reads the window (live device facts, progress, captions), so the
// rows below do not jump when a value gets shorter or longer.
type reserveLayout struct{ height float32 }

func (l reserveLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l reserveLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, l.height)
	for _, o := range objs {
		m := o.MinSize()
		s = fyne.NewSize(max(s.Width, m.Width), max(s.Height, m.Height))
	}
	return s
}

// reserveLines wraps o in a container at least as tall as n lines of
// label text of the given size.
func reserveLines(o fyne.CanvasObject, n int, size fyne.ThemeSizeName) *fyne.Container {
	return &fyne.Container{Layout: reserveLayout{height: linesHeight(n, size)}, Objects: []fyne.CanvasObject{o}}
}

// linesHeight is the height of a label of n lines at the given text size.
func linesHeight(n int, size fyne.ThemeSizeName) float32 {
	l := widget.NewLabel(strings.TrimSuffix(strings.Repeat("Xg\n", max(n, 1)), "\n"))
	l.SizeName = size
	return l.MinSize().Height
}

// barLayout lays the action bar out: its items left to right, the last
// object (the language selector) at the right end of the first row, and
// the item before it (the waiting indicator) stretched over the room left
// in its row. Items that do not fit the bar's width go to the next row
// (German, French and Spanish labels run about 30 % longer than English):
// the window never needs to be wider than MinWindowSize, and at any width
// nothing is cut off.
//
// The waiting indicator comes and goes while a phone flaps; so that the
// rows never change with it, it always counts with fillWant (the width of
// its shorter text), shown or not: it stays in the first row when that
// fits, and takes the room left there, its longer text ending in "…" when
// that room is short; at the smallest width it shrinks rather than
// widening the window.
type barLayout struct {
	// budget is the bar's width in the smallest window.
	budget float32
	// width is the bar's width now (nil or 0: unknown, then budget).
	width func() float32
	// fillWant is the width the waiting indicator asks for.
	fillWant float32
}

// rows splits the visible items (without the selector) into rows for a
// bar of width avail; fill is the waiting indicator's width.
func (l barLayout) rows(objs []fyne.CanvasObject, avail, fill float32) [][]fyne.CanvasObject {
	if len(objs) == 0 {
		return nil
	}
	items, sel := objs[:len(objs)-1], objs[len(objs)-1]
	pad := theme.Padding()
	width := avail
	avail -= sel.MinSize().Width + pad
	var rows [][]fyne.CanvasObject
	var cur []fyne.CanvasObject
	x := float32(0)
	for i, o := range items {
		w := fill
		if i < len(items)-1 {
			if !o.Visible() {
				continue
			}
			w = o.MinSize().Width
		}
		if len(cur) > 0 && x+w > avail {
			rows, cur, x, avail = append(rows, cur), nil, 0, width
		}
		cur = append(cur, o)
		x += w + pad
	}
	return append(rows, cur)
}

// now is the bar's width now.
func (l barLayout) now() float32 {
	if l.width != nil {
		if w := l.width(); w > 0 {
			return max(w, l.budget)
		}
	}
	return l.budget
}

func rowHeight(row []fyne.CanvasObject, h float32) float32 {
	for _, o := range row {
		h = max(h, o.MinSize().Height) // the waiting indicator's too, hidden or not
	}
	return h
}

func (l barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) == 0 {
		return
	}
	sel := objs[len(objs)-1]
	fill := objs[len(objs)-2]
	pad := theme.Padding()
	sm := sel.MinSize()
	y := float32(0)
	for i, row := range l.rows(objs, size.Width, l.fillWant) {
		end := size.Width
		h := rowHeight(row, 0)
		if i == 0 {
			h = max(h, sm.Height)
			end -= sm.Width + pad
			sel.Move(fyne.NewPos(size.Width-sm.Width, y))
			sel.Resize(fyne.NewSize(sm.Width, h))
		}
		x := float32(0)
		for _, o := range row {
			w := o.MinSize().Width
			if o == fill {
				w = max(end-x, 0)
			}
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w, h))
			x += w + pad
		}
		y += h + pad
	}
}

// MinSize is as wide as the widest row in the smallest window (the
// waiting indicator shrinking to nothing) and as tall as the rows at the
// bar's width now.
func (l barLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) == 0 {
		return fyne.Size{}
	}
	sm := objs[len(objs)-1].MinSize()
	pad := theme.Padding()
	var size fyne.Size
	for i, row := range l.rows(objs, l.budget, 0) {
		w := float32(0)
		if i == 0 {
			w = sm.Width + pad
		}
		for _, o := range row {
			if o != objs[len(objs)-2] {
				w += o.MinSize().Width + pad
			}
		}
		size.Width = max(size.Width, w-pad)
	}
	for i, row := range l.rows(objs, l.now(), l.fillWant) {
		h := rowHeight(row, 0)
		if i == 0 {
			h = max(h, sm.Height)
		} else {
			size.Height += pad
		}
		size.Height += h
	}
	return size
}
