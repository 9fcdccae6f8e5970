// Command restoredoctor-sim is a usbmuxd + lockdownd simulator speaking the
// real wire protocol, for tests, demos and benchmarks.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "restoredoctor-sim: not built yet")
	os.Exit(1)
}
