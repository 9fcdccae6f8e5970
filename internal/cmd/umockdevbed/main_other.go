//go:build !(linux && cgo)

package main

import (
	"fmt"
	"os"
)

// umockdev exists on Linux only (and the testbed needs cgo to load it).
func main() {
	fmt.Fprintln(os.Stderr, "umockdevbed: umockdev's testbed exists only on Linux with cgo")
	os.Exit(3)
}
