package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// checkOptions are the parsed flags of `check`.
type checkOptions struct {
	json     bool
	markdown string
	timeout  time.Duration // 0: the window + session.CheckSlack
	verbose  bool
	opts     diagnostics.Options
}

// parseCheckArgs parses the flags of `check`; every error is a usage error
// with a one-line reason.
func parseCheckArgs(args []string) (checkOptions, error) {
	var co checkOptions
	fs := cliflags.NewFlagSet("check")
	optFlags := diagnostics.BindFlags(fs, &co.opts)
	fs.BoolVar(&co.json, "json", false, "")
	fs.StringVar(&co.markdown, "markdown", "", "")
	cliflags.DurationVar(fs, &co.timeout, "timeout", 0)
	cliflags.VerboseVar(fs, &co.verbose)
	if err := cliflags.Parse(fs, args); err != nil {
		return co, err
	}
	markdownSet := false
	fs.Visit(func(f *flag.Flag) { markdownSet = markdownSet || f.Name == "markdown" })
	if markdownSet && co.markdown == "" {
		return co, errors.New(i18n.T("cli.check.markdown_empty"))
	}
	return co, optFlags.Finish()
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	co, err := parseCheckArgs(args)
	if errors.Is(err, cliflags.ErrHelp) {
		fmt.Fprint(stdout, usageText("check"))
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor check: %s\n", usageError("check", err))
		return exitUsage
	}
	log := cliflags.Logger(stderr, co.verbose)
	slog.SetDefault(log)
	ctx, stop := cliflags.SignalContext()
	defer stop()

	// A bus that cannot be opened is reported by the USB checks.
	sess, err := session.Open(ctx, session.Setup{UsbmuxdAddress: co.opts.UsbmuxdAddress, Host: diagnostics.SystemHostChecks(),
		ToolVersion: version, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor check: %v\n", err)
		return exitFail
	}
	defer sess.Close()
	err = sess.RunCLI(ctx, session.CLICheck{Options: co.opts, Timeout: co.timeout, JSON: co.json, Markdown: co.markdown,
		Progress: cliflags.IsTerminal(stderr), Stdout: stdout, Stderr: stderr, Prefix: "restoredoctor check: "})
	if err != nil {
		return exitFail
	}
	return exitOK
}
