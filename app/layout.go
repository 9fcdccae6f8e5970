package app

import (
	"strings"

	"fyne.io/fyne/v2"
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
