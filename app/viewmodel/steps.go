package viewmodel

import (
	"fmt"
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
		if !ok || seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		out = append(out, Note{Summary: f.Summary, Fix: fix})
	}
	return out
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
}

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
		}
		cards = append(cards, c)
	}
	sort.Slice(cards, func(i, j int) bool {
		a, b := cards[i], cards[j]
		if a.Applies != b.Applies {
			return a.Applies
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
			first = false
		} else {
			cards[i].Badge = "Then"
		}
	}
	return cards
}

// Verdict is the line on top of the steps panel.
type Verdict struct {
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
func BuildVerdict(r *report.Report, cat Catalog, running, connected bool, runErr error) Verdict {
	if runErr != nil {
		return Verdict{Kind: VerdictError, Text: "The check could not run: " + runErr.Error()}
	}
	if r == nil {
		switch {
		case running:
			return Verdict{Kind: VerdictRunning, Text: "Checking the iPhone, the cable and this computer…"}
		case connected:
			return Verdict{Kind: VerdictWaiting, Text: "iPhone found. Press \"Check again\" to run the check."}
		default:
			return Verdict{Kind: VerdictWaiting, Text: "Connect your iPhone with a USB cable to start the check."}
		}
	}
	v := Verdict{Professional: r.Professional.Recommended, ProfessionalReasons: r.Professional.Reasons}
	if r.Incomplete() {
		// Cut short or a phone check in error: never "No fault found".
		v.Kind, v.Text = VerdictError, r.Summary
		return v
	}
	if r.PrimaryStep == nil {
		if notes := BuildNotes(r, cat); len(notes) > 0 {
			// A finding with its own fix (Trust prompt, udev rule) but no step.
			v.Kind = VerdictFault
			v.Text = "Fix this first: " + strings.TrimSuffix(notes[0].Summary, ".") + "."
			return v
		}
		v.Kind = VerdictHealthy
		v.Text = "No fault found: try the restore again; if 1002 returns, step 6 (" + cat.Step(6).Title + ")."
		return v
	}
	n := *r.PrimaryStep
	v.Kind = VerdictFault
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
	var lines []string
	for _, fam := range []string{"face-id-or-8-later", "iphone-7", "home-button"} {
		if r, ok := in.Catalog.Recovery[fam]; ok {
			lines = append(lines, r.Models+": "+strings.Join(r.Steps, " "))
		}
	}
	if len(lines) == 0 {
		return "", nil
	}
	return "Recovery-mode buttons (we could not tell which model this is):", lines
}
