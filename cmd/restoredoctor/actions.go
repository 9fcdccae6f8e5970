package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

//go:embed usage/actions.txt
var actionUsage string

type actionOptions struct {
	kind               actions.Kind
	yes, json, verbose bool
	includeIDs         bool
	device, usbmuxd    string
	demo               string
	follow             time.Duration
}

// parseActionArgs parses "recovery exit|enter …" and "restart …".
func parseActionArgs(args []string) (actionOptions, error) {
	var o actionOptions
	switch {
	case len(args) >= 1 && args[0] == "restart":
		o.kind, args = actions.Restart, args[1:]
	case len(args) >= 2 && args[0] == "recovery" && args[1] == "exit":
		o.kind, args = actions.ExitRecovery, args[2:]
	case len(args) >= 2 && args[0] == "recovery" && args[1] == "enter":
		o.kind, args = actions.EnterRecovery, args[2:]
	case len(args) >= 2 && args[0] == "recovery" && (args[1] == "-h" || args[1] == "--help" || args[1] == "-help"):
		return o, errHelp
	case len(args) >= 2 && args[0] == "recovery":
		return o, fmt.Errorf("recovery %q: want \"recovery exit\" or \"recovery enter\"", args[1])
	default:
		return o, errors.New("recovery: want \"recovery exit\" or \"recovery enter\"")
	}
	fs := flag.NewFlagSet(string(o.kind), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	follow := durationFlag{d: 3 * time.Minute}
	fs.BoolVar(&o.yes, "yes", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.includeIDs, "include-identifiers", false, "")
	fs.StringVar(&o.device, "device", "", "")
	fs.StringVar(&o.usbmuxd, "usbmuxd", "", "")
	fs.StringVar(&o.demo, "demo", "", "")
	fs.Var(&follow, "follow", "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.BoolVar(&o.verbose, "verbose", false, "")
	if err := parseArgs(fs, args); err != nil {
		return o, err
	}
	o.follow = follow.d
	if o.follow <= 0 {
		return o, errors.New("--follow: want a duration above 0")
	}
	if o.demo != "" {
		if _, err := sim.Builtin(o.demo); err != nil {
			return o, fmt.Errorf("--demo %q: choose one of %s", o.demo, strings.Join(sim.BuiltinNames(), ", "))
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
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, actionUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %v\n\n%s", err, actionUsage)
		return exitUsage
	}
	log := newCLILogger(stderr, o.verbose)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "restoredoctor %s: %s\n", actions.CommandName(o.kind), fmt.Sprintf(format, a...))
		return exitFail
	}

	addr := o.usbmuxd
	var src usb.Source
	var opener usb.Opener
	if o.demo != "" {
		sc, _ := sim.Builtin(o.demo)
		srv, stopDemo, err := sim.StartDemo(ctx, sc, log)
		if err != nil {
			return fail("%v", err)
		}
		defer stopDemo()
		src, opener, addr = srv.USBSource(), srv.USBOpener(), srv.Addr()
	} else {
		sc, err := usb.NewScanner(usb.ScannerOptions{Logger: log})
		if err != nil {
			log.Warn("USB not usable", "err", err)
		} else {
			defer sc.Close()
			src, opener = sc, sc
		}
	}
	a, err := usbmux.ResolveAddress(addr)
	if err != nil {
		return fail("usbmuxd address: %v", err)
	}
	recheck := func(ctx context.Context) (*report.Report, error) {
		engine := diagnostics.NewEngine(diagnostics.Config{USB: src, Logger: log, ToolVersion: version})
		defer engine.Close()
		return engine.Run(ctx, diagnostics.Options{UsbmuxdAddress: addr, NoNetwork: true, IncludeIdentifiers: true}, nil)
	}
	err = actions.RunCommand(ctx, actions.Command{Kind: o.kind, Device: o.device, Yes: o.yes, Terminal: isTerminalReader(stdin),
		JSON: o.json, IncludeIDs: o.includeIDs, Follow: o.follow, USB: src, Opener: opener, GOOS: runtime.GOOS,
		Usbmux: usbmux.NewClient(a, usbmux.Options{Logger: log}), Recheck: recheck, Logger: log, Stdin: stdin, Stdout: stdout, Stderr: stderr})
	switch {
	case errors.Is(err, actions.ErrNeedsConfirmation):
		return exitUsage
	case err != nil:
		return exitFail
	}
	return exitOK
}

func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
