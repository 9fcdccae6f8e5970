package viewmodel

import (
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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
		return Verdict{Kind: VerdictError, Text: i18n.T("window.verdict.could_not_run", i18n.Args{"Why": PlainError(runErr), "Details": StepDetailsTitle()})}
	}
	if r == nil {
		switch {
		case running:
			return Verdict{Kind: VerdictRunning, Text: i18n.T("window.verdict.checking")}
		case connected:
			return Verdict{Kind: VerdictWaiting, Text: i18n.T("window.verdict.found", i18n.Args{"Button": CheckNowLabel()})}
		default:
			return Verdict{Kind: VerdictWaiting, Text: i18n.T("window.verdict.connect")}
		}
	}
	v := Verdict{Professional: r.Professional.Recommended, ProfessionalReasons: r.Professional.Reasons}
	if restoreInProgress(r) {
		v.Kind = VerdictWaiting
		v.Text = i18n.T("window.verdict.restoring")
		if fix := cat.Fixes[report.FindingDeviceRestoreMode]; fix != "" {
			// The catalogue's wording, after its own "A restore is in progress:".
			if _, rest, ok := splitClause(fix); ok && rest != "" {
				fix = rest
			}
			v.Text = i18n.T("window.verdict.restoring_fix", i18n.Args{"Fix": strings.TrimSpace(fix)})
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
			title = ProfessionalTitle()
		}
		v.Text = i18n.T("window.verdict.professional", i18n.Args{"Title": title})
		return v
	}
	if r.PrimaryStep == nil {
		if notes := BuildNotes(r, cat); len(notes) > 0 {
			// A finding with its own fix (Trust prompt, udev rule) but no step.
			v.Kind = VerdictFault
			v.Text = i18n.T("window.verdict.fix_first", i18n.Args{"Fix": lowerFirst(notes[0].Summary)})
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
		v.Text = i18n.T("window.verdict.no_fault", i18n.Args{"Step": cat.Step(6).Title})
		if missed := checksNotRun(r); len(missed) > 0 {
			// Said in the headline, not only under Details.
			v.Text = i18n.T("window.verdict.no_fault_missed", i18n.Args{"Step": cat.Step(6).Title, "Missed": strings.Join(missed, i18n.T("window.list.sep"))})
		}
		return v
	}
	n := *r.PrimaryStep
	v.Kind = VerdictFault
	v.Step = n
	if m := lowLevelMode(r); n == 5 && m != "" {
		v.Text = i18n.T("window.verdict.step5_already", i18n.Args{"Mode": m})
		return v
	}
	title := cat.Step(n).Title
	for _, s := range r.Steps {
		if s.Number == n {
			if title == "" || title == stepNumber(n) {
				title = s.Title
			}
			if len(s.Reasons) > 0 {
				v.Text = i18n.T("window.verdict.try_first_why", i18n.Args{"N": i18n.Int(n), "Title": title, "Why": capitalise(strings.TrimSuffix(s.Reasons[0], "."))})
				return v
			}
		}
	}
	v.Text = i18n.T("window.verdict.try_first", i18n.Args{"N": i18n.Int(n), "Title": title})
	return v
}

// checkWords name the checks in plain words: the message key part of
// each check's words (window.checkword.*).
var checkWords = map[string]string{
	report.CheckUSBPresence:          "usb_presence",
	report.CheckUSBLink:              "usb_link",
	report.CheckUSBStability:         "usb_stability",
	report.CheckUSBControl:           "usb_control",
	report.CheckUsbmuxListing:        "usbmux_listing",
	report.CheckLockdownQuery:        "lockdown_query",
	report.CheckLockdownRTT:          "lockdown_rtt",
	report.CheckLockdownTrust:        "lockdown_trust",
	report.CheckHostAppleServers:     "apple_servers",
	report.CheckHostHostsFile:        "hosts_file",
	report.CheckHostSecuritySoftware: "security_software",
	report.CheckHostSoftwareVersions: "software_versions",
}

// checksNotRun names the checks, on the phone or on the computer, that did
// not look: skipped, unsupported here or ended in error, in report order.
// It only words the "No fault found" headline; whether that headline may be
// shown at all is the one completeness rule's (diagnostics.NoFaultFound).
func checksNotRun(r *report.Report) []string {
	var out []string
	for _, c := range r.Checks {
		k, ok := checkWords[c.ID]
		if !ok || (c.Status != report.StatusError && c.Status != report.StatusUnsupported && c.Status != report.StatusSkipped) {
			continue
		}
		if w := i18n.T("window.checkword." + k); !slices.Contains(out, w) {
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
			return modeInline(mode.Recovery)
		case report.FindingDeviceDFUMode:
			return modeInline(mode.DFU)
		}
	}
	for _, d := range r.Devices {
		switch d.Mode {
		case "recovery":
			return modeInline(mode.Recovery)
		case "dfu", "port-dfu", "wtf":
			return modeInline(mode.DFU)
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
