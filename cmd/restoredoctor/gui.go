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
	"runtime"
	"strings"
	"syscall"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/display"
	"github.com/restoredoctor/restoredoctor/app/live"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
)

//go:embed usage/gui.txt
var guiUsage string

type guiOptions struct {
	demo      string
	usbmuxd   string
	noNetwork bool
	verbose   bool
}

func parseGUIArgs(args []string) (guiOptions, error) {
	var o guiOptions
	fs := flag.NewFlagSet("restoredoctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.demo, "demo", "", "")
	fs.StringVar(&o.usbmuxd, "usbmuxd", "", "")
	fs.BoolVar(&o.noNetwork, "no-network", false, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.BoolVar(&o.verbose, "verbose", false, "")
	return o, parseArgs(fs, args)
}

// runGUI opens the window (optionally in demo mode) and returns when it is closed
// or the process gets SIGINT/SIGTERM.
func runGUI(args []string, stdout, stderr io.Writer) int {
	scenarios := strings.Join(sim.BuiltinNames(), ", ")
	o, err := parseGUIArgs(args)
	if errors.Is(err, errHelp) {
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
	var sc sim.Scenario
	if o.demo != "" {
		if sc, err = sim.Builtin(o.demo); err != nil {
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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	muxAddr := o.usbmuxd
	var usbErr error
	var usbSrc, engineUSB usb.Source // the live view's (nil without libusb) and the engine's (says why)
	cat, err := catalog.Load()
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: load the step catalogue: %v\n", err)
		return exitFail
	}

	if o.demo != "" {
		srv, stopDemo, err := sim.StartDemo(ctx, sc, log)
		if err != nil {
			fmt.Fprintf(stderr, "restoredoctor: %v\n", err)
			return exitFail
		}
		defer stopDemo()
		usbSrc = srv.USBSource()
		engineUSB = usbSrc
		muxAddr = srv.Addr()
		log.Info("demo mode", "scenario", o.demo, "usbmuxd", muxAddr)
	} else {
		var closeUSB func()
		engineUSB, usbSrc, closeUSB, usbErr = usb.Open(usb.ScannerOptions{Logger: log})
		defer closeUSB()
		if usbErr != nil {
			log.Warn("USB not usable", "err", usbErr)
		}
	}
	b, closeBackend, err := live.Open(live.Parts{USB: usbSrc, EngineUSB: engineUSB, USBErr: usbErr, UsbmuxdAddress: muxAddr,
		NoNetwork: o.noNetwork, ToolVersion: version, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %v\n", err)
		return exitFail
	}
	defer closeBackend()
	app.Run(ctx, fyneapp.NewWithID(app.AppID), b, app.Options{Demo: o.demo, Logger: log, Guide: cat, Catalog: cat})
	return exitOK
}
