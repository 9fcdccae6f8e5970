// Package rules turns findings into the verdict: which of the six fix steps
// apply, in which order to try them, how confident the evidence makes us,
// the reasons in words built from the evidence, whether to see a
// professional, and a one-line summary. It is a pure function of its input
// (findings, the primary device's mode, what the user already tried); the
// finding → step weights are a table (table.go).
//
// rules imports diagnostics/report and diagnostics/catalog; it must not
// import diagnostics (the engine), device/ or app/.
package rules

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Input is what the rules look at.
type Input struct {
	// Findings of every check, for every device and the host.
	Findings []report.Finding
	// Mode is the primary device's mode (a report mode string: "normal",
	// "restore", "recovery", "dfu", …) or "" when no device was found. A
	// phone in recovery or DFU makes step 5 apply even without a finding.
	Mode string
	// Tried is what the user says they already tried: it ranks the steps.
	Tried Tried
	// Checked is what the user had said they tried when the findings were
	// measured (the report's Tried), nil when the answers came with the
	// check. Answers are evidence ("the fault persists although you tried
	// another cable", "see a professional") only when the check ran with
	// them: a tick given after the check re-ranks the steps and no more.
	Checked *Tried
}

// evidence is what the user tried that the findings were measured after.
func (in Input) evidence() Tried {
	if in.Checked == nil {
		return in.Tried
	}
	return in.Tried.and(*in.Checked)
}

// PrimaryMode is the mode of the device the verdict is about: the first
// present device in recovery or DFU mode if any (it waits for a restore),
// else the first device; "" without devices.
func PrimaryMode(devices []report.Device) string {
	for _, d := range devices {
		if d.Mode == "recovery" || d.Mode == "dfu" {
			return d.Mode
		}
	}
	if len(devices) > 0 {
		return devices[0].Mode
	}
	return ""
}

// InputFromReport builds the Input from a report's findings and devices.
// A report that records the answers it was checked with (report.Tried)
// sets Checked.
func InputFromReport(r *report.Report, tried Tried) Input {
	in := Input{Findings: r.Findings, Mode: PrimaryMode(r.Devices), Tried: tried}
	if r.Tried != nil {
		c := TriedFromWords(r.Tried)
		in.Checked = &c
	}
	return in
}

// Verdict is the rules' output.
type Verdict struct {
	// Steps are all six steps in number order, with Applies, Rank,
	// Confidence and Reasons filled.
	Steps []report.Step
	// Professional is set only when the fault persisted across another cable
	// and another computer.
	Professional report.Professional
	// PrimaryStep is the step ranked 1; nil when no step applies.
	PrimaryStep *int
	// Summary is the verdict in a few sentences: the step to try first (or
	// "no fault found"), the fix texts of findings without a step, and the
	// professional advice.
	Summary string
	// FixTexts are the catalogue fix texts of findings that have no step
	// (usb.access_denied, lockdown.untrusted), also quoted in Summary.
	FixTexts []string
}

// Apply writes the verdict into a report: steps, professional, primary step
// and summary; findings with no steps get the table's (StepsFor).
func (v Verdict) Apply(r *report.Report) {
	r.Steps = slices.Clone(v.Steps)
	r.Professional = report.Professional{Recommended: v.Professional.Recommended, Reasons: slices.Clone(v.Professional.Reasons)}
	if v.PrimaryStep != nil {
		n := *v.PrimaryStep
		r.PrimaryStep = &n
	} else {
		r.PrimaryStep = nil
	}
	r.Summary = v.Summary
	for i := range r.Findings {
		if len(r.Findings[i].Steps) == 0 && KnownFinding(r.Findings[i].ID) {
			r.Findings[i].Steps = StepsForFinding(r.Findings[i])
		}
	}
}

// confidence levels, ordered.
const (
	levelNone = iota
	levelLow
	levelMedium
	levelHigh
)

var levelNames = [...]string{levelLow: report.ConfidenceLow, levelMedium: report.ConfidenceMedium, levelHigh: report.ConfidenceHigh}

