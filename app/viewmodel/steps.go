package viewmodel

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// StepText is the catalogue's wording of one fix step.
type StepText struct {
	Number       int
	Title        string
	Summary      string
	Instructions []string
	// Warning is shown before the instructions (step 3: re-enable; step 5: data loss).
	Warning string
	// MustAcknowledge hides the instructions until the user acknowledges the warning.
	MustAcknowledge bool
	// AcknowledgeLabel is the acknowledgement checkbox text ("I have a backup").
	AcknowledgeLabel string
	// Details are technical extras (commands, service names), shown behind
	// a "Details" disclosure.
	Details []string
	// InRecovery replace Instructions for a phone already in recovery or
	// DFU mode (step 5).
	InRecovery []string
}

// Recovery is how to put one family of iPhones into recovery mode.
type Recovery struct {
	// Family is the report contract's recovery_buttons value.
	Family string
	// Models names the phones of the family, e.g. "iPhone 8 and later".
	Models string
	Steps  []string
}

// Catalog is the step catalogue as the window needs it.
type Catalog struct {
	Steps []StepText
	// Recovery maps a recovery-button family to its instructions.
	Recovery map[string]Recovery
	// Professional is the text of the "See a professional" card.
	Professional StepText
	// Fixes holds the fix text of findings that have no step of their own
	// (usb.access_denied, lockdown.untrusted), by finding id.
	Fixes map[string]string
}

// Note is a finding without a step of its own and how to fix it.
type Note struct {
	Summary string
	Fix     string
}

// BuildNotes lists the report's findings that map to no step but have a fix
// text (udev rule, Trust prompt), in report order.
func BuildNotes(r *report.Report, cat Catalog) []Note {
	if r == nil {
		return nil
	}
	var out []Note
	seen := map[string]bool{}
	for _, f := range r.Findings {
		fix, ok := cat.Fixes[f.ID]
		if !ok || seen[f.ID] || f.ID == report.FindingDeviceRestoreMode {
			continue // a restore in progress is the verdict itself
		}
		seen[f.ID] = true
		title := firstClause(f.Summary)
		// Say it once: the fix text often opens with the summary's clause.
		if ft := firstClause(fix); strings.EqualFold(ft, title) && len(ft) < len(fix) {
			fix = capitalise(strings.TrimSpace(strings.TrimPrefix(fix[len(ft):], ":")))
		}
		out = append(out, Note{Summary: title, Fix: fix})
	}
	return out
}

// firstClause is s up to its first colon, without a final full stop.
func firstClause(s string) string {
	if i := strings.Index(s, ": "); i > 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(strings.TrimSpace(s), ".")
}

// Step returns the catalogue text of step n (zero value when absent).
func (c Catalog) Step(n int) StepText {
	for _, s := range c.Steps {
		if s.Number == n {
			return s
		}
	}
	return StepText{Number: n, Title: fmt.Sprintf("Step %d", n)}
}

// StepCard is one step as the steps panel renders it.
type StepCard struct {
	Number int
	Title  string
	// Badge is the short rank label: "Try first", "Then", "" when it does not apply.
	Badge   string
	Summary string
	Applies bool
	// Rank is 1 for the step to try first; 0 when the step does not apply.
	Rank       int
	Primary    bool
	Confidence string
	// Reasons are the evidence lines, already prefixed with "Why: ".
	Reasons []string
	// Expanded is the initial state of the card: the primary step is open.
	Expanded bool
	Warning  string
	// MustAcknowledge means Instructions stay hidden until Acknowledged.
	MustAcknowledge  bool
	AcknowledgeLabel string
	Acknowledged     bool
	// ShowInstructions is false while an acknowledgement is pending.
	ShowInstructions bool
	Instructions     []string
	// RecoveryTitle and RecoveryButtons are step 5's model-specific buttons.
	RecoveryTitle   string
	RecoveryButtons []string
	// Details are technical extras behind a "Details" disclosure.
	Details []string
	// Withheld replaces the instructions when they must not be followed
	// now (a restore runs: no unplugging, restarting or buttons).
	Withheld string
	// Mentioned marks a step the verdict names although it does not apply
	// (step 6 in "no fault found … if 1002 returns, step 6").
	Mentioned bool
}

