//go:build nowindow && windows

package main

import (
	"errors"
	"os"
	"os/exec"
)

// handOff runs the windowed program with this console's standard streams and
// waits for it, so cmd.exe and scripts get its exit code (Windows has no
// exec that replaces a process). Double-clicked, this console program has
// already dropped its console (console.Setup), so no console window stays
// open behind the window.
func handOff(gui string, args []string) (int, error) {
	cmd := exec.Command(gui, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return exitFail, err
	}
	return exitOK, nil
}
