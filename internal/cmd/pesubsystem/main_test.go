package main

import (
	"bytes"
	"debug/pe"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildWindowsGUI cross-builds a tiny GUI-subsystem Windows program with the
// real toolchain (no cgo needed).
func buildWindowsGUI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "gui.exe")
	cmd := exec.Command("go", "build", "-ldflags=-H=windowsgui", "-o", exe, src)
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

func subsystemOf(t *testing.T, exe []byte) uint16 {
	t.Helper()
	f, err := pe.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.OptionalHeader.(*pe.OptionalHeader64).Subsystem
}

func TestSetSubsystem(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds a Windows program")
	}
	gui, err := os.ReadFile(buildWindowsGUI(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := subsystemOf(t, gui); got != subsystemGUI {
		t.Fatalf("built with -H=windowsgui: subsystem %d", got)
	}
	con, err := SetSubsystem(gui, subsystemConsole)
	if err != nil {
		t.Fatal(err)
	}
	if got := subsystemOf(t, con); got != subsystemConsole {
		t.Errorf("subsystem %d after -console, want %d", got, subsystemConsole)
	}
	diff := 0
	for i := range gui {
		if gui[i] != con[i] {
			diff++
		}
	}
	if len(con) != len(gui) || diff != 1 { // 2 → 3 changes the low byte only
		t.Errorf("%d bytes differ (len %d → %d), want exactly 1", diff, len(gui), len(con))
	}
	back, err := SetSubsystem(con, subsystemGUI)
	if err != nil || !bytes.Equal(back, gui) {
		t.Errorf("round trip differs (err %v)", err)
	}
}

func TestSetSubsystemRejects(t *testing.T) {
	for name, in := range map[string][]byte{
		"empty":   nil,
		"text":    []byte("#!/bin/sh\necho hi\n"),
		"MZ only": append([]byte("MZ"), make([]byte, 100)...),
	} {
		if _, err := SetSubsystem(in, subsystemConsole); !errors.Is(err, errNotPE) {
			t.Errorf("%s: err %v, want errNotPE", name, err)
		}
	}
}

func TestRunUsage(t *testing.T) {
	var stderr bytes.Buffer
	for _, args := range [][]string{nil, {"-console", "a"}, {"-console", "-gui", "a", "b"}, {"a", "b"}} {
		if code := run(args, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
	if code := run([]string{"-console", filepath.Join(t.TempDir(), "missing.exe"), "out.exe"}, &stderr); code != 1 {
		t.Errorf("missing input: exit %d, want 1", code)
	}
}

func FuzzSetSubsystem(f *testing.F) {
	f.Add([]byte("MZ"))
	f.Add(append([]byte("MZ"), make([]byte, 0x80)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := SetSubsystem(b, subsystemConsole)
		if err == nil && len(out) != len(b) {
			t.Fatalf("length changed %d → %d", len(b), len(out))
		}
	})
}
