package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Theme is the window's theme: Fyne's default theme (light or dark, as the
// system or FYNE_THEME says) with the colours that text is drawn in darkened
// (light) or lightened (dark) so that every text meets WCAG AA contrast,
// 4.5:1, on the window background and on the tinted cards; and a focus
// colour that stands out (TestThemeContrast measures both themes).
func Theme() fyne.Theme { return appTheme{} }

type appTheme struct{}

var (
	white = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	black = color.NRGBA{A: 0xff}
)

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// palettes override the default theme's colours, by variant.
var palettes = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNameForeground:          rgb(0x202020),
		theme.ColorNamePrimary:             rgb(0x1557b0),
		theme.ColorNameForegroundOnPrimary: white,
		theme.ColorNameSuccess:             rgb(0x17692b),
		theme.ColorNameForegroundOnSuccess: white,
		theme.ColorNameWarning:             rgb(0x9a4300),
		theme.ColorNameForegroundOnWarning: white,
		theme.ColorNameError:               rgb(0xb3261e),
		theme.ColorNameForegroundOnError:   white,
		theme.ColorNamePlaceHolder:         rgb(0x595959),
		theme.ColorNameHyperlink:           rgb(0x1557b0),
		// Outlines of check boxes and radio buttons, and the focus halo,
		// keep 3:1 against the background (WCAG non-text contrast).
		theme.ColorNameInputBorder: rgb(0x767676),
		theme.ColorNameFocus:       color.NRGBA{R: 0x15, G: 0x57, B: 0xb0, A: 0xA8},
	},
	theme.VariantDark: {
		theme.ColorNamePrimary:             rgb(0x7cb9ff),
		theme.ColorNameForegroundOnPrimary: black,
		theme.ColorNameSuccess:             rgb(0x6fdc8c),
		theme.ColorNameForegroundOnSuccess: black,
		theme.ColorNameWarning:             rgb(0xffb35c),
		theme.ColorNameForegroundOnWarning: black,
		theme.ColorNameError:               rgb(0xff8a80),
		theme.ColorNameForegroundOnError:   black,
		theme.ColorNamePlaceHolder:         rgb(0xb0b0b0),
		theme.ColorNameHyperlink:           rgb(0x7cb9ff),
		theme.ColorNameInputBorder:         rgb(0x8c8c8c),
		theme.ColorNameFocus:               color.NRGBA{R: 0x7c, G: 0xb9, B: 0xff, A: 0x80},
	},
}

func (appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := palettes[v][n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

func (appTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (appTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }

// ringButton is a button that draws a clear ring around itself while it has
// the keyboard focus (Fyne's own focus cue is a faint tint).
type ringButton struct {
	widget.Button
	focused bool
	// r scrolls the button into view when it gets the focus (nil: no one).
	r revealer
}

func newRingButton(label string, icon fyne.Resource, tapped func()) *ringButton {
	b := &ringButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// FocusGained shows the ring.
func (b *ringButton) FocusGained() {
	b.focused = true
	b.Button.FocusGained()
	if b.r != nil {
		b.r.reveal(b)
	}
}

// FocusLost hides the ring.
func (b *ringButton) FocusLost() {
	b.focused = false
	b.Button.FocusLost()
}

func (b *ringButton) CreateRenderer() fyne.WidgetRenderer {
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeWidth = 2.5
	ring.CornerRadius = theme.InputRadiusSize() + 2
	return &ringRenderer{WidgetRenderer: b.Button.CreateRenderer(), b: b, ring: ring}
}

type ringRenderer struct {
	fyne.WidgetRenderer
	b    *ringButton
	ring *canvas.Rectangle
}

func (r *ringRenderer) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	r.ring.Move(fyne.NewPos(-2, -2))
	r.ring.Resize(size.AddWidthHeight(4, 4))
}

func (r *ringRenderer) Objects() []fyne.CanvasObject {
	return append(r.WidgetRenderer.Objects(), r.ring)
}

func (r *ringRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	r.ring.StrokeColor = color.Transparent
	if r.b.focused {
		r.ring.StrokeColor = theme.Color(theme.ColorNameForeground)
	}
	r.ring.Refresh()
}
