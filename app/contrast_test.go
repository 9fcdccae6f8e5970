package app

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// variantTheme forces a light or dark variant of a theme, as FYNE_THEME does.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// relLuminance is WCAG 2's relative luminance of an opaque colour.
func relLuminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// contrast is WCAG 2's contrast ratio of two opaque colours.
func contrast(a, b color.NRGBA) float64 {
	la, lb := relLuminance(a), relLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func over(fg color.Color, bg color.NRGBA) color.NRGBA {
	c := color.NRGBAModel.Convert(fg).(color.NRGBA)
	a := float64(c.A) / 255
	mix := func(f, b uint8) uint8 { return uint8(math.Round(float64(f)*a + float64(b)*(1-a))) }
	return color.NRGBA{R: mix(c.R, bg.R), G: mix(c.G, bg.G), B: mix(c.B, bg.B), A: 0xff}
}

func TestContrastRatio(t *testing.T) {
	if got := contrast(black, white); math.Abs(got-21) > 0.01 {
		t.Errorf("black/white = %.2f, want 21", got)
	}
	if got := contrast(rgb(0x777777), white); math.Abs(got-4.48) > 0.01 {
		t.Errorf("#777/white = %.2f, want 4.48", got)
	}
}

// textContrasts renders the window and returns, for every text drawn on
// it, the contrast between its colour and the background it sits on (the
// most common colour of the rendered pixels under the text). Disabled texts
// are exempt in WCAG and are skipped.
func textContrasts(t *testing.T, w fyne.Window) map[string]float64 {
	t.Helper()
	img := w.Canvas().Capture()
	scale := float32(img.Bounds().Dx()) / w.Canvas().Size().Width
	disabled := color.NRGBAModel.Convert(theme.Color(theme.ColorNameDisabled))
	out := map[string]float64{}
	var walk func(o fyne.CanvasObject, origin fyne.Position)
	walk = func(o fyne.CanvasObject, origin fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		p := origin.Add(o.Position())
		switch x := o.(type) {
		case *canvas.Text:
			if strings.TrimSpace(x.Text) == "" || color.NRGBAModel.Convert(x.Color) == disabled {
				return
			}
			r := image.Rect(int(p.X*scale), int(p.Y*scale), int((p.X+x.Size().Width)*scale), int((p.Y+x.Size().Height)*scale)).Intersect(img.Bounds())
			if r.Empty() {
				return
			}
			bg := dominant(img, r)
			key := fmt.Sprintf("%q", x.Text)
			c := contrast(over(x.Color, bg), bg)
			if old, ok := out[key]; !ok || c < old {
				out[key] = c
			}
			if c < 4.5 {
				t.Logf("%s: text %v on %v", key, color.NRGBAModel.Convert(x.Color), bg)
			}
		case *container.Scroll:
			walk(x.Content, p)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c, p)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c, p)
			}
		}
	}
	walk(w.Content(), fyne.NewPos(0, 0))
	return out
}

func dominant(img image.Image, r image.Rectangle) color.NRGBA {
	counts := map[color.NRGBA]int{}
	var best color.NRGBA
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			c.A = 0xff
			counts[c]++
			if counts[c] > counts[best] {
				best = c
			}
		}
	}
	return best
}

// Every text of the window, in the states a user sees (no phone, a flapping
// phone with its steps open, the professional card, recovery mode with its
// warnings, an untrusted computer, demo banner), meets WCAG AA (4.5:1) in
// the light and the dark theme.
func TestThemeContrast(t *testing.T) {
	for _, v := range []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		t.Run(v.name, func(t *testing.T) {
			check := func(state string, h *harness) {
				t.Helper()
				h.u.Window().Resize(fyne.NewSize(1180, 3000))
				cs := textContrasts(t, h.u.Window())
				if len(cs) < 10 {
					t.Fatalf("%s: only %d texts found", state, len(cs))
				}
				for text, c := range cs {
					if c < 4.5 {
						t.Errorf("%s, %s theme: %s has contrast %.2f:1, below 4.5:1", state, v.name, text, c)
					}
				}
			}
			setup := func(h *harness) {
				fyne.CurrentApp().Settings().SetTheme(variantTheme{Theme(), v.variant})
			}

			h := newHarness(t, newFake(t), Options{Demo: "flapping"})
			setup(h)
			check("no phone", h)

			h = newHarness(t, newFake(t, "report-flapping.json"), Options{})
			setup(h)
			h.attach(phoneA)
			h.waitVerdict()
			for _, n := range []int{2, 3, 4, 5, 6} {
				test.Tap(h.u.steps.widgets[n].toggle)
			}
			check("flapping, all steps open", h)
			for _, k := range []string{"cable", "port", "computer"} {
				test.Tap(h.u.answers.checks[k])
			}
			test.Tap(h.u.bar.check) // answers are evidence once a check ran with them
			h.waitVerdict()
			check("see a professional", h)

			h = newHarness(t, newFake(t, "report-recovery.json"), Options{})
			setup(h)
			h.attach(phoneARecovery)
			h.waitVerdict()
			test.Tap(h.u.steps.widgets[5].ack)
			check("recovery mode", h)
		})
	}
}

// Issue 19, finding 10: control outlines (check boxes, radio buttons, input
// borders) and focus indicators reach WCAG's 3:1 for non-text contrast
// against the background in both themes, and text on a focused control
// keeps 4.5:1.
func TestControlContrast(t *testing.T) {
	for _, v := range []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		th := Theme()
		c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, v.variant) }
		bg := over(c(theme.ColorNameBackground), white)
		fg := over(c(theme.ColorNameForeground), bg)
		border := over(c(theme.ColorNameInputBorder), bg)
		focus := over(c(theme.ColorNameFocus), bg)
		for _, m := range []struct {
			what string
			got  float64
			min  float64
		}{
			{"unticked check box / radio outline", contrast(border, bg), 3},
			{"focus halo", contrast(focus, bg), 3},
			{"focus ring of buttons and check boxes (foreground)", contrast(fg, bg), 3},
			{"text on a focused control", contrast(fg, focus), 4.5},
		} {
			if m.got < m.min {
				t.Errorf("%s theme: %s %.2f:1, below %.1f:1", v.name, m.what, m.got, m.min)
			} else {
				t.Logf("%s theme: %s %.2f:1", v.name, m.what, m.got)
			}
		}
	}
}
