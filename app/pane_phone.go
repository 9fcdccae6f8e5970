package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// phonePane is the phone card: picture, name, state, the phone selector
// when several are plugged in, and the phone's lines.
type phonePane struct {
	box        *fyne.Container
	icon       *phoneIcon
	heading    *widget.Label
	subheading *widget.Label
	selector   *widget.Select
	keys       []string // the selector's phones, in its order
	lines      *fyne.Container
	rows       []lineRow
	modeNote   *widget.Label
}

func newPhonePane(u *UI) *phonePane {
	p := &phonePane{icon: newPhoneIcon()}
	p.heading = widget.NewLabel("")
	p.heading.TextStyle = fyne.TextStyle{Bold: true}
	p.heading.SizeName = theme.SizeNameSubHeadingText
	p.heading.Wrapping = fyne.TextWrapWord
	p.subheading = wrapped("")
	p.selector = widget.NewSelect(nil, func(string) {
		if i := p.selector.SelectedIndex(); i >= 0 && i < len(p.keys) && p.keys[i] != u.st.Selected {
			u.dispatch(state.PhoneSelected{Key: p.keys[i]})
		}
	})
	p.selector.PlaceHolder = viewmodel.ChoosePhone()
	p.lines = container.NewVBox()
	p.modeNote = wrapped("")
	p.modeNote.SizeName = theme.SizeNameCaptionText
	// Live values sit in rows of reserved height: a phone that keeps
	// dropping off changes these texts every second, and the rows below
	// must not jump under the user's pointer.
	head := container.NewBorder(nil, nil, p.icon, nil,
		container.NewVBox(p.heading, reserveLines(p.subheading, 2, theme.SizeNameText)))
	p.box = container.NewVBox(head, p.selector, p.lines, reserveLines(p.modeNote, 2, theme.SizeNameCaptionText))
	return p
}

func (p *phonePane) render(s state.State, f frame) {
	c := f.card
	setText(p.heading, c.Heading)
	setText(p.subheading, c.Subheading)
	p.icon.set(c.Connected && !f.device.Disconnected, f.device.Mode.IsLowLevel())
	if len(c.Choices) > 1 {
		p.keys = c.ChoiceKeys
		if !slices.Equal(p.selector.Options, c.Choices) {
			p.selector.SetOptions(c.Choices)
		}
		if p.selector.SelectedIndex() != c.Selected {
			p.selector.SetSelectedIndex(c.Selected)
		}
		p.selector.Show()
	} else {
		p.keys = nil
		p.selector.Hide()
	}
	setLines(p.lines, &p.rows, c.Lines)
	setText(p.modeNote, c.ModeExplanation)
}

// hostPane is "This computer": the iPhone service and USB access.
type hostPane struct {
	box  *fyne.Container
	rows []lineRow
}

func newHostPane() *hostPane {
	p := &hostPane{box: container.NewVBox()}
	return p
}

func (p *hostPane) render(f frame) {
	setLines(p.box, &p.rows, f.card.Host)
}
