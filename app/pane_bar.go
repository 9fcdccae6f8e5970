package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// barPane is the action bar on top of the window: Check, the sampling
// window and the "waiting for an iPhone" indicator. It is the first Tab stop.
type barPane struct {
	box          *fyne.Container
	check        *ringButton
	record       *ringButton
	choice       *widget.RadioGroup
	waiting      *widget.Activity
	waitingLabel *widget.Label
	waitingBox   *fyne.Container
}

func newBarPane(u *UI) *barPane {
	p := &barPane{}
	p.check = newRingButton(viewmodel.CheckNowLabel(), theme.ViewRefreshIcon(), u.CheckAgain)
	p.check.Importance = widget.HighImportance
	p.choice = widget.NewRadioGroup([]string{viewmodel.QuickLabel(), viewmodel.ThoroughLabel()}, func(s string) {
		w := QuickWindow
		if s == viewmodel.ThoroughLabel() {
			w = ThoroughWindow
		}
		if w != u.st.Window {
			u.dispatch(state.WindowChosen{Window: w})
		}
	})
	p.choice.Required = true
	p.choice.Horizontal = true
	p.choice.SetSelected(viewmodel.QuickLabel())
	p.waiting = widget.NewActivity()
	p.waitingLabel = widget.NewLabel("")
	p.waitingBox = container.NewHBox(p.waiting, p.waitingLabel)
	p.record = newRingButton(viewmodel.WatchRestoreLabel(), theme.MediaRecordIcon(), u.ToggleRecording)
	p.box = container.NewHBox(p.check, p.choice, p.record, p.waitingBox)
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
	if p.record.Text != f.recordLabel {
		p.record.SetText(f.recordLabel)
		icon := theme.MediaRecordIcon()
		if s.Recording.Running {
			icon = theme.MediaStopIcon()
		}
		p.record.SetIcon(icon)
	}
	if f.recordEnabled && p.record.Disabled() {
		p.record.Enable()
	} else if !f.recordEnabled && !p.record.Disabled() {
		p.record.Disable()
	}
	want := viewmodel.QuickLabel()
	if s.Window == ThoroughWindow {
		want = viewmodel.ThoroughLabel()
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
