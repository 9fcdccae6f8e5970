// Command pesubsystem copies a Windows executable, changing only the
// subsystem field of its PE optional header: -console turns the GUI build
// that `fyne package` makes ("Restore Doctor.exe": icon, manifest, version)
// into the console CLI restoredoctor.exe, what editbin /SUBSYSTEM:CONSOLE does
// on Windows. One cross-build gives both programs.
//
// Usage: pesubsystem -console|-gui IN.exe OUT.exe
package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Subsystem values of the PE optional header.
const (
	subsystemGUI     = pe.IMAGE_SUBSYSTEM_WINDOWS_GUI // 2
	subsystemConsole = pe.IMAGE_SUBSYSTEM_WINDOWS_CUI // 3
)

// subsystemOffset is where Subsystem sits in the optional header, the same
// for PE32 and PE32+.
const subsystemOffset = 68

var errNotPE = errors.New("not a PE executable")

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("pesubsystem", flag.ContinueOnError)
	fs.SetOutput(stderr)
	console := fs.Bool("console", false, "make it a console program")
	gui := fs.Bool("gui", false, "make it a GUI program")
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 || *console == *gui {
		fmt.Fprintln(stderr, "usage: pesubsystem -console|-gui IN.exe OUT.exe")
		return 2
	}
	want := uint16(subsystemGUI)
	if *console {
		want = subsystemConsole
	}
	in, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "pesubsystem:", err)
		return 1
	}
	out, err := SetSubsystem(in, want)
	if err != nil {
		fmt.Fprintf(stderr, "pesubsystem: %s: %v\n", fs.Arg(0), err)
		return 1
	}
	if err := os.WriteFile(fs.Arg(1), out, 0o755); err != nil {
		fmt.Fprintln(stderr, "pesubsystem:", err)
		return 1
	}
	return 0
}

// SetSubsystem returns a copy of the executable image exe with its subsystem
// set to sub (2 GUI, 3 console). It checks that exe parses as a PE file with
// an optional header and leaves every other byte alone.
func SetSubsystem(exe []byte, sub uint16) ([]byte, error) {
	f, err := pe.NewFile(bytes.NewReader(exe))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotPE, err)
	}
	defer f.Close()
	if f.OptionalHeader == nil {
		return nil, fmt.Errorf("%w: no optional header", errNotPE)
	}
	if len(exe) < 0x40 {
		return nil, errNotPE
	}
	peOff := int(binary.LittleEndian.Uint32(exe[0x3c:]))
	at := peOff + 4 + 20 + subsystemOffset // "PE\0\0", the file header, then the field
	if peOff < 0 || at+2 > len(exe) {
		return nil, fmt.Errorf("%w: header out of range", errNotPE)
	}
	out := bytes.Clone(exe)
	binary.LittleEndian.PutUint16(out[at:], sub)
	return out, nil
}
