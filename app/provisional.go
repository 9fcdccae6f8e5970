package app

import (
	"fyne.io/fyne/v2/theme"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

// refreshProvisional puts the engine's verdict so far on the verdict line
// while a check runs (viewmodel.ProvisionalVerdict, with the progress bar's
// countdown); the final verdict replaces it when the check ends. It only
// sets what changed, so the progress tick can call it.
func (u *UI) refreshProvisional() {
	if !u.running {
		u.provisional = nil // the final report replaced it
		return
	}
	if u.provisional == nil {
		return
	}
	v := viewmodel.ProvisionalVerdict(u.provisional, u.cat, u.opts.Now().Sub(u.stripStart), u.stripWindow)
	if u.verdict.Text != v.Text {
		u.verdict.SetText(v.Text)
	}
	// The verdict shown is this check's, not the previous one.
	u.staleNote.Hide()
	icon := theme.InfoIcon()
	if v.Kind == viewmodel.VerdictFault {
		icon = theme.WarningIcon()
	}
	if u.verdictIcon.Resource != icon {
		u.verdictIcon.SetResource(icon)
	}
}
