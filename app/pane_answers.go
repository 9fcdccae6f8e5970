package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// answersPane is "I already tried": the user's answers.
type answersPane struct {
	box    *fyne.Container
	checks map[string]*focusCheck
}

func newAnswersPane(u *UI) *answersPane {
	p := &answersPane{box: container.NewVBox(), checks: map[string]*focusCheck{}}
	for _, a := range []struct{ key, label string }{
		{state.AnswerCable, viewmodel.AnswerCableLabel()}, {state.AnswerPort, viewmodel.AnswerPortLabel()},
		{state.AnswerComputer, viewmodel.AnswerComputerLabel()}, {state.AnswerRestart, viewmodel.AnswerRestartLabel()},
	} {
		key := a.key
		c := newFocusCheck(a.label, u, func(on bool) {
			if on != answer(u.st, key) {
				u.dispatch(state.TriedSet{Key: key, On: on})
			}
		})
		p.checks[key] = c
		p.box.Add(c)
	}
	return p
}

func answer(s state.State, key string) bool {
	switch key {
	case state.AnswerCable:
		return s.Tried.Cable
	case state.AnswerPort:
		return s.Tried.Port
	case state.AnswerComputer:
		return s.Tried.Computer
	}
	return s.Tried.Restart
}

func (p *answersPane) render(s state.State) {
	for key, c := range p.checks {
		if on := answer(s, key); c.Checked != on {
			c.SetChecked(on)
		}
	}
}
