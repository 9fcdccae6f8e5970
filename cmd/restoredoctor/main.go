// Command restoredoctor diagnoses iPhone restore error 1002. With no arguments
// it opens the window; `check`, `watch` and `devices` run the same session
// (diagnostics/session) headless for support staff and scripts. This package
// parses flags and wires the real parts (libusb, usbmuxd, host probes) in.
package main

import (
	_ "embed"
	"fmt"
	"io"
	"os"

	"github.com/restoredoctor/restoredoctor/internal/console"
	_ "github.com/restoredoctor/restoredoctor/internal/localefix" // before Fyne initialises: see the package doc
)

// Exit codes shared by every subcommand (DESIGN.md).
const (
	exitOK    = 0 // the command ran, whatever it found
	exitFail  = 1 // the command itself could not run
	exitUsage = 2 // bad usage
)

// usage is the top-level help. Every command's help text lives in usage/,
// printed as it is there (gui.txt has one %s: the demo scenarios).
//
//go:embed usage/main.txt
var usage string

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
		if rest, ok := restoreFlag(args[1:]); ok {
			return runRecord(rest, stdout, stderr)
		}
		return runWatch(args[1:], stdout, stderr)
	case "record":
		return runRecord(args[1:], stdout, stderr)
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

// restoreFlag reports whether args of `watch` ask for a restore recording
// (--restore, -restore), and returns them without it: `watch --restore` is
// `record`.
func restoreFlag(args []string) ([]string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if a == "--restore" || a == "-restore" {
			return append(append([]string{}, args[:i]...), args[i+1:]...), true
		}
	}
	return args, false
}
