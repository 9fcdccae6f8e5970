//go:build nowindow && !windows

package main

import (
	"os"
	"syscall"
)

// handOff replaces this process with the windowed program: same process ID,
// terminal, signals and exit code, and nothing of this build left running.
// It returns only when the exec fails.
func handOff(gui string, args []string) (int, error) {
	err := syscall.Exec(gui, append([]string{gui}, args...), os.Environ())
	return exitFail, err
}
