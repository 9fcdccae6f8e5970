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
)

// runGUI starts the windowed build with args (see handOff: on Unix it
// replaces this process, so the window keeps this process's ID) and returns
// its exit code, or exitFail with a clear message when it is not installed.
func runGUI(args []string, _, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: cannot find where this program is installed to start the window: %v\n", err)
		return exitFail
	}
	gui := filepath.Join(filepath.Dir(self), windowProgramName(runtime.GOOS))
	if fi, err := os.Stat(gui); err != nil || fi.IsDir() {
		fmt.Fprintf(stderr, "restoredoctor: this is the command-line build; the window is the program %q next to it, which is missing.\n"+
			"Reinstall Restore Doctor, or run \"restoredoctor check\" for a check without the window.\n", gui)
		return exitFail
	}
	code, err := handOff(gui, args)
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor: start the window (%s): %v\n", gui, err)
		return exitFail
	}
	return code
}
