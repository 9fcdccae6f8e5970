package viewmodel

import (
	"sort"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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
		if head, rest, ok := splitClause(fix); ok && strings.EqualFold(trimClause(head), title) && rest != "" {
			fix = capitalise(rest)
		}
		out = append(out, Note{Summary: title, Fix: fix})
	}
	return out
}

// firstClause is s up to its first colon, without a final full stop.
func firstClause(s string) string {
	if head, _, ok := splitClause(s); ok {
		s = head
	}
	return trimClause(s)
}

// trimClause is a clause without spaces around it and its final full stop.
func trimClause(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSuffix(strings.TrimSuffix(s, "."), "。")
}

// splitClause splits s at its first colon, the way each language writes
// it: ": " (English, German), "\u00a0: " (French, a no-break space before),
// "：" (Chinese, Japanese). ok is false without a colon after some text.
func splitClause(s string) (head, rest string, ok bool) {
	i, n := strings.Index(s, ": "), 2
	if j := strings.Index(s, "："); j > 0 && (i < 0 || j < i) {
		i, n = j, len("：")
	}
	if i <= 0 {
		return s, "", false
	}
	return s[:i], strings.TrimSpace(s[i+n:]), true
}

// Step returns the catalogue text of step n (zero value when absent).
func (c Catalog) Step(n int) StepText {
	for _, s := range c.Steps {
		if s.Number == n {
			return s
		}
	}
	return StepText{Number: n, Title: stepNumber(n)}
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
	// Backup is this phone's backup state, shown on step 5 before its
	// acknowledgement (zero on the other steps).
	Backup BackupView
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
	// ModeName names that mode ("Recovery mode", ModeName) and Mode is
	// that mode.
	LowLevel bool
	ModeName string
	Mode     mode.Mode
	// Tried are the user's answers: a step they already did is marked so
	// and ranked after the others ("Already tried", not "Then").
	Tried Tried
	// Restoring is set when the phone runs a restore now (its live mode);
	// a report of a restore in progress sets it too.
	Restoring bool
	// Backup is the selected phone's backup state (Backup), for step 5.
	Backup BackupView
}

// RestoreWithheld replaces every step's instructions while a restore runs.
func RestoreWithheld() string { return i18n.T("window.step.withheld") }

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
			c.AcknowledgeLabel = i18n.T("window.step.understand")
		}
		if rs.Applies && rs.Rank != nil {
			c.Rank = *rs.Rank
		}
		if rs.Confidence != nil {
			c.Confidence = *rs.Confidence
		}
		for _, r := range rs.Reasons {
			c.Reasons = append(c.Reasons, Why(r))
		}
		c.Acknowledged = in.Acknowledged[n]
		c.ShowInstructions = !c.MustAcknowledge || c.Acknowledged
		c.Expanded = c.Primary
		if v, ok := in.Expanded[n]; ok {
			c.Expanded = v
		}
		if n == 5 {
			c.Backup = in.Backup
			c.RecoveryTitle, c.RecoveryButtons = recoveryButtons(in)
			if in.LowLevel && len(text.InRecovery) > 0 {
				// Already there: no "put it in recovery mode".
				inline := inlineMode(in)
				c.Instructions = alreadyIn(text.InRecovery, in)
				c.Title = i18n.T("window.step.restore_already", i18n.Args{"Mode": inline})
				if c.RecoveryTitle != "" {
					c.RecoveryTitle = i18n.T("window.step.if_it_leaves", i18n.Args{"Mode": inline, "Buttons": lowerFirst(c.RecoveryTitle)})
				}
			}
		}
		if in.Restoring || (in.Report != nil && restoreInProgress(in.Report)) {
			// Every step unplugs, restarts or presses buttons somewhere:
			// none of it while the restore runs.
			c.ShowInstructions, c.Instructions, c.RecoveryButtons, c.RecoveryTitle = false, nil, nil, ""
			c.MustAcknowledge, c.Withheld = false, RestoreWithheld()
			// No backup can be made while the restore runs.
			c.Backup.Ways, c.Backup.NeedsIOS = nil, ""
		}
		if n == in.Mentioned && !c.Applies {
			c.Mentioned = true
			c.Badge = i18n.T("window.badge.if_returns")
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
			cards[i].Badge = i18n.T("window.badge.try_first")
			if in.Report != nil && in.Report.Professional.Recommended {
				// The headline sends the user to a professional.
				cards[i].Badge = i18n.T("window.badge.last")
			}
			first = false
		} else if done(cards[i]) {
			cards[i].Badge = i18n.T("window.badge.tried")
		} else {
			cards[i].Badge = i18n.T("window.badge.then")
		}
	}
	return cards
}

// inlineMode names the low-level mode the phone is in inside a sentence
// ("recovery mode" when the input does not say).
func inlineMode(in StepsInput) string {
	switch {
	case in.Mode != "":
		return modeInline(in.Mode)
	case in.ModeName != "":
		return lowerFirst(in.ModeName)
	}
	return modeInline(mode.Recovery)
}

// alreadyIn adapts the "already in recovery mode" lines to the mode the
// phone is in (DFU mode).
func alreadyIn(lines []string, in StepsInput) []string {
	out := append([]string(nil), lines...)
	if in.ModeName == "" && in.Mode == "" {
		return out
	}
	rec, now := modeInline(mode.Recovery), inlineMode(in)
	for i := range out {
		// Every line: "the iPhone leaves recovery mode on its own" is
		// wrong on a phone in DFU mode too.
		out[i] = strings.ReplaceAll(out[i], rec, now)
	}
	return out
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
		return i18n.T("window.step.buttons_for", i18n.Args{"Model": name}), rec.Steps
	}
	if rec, ok := in.Catalog.Recovery[UnknownFamily]; ok && len(rec.Steps) > 0 {
		return i18n.T("window.step.buttons_unknown"), rec.Steps
	}
	// The catalogue's "unknown" entry lists every family's buttons.
	return "", nil
}
