package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/state"
)

const (
	quickLabel    = "Quick check (10 s)"
	thoroughLabel = "Thorough (30 s)"
)

// barPane is the action bar on top of the window: Check, the sampling
// window and the "waiting for an iPhone" indicator. It is the first Tab stop.
type barPane struct {
	box          *fyne.Container
	check        *ringButton
	choice       *widget.RadioGroup
	waiting      *widget.Activity
	waitingLabel *widget.Label
	waitingBox   *fyne.Container
}

func newBarPane(u *UI) *barPane {
	p := &barPane{}
	p.check = newRingButton(checkNowLabel, theme.ViewRefreshIcon(), u.CheckAgain)
	p.check.Importance = widget.HighImportance
	p.choice = widget.NewRadioGroup([]string{quickLabel, thoroughLabel}, func(s string) {
		w := QuickWindow
		if s == thoroughLabel {
			w = ThoroughWindow
		}
		if w != u.st.Window {
			u.dispatch(state.WindowChosen{Window: w})
		}
	})
	p.choice.Required = true
	p.choice.Horizontal = true
	p.choice.SetSelected(quickLabel)
	p.waiting = widget.NewActivity()
	p.waitingLabel = widget.NewLabel("")
	p.waitingBox = container.NewHBox(p.waiting, p.waitingLabel)
	p.box = container.NewHBox(p.check, p.choice, p.waitingBox)
	return p
}

func (p *barPane) render(s state.State, f frame) {
	if p.check.Text != f.checkLabel {
		p.check.SetText(f.checkLabel)
	}
	if f.checkEnabled && p.check.Disabled() {
		p.check.Enable()
	} else if !f.checkEnabled && !p.check.Disabled() {
		p.check.Disable()
	}
	want := quickLabel
	if s.Window == ThoroughWindow {
		want = thoroughLabel
	}
	if p.choice.Selected != want {
		p.choice.SetSelected(want)
	}
	if f.waiting != "" {
		setText(p.waitingLabel, f.waiting)
		p.waitingBox.Show()
		p.waiting.Start()
	} else {
		p.waiting.Stop()
		p.waitingBox.Hide()
	}
}
