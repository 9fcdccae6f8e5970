package app

import (
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// verdictPane is the headline: the verdict, the note that it is from the
// previous check while a new one runs, the before/after and the
// professional card.
type verdictPane struct {
	box     *fyne.Container
	stale   *widget.Label
	label   *widget.Label
	icon    *widget.Icon
	changes *fyne.Container
	pro     *fyne.Container
	notes   *fyne.Container
	cat     viewmodel.Catalog
	shown   *stepsPanel // what changes, pro and notes were built from
}

func newVerdictPane(u *UI) *verdictPane {
	p := &verdictPane{cat: u.cat}
	p.label = wrapped("")
	p.label.TextStyle = fyne.TextStyle{Bold: true}
	p.label.SizeName = theme.SizeNameSubHeadingText
	p.icon = widget.NewIcon(theme.InfoIcon())
	p.stale = wrapped("")
	p.stale.TextStyle = fyne.TextStyle{Bold: true}
	p.stale.Importance = widget.WarningImportance
	p.stale.Hide()
	p.changes, p.pro, p.notes = container.NewVBox(), container.NewVBox(), container.NewVBox()
	p.box = container.NewVBox(p.stale, container.NewBorder(nil, nil, container.NewCenter(p.icon), nil, p.label),
		p.changes, p.pro, p.notes)
	return p
}

func (p *verdictPane) render(f frame) {
	setText(p.label, f.verdict.Text)
	setText(p.stale, f.staleNote)
	showIf(p.stale, f.staleNote != "")
	icon := theme.InfoIcon()
	switch f.verdict.Kind {
	case viewmodel.VerdictFault:
		icon = theme.WarningIcon()
	case viewmodel.VerdictHealthy:
		icon = theme.ConfirmIcon()
	case viewmodel.VerdictError:
		icon = theme.ErrorIcon()
	}
	if p.icon.Resource != icon {
		p.icon.SetResource(icon)
	}
	pn := f.panel
	if p.shown != nil && equalHead(*p.shown, pn) {
		return
	}
	p.shown = &pn
	p.changes.Objects = nil
	if len(pn.changes) > 0 {
		p.changes.Add(sectionTitle(viewmodel.SectionChanges()))
		for _, c := range pn.changes {
			l := wrapped(changeLine(c))
			switch c.Direction {
			case viewmodel.Better:
				l.Importance = widget.SuccessImportance
			case viewmodel.Worse:
				l.Importance = widget.DangerImportance
			}
			p.changes.Add(l)
		}
	}
	p.changes.Refresh()
	p.pro.Objects = nil
	if pn.professional != nil {
		p.pro.Add(professionalCard(p.cat, pn.professional))
	}
	p.pro.Refresh()
	// Findings with their own fix (udev rule, Trust).
	p.notes.Objects = nil
	for i, n := range pn.notes {
		box := container.NewVBox()
		if i > 0 || pn.noteTitles {
			t := wrapped(n.Summary)
			t.TextStyle = fyne.TextStyle{Bold: true}
			box.Add(t)
		}
		box.Add(wrapped(n.Fix))
		p.notes.Add(card(box, 0x30, theme.ColorNameWarning))
	}
	p.notes.Refresh()
}

// forget makes the next render build the cards anew (theme change).
func (p *verdictPane) forget() { p.shown = nil }

func equalHead(a, b stepsPanel) bool {
	return reflect.DeepEqual(a.changes, b.changes) && reflect.DeepEqual(a.professional, b.professional) &&
		reflect.DeepEqual(a.notes, b.notes) && a.noteTitles == b.noteTitles
}

// changeLine is one before/after line with its mark: "▲ better: …",
// "▼ worse: …", "✓ …" (as the action asked), "• …".
func changeLine(c viewmodel.Change) string {
	switch c.Direction {
	case viewmodel.Better:
		return i18n.T("app.change.better", i18n.Args{"Text": c.Text})
	case viewmodel.Worse:
		return i18n.T("app.change.worse", i18n.Args{"Text": c.Text})
	case viewmodel.AsAsked:
		return "✓ " + c.Text
	default:
		return "• " + c.Text
	}
}

func professionalCard(cat viewmodel.Catalog, reasons []string) fyne.CanvasObject {
	pro := cat.Professional
	title := pro.Title
	if title == "" {
		title = viewmodel.ProfessionalTitle()
	}
	h := widget.NewLabel(title)
	h.TextStyle = fyne.TextStyle{Bold: true}
	h.SizeName = theme.SizeNameSubHeadingText
	box := container.NewVBox(h)
	for _, r := range reasons {
		box.Add(wrapped(viewmodel.Why(r)))
	}
	if pro.Summary != "" {
		box.Add(wrapped(pro.Summary))
	}
	if len(pro.Instructions) > 0 {
		box.Add(wrapped(bullets(pro.Instructions, "")))
	}
	return card(box, 0x38, theme.ColorNameError)
}
