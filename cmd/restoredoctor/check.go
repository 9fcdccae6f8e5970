package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

//go:embed usage/check.txt
var checkUsage string

// checkOptions are the parsed flags of `check`.
type checkOptions struct {
	json     bool
	markdown string
	timeout  time.Duration
	verbose  bool
	opts     diagnostics.Options
}

// parseCheckArgs parses the flags of `check`; every error is a usage error
// with a one-line reason.
func parseCheckArgs(args []string) (checkOptions, error) {
	var co checkOptions
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var window, timeout durationFlag
	window.d = 10 * time.Second
	var appleHosts, tried string
	fs.BoolVar(&co.json, "json", false, "")
	fs.StringVar(&co.markdown, "markdown", "", "")
	fs.Var(&window, "window", "")
	fs.Var(&timeout, "timeout", "")
	fs.StringVar(&co.opts.UsbmuxdAddress, "usbmuxd", "", "")
	fs.BoolVar(&co.opts.NoNetwork, "no-network", false, "")
	fs.StringVar(&appleHosts, "apple-hosts", "", "")
	fs.StringVar(&co.opts.AppleCAFile, "apple-ca", "", "")
	fs.StringVar(&co.opts.HostsFile, "hosts-file", "", "")
	fs.StringVar(&tried, "tried", "", "")
	fs.BoolVar(&co.opts.IncludeIdentifiers, "include-identifiers", false, "")
	fs.IntVar(&co.opts.LockdownRequests, "lockdown-requests", diagnostics.DefaultLockdownRequests, "")
	fs.BoolVar(&co.verbose, "v", false, "")
	fs.BoolVar(&co.verbose, "verbose", false, "")
	if err := parseArgs(fs, args); err != nil {
		return co, err
	}
	co.opts.Window = window.d
	co.timeout = timeout.d
	if co.timeout == 0 {
		co.timeout = co.opts.Window + 60*time.Second
	}
	if appleHosts != "" {
		for _, h := range strings.Split(appleHosts, ",") {
			h = strings.TrimSpace(h)
			if h == "" {
				return co, fmt.Errorf("--apple-hosts %q: empty entry", appleHosts)
			}
			co.opts.AppleHosts = append(co.opts.AppleHosts, h)
		}
	}
	t, err := rules.ParseTried(tried)
	if err != nil {
		return co, fmt.Errorf("--tried: %v", strings.TrimPrefix(err.Error(), "rules: "))
	}
	co.opts.Tried = t
	if _, err := usbmux.ResolveAddress(co.opts.UsbmuxdAddress); err != nil {
		return co, fmt.Errorf("--usbmuxd: %v", err)
	}
	return co, co.opts.Validate()
}

// durationFlag is a non-negative time.Duration flag ("10s", "1m30s", "0").
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string { return f.d.String() }

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a duration (e.g. 10s, 1m30s, 0)")
	}
	if d < 0 {
		return fmt.Errorf("must not be negative")
	}
	f.d = d
	return nil
}

// newCLILogger logs to stderr when verbose, else only errors of this tool
// (go-ios logs every broken pipe at error level through slog's default).
func newCLILogger(stderr io.Writer, verbose bool) *slog.Logger {
	if !verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// isTerminal reports whether w is a terminal (the progress line goes only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	co, err := parseCheckArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, checkUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor check: %v (run \"restoredoctor check --help\")\n", err)
		return exitUsage
	}
	log := newCLILogger(stderr, co.verbose)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, co.timeout)
	defer cancel()

	src, _, closeUSB, _ := usb.Open(usb.ScannerOptions{Logger: log}) // a bus that cannot be opened is reported by the USB checks
	defer closeUSB()
	engine := diagnostics.NewEngine(diagnostics.Config{USB: src, Logger: log, ToolVersion: version, Host: diagnostics.SystemHostChecks()})
	sess := session.New(session.Config{Engine: engine, Logger: log})
	err = sess.RunCLI(ctx, session.CLICheck{Options: co.opts, Timeout: co.timeout, JSON: co.json, Markdown: co.markdown,
		Progress: isTerminal(stderr), Stdout: stdout, Stderr: stderr, Prefix: "restoredoctor check: "})
	if err != nil {
		return exitFail
	}
	return exitOK
}
