package viewmodel

import (
	"fmt"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// This file holds the window's words that are not about one report: the
// strip legend, the demo banner, the actions' confirmations and the
// headline's qualifications. They live here, with the rest of the
// view-model, so that a translation (issue 22) finds them in few places.

// StripLegend explains the stability strip's marks as the strip draws them.
const StripLegend = "Strip: red line = the iPhone dropped off, green line = it came back, amber line = it changed mode. Bars = how long each answer took; short orange bars at the bottom = slow or unanswered questions (not drops)."

// ServiceLabel is the host card's line for usbmuxd / Apple Mobile Device Service.
const ServiceLabel = "iPhone service"

// DemoTracePrefix starts the demo name of a window opened on a recorded
// restore (--demo-trace).
const DemoTracePrefix = "trace "

// DemoBanner is the banner of the demo window.
func DemoBanner(scenario string) string {
	if trace, ok := strings.CutPrefix(scenario, DemoTracePrefix); ok {
		return fmt.Sprintf("Demo: the recorded restore %q (a simulated phone). Press \"Watch my restore\" to replay it.", trace)
	}
	return fmt.Sprintf("Demo: scenario %q. The phone is simulated; nothing here touches a real iPhone.", scenario)
}

// ConfirmName names the phone in a confirmation so that it is told apart
// from the other phones plugged in: the model, and with several of the same
// model, the owner's name or the end of its identifier (as the selector does).
func ConfirmName(devs []Device, d Device) string {
	name := d.Name
	if name == "" {
		name = "the iPhone"
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
		s = fmt.Sprintf("%s will leave recovery mode and start iOS. Nothing is erased.", name)
	case actions.EnterRecovery:
		s = fmt.Sprintf("%s will restart into recovery mode. The restore that follows (step 5) erases it: only go ahead with a backup.", name)
	default:
		s = fmt.Sprintf("%s will restart now; unsaved work in its apps may be lost.", name)
	}
	return capitalise(s) + " Keep it connected: Restore Doctor follows it until it is back."
}

// ConfirmButton is the confirmation's "yes" button.
func ConfirmButton(k actions.Kind) string { return "Yes, " + lowerFirst(k.Title()) }

// ActionWorking is the line on the card while action k runs.
func ActionWorking(k actions.Kind) string {
	return k.Title() + ": working… keep the iPhone connected; it is followed until it is back."
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
		line = "now in recovery mode, as asked"
	case k == actions.ExitRecovery && da.Mode == string(mode.Normal) && db.Mode != da.Mode:
		line = "out of recovery mode and started normally, as asked"
	case k == actions.Restart && da.Mode == string(mode.Normal):
		line = "restarted and back, as asked"
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
	out := []Change{{Text: line, Direction: AsAsked}}
	for _, c := range changes {
		skip := strings.HasPrefix(c.Text, "mode: ") || strings.HasPrefix(c.Text, "no change since")
		for s := range modeSummaries {
			skip = skip || strings.HasPrefix(c.Text, "new problem: "+s) || strings.HasPrefix(c.Text, "fixed: "+s)
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
		v.Text = "This computer's iPhone service stopped answering during the check, so it says nothing about the iPhone. Restore Doctor checks again by itself when the service is back; if it does not come back, restart the computer."
	case c.ServiceDownNow:
		v.Kind = VerdictError
		v.Text = "This computer's iPhone service stopped answering after this check: Restore Doctor checks again by itself when it is back. The result of the last check: " + v.Text
	case v.Kind == VerdictFault && c.Untested.Any():
		v.Text = "Check again " + untestedPhrase(c.Untested) + ", so the check can tell whether the problem stays. " + v.Text
	}
	return v
}

func untestedPhrase(t Tried) string {
	var p []string
	if t.Cable {
		p = append(p, "with the other cable")
	}
	if t.Port {
		p = append(p, "in the other USB port")
	}
	if t.Computer {
		p = append(p, "on the other computer")
	}
	if t.Restart {
		p = append(p, "after the restart")
	}
	if len(p) == 1 {
		return p[0]
	}
	return strings.Join(p[:len(p)-1], ", ") + " and " + p[len(p)-1]
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

// Plain is s in the main view's words (no service names, no protocol names).
func Plain(s string) string { return plainWords.Replace(s) }
