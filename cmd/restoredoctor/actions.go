package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// actionOptions are the parsed arguments of an action command.
type actionOptions struct {
	cmd           actions.Command
	usbmuxd, demo string
	verbose       bool
	backupDirs    []string // --backup-dir: shown before recovery enter asks
}

// parseActionArgs parses "recovery exit|enter …" and "restart …".
func parseActionArgs(args []string) (actionOptions, error) {
	var o actionOptions
	c := &o.cmd
	kind, args, err := actions.ParseCommandLine(args)
	if err != nil {
		return o, err
	}
	c.Kind = kind
	fs := cliflags.NewFlagSet(string(kind))
	fs.BoolVar(&c.Yes, "yes", false, "")
	fs.BoolVar(&c.JSON, "json", false, "")
	fs.BoolVar(&c.IncludeIDs, "include-identifiers", false, "")
	fs.StringVar(&c.Device, "device", "", "")
	fs.StringVar(&o.usbmuxd, "usbmuxd", "", "")
	fs.StringVar(&o.demo, "demo", "", "")
	cliflags.DurationVar(fs, &c.Follow, "follow", actions.DefaultFollow)
	cliflags.VerboseVar(fs, &o.verbose)
	diagnostics.BackupDirFlag(fs, &o.backupDirs)
	if err := cliflags.Parse(fs, args); err != nil {
		return o, err
	}
	if c.Follow <= 0 {
		return o, errors.New(i18n.T("cli.actions.follow_positive"))
	}
	if o.demo != "" {
		if _, err := sim.Builtin(o.demo); err != nil {
			return o, errors.New(i18n.T("cli.demo_unknown", i18n.Args{"Demo": o.demo, "Scenarios": strings.Join(sim.BuiltinNames(), ", ")}))
		}
	}
	if _, err := usbmux.ResolveAddress(o.usbmuxd); err != nil {
		return o, fmt.Errorf("--usbmuxd: %v", err)
	}
	return o, nil
}

// runAction is `restoredoctor recovery exit|enter` and `restoredoctor restart`.
func runAction(args []string, stdout, stderr io.Writer) int {
	return runActionWith(args, os.Stdin, stdout, stderr)
}

func runActionWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseActionArgs(args)
	if errors.Is(err, cliflags.ErrHelp) {
		fmt.Fprint(stdout, usageText("actions"))
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %s\n\n%s", flagError(err), usageText("actions"))
		return exitUsage
	}
	log := cliflags.Logger(stderr, o.verbose)
	ctx, stop := cliflags.SignalContext()
	defer stop()

	// No host probes but the backups: the re-check after an action concerns the phone.
	sess, err := session.Open(ctx, session.Setup{Demo: o.demo, UsbmuxdAddress: o.usbmuxd, ToolVersion: version, Logger: log, Host: backupHost()})
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor %s: %v\n", actions.CommandName(o.cmd.Kind), err)
		return exitFail
	}
	defer sess.Close()
	c := o.cmd
	c.USB, c.Opener, c.Usbmux, c.GOOS = sess.USB(), sess.Opener(), sess.Usbmux(), runtime.GOOS
	c.Recheck = func(ctx context.Context) (*report.Report, error) {
		return sess.Check(ctx, diagnostics.Options{UsbmuxdAddress: sess.UsbmuxdAddress(), NoNetwork: true, IncludeIdentifiers: true}, nil)
	}
	c.BeforeConfirm = backupLines(sess, o.backupDirs)
	c.Terminal, c.Logger, c.Stdin, c.Stdout, c.Stderr = cliflags.IsTerminal(stdin), log, stdin, stdout, stderr
	switch err := actions.RunCommand(ctx, c); {
	case errors.Is(err, actions.ErrNeedsConfirmation):
		return exitUsage
	case err != nil:
		return exitFail
	}
	return exitOK
}
