// Command restoredoctor diagnoses iPhone restore error 1002. With no arguments
// it opens the window; `check`, `watch` and `devices` run the same session
// (diagnostics/session) headless for support staff and scripts. This package
// parses flags and wires the real parts (libusb, usbmuxd, host probes) in.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/restoredoctor/restoredoctor/internal/console"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	_ "github.com/restoredoctor/restoredoctor/internal/localefix" // before Fyne initialises: see the package doc
)

// Exit codes shared by every subcommand (DESIGN.md).
const (
	exitOK    = 0 // the command ran, whatever it found
	exitFail  = 1 // the command itself could not run
	exitUsage = 2 // bad usage
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	_, rest, _ := langFlag(os.Args[1:])
	console.Setup(opensWindow(rest)) // Windows: the GUI build prints to the shell's console
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// language holds the --lang (or RESTOREDOCTOR_LANG) the command line chose,
// "" for the OS's: run sets it, the window takes it as
// app.Options.Language (atomic: tests call run concurrently).
var language atomic.Value

// chosenLanguage is what run stored in language.
func chosenLanguage() string {
	s, _ := language.Load().(string)
	return s
}

func run(args []string, stdout, stderr io.Writer) int {
	code, args, err := langFlag(args)
	if err == nil {
		err = useLanguage(code)
	}
	if err != nil {
		// Said in the OS's language: the one asked for is unknown.
		_ = useLanguage("")
		fmt.Fprintf(stderr, "restoredoctor: %s\n", langError(err))
		return exitUsage
	}
	language.Store(code)
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
		fmt.Fprint(stdout, usageText("main", i18n.Args{"Codes": i18n.Codes()}))
		return exitOK
	default:
		fmt.Fprintf(stderr, "restoredoctor: %s\n", i18n.T("cli.unknown_command", i18n.Args{"Command": args[0]}))
		return exitUsage
	}
}

// langFlag takes the global --lang CODE (also -lang, --lang=CODE) out of
// args, wherever it stands before "--", and returns its value, else
// RESTOREDOCTOR_LANG's ("" for neither: the OS's language).
func langFlag(args []string) (code string, rest []string, err error) {
	code = i18n.EnvLanguage()
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(a, "=")
		if name != "--lang" && name != "-lang" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", nil, errLangMissing
			}
			i++
			value = args[i]
		}
		if strings.TrimSpace(value) == "" {
			return "", nil, errLangMissing
		}
		code = value
	}
	return code, rest, nil
}

// errLangMissing is --lang without a code.
var errLangMissing = errors.New("--lang: missing language code")

// useLanguage makes the language of code (a --lang value, "" for the OS's,
// "pseudo" for the pseudo-locale) current; an unknown code is an
// *i18n.UnknownLanguageError.
func useLanguage(code string) error {
	l, _, err := i18n.Pick(code, i18n.FromFlag)
	if err != nil {
		return err
	}
	return i18n.Use(l.Code)
}

// langError says what is wrong with --lang, naming the languages Restore
// Doctor speaks.
func langError(err error) string {
	var unknown *i18n.UnknownLanguageError
	switch {
	case errors.As(err, &unknown):
		return i18n.T("lang.unknown", i18n.Args{"Code": unknown.Code, "Codes": i18n.Codes()})
	case errors.Is(err, errLangMissing):
		return i18n.T("cli.lang.missing", i18n.Args{"Codes": i18n.Codes()})
	}
	return err.Error()
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
