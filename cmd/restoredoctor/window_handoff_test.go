package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The command-line build must not link the window toolkit: that is the point
// of having it (Fyne's package initialisation and a binary three times the
// size cost every `check` several milliseconds).
func TestCommandLineBuildLinksNoWindowToolkit(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "nowindow", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "fyne.io/") || strings.HasPrefix(pkg, "github.com/go-gl/") {
			t.Errorf("the nowindow build links %s", pkg)
		}
	}
	full, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !bytes.Contains(full, []byte("fyne.io/fyne/v2/app")) {
		t.Error("the windowed build does not link Fyne: the test above proves nothing")
	}
}

// runBin runs one of the built programs with args and the environment
// changes in env, and returns its exit code, stdout and stderr.
func runBin(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatalf("run %s: %v", bin, err)
	}
	return 0, stdout.String(), stderr.String()
}

// Asked for the window, the command-line build hands its arguments to the
// windowed build next to it, which answers (its messages and exit codes);
// with that program missing it says so and exits 1.
func TestHandOffToWindow(t *testing.T) {
	noDisplay := []string{"DISPLAY=", "WAYLAND_DISPLAY="}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"window without a display", []string{"--demo", "healthy"}, exitFail, "no graphical display"},
		{"window's own usage check", []string{"--demo", "no-such-scenario"}, exitUsage, "unknown demo scenario"},
		{"window's own flags", []string{"--no-such-flag"}, exitUsage, "no-such-flag"},
		// run takes --lang out of the arguments; the window gets it back.
		{"--lang reaches the window", []string{"--lang", "de", "--demo", "no-such-scenario"}, exitUsage, "unbekanntes Demo-Szenario"},
		{"--lang=CODE after other flags reaches the window", []string{"--demo", "no-such-scenario", "--lang=ja"}, exitUsage, "不明なデモシナリオ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runBin(t, binPath, noDisplay, c.args...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d, want %d; stderr lacks %q or differs:\n%s", code, c.code, c.stderr, stderr)
			}
		})
	}

	t.Run("windowed build missing", func(t *testing.T) {
		dir := t.TempDir()
		alone := filepath.Join(dir, "restoredoctor")
		data, err := os.ReadFile(binPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(alone, data, 0o755); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runBin(t, alone, noDisplay, "--demo", "healthy")
		want := filepath.Join(dir, windowProgramName(runtime.GOOS))
		if code != exitFail || !strings.Contains(stderr, want) || !strings.Contains(stderr, "restoredoctor check") {
			t.Errorf("exit %d, want %d and a message naming %s and `restoredoctor check`:\n%s", code, exitFail, want, stderr)
		}
		// The commands themselves need no window program.
		if code, out, _ := runBin(t, alone, nil, "version"); code != exitOK || !strings.HasPrefix(out, "restoredoctor ") {
			t.Errorf("version without the window program: exit %d, %q", code, out)
		}
	})
}
