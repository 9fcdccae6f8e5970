package app

import (
	"reflect"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// stepsPane is the six step cards with their actions. The cards are built
// anew only when what they show changed (stepsPanel); a live event that
// changes nothing on them keeps them (and the keyboard focus).
type stepsPane struct {
	u     *UI
	box   *fyne.Container
	shown *stepsPanel
	// The interactive parts of the cards on screen (tests tap them).
	widgets map[int]*stepWidgets
	buttons map[actions.Kind]*widget.Button
	confirm *widget.Button
	cancel  *widget.Button
	// lookAgain is step 5's "Check again" under a missing backup (nil when
	// not shown).
	lookAgain *widget.Button
}

// stepWidgets are the interactive parts of a rendered step card.
type stepWidgets struct {
	toggle *ringButton
	ack    *focusCheck
	card   viewmodel.StepCard
}

func newStepsPane(u *UI) *stepsPane {
	return &stepsPane{u: u, box: container.NewVBox(), widgets: map[int]*stepWidgets{}, buttons: map[actions.Kind]*widget.Button{}}
}

// forget makes the next render build the cards anew (theme change).
func (p *stepsPane) forget() {
	p.shown = nil
	p.u.verdict.forget()
}

func (p *stepsPane) render(s state.State, f frame) {
	pn := f.panel
	if p.shown != nil && reflect.DeepEqual(*p.shown, pn) {
		return
	}
	p.shown = &pn
	p.box.Objects = nil
	p.widgets = map[int]*stepWidgets{}
	p.buttons = map[actions.Kind]*widget.Button{}
	p.confirm, p.cancel, p.lookAgain = nil, nil, nil
	for i, c := range pn.cards {
		p.box.Add(p.stepCard(c, pn, pn.actions[i]))
	}
	p.box.Refresh()
}

func (p *stepsPane) stepCard(c viewmodel.StepCard, pn stepsPanel, offered []actions.Kind) fyne.CanvasObject {
	u := p.u
	sw := &stepWidgets{card: c}
	p.widgets[c.Number] = sw
	var num, title fyne.CanvasObject
	if c.Applies {
		l := widget.NewLabel(strconv.Itoa(c.Number))
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.SizeName = theme.SizeNameSubHeadingText
		num = l
		t := wrapped(c.Title)
		t.TextStyle = fyne.TextStyle{Bold: true}
		title = t
	} else {
		num = greyText(strconv.Itoa(c.Number), theme.SizeNameSubHeadingText)
		title = greyText(c.Title, theme.SizeNameText)
	}
	toggleText := viewmodel.ShowHow()
	if c.Expanded {
		toggleText = viewmodel.Hide()
	}
	n, open := c.Number, !c.Expanded
	sw.toggle = newRingButton(toggleText, nil, func() { u.dispatch(state.StepExpanded{Step: n, Open: open}) })
	sw.toggle.Importance = widget.LowImportance
	sw.toggle.r = u
	right := container.NewHBox()
	if c.Badge != "" {
		b := widget.NewLabel(c.Badge)
		b.TextStyle = fyne.TextStyle{Bold: true}
		b.Importance = widget.HighImportance
		if c.Primary {
			b.Importance = widget.SuccessImportance
		}
		right.Add(b)
	}
	right.Add(sw.toggle)
	box := container.NewVBox(container.NewBorder(nil, nil, num, right, title))
	for _, r := range c.Reasons {
		box.Add(wrapped(r))
	}
	// The action's confirmation, its progress and its result come first:
	// the user pressed the button at the top of the card and looks there.
	p.addActions(c, pn, offered, box)
	if !c.Applies && c.Summary != "" && !c.Expanded {
		box.Add(greyText(c.Summary, theme.SizeNameCaptionText))
	}
	if c.Expanded {
		p.addBody(c, sw, box, pn.checkEnabled)
	}
	switch {
	case c.Primary:
		return card(box, 0x40, theme.ColorNamePrimary)
	case c.Applies, c.Mentioned:
		return card(box, 0x1C, theme.ColorNamePrimary)
	default:
		return card(box, 0, theme.ColorNameSeparator)
	}
}

// addBody puts an open card's text on it: summary, warning, acknowledgement
// and instructions.
func (p *stepsPane) addBody(c viewmodel.StepCard, sw *stepWidgets, box *fyne.Container, checkEnabled bool) {
	u := p.u
	if c.Summary != "" {
		box.Add(wrapped(c.Summary))
	}
	if c.Warning != "" {
		w := wrapped(c.Warning)
		w.TextStyle = fyne.TextStyle{Bold: true}
		box.Add(card(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, w), 0x30, theme.ColorNameWarning))
	}
	if c.Backup.Known {
		box.Add(p.backupBox(c.Backup, checkEnabled))
	}
	if c.MustAcknowledge {
		n := c.Number
		sw.ack = newFocusCheck(c.AcknowledgeLabel, u, nil)
		sw.ack.SetChecked(c.Acknowledged)
		sw.ack.OnChanged = func(on bool) { u.dispatch(state.StepAcknowledged{Step: n, On: on}) }
		box.Add(sw.ack)
	}
	switch {
	case c.ShowInstructions:
		if len(c.Instructions) > 0 {
			box.Add(wrapped(bullets(c.Instructions, "")))
		}
		if len(c.RecoveryButtons) > 0 {
			box.Add(wrappedTitle(c.RecoveryTitle))
			box.Add(wrapped(bullets(c.RecoveryButtons, "•")))
		}
		if len(c.Details) > 0 {
			d := wrapped(bullets(c.Details, "•"))
			d.SizeName = theme.SizeNameCaptionText
			box.Add(widget.NewAccordion(widget.NewAccordionItem(viewmodel.StepDetailsTitle(), d)))
		}
	case c.Withheld != "":
		box.Add(greyText(c.Withheld, theme.SizeNameText))
	case c.MustAcknowledge:
		box.Add(greyText(viewmodel.BackupFirst(), theme.SizeNameText))
	}
}

