package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// ActionRunner is implemented by Backends that can act on a phone (exit or
// enter recovery mode, restart). RunAction does the action with its policy
// and deadlines and follows the phone until it is back; it is called from
// a background goroutine and must return by ctx's end.
type ActionRunner interface {
	RunAction(ctx context.Context, kind actions.Kind, dev viewmodel.Device) actions.Result
}

// actionState is the window's part in actions: which one waits for
// confirmation or runs, and the results to show and to put into the next report.
type actionState struct {
	confirming actions.Kind
	running    actions.Kind
	results    map[int]actions.Result // by step number, the last one shown on its card
	pending    []actions.Result       // not yet in a report
	buttons    map[actions.Kind]*widget.Button
	confirm    *widget.Button
	cancel     *widget.Button
}

// actionsFor lists the actions card c offers for the selected phone: those
// the policy allows in its mode (actions.ForMode) that belong to this step;
// entering recovery mode only after step 5's "I have a backup"; restarting
// not when the phone is known not to trust this computer. (Entering
// recovery stays offered: older iOS versions accept it untrusted, and a
// refusal shows the buttons.)
func (u *UI) actionsFor(c viewmodel.StepCard) []actions.Kind {
	if _, ok := u.b.(ActionRunner); !ok {
		return nil
	}
	d, ok := u.selectedDevice()
	if !ok || d.Disconnected || u.running {
		return nil
	}
	var out []actions.Kind
	for _, k := range actions.ForMode(d.Mode) {
		if k.Step() != c.Number {
			continue
		}
		if k == actions.EnterRecovery && (!c.MustAcknowledge || !c.Acknowledged) {
			continue
		}
		if k == actions.Restart && d.Trusted != nil && !*d.Trusted {
			continue // the diagnostics relay needs a paired session: step 4's own instructions apply
		}
		out = append(out, k)
	}
	return out
}

// confirmText is what the user agrees to before an action runs.
func confirmText(k actions.Kind, d viewmodel.Device) string {
	name := d.Name
	if name == "" {
		name = "the iPhone"
	}
	switch k {
	case actions.ExitRecovery:
		return fmt.Sprintf("Restore Doctor will tell %s to leave recovery mode and start iOS, then follow it until it is back. Nothing is erased.", name)
	case actions.EnterRecovery:
		return fmt.Sprintf("%s will restart into recovery mode. The restore that follows (step 5) erases it: only go ahead with a backup.", name)
	default:
		return fmt.Sprintf("%s will restart now; unsaved work in its apps may be lost. Restore Doctor follows it until it is back.", name)
	}
}

// addActions puts the card's action buttons, the confirmation and the last
// result on the step card.
func (u *UI) addActions(c viewmodel.StepCard, box *fyne.Container) {
	if u.act.results == nil {
		u.act.results = map[int]actions.Result{}
		u.act.buttons = map[actions.Kind]*widget.Button{}
	}
	if res, ok := u.act.results[c.Number]; ok {
		box.Add(actionResultBox(res))
	}
	if u.act.running != "" && u.act.running.Step() == c.Number {
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.MediaPlayIcon()), nil,
			wrapped(u.act.running.Title()+": working… the iPhone is followed until it is back.")))
		return
	}
	d, _ := u.selectedDevice()
	for _, k := range u.actionsFor(c) {
		if u.act.confirming == k {
			l := wrapped(confirmText(k, d))
			l.TextStyle = fyne.TextStyle{Bold: true}
			u.act.confirm = widget.NewButton("Yes, "+lowerFirst(k.Title()), func() {
				// The card is kept while only facts of the phone change: act
				// on what is known of it now.
				cur, _ := u.selectedDevice()
				u.startAction(k, cur)
			})
			u.act.confirm.Importance = widget.HighImportance
			u.act.cancel = widget.NewButton("Cancel", func() {
				u.act.confirming = ""
				u.refreshSteps()
			})
			box.Add(card(container.NewVBox(l, container.NewHBox(u.act.confirm, u.act.cancel)), 0x30, theme.ColorNameWarning))
			continue
		}
		b := widget.NewButton(k.Title(), func() {
			u.act.confirming = k
			u.expanded[c.Number] = true
			u.refreshSteps()
		})
		b.Importance = widget.HighImportance
		if u.act.running != "" {
			b.Disable()
		}
		u.act.buttons[k] = b
		box.Add(container.NewHBox(b))
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// startAction runs k in the background; the result comes back on the Fyne
// thread, and a phone that came back is checked again at once.
func (u *UI) startAction(k actions.Kind, d viewmodel.Device) {
	ar, ok := u.b.(ActionRunner)
	if !ok || u.act.running != "" || u.ctx.Err() != nil {
		return
	}
	u.act.confirming, u.act.running = "", k
	delete(u.act.results, k.Step())
	u.log.Info("action started", "action", k, "device", d.Key)
	u.refreshSteps()
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		res := ar.RunAction(u.ctx, k, d)
		if u.ctx.Err() != nil {
			return // the window is closing
		}
		u.opts.Do(func() { u.finishAction(res) })
	}()
}

func (u *UI) finishAction(res actions.Result) {
	u.act.running = ""
	u.act.results[res.Kind.Step()] = res
	u.act.pending = append(u.act.pending, res)
	u.log.Info("action finished", "action", res.Kind, "outcome", res.Outcome, "summary", res.Summary)
	u.expanded[res.Kind.Step()] = true
	u.followSelection()
	u.refreshDevice()
	u.refreshSteps()
	if res.Ran() {
		u.CheckAgain() // before/after: the changes box compares this check with the last
	}
}

// followSelection keeps the window on the phone after a reboot: when the
// selected phone is gone and exactly one phone is connected, it is the same
// one back under another identity (recovery and normal mode report different
// serials), so it is selected.
func (u *UI) followSelection() {
	if ld, ok := u.devices[u.selected]; ok && ld.goneAt.IsZero() {
		return
	}
	var connected []string
	for k, ld := range u.devices {
		if ld.goneAt.IsZero() {
			connected = append(connected, k)
		}
	}
	if len(connected) == 1 {
		u.selected = connected[0]
	}
}

// addActionFindings puts the actions done since the last check into r, as
// their findings (what was done, when, and what came of it).
func (u *UI) addActionFindings(r *report.Report) {
	if r == nil {
		return
	}
	for _, res := range u.act.pending {
		r.Findings = append(r.Findings, res.Finding())
	}
	u.act.pending = nil
}

func actionResultBox(res actions.Result) fyne.CanvasObject {
	l := wrapped(res.Kind.Title() + ": " + res.Summary)
	l.TextStyle = fyne.TextStyle{Bold: true}
	box := container.NewVBox(l)
	if res.After != "" {
		box.Add(wrapped(fmt.Sprintf("Before: %s mode. After: %s mode.", res.Before, res.After)))
	}
	if len(res.Buttons) > 0 {
		box.Add(sectionTitle(res.Hint))
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
