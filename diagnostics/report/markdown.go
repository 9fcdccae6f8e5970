package report

import (
	"bufio"
	"fmt"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
	"io"
	"strings"
	"time"
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

func (m *mdWriter) render(r *Report, guide Guide) {
	m.line("# Restore Doctor report")
	m.line("")
	if r.Simulated {
		m.line("> **Simulated:** this report comes from the demo mode (a simulated iPhone), not from a real phone.")
		m.line("")
	}
	m.line("Generated %s by Restore Doctor %s on %s. Contract %s.",
		r.GeneratedAt.UTC().Format(time.RFC3339), md(orDash(r.ToolVersion)), md(orDash(r.Host.OS)), code(orDash(r.Schema)))
	m.line("")

	m.line("## Verdict")
	m.line("")
	p, hasPrimary := primary(r)
	switch {
	case r.Summary != "":
		m.line("**%s**", md(r.Summary))
	case hasPrimary:
		m.line("**Try step %d first (%s confidence): %s**", p.Number, confidence(p), md(p.Title))
	default:
		m.line("**No step applies.**")
	}
	m.line("")
	if hasPrimary {
		if len(p.Reasons) > 0 {
			m.line("Why step %d (%s confidence):", p.Number, confidence(p))
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
				then = append(then, fmt.Sprintf("step %d (%s, %s)", s.Number, md(s.Title), confidence(s)))
			}
			m.line("Then: %s.", strings.Join(then, "; "))
			m.line("")
		}
	}
	if r.Professional.Recommended {
		m.line("> **See a professional.** %s", md(capitalFirst(strings.Join(r.Professional.Reasons, "; "))))
		if guide != nil {
			if d := guide.StepDetail(0, reportOS(r), recoveryFamily(r)); d.Summary != "" {
				m.line(">")
				m.line("> %s", md(d.Summary))
			}
		}
		m.line("")
	}

	if len(r.BackupSummary) > 0 {
		m.line("## Backups (before the erase)")
		m.line("")
		for _, l := range r.BackupSummary {
			m.line("%s", md(l))
			m.line("")
		}
	}

	m.restoreTimeline(r.RestoreTimeline)

	m.line("## Devices")
	m.line("")
	if len(r.Devices) == 0 {
		m.line("No device found.")
	} else {
		m.line("| Device | Model | Mode | USB | usbmuxd | lockdown | Stability |")
		m.line("|---|---|---|---|---|---|---|")
		for _, d := range r.Devices {
			m.line("| %s | %s | %s | %s | %s | %s | %s |", code(d.Key), md(modelName(d.Model)), md(d.Mode),
				md(usbLine(d.USB)), usbmuxLine(d.Usbmux), md(lockdownLine(d.Lockdown)), md(stabilityLine(d.Stability, r.Incomplete())))
		}
	}
	m.line("")
	m.line("usbmuxd: %s at %s.", md(orDash(r.Host.Usbmuxd.Status)), code(orDash(r.Host.Usbmuxd.Address)))
	m.line("")

	m.line("## Findings")
	m.line("")
	if len(r.Findings) == 0 {
		m.line("No findings.")
		m.line("")
	}
	for _, f := range r.Findings {
		m.line("### %s (%s)", code(f.ID), md(f.Severity))
		m.line("")
		m.line("%s", md(f.Summary))
		m.line("")
		if f.DeviceKey != "" {
			m.line("- device: %s", code(f.DeviceKey))
		}
		m.line("- supports steps: %s", stepList(f))
		for _, e := range evidenceLines(f.Evidence) {
			k, v, _ := strings.Cut(e, ": ")
			m.line("- %s: %s", md(k), code(v))
		}
		m.line("")
	}

	m.line("## Checks")
	m.line("")
	if len(r.Checks) == 0 {
		m.line("No checks ran.")
	} else {
		m.line("| Check | Status | Duration | Detail |")
		m.line("|---|---|---|---|")
		for _, c := range r.Checks {
			m.line("| %s | %s | %s | %s |", code(c.ID), md(c.Status), durationMs(c.DurationMs), md(c.Detail))
		}
	}
	m.line("")

	m.line("## Steps")
	m.line("")
	for _, s := range r.Steps {
		if s.Applies && s.Rank != nil {
			m.line("### %d. %s: applies (rank %d, %s confidence)", s.Number, md(s.Title), *s.Rank, confidence(s))
		} else if !hasPrimary && r.Complete && strings.Contains(r.Summary, fmt.Sprintf("step %d (", s.Number)) {
			// "No fault found: … if error 1002 returns, try step 6 (…)":
			// the verdict names it, so it is not simply "does not apply".
			m.line("### %d. %s: if error 1002 returns", s.Number, md(s.Title))
		} else {
			m.line("### %d. %s: does not apply", s.Number, md(s.Title))
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
			label := "Warning"
			if d.WarningMustAcknowledge {
				label = "Warning (read before you start)"
			}
			m.line("> **%s:** %s", label, md(d.Warning))
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
