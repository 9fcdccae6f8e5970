package report

import (
	"bufio"
	"fmt"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// TextWidth is the column width Text wraps to.
const TextWidth = 80

// Text writes the compact plain-text rendering the CLI prints by default:
// the verdict first (step to try, reasons, the other applying steps, the
// summary, professional advice), then devices, findings and checks, wrapped
// to TextWidth columns. It renders r as given: call Redact first unless
// identifiers are to be included.
func Text(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("report: render text: nil report")
	}
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw}
	t.render(r)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: render text: %w", err)
	}
	return nil
}

type textWriter struct {
	w *bufio.Writer
}

// maxLine caps one rendered paragraph or line, in bytes: values from a phone
// are capped at their source, this bounds whatever else reaches a renderer.
const maxLine = 16 << 10

// para writes s wrapped to TextWidth, the first line after first, the
// following ones indented by indent spaces. s passes textsafe.Clean: no
// control character from a phone or usbmuxd reaches the terminal.
func (t *textWriter) para(first string, indent int, s string) {
	for i, l := range wrap(textsafe.Clean(s, maxLine), TextWidth-indent, TextWidth-utf8.RuneCountInString(first)) {
		if i == 0 {
			t.w.WriteString(first)
		} else {
			t.w.WriteString(strings.Repeat(" ", indent))
		}
		t.w.WriteString(l)
		t.w.WriteByte('\n')
	}
}

func (t *textWriter) blank() { t.w.WriteByte('\n') }

// wrap splits s into lines of at most width runes (the first at most
// firstWidth), breaking at spaces; a word longer than a line is cut. It
// makes one pass over s (a 1 MB value wraps in milliseconds).
func wrap(s string, width, firstWidth int) []string {
	if width < 10 {
		width = 10
	}
	if firstWidth < 10 {
		firstWidth = 10
	}
	var lines []string
	var line strings.Builder
	n, limit := 0, firstWidth // runes in line, its limit
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		n, limit = 0, width
	}
	for _, w := range strings.Fields(s) {
		wn := utf8.RuneCountInString(w)
		if n > 0 && n+1+wn > limit {
			flush()
		}
		if n > 0 {
			line.WriteByte(' ')
			n++
		}
		for wn > limit-n {
			// A word longer than the line: cut it at the limit.
			k, i := limit-n, 0
			for ; k > 0; k-- {
				_, size := utf8.DecodeRuneInString(w[i:])
				i += size
			}
			line.WriteString(w[:i])
			w, wn = w[i:], wn-(limit-n)
			flush()
		}
		if wn > 0 {
			line.WriteString(w)
			n += wn
		}
	}
	if n > 0 || len(lines) == 0 {
		lines = append(lines, line.String())
	}
	return lines
}

func (t *textWriter) render(r *Report) {
	t.para("", 0, fmt.Sprintf("Restore Doctor %s, %s, %s", orDash(r.ToolVersion), orDash(r.Host.OS),
		r.GeneratedAt.UTC().Format(time.RFC3339)))
	t.blank()

	p, hasPrimary := primary(r)
	switch {
	case r.Summary != "":
		t.para("VERDICT: ", 9, r.Summary)
	case hasPrimary:
		t.para("VERDICT: ", 9, fmt.Sprintf("try step %d first (%s confidence): %s", p.Number, confidence(p), p.Title))
	default:
		t.para("VERDICT: ", 9, "no step applies")
	}
	if hasPrimary {
		if len(p.Reasons) > 0 {
			t.para("  ", 2, fmt.Sprintf("Why step %d:", p.Number))
		}
		for _, reason := range p.Reasons {
			t.para("  - ", 4, reason)
		}
		if rest := rankedSteps(r); len(rest) > 1 {
			for _, s := range rest[1:] {
				t.para("  then: ", 8, fmt.Sprintf("step %d %s (%s)", s.Number, s.Title, confidence(s)))
			}
		}
	}
	if r.Professional.Recommended {
		t.para("  SEE A PROFESSIONAL: ", 4, strings.Join(r.Professional.Reasons, "; "))
	}
	t.blank()

	t.restoreTimeline(r.RestoreTimeline)

	t.para("", 0, fmt.Sprintf("DEVICES (usbmuxd %s at %s)", orDash(r.Host.Usbmuxd.Status), orDash(r.Host.Usbmuxd.Address)))
	if len(r.Devices) == 0 {
		t.para("  ", 2, "no device found")
	}
	for _, d := range r.Devices {
		t.para("  ", 4, fmt.Sprintf("%s  %s  %s mode", d.Key, modelName(d.Model), d.Mode))
		t.para("    USB: ", 9, usbLine(d.USB))
		t.para("    usbmuxd: ", 13, usbmuxLine(d.Usbmux)+"; lockdown: "+lockdownLine(d.Lockdown))
		t.para("    stability: ", 15, stabilityLine(d.Stability, r.Incomplete()))
	}
	t.blank()

	t.para("", 0, "FINDINGS")
	if len(r.Findings) == 0 {
		t.para("  ", 2, "none")
	}
	for _, f := range r.Findings {
		t.para("  ", 4, fmt.Sprintf("[%s] %s: %s (steps: %s)", f.Severity, f.ID, f.Summary, stepList(f)))
	}
	t.blank()

	t.para("", 0, "CHECKS")
	if len(r.Checks) == 0 {
		t.para("  ", 2, "none ran")
	}
	idWidth := 0
	statusWidth := 0
	for _, c := range r.Checks {
		idWidth = max(idWidth, utf8.RuneCountInString(c.ID))
		statusWidth = max(statusWidth, utf8.RuneCountInString(c.Status))
	}
	for _, c := range r.Checks {
		head := fmt.Sprintf("  %-*s %-*s %8s  ", statusWidth, c.Status, idWidth, c.ID, durationMs(c.DurationMs))
		if c.Detail == "" {
			t.para("", 0, strings.TrimRight(head, " "))
			continue
		}
		if utf8.RuneCountInString(head) > TextWidth-20 {
			t.para("", 0, strings.TrimRight(head, " "))
			t.para("      ", 6, c.Detail)
			continue
		}
		t.para(head, 6, c.Detail)
	}
}
