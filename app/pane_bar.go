package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// barPane is the action bar on top of the window: Check, the sampling
// window, "Watch my restore", the "waiting for an iPhone" indicator and the
// language selector. It is the first Tab stop.
type barPane struct {
	box          *fyne.Container
	check        *ringButton
	record       *ringButton
	choice       *widget.RadioGroup
	waiting      *widget.Activity
	waitingLabel *widget.Label
	waitingBox   *fyne.Container
	lang         *widget.Select
}

func newBarPane(u *UI) *barPane {
	p := &barPane{}
	p.check = newRingButton(viewmodel.CheckNowLabel(), theme.ViewRefreshIcon(), u.CheckAgain)
	p.check.Importance = widget.HighImportance
	p.choice = widget.NewRadioGroup([]string{viewmodel.QuickLabel(), viewmodel.ThoroughLabel()}, func(s string) {
		w := QuickWindow
		if len(p.choice.Options) > 1 && s == p.choice.Options[1] {
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
	// The indicator takes the room the buttons leave (barLayout); where that
	// is short its text ends in "…" rather than widening the window.
	p.waitingLabel.Truncation = fyne.TextTruncateEllipsis
	p.waitingBox = container.NewBorder(nil, nil, p.waiting, nil, p.waitingLabel)
	p.record = newRingButton(viewmodel.WatchRestoreLabel(), theme.MediaRecordIcon(), u.ToggleRecording)
	p.lang = newLanguageSelect(u)
	// One row while it fits the window, else what does not fit goes to a
	// second row. The bar sits in the padded window content, padded itself.
	inset := 4 * theme.Padding()
	p.box = container.New(barLayout{
		budget:   MinWindowSize.Width - inset,
		width:    func() float32 { return u.win.Canvas().Size().Width - inset },
		fillWant: waitingWidth(p.waiting),
	}, p.check, p.choice, p.record, p.waitingBox, p.lang)
	return p
}

// waitingWidth is the width the waiting indicator needs for its shorter
// text ("Waiting for an iPhone…").
func waitingWidth(spinner fyne.CanvasObject) float32 {
	w := widget.NewLabel(viewmodel.WaitingForPhone()).MinSize().Width
	return spinner.MinSize().Width + theme.Padding() + w
}

// newLanguageSelect is the bar's language selector: the ten languages by
// their own names, the window's selected.
func newLanguageSelect(u *UI) *widget.Select {
	langs := i18n.Supported()
	names := make([]string, len(langs))
	for i, l := range langs {
		names[i] = l.Name
	}
	s := widget.NewSelect(names, nil)
	for i, l := range langs {
		if l.Code == u.lang {
			s.SetSelectedIndex(i)
			s.PlaceHolder = l.Name // the selector is as wide as the name it shows
		}
	}
	if s.SelectedIndex() < 0 {
		s.PlaceHolder = i18n.English().Name
	}
	s.OnChanged = func(string) {
		if i := s.SelectedIndex(); i >= 0 && langs[i].Code != u.lang {
			_ = u.SetLanguage(langs[i].Code)
		}
	}
	return s
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
