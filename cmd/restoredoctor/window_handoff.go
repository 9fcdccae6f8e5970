//go:build nowindow

package main

// The command-line build (go build -tags nowindow): it links no Fyne, GLFW or
// OpenGL, so `check`, `watch` and `devices` start in a few milliseconds
// instead of paying Fyne's package initialisation and a binary three times
// the size on every run. The window lives in the windowed build of this same
// package, installed next to it under windowProgramName; asked for the
// window, this build hands its arguments over to that program.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// runGUI starts the windowed build with args (see handOff: on Unix it
// replaces this process, so the window keeps this process's ID) and returns
// its exit code, or exitFail with a clear message when it is not installed.
func runGUI(args []string, _, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %s\n", i18n.T("cli.window.self", i18n.Args{"Error": err}))
		return exitFail
	}
	gui := filepath.Join(filepath.Dir(self), windowProgramName(runtime.GOOS))
	if fi, err := os.Stat(gui); err != nil || fi.IsDir() {
		fmt.Fprintf(stderr, "restoredoctor: %s\n", i18n.T("cli.window.missing", i18n.Args{"Path": fmt.Sprintf("%q", gui)}))
		return exitFail
	}
	if l := chosenLanguage(); l != "" {
		// run took --lang out of args: the window gets it back.
		args = append([]string{"--lang", l}, args...)
	}
	code, err := handOff(gui, args)
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: %s\n", i18n.T("cli.window.start", i18n.Args{"Path": gui, "Error": err}))
		return exitFail
	}
	return code
}
