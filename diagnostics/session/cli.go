package session

// The `restoredoctor check` command's run: the progress line on a terminal,
// the report as text, JSON or Markdown, and what makes the run incomplete.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/gctune"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// ErrCheckFailed says a command-line check could not run or finish; the
// reason is already written to its Stderr.
var ErrCheckFailed = errors.New("session: the check could not run or is incomplete")

// CLICheck is one command-line check: what to run and where its output goes.
type CLICheck struct {
	Options  diagnostics.Options
	Timeout  time.Duration // bounds the run (0: Options.Window + CheckSlack), named when it runs out
	JSON     bool          // the report as one JSON object on Stdout instead of text
	Markdown string        // also write the report as Markdown to this file ("" = not)
	Progress bool          // show a one-line progress on Stderr (a terminal)
	Stdout   io.Writer
	Stderr   io.Writer
	Prefix   string // of every message on Stderr: "restoredoctor check: "
}

// CheckSlack is how long a command-line check may run beyond its window
// when no timeout is given.
const CheckSlack = 60 * time.Second

// RunCLI runs c through the session and prints the report. A run cut short
// by ctx (an interrupt) or c.Timeout still prints the incomplete report. It
// returns ErrCheckFailed, after saying why on c.Stderr, when the check could
// not run, the report could not be written, or the report is incomplete.
func (s *Session) RunCLI(ctx context.Context, c CLICheck) error {
	// A check is over in seconds: collecting its plist garbage on the way
	// costs more than it frees (gctune.ShortRun).
	defer gctune.ShortRun()()
	fail := func(err error) error {
		fmt.Fprintf(c.Stderr, "%s%v\n", c.Prefix, err)
		return ErrCheckFailed
	}
	if c.Markdown != "" {
		// Before the run: a bad path fails now, not after the window.
		if err := safefile.Check(c.Markdown, safefile.Options{}); err != nil {
			return fail(errors.New(i18n.T("cli.check.markdown_bad", i18n.Args{"Error": err})))
		}
	}
	c.Timeout = c.timeout()
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	var progress func(diagnostics.Progress)
	if c.Progress {
		progress = func(p diagnostics.Progress) {
			fmt.Fprintf(c.Stderr, "\r\033[K%s", ProgressLine(p))
		}
	}
	rep, err := s.Check(ctx, c.Options, progress)
	if c.Progress {
		fmt.Fprint(c.Stderr, "\r\033[K")
	}
	if err != nil {
		return fail(err)
	}

	var result error
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, context.DeadlineExceeded):
		fmt.Fprintf(c.Stderr, "%s%s\n", c.Prefix, i18n.T("findings.cli.timeout", i18n.Args{"Timeout": c.Timeout.String()}))
		result = ErrCheckFailed
	case cause != nil:
		fmt.Fprintf(c.Stderr, "%s%s\n", c.Prefix, i18n.T("findings.cli.interrupted"))
		result = ErrCheckFailed
	}

	if c.Markdown != "" {
		// The report is already redacted unless IncludeIdentifiers.
		if err := Export(c.Markdown, rep, FormatMarkdown, true, catalog.MustDefault()); err != nil {
			return fail(err)
		}
	}
	if c.JSON {
		err = writeValidJSON(c.Stdout, rep)
	} else {
		err = report.Text(c.Stdout, rep)
	}
	if err != nil {
		return fail(err)
	}
	return result
}

// timeout is the run's bound: c.Timeout, or Options.Window + CheckSlack
// when no timeout was given.
func (c CLICheck) timeout() time.Duration {
	if c.Timeout == 0 {
		return c.Options.Window + CheckSlack
	}
	return c.Timeout
}

// ProgressLine is the one-line progress shown on a terminal, at most 78
// columns (a wide CJK character counts two): "[3/13] Watching the connection for drops (10 s)".
func ProgressLine(p diagnostics.Progress) string {
	line := fmt.Sprintf("[%d/%d] %s", p.Done, p.Total, p.Label)
	if p.Report.Provisional() {
		ip := p.Report.InProgress
		// The verdict so far, with the window's countdown.
		args := i18n.Args{"Verdict": diagnostics.SoFar(p.Report)}
		when := "findings.cli.so_far"
		if left := math.Ceil(ip.WindowS - ip.ElapsedS); ip.WindowS > 0 && left > 0 {
			when, args["Left"] = "findings.cli.so_far_left", i18n.Num(left, 0)
		}
		line = fmt.Sprintf("[%d/%d] %s", p.Done, p.Total, i18n.T(when, args))
	}
	if p.Current == "" {
		line = fmt.Sprintf("[%d/%d] %s", p.Done, p.Total, i18n.T("findings.cli.done"))
	}
	if report.Columns(line) > 78 {
		// Cut by columns: a Japanese or Chinese line is twice as wide as
		// its characters.
		r := []rune(line)
		for len(r) > 0 && report.Columns(string(r))+1 > 78 {
			r = r[:len(r)-1]
		}
		line = string(r) + "…"
	}
	return line
}

// writeValidJSON writes rep as JSON after checking it against the report
// contract: scripts get exactly one object that follows
// restoredoctor.report/v1, or a failure, never a document that breaks it.
func writeValidJSON(w io.Writer, rep *report.Report) error {
	var buf bytes.Buffer
	if err := rep.JSON(&buf); err != nil {
		return err
	}
	if err := report.Validate(buf.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", i18n.T("cli.check.contract_bug"), err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
