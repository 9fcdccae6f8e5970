//go:build !nowindow

package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/display"
	"github.com/restoredoctor/restoredoctor/app/live"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
)

//go:embed usage/gui.txt
var guiUsage string

type guiOptions struct {
	demo      string
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
	fs.StringVar(&o.usbmuxd, "usbmuxd", "", "")
	fs.BoolVar(&o.noNetwork, "no-network", false, "")
	diagnostics.BackupDirFlag(fs, &o.backupDirs)
	cliflags.VerboseVar(fs, &o.verbose)
	return o, cliflags.Parse(fs, args)
}

// runGUI opens the window (optionally in demo mode) and returns when it is closed
// or the process gets SIGINT/SIGTERM.
func runGUI(args []string, stdout, stderr io.Writer) int {
	scenarios := strings.Join(sim.BuiltinNames(), ", ")
	o, err := parseGUIArgs(args)
	if errors.Is(err, cliflags.ErrHelp) {
		fmt.Fprintf(stdout, guiUsage, scenarios)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %v\n", err)
		fmt.Fprintf(stderr, guiUsage, scenarios)
		return exitUsage
	}
	if o.usbmuxd != "" {
		if _, err := usbmux.ParseAddress(o.usbmuxd); err != nil {
			fmt.Fprintf(stderr, "restoredoctor: --usbmuxd: %v\n", err)
			return exitUsage
		}
	}
	if o.demo != "" {
		if _, err := sim.Builtin(o.demo); err != nil {
			fmt.Fprintf(stderr, "restoredoctor: unknown demo scenario %q; choose one of: %s\n", o.demo, scenarios)
			return exitUsage
		}
		o.noNetwork = true
	}
	if err := display.Check(context.Background(), runtime.GOOS, os.Getenv); err != nil {
		fmt.Fprintf(stderr, display.Hint, err)
		return exitFail
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cat, err := catalog.Load()
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: load the step catalogue: %v\n", err)
		return exitFail
	}

	ctx, stop := cliflags.SignalContext()
	defer stop()
	sess, err := session.Open(ctx, session.Setup{Demo: o.demo, UsbmuxdAddress: o.usbmuxd, Host: diagnostics.SystemHostChecks(),
		ToolVersion: version, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %v\n", err)
		return exitFail
	}
	defer sess.Close()
	b := live.New(live.Config{Session: sess, USBErr: sess.USBErr(), UsbmuxdAddress: sess.UsbmuxdAddress(), NoNetwork: o.noNetwork,
		BackupDirs: append(o.backupDirs, sess.BackupDirs()...), Logger: log})
	app.Run(ctx, fyneapp.NewWithID(app.AppID), b, app.Options{Demo: o.demo, Logger: log, Guide: cat, Catalog: cat})
	return exitOK
}