// StepsInput is everything the steps panel depends on.
type StepsInput struct {
	Report  *report.Report
	Catalog Catalog
	// Family is the selected phone's recovery-button family.
	Family string
	// ModelName names the selected phone for step 5's heading.
	ModelName string
	// Acknowledged holds the steps whose warning the user acknowledged.
	Acknowledged map[int]bool
	// Expanded overrides the default expansion (user toggles), by step number.
	Expanded map[int]bool
	// Mentioned is the step the verdict names (Verdict.Step), 0 for none.
	Mentioned int
	// LowLevel is set when the phone is already in recovery or DFU mode;
	// ModeName names that mode ("Recovery mode").
	LowLevel bool
	ModeName string
	// Tried are the user's answers: a step they already did is marked so
	// and ranked after the others ("Already tried", not "Then").
	Tried Tried
	// Restoring is set when the phone runs a restore now (its live mode);
	// a report of a restore in progress sets it too.
	Restoring bool
}

// RestoreWithheld replaces every step's instructions while a restore runs.
const RestoreWithheld = "Not now: a restore is running on this iPhone. Leave it connected and wait until the restore has ended; only then follow this step if it is still needed."

// BuildSteps builds the six step cards: the applicable ones first in rank
// order, then the others in catalogue order. Without a report every step is
// shown in catalogue order, none applying.
func BuildSteps(in StepsInput) []StepCard {
	byNum := map[int]report.Step{}
	primary := 0
	if in.Report != nil {
		for _, s := range in.Report.Steps {
			byNum[s.Number] = s
		}
		if in.Report.PrimaryStep != nil {
			primary = *in.Report.PrimaryStep
		}
	}
	nums := map[int]bool{}
	for _, s := range in.Catalog.Steps {
		nums[s.Number] = true
	}
	for n := range byNum {
		nums[n] = true
	}
	var cards []StepCard
	for n := range nums {
		text := in.Catalog.Step(n)
		rs := byNum[n]
		c := StepCard{
			Number:           n,
			Title:            text.Title,
			Summary:          text.Summary,
			Warning:          text.Warning,
			MustAcknowledge:  text.MustAcknowledge && text.Warning != "",
			AcknowledgeLabel: text.AcknowledgeLabel,
			Instructions:     text.Instructions,
			Details:          text.Details,
			Applies:          rs.Applies,
			Primary:          n == primary && rs.Applies,
		}
		if c.Title == "" {
			c.Title = rs.Title
		}
		if c.MustAcknowledge && c.AcknowledgeLabel == "" {
			c.AcknowledgeLabel = "I understand"
		}
		if rs.Applies && rs.Rank != nil {
			c.Rank = *rs.Rank
		}
		if rs.Confidence != nil {
			c.Confidence = *rs.Confidence
		}
		for _, r := range rs.Reasons {
			c.Reasons = append(c.Reasons, "Why: "+r)
		}
		c.Acknowledged = in.Acknowledged[n]
		c.ShowInstructions = !c.MustAcknowledge || c.Acknowledged
		c.Expanded = c.Primary
		if v, ok := in.Expanded[n]; ok {
			c.Expanded = v
		}
		if n == 5 {
			c.RecoveryTitle, c.RecoveryButtons = recoveryButtons(in)
			if in.LowLevel && len(text.InRecovery) > 0 {
				// Already there: no "put it in recovery mode".
				c.Instructions = alreadyIn(text.InRecovery, in.ModeName)
				c.Title = "Restore the iPhone (it is already in " + lowerFirst(modeOr(in.ModeName)) + ")"
				if c.RecoveryTitle != "" {
					c.RecoveryTitle = "If it leaves " + lowerFirst(modeOr(in.ModeName)) + ": " + lowerFirst(c.RecoveryTitle)
				}
			}
		}
		if in.Restoring || (in.Report != nil && restoreInProgress(in.Report)) {
			// Every step unplugs, restarts or presses buttons somewhere:
			// none of it while the restore runs.
			c.ShowInstructions, c.Instructions, c.RecoveryButtons, c.RecoveryTitle = false, nil, nil, ""
			c.MustAcknowledge, c.Withheld = false, RestoreWithheld
		}
		if n == in.Mentioned && !c.Applies {
			c.Mentioned = true
			c.Badge = "If error 1002 returns"
		}
		cards = append(cards, c)
	}
	done := func(c StepCard) bool { return c.Applies && !c.Primary && in.Tried.did(c.Number) }
	sort.SliceStable(cards, func(i, j int) bool {
		a, b := cards[i], cards[j]
		if a.Applies != b.Applies {
			return a.Applies
		}
		if done(a) != done(b) {
			return done(b)
		}
		if !a.Applies && a.Mentioned != b.Mentioned {
			return a.Mentioned // the verdict names it: first of the others
		}
		if a.Applies && a.Rank != b.Rank {
			if a.Rank == 0 || b.Rank == 0 {
				return b.Rank == 0
			}
			return a.Rank < b.Rank
		}
		return a.Number < b.Number
	})
	first := true
	for i := range cards {
		if !cards[i].Applies {
			continue
		}
		if first {
			cards[i].Badge = "Try first"
			if in.Report != nil && in.Report.Professional.Recommended {
				// The headline sends the user to a professional.
				cards[i].Badge = "Last thing to try"
			}
			first = false
		} else if done(cards[i]) {
			cards[i].Badge = "Already tried"
		} else {
			cards[i].Badge = "Then"
		}
	}
	return cards
}

