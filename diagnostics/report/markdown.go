package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
)

// Markdown writes the report for people (a repair shop, Apple Support): the
// verdict first (primary step, its reasons, the summary, professional
// advice), then the devices, findings with their evidence, the checks with
// status and duration, and all six steps. guide adds each step's summary,
// warning and instructions (for the report's OS and the phone's
// recovery-button family); nil leaves them out. It renders r as given:
// call Redact first unless identifiers are to be included.
func Markdown(w io.Writer, r *Report, guide Guide) error {
	if r == nil {
		return fmt.Errorf("report: render Markdown: nil report")
	}
	bw := bufio.NewWriter(w)
	m := &mdWriter{w: bw}
	m.render(r, guide)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: render Markdown: %w", err)
	}
	return nil
}

type mdWriter struct {
	w *bufio.Writer
}

// line writes one line. Every line passes textsafe.Clean: no control
// character from a phone or usbmuxd reaches the file, whatever the caller
// interpolated (md escapes Markdown, not terminal escapes).
func (m *mdWriter) line(format string, args ...any) {
	m.w.WriteString(textsafe.Clean(fmt.Sprintf(format, args...), maxLine))
	m.w.WriteByte('\n')
}

// mdEscaper escapes the characters Markdown (and embedded HTML) would
// interpret in free text coming from devices, errors or evidence.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `&lt;`, `>`, `&gt;`, `|`, `\|`, `#`, `\#`, "\r\n", " ", "\n", " ", "\r", " ",
)

func md(s string) string { return mdEscaper.Replace(s) }

