package app

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// stripWidget draws the stability strip: a band for the sampling window,
// red marks where the phone dropped off, green where it came back, amber for
// mode changes, and lockdown latency as bars from the bottom.
type stripWidget struct {
	widget.BaseWidget
	strip viewmodel.Strip
}

func newStripWidget() *stripWidget {
	s := &stripWidget{}
	s.ExtendBaseWidget(s)
	return s
}

// set replaces the strip's data and redraws it when what it draws changed
// (the progress tick sets it four times a second).
func (s *stripWidget) set(st viewmodel.Strip) {
	same := slices.Equal(s.strip.Marks, st.Marks) && slices.Equal(s.strip.Points, st.Points)
	s.strip = st
	if !same {
		s.Refresh()
	}
}

func (s *stripWidget) CreateRenderer() fyne.WidgetRenderer {
	r := &stripRenderer{w: s, bg: canvas.NewRectangle(color.Transparent)}
	r.rebuild()
	return r
}

type stripRenderer struct {
	w       *stripWidget
	bg      *canvas.Rectangle
	objects []fyne.CanvasObject
	marks   []*canvas.Line
	marksX  []float32
	bars    []*canvas.Rectangle
	points  []viewmodel.Point
}

func (r *stripRenderer) rebuild() {
	r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	r.bg.StrokeWidth = 1
	r.bg.CornerRadius = 4
	r.objects = []fyne.CanvasObject{r.bg}
	r.marks, r.marksX, r.bars = nil, nil, nil
	r.points = r.w.strip.Points
	for _, p := range r.points {
		c := withAlpha(theme.Color(theme.ColorNamePrimary), 0xB0)
		if p.Failed {
			// Not a drop: an unanswered question is a short amber block at
			// the bottom, unlike the full-height red line of a drop.
			c = theme.Color(theme.ColorNameWarning)
		}
		b := canvas.NewRectangle(c)
		r.bars = append(r.bars, b)
		r.objects = append(r.objects, b)
	}
	for _, m := range r.w.strip.Marks {
		var c color.Color
		switch m.Kind {
		case viewmodel.MarkDetach:
			c = theme.Color(theme.ColorNameError)
		case viewmodel.MarkAttach:
			c = theme.Color(theme.ColorNameSuccess)
		default:
			c = theme.Color(theme.ColorNameWarning)
		}
		l := canvas.NewLine(c)
		l.StrokeWidth = 2
		r.marks = append(r.marks, l)
		r.marksX = append(r.marksX, m.X)
		r.objects = append(r.objects, l)
	}
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

func (r *stripRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))
	const pad = 3
	w := size.Width - 2*pad
	h := size.Height - 2*pad
	for i, b := range r.bars {
		p := r.points[i]
		bh := p.Y * h
		if bh < 2 {
			bh = 2
		}
		if bh > h {
			bh = h
		}
		bw := float32(3)
		if p.Failed {
			bh, bw = failedHeight*h, 5
		}
		b.Resize(fyne.NewSize(bw, bh))
		b.Move(fyne.NewPos(pad+p.X*w-bw/2, pad+h-bh))
	}
	for i, l := range r.marks {
		x := pad + r.marksX[i]*w
		l.Position1 = fyne.NewPos(x, pad)
		l.Position2 = fyne.NewPos(x, pad+h)
	}
}

// failedHeight is the height of an unanswered question's block, as a
// share of the strip: well short of a drop's full-height line.
const failedHeight = 0.3

func (r *stripRenderer) MinSize() fyne.Size { return fyne.NewSize(200, 36) }

func (r *stripRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.w.Size())
	canvas.Refresh(r.w)
}

func (r *stripRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *stripRenderer) Destroy()                     {}

// phoneIcon is a picture-free drawing of a phone: a rounded outline with a
// speaker slot, tinted by the mode (accent in normal mode, warning otherwise).
type phoneIcon struct {
	widget.BaseWidget
	connected bool
	lowLevel  bool
}

func newPhoneIcon() *phoneIcon {
	p := &phoneIcon{}
	p.ExtendBaseWidget(p)
	return p
}

func (p *phoneIcon) set(connected, lowLevel bool) {
	p.connected, p.lowLevel = connected, lowLevel
	p.Refresh()
}

func (p *phoneIcon) CreateRenderer() fyne.WidgetRenderer {
	r := &phoneRenderer{p: p, body: canvas.NewRectangle(color.Transparent), slot: canvas.NewRectangle(color.Transparent), button: canvas.NewCircle(color.Transparent)}
	r.Refresh()
	return r
}

type phoneRenderer struct {
	p          *phoneIcon
	body, slot *canvas.Rectangle
	button     *canvas.Circle
}

func (r *phoneRenderer) Layout(size fyne.Size) {
	w, h := float32(40), float32(68)
	x, y := (size.Width-w)/2, (size.Height-h)/2
	r.body.Resize(fyne.NewSize(w, h))
	r.body.Move(fyne.NewPos(x, y))
	r.slot.Resize(fyne.NewSize(14, 3))
	r.slot.Move(fyne.NewPos(x+(w-14)/2, y+6))
	r.button.Resize(fyne.NewSize(8, 8))
	r.button.Move(fyne.NewPos(x+(w-8)/2, y+h-13))
}

func (r *phoneRenderer) MinSize() fyne.Size { return fyne.NewSize(52, 76) }

func (r *phoneRenderer) Refresh() {
	c := theme.Color(theme.ColorNameDisabled)
	switch {
	case r.p.connected && r.p.lowLevel:
		c = theme.Color(theme.ColorNameWarning)
	case r.p.connected:
		c = theme.Color(theme.ColorNamePrimary)
	}
	r.body.StrokeColor = c
	r.body.StrokeWidth = 3
	r.body.CornerRadius = 8
	r.body.FillColor = withAlpha(c, 0x20)
	r.slot.FillColor = c
	r.slot.CornerRadius = 1.5
	r.button.StrokeColor = c
	r.button.StrokeWidth = 1.5
	r.Layout(r.p.Size())
	canvas.Refresh(r.p)
}

func (r *phoneRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.body, r.slot, r.button}
}
func (r *phoneRenderer) Destroy() {}