// confidenceTable[weight][severity] is the confidence one finding lends a step.
var confidenceTable = map[int]map[string]int{
	strong: {report.SeverityInfo: levelMedium, report.SeverityWarning: levelHigh, report.SeverityCritical: levelHigh},
	normal: {report.SeverityInfo: levelLow, report.SeverityWarning: levelMedium, report.SeverityCritical: levelHigh},
	weak:   {report.SeverityInfo: levelLow, report.SeverityWarning: levelLow, report.SeverityCritical: levelMedium},
}

// severityFactor scales a weight into a ranking score.
var severityFactor = map[string]int{report.SeverityInfo: 1, report.SeverityWarning: 2, report.SeverityCritical: 3}

func severityOf(f report.Finding) string {
	if _, ok := severityFactor[f.Severity]; ok {
		return f.Severity
	}
	return report.SeverityWarning // unknown severity: neither ignore nor overstate
}

// contribution is one finding's support for one step.
type contribution struct {
	findingID string
	reason    string
	level     int
	score     int
}

type stepState struct {
	number  int
	contrib []contribution
	tried   bool
	note    string
	level   int
	score   int
}

// Evaluate computes the verdict. cat supplies step titles and fix texts; a
// nil cat falls back to the embedded catalogue (and to "Step N" titles if
// that could not be loaded).
//
// Per step: every finding that supports it contributes a confidence (from
// the table weight and the finding's severity) and a score (weight ×
// severity); the step's confidence is the best contribution, raised one
// level when two different findings back it at medium or better. A step the
// user already tried drops one confidence level and ranks after untried
// steps of equal confidence. Order: confidence, untried first, score, then
// step number (cheapest first).
func Evaluate(cat *catalog.Catalog, in Input) Verdict {
	if cat == nil {
		cat, _ = catalog.Load()
	}
	present := map[string]report.Finding{} // first finding of each id
	var st [7]stepState
	for n := 1; n <= 6; n++ {
		st[n].number = n
	}
	add := func(step int, c contribution) {
		if step >= 1 && step <= 6 {
			st[step].contrib = append(st[step].contrib, c)
		}
	}

	findings := in.Findings
	if (in.Mode == "recovery" || in.Mode == "dfu") && !hasID(findings, report.FindingDeviceRecoveryMode) && !hasID(findings, report.FindingDeviceDFUMode) {
		id := report.FindingDeviceRecoveryMode
		if in.Mode == "dfu" {
			id = report.FindingDeviceDFUMode
		}
		findings = append(slices.Clone(findings), report.Finding{ID: id, Severity: report.SeverityInfo})
	}
	// A phone in restore mode is being restored: never "no fault found, try
	// the restore again", which could make someone interrupt it.
	if in.Mode == "restore" && !hasID(findings, report.FindingDeviceRestoreMode) {
		findings = append(slices.Clone(findings), report.Finding{ID: report.FindingDeviceRestoreMode, Severity: report.SeverityInfo,
			Summary: i18n.T("findings.summary.device_restore_mode")})
	}

	for _, f := range findings {
		if belowFloor(f) {
			continue // context only: supports no step and escalates nothing
		}
		if _, seen := present[f.ID]; !seen {
			present[f.ID] = f
		}
		sev := severityOf(f)
		sup, known := table[f.ID]
		if !known && sev == report.SeverityInfo {
			// A record without a rule (an action that did what was asked):
			// it tells what happened and makes no step apply.
			continue
		}
		if !known {
			for _, n := range f.Steps {
				sup = append(sup, support{n, normal})
			}
		}
		reason := reasonFor(f)
		for _, s := range sup {
			add(s.step, contribution{f.ID, reason, confidenceTable[s.weight][sev], s.weight * severityFactor[sev]})
		}
	}

	evidence := in.evidence()
	for _, e := range escalations {
		if !e.when(in.Tried) {
			continue
		}
		worst := ""
		for _, id := range e.findings {
			if f, ok := present[id]; ok && (worst == "" || severityFactor[severityOf(f)] > severityFactor[worst]) {
				worst = severityOf(f)
			}
		}
		if worst == "" {
			continue
		}
		var reason string
		switch {
		case !e.when(evidence):
			// Answered after the check: it re-ranks, but the check has not
			// seen the fault with it yet.
			reason = i18n.T("findings.escalation.tried_after_check", i18n.Args{"Tried": in.Tried.phrase()})
		case !evidence.Computer: // after another computer, the computer is no longer the suspect
			reason = i18n.T("findings.escalation.persists_suspect", i18n.Args{"Tried": evidence.phrase(), "Suspect": i18n.T(e.why)})
		default:
			reason = i18n.T("findings.escalation.persists", i18n.Args{"Tried": evidence.phrase()})
		}
		add(e.step, contribution{"", reason, confidenceTable[e.weight][worst], e.weight * severityFactor[worst]})
	}

	for n := 1; n <= 6; n++ {
		s := &st[n]
		if len(s.contrib) == 0 {
			continue
		}
		backers := map[string]bool{}
		for _, c := range s.contrib {
			s.score += c.score
			s.level = max(s.level, c.level)
			if c.level >= levelMedium {
				backers[c.findingID] = true
			}
		}
		if len(backers) >= 2 && s.level < levelHigh {
			s.level++
		}
		s.tried, s.note = in.Tried.triedStep(n)
		if s.tried && s.level > levelLow {
			s.level--
		}
		// Strongest evidence first in the reasons.
		slices.SortStableFunc(s.contrib, func(a, b contribution) int { return b.score - a.score })
	}

	var applying []*stepState
	for n := 1; n <= 6; n++ {
		if len(st[n].contrib) > 0 {
			applying = append(applying, &st[n])
		}
	}
	slices.SortStableFunc(applying, func(a, b *stepState) int {
		switch {
		case a.level != b.level:
			return b.level - a.level
		case a.tried != b.tried:
			if a.tried {
				return 1
			}
			return -1
		case a.score != b.score:
			return b.score - a.score
		}
		return a.number - b.number
	})

	v := Verdict{Steps: make([]report.Step, 0, 6)}
	rank := map[int]int{}
	for i, s := range applying {
		rank[s.number] = i + 1
	}
	for n := 1; n <= 6; n++ {
		s := st[n]
		step := report.Step{Number: n, Title: title(cat, n), Reasons: []string{}}
		if r, ok := rank[n]; ok {
			step.Applies = true
			step.Rank = &r
			c := levelNames[s.level]
			step.Confidence = &c
			seen := map[string]bool{}
			for _, c := range s.contrib {
				if !seen[c.reason] {
					seen[c.reason] = true
					step.Reasons = append(step.Reasons, c.reason)
				}
			}
			if s.note != "" {
				step.Reasons = append(step.Reasons, s.note)
			}
		}
		v.Steps = append(v.Steps, step)
	}
	if len(applying) > 0 {
		p := applying[0].number
		v.PrimaryStep = &p
	}

	v.Professional = professional(present, evidence)

	for _, id := range fixTextFindings {
		if _, ok := present[id]; !ok {
			continue
		}
		text := ""
		if cat != nil {
			text, _ = cat.FixText(id)
		}
		if text == "" {
			text = present[id].Summary
		}
		if text != "" {
			v.FixTexts = append(v.FixTexts, text)
		}
	}
	v.Summary = summary(v, cat)
	return v
}

