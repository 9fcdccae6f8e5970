package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/diagnostics/watchlog"
)

//go:embed usage/watch.txt
var watchUsage string

type watchOptions struct {
	json, noChecks, includeIDs, verbose bool
	usbmuxd                             string
	interval, dur                       time.Duration
}

func parseWatchArgs(args []string) (watchOptions, error) {
	var wo watchOptions
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	interval := durationFlag{d: 500 * time.Millisecond}
	var dur durationFlag
	fs.BoolVar(&wo.json, "json", false, "")
	fs.StringVar(&wo.usbmuxd, "usbmuxd", "", "")
	fs.Var(&interval, "interval", "")
	fs.BoolVar(&wo.noChecks, "no-checks", false, "")
	fs.Var(&dur, "for", "")
	fs.BoolVar(&wo.includeIDs, "include-identifiers", false, "")
	fs.BoolVar(&wo.verbose, "v", false, "")
	fs.BoolVar(&wo.verbose, "verbose", false, "")
	if err := parseArgs(fs, args); err != nil {
		return wo, err
	}
	if interval.d < 50*time.Millisecond {
		return wo, fmt.Errorf("--interval %v: want at least 50ms", interval.d)
	}
	wo.interval, wo.dur = interval.d, dur.d
	if _, err := usbmux.ResolveAddress(wo.usbmuxd); err != nil {
		return wo, fmt.Errorf("--usbmuxd: %v", err)
	}
	return wo, nil
}

func runWatch(args []string, stdout, stderr io.Writer) int {
	wo, err := parseWatchArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, watchUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor watch: %v (run \"restoredoctor watch --help\")\n", err)
		return exitUsage
	}
	log := newCLILogger(stderr, wo.verbose)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A failed write to stdout (/dev/full, a closed pipe) ends the watch with exit 1.
	ctx, outFailed := context.WithCancelCause(ctx)
	out := &safefile.StickyWriter{W: stdout, OnError: outFailed}
	stdout = out
	if wo.dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wo.dur)
		defer cancel()
	}
	addr, _ := usbmux.ResolveAddress(wo.usbmuxd)
	pr := watchlog.NewPrinter(stdout, wo.json, wo.includeIDs)

	src, live, closeUSB, serr := usb.Open(usb.ScannerOptions{Logger: log})
	defer closeUSB()
	if serr != nil {
		pr.Error("usb", serr)
	}
	engine := diagnostics.NewEngine(diagnostics.Config{USB: src, Logger: log, ToolVersion: version, Host: diagnostics.SystemHostChecks()})
	defer engine.Close()
	sess := session.New(session.Config{Engine: engine, USB: live, Usbmux: usbmux.NewClient(addr, usbmux.Options{Logger: log}),
		PollInterval: wo.interval, SampleEvery: 2 * time.Second, Logger: log})

	err = pr.Run(ctx, sess, addr.String(), wo.noChecks)
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor watch: %v\n", err)
		return exitFail
	}
	if err := out.Err(); err != nil {
		fmt.Fprintf(stderr, "restoredoctor watch: writing to stdout: %v\n", err)
		return exitFail
	}
	return exitOK
}
