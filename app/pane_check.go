package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// progressPane is the running check's bar and countdown, or when the last
// check ran.
type progressPane struct {
	box   *fyne.Container
	bar   *widget.ProgressBar
	label *widget.Label
}

func newProgressPane() *progressPane {
	p := &progressPane{bar: widget.NewProgressBar(), label: wrapped("")}
	p.bar.Max = 1
	// The bar keeps its place while hidden, so the strip below stays put.
	row := container.NewStack(reserveLines(widget.NewLabel(""), 1, theme.SizeNameText), p.bar)
	p.box = container.NewVBox(row, reserveLines(p.label, 2, theme.SizeNameText))
	return p
}

func (p *progressPane) render(f frame) {
	if f.running {
		if p.bar.Value != f.progress.Value {
			p.bar.SetValue(f.progress.Value)
		}
		p.bar.Show()
	} else {
		p.bar.Hide()
	}
	setText(p.label, f.progressText)
}

// stripPane is the stability strip, its caption and its legend.
type stripPane struct {
	box     *fyne.Container
	strip   *stripWidget
	caption *widget.Label
}

func newStripPane() *stripPane {
	p := &stripPane{strip: newStripWidget(), caption: wrapped("")}
	p.caption.SizeName = theme.SizeNameCaptionText
	legend := wrapped(viewmodel.StripLegend())
	legend.SizeName = theme.SizeNameCaptionText
	p.box = container.NewVBox(p.strip, reserveLines(p.caption, 2, theme.SizeNameCaptionText), legend)
	return p
}

func (p *stripPane) render(f frame) {
	p.strip.set(f.strip)
	setText(p.caption, f.stripCaption)
}

// detailsPane is the technical Details disclosure.
type detailsPane struct {
	box  *widget.Accordion
	text *widget.Label
}

func newDetailsPane() *detailsPane {
	p := &detailsPane{text: wrapped("")}
	p.text.SizeName = theme.SizeNameCaptionText
	p.box = widget.NewAccordion(widget.NewAccordionItem(viewmodel.DetailsTitle(), p.text))
	return p
}

func (p *detailsPane) render(f frame) {
	setText(p.text, strings.Join(f.details, "\n"))
}