// professional recommends a repair only when the link fault persisted across
// another cable and another computer, or the phone never appeared on USB
// after both.
func professional(present map[string]report.Finding, t Tried) report.Professional {
	p := report.Professional{Reasons: []string{}}
	if !t.Cable || !t.Computer {
		return p
	}
	for _, id := range linkFindings {
		if f, ok := present[id]; ok {
			p.Recommended = true
			p.Reasons = append(p.Reasons, i18n.T("findings.professional.persists", i18n.Args{"Reason": reasonFor(f)}))
		}
	}
	if _, ok := present[report.FindingUSBNoDevice]; ok {
		p.Recommended = true
		p.Reasons = append(p.Reasons, i18n.T("findings.professional.never_appeared"))
	}
	if p.Recommended {
		p.Reasons = append(p.Reasons, i18n.T("findings.professional.follows_iphone"))
	}
	return p
}

// NoFaultSummary is the summary when no step applies and nothing else
// needs doing, in the current language.
func NoFaultSummary() string {
	cat, _ := catalog.Load()
	return i18n.T("findings.verdict.no_fault", i18n.Args{"Step": 6, "Title": title(cat, 6)})
}

// NoFault reports whether r's verdict is "no fault found": no step applies
// and no finding calls for a fix text of its own. It reads the report's
// structure, not its summary, so it holds whatever language the summary
// was written in.
func NoFault(r *report.Report) bool {
	if r.PrimaryStep != nil || PrimaryMode(r.Devices) == "restore" {
		return false
	}
	for _, f := range r.Findings {
		if slices.Contains(fixTextFindings, f.ID) && !belowFloor(f) {
			return false
		}
	}
	return true
}

