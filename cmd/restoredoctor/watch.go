package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/watchlog"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
)

// watchOptions are the parsed flags of `watch`.
type watchOptions struct {
	cmd     watchlog.Command
	verbose bool
}

// parseWatchArgs parses the flags of `watch`; every error is a usage error
// with a one-line reason.
func parseWatchArgs(args []string) (watchOptions, error) {
	var wo watchOptions
	c := &wo.cmd
	fs := cliflags.NewFlagSet("watch")
	fs.BoolVar(&c.JSON, "json", false, "")
	fs.StringVar(&c.UsbmuxdAddress, "usbmuxd", "", "")
	cliflags.DurationVar(fs, &c.Interval, "interval", watchlog.DefaultInterval)
	fs.BoolVar(&c.NoChecks, "no-checks", false, "")
	cliflags.DurationVar(fs, &c.For, "for", 0)
	fs.BoolVar(&c.IncludeIDs, "include-identifiers", false, "")
	cliflags.VerboseVar(fs, &wo.verbose)
	if err := cliflags.Parse(fs, args); err != nil {
		return wo, err
	}
	return wo, c.Validate()
}

func runWatch(args []string, stdout, stderr io.Writer) int {
	wo, err := parseWatchArgs(args)
	if errors.Is(err, cliflags.ErrHelp) {
		fmt.Fprint(stdout, usageText("watch"))
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor watch: %s\n", usageError("watch", err))
		return exitUsage
	}
	ctx, stop := cliflags.SignalContext()
	defer stop()
	c := wo.cmd
	c.Host, c.ToolVersion, c.Logger = diagnostics.SystemHostChecks(), version, cliflags.Logger(stderr, wo.verbose)
	c.Stdout, c.Stderr, c.Prefix = stdout, stderr, "restoredoctor watch: "
	if watchlog.RunCommand(ctx, c) != nil {
		return exitFail
	}
	return exitOK
}
