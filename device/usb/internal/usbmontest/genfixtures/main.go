// Command genfixtures writes device/usb's umockdev fixtures, pcaps and
// manifest into the directory given as its argument (go generate runs it).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/restoredoctor/restoredoctor/device/usb/internal/usbmontest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genfixtures DIR")
		os.Exit(2)
	}
	files, err := usbmontest.Files()
	if err != nil {
		fmt.Fprintln(os.Stderr, "genfixtures:", err)
		os.Exit(1)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(os.Args[1], name), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "genfixtures:", err)
			os.Exit(1)
		}
	}
}
