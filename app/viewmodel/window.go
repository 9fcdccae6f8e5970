package viewmodel

import (
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// This file holds the window's words that are not about one report: the
// strip legend, the demo banner, the actions' confirmations and the
// headline's qualifications. They live here, with the rest of the
// view-model, so that a translation (issue 22) finds them in few places.

// StripLegend explains the stability strip's marks as the strip draws them.
func StripLegend() string { return i18n.T("window.strip.legend") }

// ServiceLabel is the host card's line for usbmuxd / Apple Mobile Device Service.
func ServiceLabel() string { return i18n.T("window.line.service") }

// DemoTracePrefix starts the demo name of a window opened on a recorded
// restore (--demo-trace).
const DemoTracePrefix = "trace "

// DemoBanner is the banner of the demo window.
func DemoBanner(scenario string) string {
	if trace, ok := strings.CutPrefix(scenario, DemoTracePrefix); ok {
		return i18n.T("window.demo.trace", i18n.Args{"Name": trace, "Button": WatchRestoreLabel()})
	}
	return i18n.T("window.demo.scenario", i18n.Args{"Name": scenario})
}

// ConfirmName names the phone in a confirmation so that it is told apart
// from the other phones plugged in: the model, and with several of the same
// model, the owner's name or the end of its identifier (as the selector does).
func ConfirmName(devs []Device, d Device) string {
	name := d.Name
	if name == "" {
		name = i18n.T("window.confirm.the_iphone")
	}
	same := 0
	for _, o := range devs {
		if o.Name == d.Name {
			same++
		}
	}
	if same > 1 {
		sorted := append([]Device(nil), devs...)
		SortDevices(sorted) // the selector's order and labels
		for i, o := range ChoiceLabels(sorted) {
			if sorted[i].Key == d.Key {
				return o
			}
		}
	}
	return name
}

// ConfirmText is what the user agrees to before an action runs: it starts
// with a capital, names the phone and says to keep it connected.
func ConfirmText(k actions.Kind, name string) string {
	var s string
	switch k {
	case actions.ExitRecovery:
		s = i18n.T("window.confirm.exit_recovery", i18n.Args{"Name": name})
	case actions.EnterRecovery:
		s = i18n.T("window.confirm.enter_recovery", i18n.Args{"Name": name})
	default:
		s = i18n.T("window.confirm.restart", i18n.Args{"Name": name})
	}
	return capitalise(s)
}

// actionKey is the message key part of an action.
func actionKey(k actions.Kind) string {
	switch k {
	case actions.ExitRecovery:
		return "exit_recovery"
	case actions.EnterRecovery:
		return "enter_recovery"
	case actions.Restart:
		return "restart"
	}
	return ""
}

// ConfirmButton is the confirmation's "yes" button.
func ConfirmButton(k actions.Kind) string {
	if key := actionKey(k); key != "" {
		return i18n.T("window.confirm.yes." + key)
	}
	return i18n.T("window.confirm.yes", i18n.Args{"Action": lowerFirst(k.Title())})
}

// ActionWorking is the line on the card while action k runs.
func ActionWorking(k actions.Kind) string {
	if key := actionKey(k); key != "" {
		return i18n.T("window.action.working." + key)
	}
	return i18n.T("window.action.working", i18n.Args{"Action": k.Title()})
}

// AsAsked marks a before/after line that is the outcome the user asked for.
const AsAsked Direction = "as-asked"

// AskedFor rewrites the before/after of the check that followed action k:
// the mode the user asked for is the outcome, not a new problem or a fix
// ("now in recovery mode, as asked").
func AskedFor(before, after *report.Report, key string, changes []Change, k actions.Kind) []Change {
	if before == nil || after == nil {
		return changes
	}
	db, okb := pickDevice(before, key)
	da, oka := pickDevice(after, key)
	if !okb || !oka {
		return changes
	}
	var line string
	switch {
	case k == actions.EnterRecovery && da.Mode == string(mode.Recovery):
		line = i18n.T("window.asked.enter_recovery")
	case k == actions.ExitRecovery && da.Mode == string(mode.Normal) && db.Mode != da.Mode:
		line = i18n.T("window.asked.exit_recovery")
	case k == actions.Restart && da.Mode == string(mode.Normal):
		line = i18n.T("window.asked.restart")
	default:
		return changes
	}
	modeSummaries := map[string]bool{}
	for _, r := range []*report.Report{before, after} {
		for _, f := range r.Findings {
			if f.ID == report.FindingDeviceRecoveryMode {
				modeSummaries[f.Summary] = true
			}
		}
	}
	// The lines BuildChanges words for the mode and for no change, in the
	// current language; a cause ("after changing the cable") may stand
	// before or after them, so they are looked for anywhere in a line.
	modeLine := changeModeLine(db.Mode, da.Mode)
	noChange := i18n.T("window.changes.none")
	out := []Change{{Text: line, Direction: AsAsked}}
	for _, c := range changes {
		skip := strings.Contains(c.Text, modeLine) || strings.Contains(c.Text, noChange)
		for s := range modeSummaries {
			skip = skip || strings.Contains(c.Text, newProblemLine(s)) || strings.Contains(c.Text, fixedLine(s))
		}
		if !skip {
			out = append(out, c)
		}
	}
	return out
}

// Context is what the headline needs beyond the report: how the check ran
// and what the user answered since.
type Context struct {
	// ServiceLost: the iPhone service went away while the check ran.
	ServiceLost bool
	// ServiceDownNow: it is away now.
	ServiceDownNow bool
	// Untested are the answers given after the check ran.
	Untested Tried
}

// Qualify adds to a finished check's verdict what it cannot know by itself:
// a check cut by the iPhone service going away is no result, and answers
// given since the check want a check with them ("check again with the
// other cable").
func Qualify(v Verdict, c Context) Verdict {
	switch {
	case c.ServiceLost:
		v.Kind = VerdictError
		v.Professional, v.ProfessionalReasons = false, nil
		v.Text = i18n.T("window.qualify.service_lost")
	case c.ServiceDownNow:
		v.Kind = VerdictError
		v.Text = i18n.T("window.qualify.service_down", i18n.Args{"Verdict": v.Text})
	case v.Kind == VerdictFault && c.Untested.Any():
		v.Text = i18n.T("window.qualify.untested", i18n.Args{"How": untestedPhrase(c.Untested), "Verdict": v.Text})
	}
	return v
}

func untestedPhrase(t Tried) string {
	var p []string
	if t.Cable {
		p = append(p, i18n.T("window.untested.cable"))
	}
	if t.Port {
		p = append(p, i18n.T("window.untested.port"))
	}
	if t.Computer {
		p = append(p, i18n.T("window.untested.computer"))
	}
	if t.Restart {
		p = append(p, i18n.T("window.untested.restart"))
	}
	return andList(p)
}

// andList joins phrases the current language's way: "a", "a and b",
// "a, b and c".
func andList(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	head := p[0]
	for _, x := range p[1 : len(p)-1] {
		head = i18n.T("window.list.comma", i18n.Args{"A": head, "B": x})
	}
	return i18n.T("window.list.and", i18n.Args{"A": head, "B": p[len(p)-1]})
}

// plainWords rewrite the technical names that findings and action results
// carry into the words of the main view; Details keep the originals.
var plainWords = strings.NewReplacer(
	"The Apple device service (usbmuxd / Apple Mobile Device Service)", "This computer's iPhone service",
	"the Apple device service (usbmuxd / Apple Mobile Device Service)", "this computer's iPhone service",
	" (usbmuxd / Apple Mobile Device Service)", "",
	" (usbmuxd)", "",
	"needs usbmuxd to list the iPhone over USB", "needs this computer's iPhone service to see the iPhone",
	"usbmuxd", "this computer's iPhone service",
	"lockdown round trips", "answers",
	"lockdownd", "the iPhone",
)

// Plain is s in the main view's words (no service names, no protocol
// names). The rewrite knows the English wording of findings only: text in
// another language is left as its area words it.
func Plain(s string) string {
	if i18n.Current().Tag != i18n.English().Tag {
		return s
	}
	return plainWords.Replace(s)
}