func modeOr(name string) string {
	if name == "" {
		return "recovery mode"
	}
	return name
}

// alreadyIn adapts the "already in recovery mode" lines to the mode the
// phone is in (DFU mode).
func alreadyIn(lines []string, modeName string) []string {
	out := append([]string(nil), lines...)
	if modeName == "" {
		return out
	}
	for i := range out {
		// Every line: "the iPhone leaves recovery mode on its own" is
		// wrong on a phone in DFU mode too.
		out[i] = strings.ReplaceAll(out[i], "recovery mode", lowerFirst(modeName))
	}
	return out
}

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
		// Cut short or a phone check in error: never "No fault found".
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
		if missed := phoneChecksNotRun(r); len(missed) > 0 {
			// A check that could not run is never a clean bill.
			v.Kind = VerdictError
			v.Text = "Could not check " + strings.Join(missed, " or ") + ", so this is not a clean bill of health: check again; if it keeps failing, try step 4 (" + cat.Step(4).Title + "). The reason is under Details."
			return v
		}
		v.Kind = VerdictHealthy
		v.Step = 6
		v.Text = "No fault found: try the restore again; if error 1002 returns, step 6 (" + cat.Step(6).Title + ")."
		if missed := hostChecksNotRun(r); len(missed) > 0 {
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

// phoneCheckWords name the checks on the phone in plain words.
var phoneCheckWords = map[string]string{
	report.CheckUSBPresence:   "whether the iPhone is on USB",
	report.CheckUSBLink:       "the USB link",
	report.CheckUSBStability:  "whether the connection stays up",
	report.CheckUSBControl:    "the iPhone's USB answers",
	report.CheckUsbmuxListing: "whether this computer's iPhone service sees the iPhone",
	report.CheckLockdownQuery: "what the iPhone says about itself",
	report.CheckLockdownRTT:   "how fast the iPhone answers",
	report.CheckLockdownTrust: "whether the iPhone trusts this computer",
}

// hostCheckWords name the checks on the computer in plain words.
var hostCheckWords = map[string]string{
	report.CheckHostAppleServers:     "Apple's servers",
	report.CheckHostHostsFile:        "the hosts file",
	report.CheckHostSecuritySoftware: "security software",
	report.CheckHostSoftwareVersions: "the restore software's version",
}

// hostChecksNotRun names the checks on the computer that were skipped,
// are unsupported here or ended in error, in report order.
func hostChecksNotRun(r *report.Report) []string {
	var out []string
	for _, c := range r.Checks {
		w, ok := hostCheckWords[c.ID]
		if ok && (c.Status == report.StatusError || c.Status == report.StatusUnsupported || c.Status == report.StatusSkipped) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// phoneChecksNotRun names the checks on the phone that ended in error or
// are unsupported here, in report order.
func phoneChecksNotRun(r *report.Report) []string {
	var out []string
	for _, c := range r.Checks {
		w, ok := phoneCheckWords[c.ID]
		if ok && (c.Status == report.StatusError || c.Status == report.StatusUnsupported) && !slices.Contains(out, w) {
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

// UnknownFamily is the recovery-button family of a phone we could not identify.
const UnknownFamily = "unknown"

// recoveryButtons picks step 5's buttons: the phone's family when known,
// else every family for the user to pick from.
func recoveryButtons(in StepsInput) (string, []string) {
	if rec, ok := in.Catalog.Recovery[in.Family]; ok && in.Family != UnknownFamily && len(rec.Steps) > 0 {
		name := in.ModelName
		if name == "" {
			name = rec.Models
		}
		return "Recovery-mode buttons for " + name + ":", rec.Steps
	}
	if rec, ok := in.Catalog.Recovery[UnknownFamily]; ok && len(rec.Steps) > 0 {
		return "Recovery-mode buttons (we could not tell which model this is):", rec.Steps
	}
	// The catalogue's "unknown" entry lists every family's buttons.
	return "", nil
}
