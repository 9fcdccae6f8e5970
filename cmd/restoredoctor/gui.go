package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/app/display"
	"github.com/restoredoctor/restoredoctor/app/live"
	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// AppID is the application id (also in FyneApp.toml).
const AppID = "io.github.restoredoctor"

const guiUsage = `Usage: restoredoctor [options]

Opens the Restore Doctor window. Plug in the iPhone: the check starts by itself.

Options:
  --demo SCENARIO     run against a simulated iPhone (no phone or usbmuxd needed); scenarios:
                      %s
  --usbmuxd ADDRESS   usbmuxd address: UNIX:/path, unix:///path, /path, host:port, tcp://host:port
                      (default: $USBMUXD_SOCKET_ADDRESS, else the platform's)
  --no-network        do not contact Apple's servers (always on in demo mode)
  -v, --verbose       log debug details on stderr
`

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
		fmt.Fprintln(stderr, describeErr("load the step catalogue", err))
		return exitFail
	}

	if o.demo != "" {
		srv, stopDemo, err := startDemo(ctx, sc, log)
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
		engineUSB, usbSrc, closeUSB, usbErr = openUSB(log)
		defer closeUSB()
		if usbErr != nil {
			log.Warn("USB not usable", "err", usbErr)
		}
	}
	addr, err := usbmux.ResolveAddress(muxAddr)
	if err != nil {
		fmt.Fprintln(stderr, describeErr("usbmuxd address", err))
		return exitFail
	}
	engine := diagnostics.NewEngine(diagnostics.Config{USB: engineUSB, Logger: log, ToolVersion: version, Host: diagnostics.SystemHostChecks()})
	defer engine.Close()
	sess := session.New(session.Config{Engine: engine, USB: usbSrc, Usbmux: usbmux.NewClient(addr, usbmux.Options{Logger: log}), Logger: log})
	b := live.New(live.Config{Session: sess, USBErr: usbErr, UsbmuxdAddress: muxAddr, NoNetwork: o.noNetwork, Logger: log})

	a := fyneapp.NewWithID(AppID)
	if icon, err := fs.ReadFile(assets.FS, "icon/restoredoctor.png"); err == nil {
		a.SetIcon(fyne.NewStaticResource("restoredoctor.png", icon))
	}
	u := app.New(a, b, app.Options{Demo: o.demo, Logger: log, Guide: cat, Catalog: cat})
	w := u.Window()
	w.SetMaster()
	w.Resize(app.WindowSize(app.ScreenSize(w)))
	w.CenterOnScreen()
	u.Start()
	closed := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-closed:
			return
		}
		log.Info("signal received, closing the window")
		fyne.Do(func() {
			u.Stop()
			w.Close()
		})
	}()
	w.ShowAndRun()
	close(closed)
	u.Stop()
	log.Info("window closed")
	return exitOK
}

// describeErr formats a startup error for stderr.
func describeErr(what string, err error) string {
	return fmt.Sprintf("restoredoctor: %s: %v", what, err)
}
