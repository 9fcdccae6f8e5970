// Command restoredoctor diagnoses iPhone restore error 1002. With no arguments
// it opens the window; `check`, `watch` and `devices` run the same session
// (diagnostics/session) headless for support staff and scripts. This package
// parses flags and wires the real parts (libusb, usbmuxd, host probes) in.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/internal/console"
	_ "github.com/restoredoctor/restoredoctor/internal/localefix" // before Fyne initialises: see the package doc
)

// Exit codes shared by every subcommand (DESIGN.md).
const (
	exitOK    = 0 // the command ran, whatever it found
	exitFail  = 1 // the command itself could not run
	exitUsage = 2 // bad usage
)

const usage = `Restore Doctor: find out why an iPhone restore fails with error 1002.

Usage:
  restoredoctor [--demo SCENARIO]   open the window
  restoredoctor check [options]     run the diagnostics once and print the verdict
  restoredoctor watch [options]     print one line per device event
  restoredoctor devices [--json]    list the Apple devices on the USB bus
  restoredoctor recovery exit|enter leave or enter recovery mode, then follow the iPhone
  restoredoctor restart             restart the iPhone (it must trust this computer)
  restoredoctor version             print the version

Run "restoredoctor COMMAND --help" for the options of a command.
`

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	console.Setup(opensWindow(os.Args[1:])) // Windows: the GUI build prints to the shell's console
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if opensWindow(args) {
		return runGUI(args, stdout, stderr)
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "watch":
		return runWatch(args[1:], stdout, stderr)
	case "devices":
		return runDevices(args[1:], stdout, stderr)
	case "recovery", "restart":
		return runAction(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "restoredoctor", version)
		return exitOK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "restoredoctor: unknown command %q (run \"restoredoctor --help\")\n", args[0])
		return exitUsage
	}
}

// opensWindow reports whether args start the window rather than a
// subcommand (the rule run applies).
func opensWindow(args []string) bool {
	return len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help" && args[0] != "-help")
}

// errHelp asks for the usage text (exit 0).
var errHelp = errors.New("help requested")

// parseArgs parses a subcommand's flags and rejects positional arguments:
// errHelp for -h/--help, otherwise the reason in one line.
func parseArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// openUSB opens the libusb scanner. When it cannot, the returned source
// reports why on every snapshot (for the engine's USB checks), live is nil
// (the live view has no USB side) and err says why; close is then a no-op.
func openUSB(log *slog.Logger) (src usb.Source, live usb.Source, close func(), err error) {
	sc, err := usb.NewScanner(usb.ScannerOptions{Logger: log})
	if err != nil {
		return usb.Unavailable(err), nil, func() {}, err
	}
	// gousb's Close waits for its event loop (up to 100 ms); a command that
	// is done need not wait for it (see closeBriefly): the close runs on
	// while the process ends, which frees the handles anyway (20 ms of a
	// 50 ms `check --window 0` were this wait).
	return sc, sc, func() { closeBriefly(sc, 0) }, nil
}

// startDemo starts the simulator playing sc on a unix socket in a fresh
// temporary folder; stop closes it and removes the folder.
func startDemo(ctx context.Context, sc sim.Scenario, log *slog.Logger) (srv *sim.Server, stop func(), err error) {
	dir, err := os.MkdirTemp("", "restoredoctor-demo-")
	if err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	srv, err = sim.Start(ctx, sim.LocalAddress(dir), sc, log.With("component", "sim"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("start the demo simulator: %w", err)
	}
	return srv, func() { srv.Close(); os.RemoveAll(dir) }, nil
}
