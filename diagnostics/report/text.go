package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
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
	for i, l := range wrap(textsafe.Clean(s, maxLine), TextWidth-indent, TextWidth-columns(first)) {
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

// wrap splits s into lines of at most width columns (the first at most
// firstWidth), breaking at spaces; a word longer than a line is cut (CJK
// text, which has no spaces, is cut at the width). Wide characters (CJK,
// full-width forms) take two columns, as a terminal shows them. It makes
// one pass over s (a 1 MB value wraps in milliseconds).
func wrap(s string, width, firstWidth int) []string {
	if width < 10 {
		width = 10
	}
	if firstWidth < 10 {
		firstWidth = 10
	}
	var lines []string
	var line strings.Builder
	n, limit := 0, firstWidth // columns in line, its limit
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		n, limit = 0, width
	}
	for _, w := range strings.Fields(s) {
		wn := columns(w)
		if n > 0 && n+1+wn > limit {
			flush()
		}
		if n > 0 {
			line.WriteByte(' ')
			n++
		}
		for wn > limit-n {
			// A word longer than the line: cut it where the line is full.
			i, c := 0, 0
			for i < len(w) {
				r, size := utf8.DecodeRuneInString(w[i:])
				if n+c+runeColumns(r) > limit {
					break
				}
				c += runeColumns(r)
				i += size
			}
			if i == 0 && n == 0 {
				// Not even one character fits an empty line: take it anyway.
				r, size := utf8.DecodeRuneInString(w)
				i, c = size, runeColumns(r)
			}
			line.WriteString(w[:i])
			w, wn = w[i:], wn-c
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

// Columns is how many terminal columns s takes: two for a wide character
// (CJK, Hangul, full-width forms), one for others.
func Columns(s string) int { return columns(s) }

func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

// runeColumns is 2 for a wide character (CJK, Hangul, full-width forms),
// else 1.
func runeColumns(r rune) int {
	if r < 0x1100 {
		return 1
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// label writes s after indent and label (a translated "VERDICT:"), its
// following lines indented to line up after the label. A label that ends
// in a full-width colon ("結論：") needs no space after it.
func (t *textWriter) label(indent, label, s string) {
	first := indent + label
	if !strings.HasSuffix(label, "：") {
		first += " "
	}
	t.para(first, min(columns(first), 24), s)
}

// padRight pads s with spaces to width columns.
func padRight(s string, width int) string {
	if n := columns(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

func (t *textWriter) render(r *Report) {
	t.para("", 0, i18n.T("report.text.header", i18n.Args{"Version": orDash(r.ToolVersion), "OS": orDash(r.Host.OS),
		"Time": r.GeneratedAt.UTC().Format(time.RFC3339)}))
	t.blank()

	verdict := i18n.T("report.text.verdict")
	p, hasPrimary := primary(r)
	switch {
	case r.Summary != "":
		t.label("", verdict, r.Summary)
	case hasPrimary:
		t.label("", verdict, i18n.T("report.text.try_first", i18n.Args{"N": p.Number, "Confidence": confidence(p), "Title": p.Title}))
	default:
		t.label("", verdict, i18n.T("report.text.no_step"))
	}
	if hasPrimary {
		if len(p.Reasons) > 0 {
			t.para("  ", 2, i18n.T("report.text.why_step", i18n.Args{"N": p.Number}))
		}
		for _, reason := range p.Reasons {
			t.para("  - ", 4, reason)
		}
		if rest := rankedSteps(r); len(rest) > 1 {
			for _, s := range rest[1:] {
				t.label("  ", i18n.T("report.text.then"), i18n.T("report.text.then_step", i18n.Args{"N": s.Number, "Title": s.Title, "Confidence": confidence(s)}))
			}
		}
	}
	if r.Professional.Recommended {
		t.para("  "+i18n.T("report.text.professional")+" ", 4, strings.Join(r.Professional.Reasons, "; "))
	}
	t.blank()

	t.restoreTimeline(r.RestoreTimeline)

	t.para("", 0, i18n.T("report.text.devices", i18n.Args{"Status": word("report.usbmuxd.", orDash(r.Host.Usbmuxd.Status)), "Address": orDash(r.Host.Usbmuxd.Address)}))
	if len(r.Devices) == 0 {
		t.para("  ", 2, i18n.T("report.text.no_device"))
	}
	for _, d := range r.Devices {
		t.para("  ", 4, d.Key+"  "+modelName(d.Model)+"  "+i18n.T("report.text.mode", i18n.Args{"Mode": word("report.mode.", d.Mode)}))
		t.label("    ", "USB:", usbLine(d.USB))
		t.label("    ", "usbmuxd:", i18n.T("report.text.usbmux_lockdown", i18n.Args{"Usbmux": usbmuxLine(d.Usbmux), "Lockdown": lockdownLine(d.Lockdown)}))
		t.label("    ", i18n.T("report.text.stability"), stabilityLine(d.Stability, r.Incomplete()))
	}
	t.blank()

	t.para("", 0, i18n.T("report.text.findings"))
	if len(r.Findings) == 0 {
		t.para("  ", 2, i18n.T("report.text.none"))
	}
	for _, f := range r.Findings {
		t.para("  ", 4, fmt.Sprintf("[%s] %s: %s (%s)", word("report.severity.", f.Severity), f.ID, f.Summary,
			i18n.T("report.text.finding_steps", i18n.Args{"Steps": stepList(f)})))
	}
	t.blank()

	t.para("", 0, i18n.T("report.text.checks"))
	if len(r.Checks) == 0 {
		t.para("  ", 2, i18n.T("report.text.none_ran"))
	}
	idWidth := 0
	statusWidth := 0
	for _, c := range r.Checks {
		idWidth = max(idWidth, columns(c.ID))
		statusWidth = max(statusWidth, columns(word("report.status.", c.Status)))
	}
	for _, c := range r.Checks {
		dur := durationMs(c.DurationMs)
		head := "  " + padRight(word("report.status.", c.Status), statusWidth) + " " + padRight(c.ID, idWidth) + " " +
			strings.Repeat(" ", max(0, 8-columns(dur))) + dur + "  "
		if c.Detail == "" {
			t.para("", 0, strings.TrimRight(head, " "))
			continue
		}
		if columns(head) > TextWidth-20 {
			t.para("", 0, strings.TrimRight(head, " "))
			t.para("      ", 6, c.Detail)
			continue
		}
		t.para(head, 6, c.Detail)
	}
}