// code renders s as an inline code span, safe for any content.
func code(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", "¦").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// tr is the message id in the current language, escaped for Markdown.
func tr(id string, args ...i18n.Args) string { return md(i18n.T(id, args...)) }

func (m *mdWriter) render(r *Report, guide Guide) {
	m.line("# %s", tr("report.md.title"))
	m.line("")
	if r.Simulated {
		m.line("> %s", i18n.T("report.md.simulated", i18n.Args{"Label": "**" + tr("report.md.simulated_label") + "**"}))
		m.line("")
	}
	m.line("%s", i18n.T("report.md.generated", i18n.Args{"Time": r.GeneratedAt.UTC().Format(time.RFC3339),
		"Version": md(orDash(r.ToolVersion)), "OS": md(orDash(r.Host.OS)), "Schema": code(orDash(r.Schema))}))
	m.line("")

	m.line("## %s", tr("report.md.verdict"))
	m.line("")
	p, hasPrimary := primary(r)
	switch {
	case r.Summary != "":
		m.line("**%s**", md(r.Summary))
	case hasPrimary:
		m.line("**%s**", md(i18n.T("report.md.try_first", i18n.Args{"N": p.Number, "Confidence": confidence(p), "Title": p.Title})))
	default:
		m.line("**%s**", tr("report.md.no_step"))
	}
	m.line("")
	if hasPrimary {
		if len(p.Reasons) > 0 {
			m.line("%s", tr("report.md.why_step", i18n.Args{"N": p.Number, "Confidence": confidence(p)}))
			m.line("")
		}
		for _, reason := range p.Reasons {
			m.line("- %s", md(reason))
		}
		if len(p.Reasons) > 0 {
			m.line("")
		}
		if rest := rankedSteps(r); len(rest) > 1 {
			var then []string
			for _, s := range rest[1:] {
				then = append(then, i18n.T("report.md.then_step", i18n.Args{"N": s.Number, "Title": md(s.Title), "Confidence": confidence(s)}))
			}
			m.line("%s", i18n.T("report.md.then", i18n.Args{"Steps": strings.Join(then, "; ")}))
			m.line("")
		}
	}
	if r.Professional.Recommended {
		m.line("> **%s** %s", tr("report.md.professional"), md(capitalFirst(strings.Join(r.Professional.Reasons, "; "))))
		if guide != nil {
			if d := guide.StepDetail(0, reportOS(r), recoveryFamily(r)); d.Summary != "" {
				m.line(">")
				m.line("> %s", md(d.Summary))
			}
		}
		m.line("")
	}

	if len(r.BackupSummary) > 0 {
		m.line("## %s", tr("report.md.backups"))
		m.line("")
		for _, l := range r.BackupSummary {
			m.line("%s", md(l))
			m.line("")
		}
	}

	m.restoreTimeline(r.RestoreTimeline)

	m.line("## %s", tr("report.md.devices"))
	m.line("")
	if len(r.Devices) == 0 {
		m.line("%s", tr("report.md.no_device"))
	} else {
		m.line("| %s | %s | %s | USB | usbmuxd | lockdown | %s |", tr("report.md.col_device"), tr("report.md.col_model"),
			tr("report.md.col_mode"), tr("report.md.col_stability"))
		m.line("|---|---|---|---|---|---|---|")
		for _, d := range r.Devices {
			m.line("| %s | %s | %s | %s | %s | %s | %s |", code(d.Key), md(modelName(d.Model)), md(word("report.mode.", d.Mode)),
				md(usbLine(d.USB)), md(usbmuxLine(d.Usbmux)), md(lockdownLine(d.Lockdown)), md(stabilityLine(d.Stability, r.Incomplete())))
		}
	}
	m.line("")
	m.line("%s", i18n.T("report.md.usbmuxd", i18n.Args{"Status": md(word("report.usbmuxd.", orDash(r.Host.Usbmuxd.Status))),
		"Address": code(orDash(r.Host.Usbmuxd.Address))}))
	m.line("")

	m.line("## %s", tr("report.md.findings"))
	m.line("")
	if len(r.Findings) == 0 {
		m.line("%s", tr("report.md.no_findings"))
		m.line("")
	}
	for _, f := range r.Findings {
		m.line("### %s (%s)", code(f.ID), md(word("report.severity.", f.Severity)))
		m.line("")
		m.line("%s", md(f.Summary))
		m.line("")
		if f.DeviceKey != "" {
			m.line("- %s", i18n.T("report.md.finding_device", i18n.Args{"Key": code(f.DeviceKey)}))
		}
		m.line("- %s", i18n.T("report.md.finding_steps", i18n.Args{"Steps": md(stepList(f))}))
		for _, e := range evidenceLines(f.Evidence) {
			k, v, _ := strings.Cut(e, ": ")
			m.line("- %s: %s", md(k), code(v))
		}
		m.line("")
	}

	m.line("## %s", tr("report.md.checks"))
	m.line("")
	if len(r.Checks) == 0 {
		m.line("%s", tr("report.md.no_checks"))
	} else {
		m.line("| %s | %s | %s | %s |", tr("report.md.col_check"), tr("report.md.col_status"), tr("report.md.col_duration"), tr("report.md.col_detail"))
		m.line("|---|---|---|---|")
		for _, c := range r.Checks {
			m.line("| %s | %s | %s | %s |", code(c.ID), md(word("report.status.", c.Status)), durationMs(c.DurationMs), md(c.Detail))
		}
	}
	m.line("")

	m.line("## %s", tr("report.md.steps"))
	m.line("")
	for _, s := range r.Steps {
		args := i18n.Args{"N": s.Number, "Title": md(s.Title), "Confidence": confidence(s)}
		if s.Applies && s.Rank != nil {
			args["Rank"] = *s.Rank
			m.line("### %s", i18n.T("report.md.step_applies", args))
		} else if !hasPrimary && r.Complete && r.SuggestsIfReturns(s.Number) {
			// "No fault found: … if error 1002 returns, try step 6 (…)":
			// the verdict names it, so it is not simply "does not apply".
			m.line("### %s", i18n.T("report.md.step_if_returns", args))
		} else {
			m.line("### %s", i18n.T("report.md.step_not_applies", args))
		}
		m.line("")
		for _, reason := range s.Reasons {
			m.line("- %s", md(reason))
		}
		if len(s.Reasons) > 0 {
			m.line("")
		}
		if guide == nil {
			continue
		}
		d := guide.StepDetail(s.Number, reportOS(r), recoveryFamily(r))
		if d.Summary != "" {
			m.line("%s", md(d.Summary))
			m.line("")
		}
		if d.Warning != "" {
			label := tr("report.md.warning")
			if d.WarningMustAcknowledge {
				label = tr("report.md.warning_ack")
			}
			m.line("> **%s** %s", label, md(d.Warning))
			m.line("")
		}
		n := 0
		for _, in := range d.Instructions {
			if strings.HasPrefix(in, "  ") {
				m.line("   - %s", md(strings.TrimSpace(in)))
				continue
			}
			n++
			m.line("%d. %s", n, md(in))
		}
		if len(d.Instructions) > 0 {
			m.line("")
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// capitalFirst is s with its first letter in upper case (a sentence).
func capitalFirst(s string) string {
	for i, r := range s {
		return s[:i] + strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// SuggestsIfReturns reports whether the summary of a report with no primary
// step names step n for when error 1002 comes back ("No fault found: … if
// error 1002 returns, try step 6 (Try a Different Computer)"): by its
// title, which the summary quotes in the report's language.
func (r *Report) SuggestsIfReturns(n int) bool {
	for _, s := range r.Steps {
		if s.Number == n {
			return strings.Contains(r.Summary, fmt.Sprintf("step %d (", n)) || (s.Title != "" && strings.Contains(r.Summary, s.Title))
		}
	}
	return false
}