func summary(v Verdict, cat *catalog.Catalog) string {
	var parts []string
	switch {
	case v.PrimaryStep != nil:
		s := v.Steps[*v.PrimaryStep-1]
		args := i18n.Args{"Step": s.Number, "Confidence": ConfidenceWord(*s.Confidence), "Title": s.Title}
		if len(s.Reasons) > 0 {
			args["Reason"] = s.Reasons[0]
			parts = append(parts, i18n.T("findings.verdict.try_first_because", args))
		} else {
			parts = append(parts, i18n.T("findings.verdict.try_first", args))
		}
		if *v.PrimaryStep == 5 && cat != nil {
			parts = append(parts, cat.Step(5).Warning)
		}
	case len(v.FixTexts) == 0:
		parts = append(parts, NoFaultSummary())
	}
	parts = append(parts, v.FixTexts...)
	if v.Professional.Recommended {
		parts = append(parts, i18n.T("findings.verdict.professional"))
	}
	return JoinSentences(parts...)
}

// JoinSentences joins sentences into one text: with a space after a
// sentence that ends in Latin punctuation, directly after one that ends in
// full-width punctuation (Chinese, Japanese: "…。次の文").
func JoinSentences(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			if r, _ := utf8.DecodeLastRuneInString(b.String()); !fullWidthEnd(r) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// fullWidthEnd reports whether r ends a sentence in full-width punctuation.
func fullWidthEnd(r rune) bool {
	return strings.ContainsRune("。！？）」", r)
}

func title(cat *catalog.Catalog, n int) string {
	if cat != nil {
		if t := cat.Title(n); t != "" {
			return t
		}
	}
	return i18n.T("findings.step_fallback", i18n.Args{"Step": n})
}

// ConfidenceWord is a report confidence ("high", "medium", "low") in the
// current language's words; an unknown value is returned as it is.
func ConfidenceWord(c string) string {
	switch c {
	case report.ConfidenceHigh:
		return i18n.T("findings.confidence.high")
	case report.ConfidenceMedium:
		return i18n.T("findings.confidence.medium")
	case report.ConfidenceLow:
		return i18n.T("findings.confidence.low")
	}
	return c
}

func hasID(fs []report.Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

// StepsForFinding returns the steps f supports: StepsFor(f.ID), or none when
// f is below its id's severity floor (context, not a fault).
func StepsForFinding(f report.Finding) []int {
	if belowFloor(f) {
		return []int{}
	}
	return StepsFor(f.ID)
}

// belowFloor reports whether f is below the severity from which its id
// supports steps (minSeverity): context for the reader, not a fault.
func belowFloor(f report.Finding) bool {
	floor, ok := minSeverity[f.ID]
	return ok && severityFactor[severityOf(f)] < severityFactor[floor]
}
