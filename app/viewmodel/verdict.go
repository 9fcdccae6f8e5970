package viewmodel

import (
	"fmt"
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Verdict is the line on top of the steps panel.
type Verdict struct {
	// Step is the step the text names (the primary step, or 6 in "no
	// fault found"), 0 for none; the steps panel marks it.
	Step int
	Text string
	// Kind is "waiting", "running", "fault", "healthy" or "error".
	Kind string
	// Professional is set when the rules recommend a repair professional.
	Professional        bool
	ProfessionalReasons []string
}

// Verdict kinds.
const (
	VerdictWaiting = "waiting"
	VerdictRunning = "running"
	VerdictFault   = "fault"
	VerdictHealthy = "healthy"
	VerdictError   = "error"
)

// BuildVerdict writes the verdict line for the last report (nil: none yet).
// running and connected describe the live state when there is no report.
//
// The verdict says one thing the user can act on, in this order: a restore
// in progress (do not interrupt it), "see a professional" when the rules
// recommend it, the step to try first, a fix without a step (Trust, USB
// permission), else no fault. Raw error text never shows here: it is in the
// Details (BuildDetails).
func BuildVerdict(r *report.Report, cat Catalog, running, connected bool, runErr error) Verdict {
	if runErr != nil {
		return Verdict{Kind: VerdictError, Text: "The check could not run: " + PlainError(runErr) + ". The technical message is under Details."}
	}
	if r == nil {
		switch {
		case running:
			return Verdict{Kind: VerdictRunning, Text: "Checking the iPhone, the cable and this computer…"}
		case connected:
			return Verdict{Kind: VerdictWaiting, Text: "iPhone found. Press \"Check now\" to run the check."}
		default:
			return Verdict{Kind: VerdictWaiting, Text: "Connect your iPhone with a USB cable to start the check."}
		}
	}
	v := Verdict{Professional: r.Professional.Recommended, ProfessionalReasons: r.Professional.Reasons}
	if restoreInProgress(r) {
		v.Kind = VerdictWaiting
		v.Text = "A restore is in progress on this iPhone: do not unplug it or interrupt the restore."
		if fix := cat.Fixes[report.FindingDeviceRestoreMode]; fix != "" {
			// The catalogue's wording, after its own "A restore is in progress:".
			v.Text = "A restore is in progress on this iPhone: " + strings.TrimSpace(strings.TrimPrefix(fix, firstClause(fix)+":"))
		}
		return v
	}
	if r.Incomplete() {
		// Cut short or a check in error (diagnostics.MarkCompleteness): never "No fault found".
		v.Kind, v.Text = VerdictError, r.Summary
		if r.PrimaryStep != nil {
			// The summary's "So far: Try step N first" names it.
			v.Step = *r.PrimaryStep
		}
		return v
	}
	if r.Professional.Recommended {
		v.Kind = VerdictFault
		title := cat.Professional.Title
		if title == "" {
			title = "See a Professional"
		}
		v.Text = title + ": the problem stayed with another cable and on another computer, so the iPhone's port or its logic board is the likely cause."
		return v
	}
	if r.PrimaryStep == nil {
		if notes := BuildNotes(r, cat); len(notes) > 0 {
			// A finding with its own fix (Trust prompt, udev rule) but no step.
			v.Kind = VerdictFault
			v.Text = "Fix this first: " + lowerFirst(notes[0].Summary) + "."
			return v
		}
		if r.InProgress == nil && !diagnostics.NoFaultFound(r) {
			// Not a clean bill by the one completeness rule
			// (diagnostics.MarkCompleteness), which check, watch and the
			// export read too: say what the report says. (A check still
			// running is never a clean bill: ProvisionalVerdict words it.)
			v.Kind, v.Text = VerdictError, r.Summary
			return v
		}
		v.Kind = VerdictHealthy
		v.Step = 6
		v.Text = "No fault found: try the restore again; if error 1002 returns, step 6 (" + cat.Step(6).Title + ")."
		if missed := checksNotRun(r); len(missed) > 0 {
			// Said in the headline, not only under Details.
			v.Text = "No fault found in the checks that ran (not checked: " + strings.Join(missed, ", ") + "): try the restore again; if error 1002 returns, step 6 (" + cat.Step(6).Title + ")."
		}
		return v
	}
	n := *r.PrimaryStep
	v.Kind = VerdictFault
	v.Step = n
	if m := lowLevelMode(r); n == 5 && m != "" {
		v.Text = "Step 5: the iPhone is already in " + m + ", so restore it now: in Finder, iTunes or Apple Devices choose Restore (this erases the iPhone)."
		return v
	}
	title := cat.Step(n).Title
	for _, s := range r.Steps {
		if s.Number == n {
			if title == "" || strings.HasPrefix(title, "Step ") {
				title = s.Title
			}
			if len(s.Reasons) > 0 {
				v.Text = fmt.Sprintf("Try step %d first: %s. %s.", n, title, capitalise(strings.TrimSuffix(s.Reasons[0], ".")))
				return v
			}
		}
	}
	v.Text = fmt.Sprintf("Try step %d first: %s.", n, title)
	return v
}

// checkWords name the checks in plain words.
var checkWords = map[string]string{
	report.CheckUSBPresence:          "whether the iPhone is on USB",
	report.CheckUSBLink:              "the USB link",
	report.CheckUSBStability:         "whether the connection stays up",
	report.CheckUSBControl:           "the iPhone's USB answers",
	report.CheckUsbmuxListing:        "whether this computer's iPhone service sees the iPhone",
	report.CheckLockdownQuery:        "what the iPhone says about itself",
	report.CheckLockdownRTT:          "how fast the iPhone answers",
	report.CheckLockdownTrust:        "whether the iPhone trusts this computer",
	report.CheckHostAppleServers:     "Apple's servers",
	report.CheckHostHostsFile:        "the hosts file",
	report.CheckHostSecuritySoftware: "security software",
	report.CheckHostSoftwareVersions: "the restore software's version",
}

// checksNotRun names the checks, on the phone or on the computer, that did
// not look: skipped, unsupported here or ended in error, in report order.
// It only words the "No fault found" headline; whether that headline may be
// shown at all is the one completeness rule's (diagnostics.NoFaultFound).
func checksNotRun(r *report.Report) []string {
	var out []string
	for _, c := range r.Checks {
		w, ok := checkWords[c.ID]
		if ok && (c.Status == report.StatusError || c.Status == report.StatusUnsupported || c.Status == report.StatusSkipped) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// lowLevelMode names the recovery-type mode the report's phone is in ("" if
// none).
func lowLevelMode(r *report.Report) string {
	for _, f := range r.Findings {
		switch f.ID {
		case report.FindingDeviceRecoveryMode:
			return "recovery mode"
		case report.FindingDeviceDFUMode:
			return "DFU mode"
		}
	}
	for _, d := range r.Devices {
		switch d.Mode {
		case "recovery":
			return "recovery mode"
		case "dfu", "port-dfu", "wtf":
			return "DFU mode"
		}
	}
	return ""
}

// restoreInProgress reports whether the report's phone runs the restore
// system (the finding, or the mode of an older report without it).
func restoreInProgress(r *report.Report) bool {
	for _, f := range r.Findings {
		if f.ID == report.FindingDeviceRestoreMode {
			return true
		}
	}
	for _, d := range r.Devices {
		if d.Mode == "restore" {
			return true
		}
	}
	return false
}

// did reports whether the answers say step n was done: both halves of
// step 1, the restart of step 4, another computer for step 6.
func (t Tried) did(n int) bool {
	switch n {
	case 1:
		return t.Cable && t.Port
	case 4:
		return t.Restart
	case 6:
		return t.Computer
	}
	return false
}
