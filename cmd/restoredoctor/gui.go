//go:build !nowindow

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/display"
	"github.com/restoredoctor/restoredoctor/app/live"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/restorewatch"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

type guiOptions struct {
	demo      string
	demoTrace string
	demoSpeed float64
	usbmuxd   string
	noNetwork bool
	verbose   bool
	// backupDirs (--backup-dir) are scanned for this iPhone's backups
	// besides the OS's own folders (Linux: idevicebackup2's).
	backupDirs []string
}

func parseGUIArgs(args []string) (guiOptions, error) {
	var o guiOptions
	fs := cliflags.NewFlagSet("restoredoctor")
	fs.StringVar(&o.demo, "demo", "", "")
	fs.StringVar(&o.demoTrace, "demo-trace", "", "")
	fs.Float64Var(&o.demoSpeed, "demo-speed", 10, "")
	fs.StringVar(&o.usbmuxd, "usbmuxd", "", "")
	fs.BoolVar(&o.noNetwork, "no-network", false, "")
	diagnostics.BackupDirFlag(fs, &o.backupDirs)
	cliflags.VerboseVar(fs, &o.verbose)
	if err := cliflags.Parse(fs, args); err != nil {
		return o, err
	}
	switch {
	case o.demo != "" && o.demoTrace != "":
		return o, errors.New(i18n.T("cli.gui.demo_and_trace"))
	case !(o.demoSpeed > 0 && o.demoSpeed <= 1000):
		return o, errors.New(i18n.T("cli.gui.demo_speed", i18n.Args{"Value": o.demoSpeed}))
	}
	return o, nil
}

// runGUI opens the window (optionally in demo mode) and returns when it is closed
// or the process gets SIGINT/SIGTERM.
func runGUI(args []string, stdout, stderr io.Writer) int {
	scenarios := strings.Join(sim.BuiltinNames(), ", ")
	o, err := parseGUIArgs(args)
	if errors.Is(err, cliflags.ErrHelp) {
		fmt.Fprint(stdout, usageText("gui", i18n.Args{"Scenarios": scenarios}))
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %s\n", flagError(err))
		fmt.Fprint(stderr, usageText("gui", i18n.Args{"Scenarios": scenarios}))
		return exitUsage
	}
	if o.usbmuxd != "" {
		if _, err := usbmux.ParseAddress(o.usbmuxd); err != nil {
			fmt.Fprintf(stderr, "restoredoctor: --usbmuxd: %v\n", err)
			return exitUsage
		}
	}
	var trace *restoretrace.Trace
	if o.demoTrace != "" {
		if trace, err = readReplay(o.demoTrace); err != nil {
			fmt.Fprintf(stderr, "restoredoctor: %s\n", i18n.T("cli.gui.demo_trace", i18n.Args{"Error": err, "Traces": strings.Join(restore.DemoNames(), ", ")}))
			return exitUsage
		}
		o.noNetwork = true
	}
	if o.demo != "" {
		if _, err := sim.Builtin(o.demo); err != nil {
			fmt.Fprintf(stderr, "restoredoctor: %s\n", i18n.T("cli.gui.demo_unknown", i18n.Args{"Demo": o.demo, "Scenarios": scenarios}))
			return exitUsage
		}
		o.noNetwork = true
	}
	if err := display.Check(context.Background(), runtime.GOOS, os.Getenv); err != nil {
		fmt.Fprint(stderr, display.Hint(err))
		return exitFail
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cat, err := catalog.Load()
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %s\n", i18n.T("cli.gui.catalog", i18n.Args{"Error": err}))
		return exitFail
	}

	ctx, stop := cliflags.SignalContext()
	defer stop()
	if trace != nil {
		return runTraceDemo(ctx, o, trace, cat, log, stderr)
	}
	sess, err := session.Open(ctx, session.Setup{Demo: o.demo, UsbmuxdAddress: o.usbmuxd, Host: diagnostics.SystemHostChecks(),
		ToolVersion: version, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %v\n", err)
		return exitFail
	}
	defer sess.Close()
	rec := live.Recording{USB: recordUSBSource, TracePath: defaultTracePath, Source: recordSource, ToolVersion: version}
	if o.demo != "" {
		// The demo's phone is the simulator's: record its USB view.
		usbSrc := sess.USB()
		rec.USB = func(*slog.Logger) (usb.Source, func(), error) { return usbSrc, func() {}, nil }
		rec.Source = "demo:" + o.demo
	}
	b := live.New(live.Config{Session: sess, USBErr: sess.USBErr(), UsbmuxdAddress: sess.UsbmuxdAddress(), NoNetwork: o.noNetwork, Logger: log,
		BackupDirs: append(o.backupDirs, sess.BackupDirs()...), Recording: rec})
	app.Run(ctx, fyneapp.NewWithID(app.AppID), b, app.Options{Demo: o.demo, Logger: log, Guide: cat, Catalog: cat, Language: chosenLanguage()})
	return exitOK
}

// runTraceDemo opens the window on a recorded restore (--demo-trace): the
// simulator starts empty, and "Watch my restore" replays the trace through
// its USB view and usbmuxd Listen stream (sim.Replay, as
// restoredoctor-sim --replay does) --demo-speed times faster, while the
// window records it like a real restore.
func runTraceDemo(ctx context.Context, o guiOptions, tr *restoretrace.Trace, cat *catalog.Catalog, log *slog.Logger, stderr io.Writer) int {
	srv, stopSim, err := sim.StartDemo(ctx, sim.Scenario{Name: "replay"}, log)
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %v\n", err)
		return exitFail
	}
	defer stopSim()
	addr, err := usbmux.ResolveAddress(srv.Addr())
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %v\n", err)
		return exitFail
	}
	engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: log, ToolVersion: version})
	defer engine.Close()
	sess := session.New(session.Config{Engine: engine, USB: srv.USBSource(), Usbmux: usbmux.NewClient(addr, usbmux.Options{Logger: log}), Logger: log})
	name := strings.TrimSuffix(filepath.Base(o.demoTrace), ".jsonl")
	stopReason := ""
	if n := len(tr.Events); n > 0 && tr.Events[n-1].Kind == restoretrace.RecordStop {
		stopReason = tr.Events[n-1].Reason
	}
	speed := o.demoSpeed
	b := live.New(live.Config{Session: sess, UsbmuxdAddress: srv.Addr(), NoNetwork: true, Logger: log, Recording: live.Recording{
		USB:       func(*slog.Logger) (usb.Source, func(), error) { return srv.USBSource(), func() {}, nil },
		TracePath: defaultTracePath,
		// A replay at --demo-speed: poll often enough that the trace's
		// quick re-enumerations are seen as they were recorded.
		Poll:   time.Duration(float64(restorewatch.DefaultPoll) / speed),
		Source: "demo-trace:" + name, ToolVersion: version, Speed: speed,
		Replay: func(ctx context.Context) (string, error) { return stopReason, sim.Replay(ctx, srv, tr, speed) },
	}})
	app.Run(ctx, fyneapp.NewWithID(app.AppID), b, app.Options{Demo: viewmodel.DemoTracePrefix + name, Logger: log, Guide: cat, Catalog: cat, Language: chosenLanguage()})
	return exitOK
}