// addActions puts the card's last action result, the running action, the
// confirmation or the action buttons on the card.
func (p *stepsPane) addActions(c viewmodel.StepCard, pn stepsPanel, offered []actions.Kind, box *fyne.Container) {
	u := p.u
	if res, ok := pn.results[c.Number]; ok {
		box.Add(actionResultBox(res))
	}
	if pn.running != "" && pn.running.Step() == c.Number {
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.MediaPlayIcon()), nil,
			wrapped(viewmodel.ActionWorking(pn.running))))
		return
	}
	for _, k := range offered {
		if pn.confirming == k {
			l := wrapped(viewmodel.ConfirmText(k, pn.confirmName))
			l.TextStyle = fyne.TextStyle{Bold: true}
			p.confirm = widget.NewButton(viewmodel.ConfirmButton(k), func() { u.dispatch(state.ActionConfirmed{Kind: k}) })
			p.confirm.Importance = widget.HighImportance
			p.cancel = widget.NewButton(viewmodel.Cancel(), func() { u.dispatch(state.ActionCancelled{}) })
			box.Add(card(container.NewVBox(l, container.NewHBox(p.confirm, p.cancel)), 0x30, theme.ColorNameWarning))
			continue
		}
		b := widget.NewButton(k.Title(), func() { u.dispatch(state.ActionAsked{Kind: k}) })
		b.Importance = widget.HighImportance
		p.buttons[k] = b
		box.Add(container.NewHBox(b))
	}
}

func actionResultBox(res actions.Result) fyne.CanvasObject {
	l := wrapped(i18n.T("app.action.result", i18n.Args{"Action": res.Kind.Title(), "Summary": res.Summary}))
	l.TextStyle = fyne.TextStyle{Bold: true}
	box := container.NewVBox(l)
	if res.After != "" {
		box.Add(wrapped(viewmodel.BeforeAfterModes(string(res.Before), string(res.After))))
	}
	if len(res.Buttons) > 0 {
		box.Add(wrappedTitle(res.Hint))
		box.Add(wrapped(bullets(res.Buttons, "")))
	}
	tint := theme.ColorNameSuccess
	switch res.Outcome {
	case actions.Done:
	case actions.Refused:
		tint = theme.ColorNameWarning
	default:
		tint = theme.ColorNameError
	}
	return card(box, 0x30, tint)
}

// backupBox is this phone's backup state on step 5, before "I have a
// backup": the sentences, and when no finished backup is here and iCloud
// Backup is not on, the ways to back up now and a "Check again" that looks
// for the new backup.
func (p *stepsPane) backupBox(b viewmodel.BackupView, checkEnabled bool) fyne.CanvasObject {
	box := container.NewVBox()
	for i, line := range b.Lines {
		l := wrapped(line)
		if i == 0 {
			l.TextStyle = fyne.TextStyle{Bold: true}
		}
		box.Add(l)
	}
	if b.Covered {
		return card(container.NewBorder(nil, nil, widget.NewIcon(theme.ConfirmIcon()), nil, box), 0x24, theme.ColorNameSuccess)
	}
	if len(b.Ways) > 0 {
		box.Add(sectionTitle(viewmodel.BackupNowTitle()))
		if b.NeedsIOS != "" {
			box.Add(wrapped(b.NeedsIOS))
		}
		acc := widget.NewAccordion()
		for _, w := range b.Ways {
			acc.Append(widget.NewAccordionItem(w.App, wrapped(bullets(w.Steps, ""))))
		}
		acc.Open(0)
		box.Add(acc)
	}
	u := p.u
	p.lookAgain = widget.NewButtonWithIcon(viewmodel.CheckAgainLabel(), theme.ViewRefreshIcon(), func() {
		u.dispatch(state.CheckRequested{Time: u.opts.Now(), Step: 5})
	})
	if !checkEnabled {
		p.lookAgain.Disable()
	}
	box.Add(container.NewBorder(nil, nil, p.lookAgain, nil, wrapped(viewmodel.BackupLookAgain())))
	return card(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, box), 0x24, theme.ColorNameWarning)
}
