package main

// TEMPORARY: each of these is replaced by its own file (gui.go, check.go,
// watch.go, devices.go) as the work lands; delete the function you implement.

import (
	"fmt"
	"io"
)

func notYet(name string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "restoredoctor: %s is not built yet\n", name)
	return exitFail
}
