//go:build !nowindow

package main

// The window: usage and exit codes in-process, and a smoke test of the real
// binary in demo mode on a real X server (Xvfb), driven and photographed with
// xdotool and ImageMagick's import.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestGUIUsage(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout bool
	}{
		{name: "main help mentions demo", args: []string{"--help"}, code: exitOK, stdout: []string{"--demo SCENARIO"}},
		{name: "gui help lists scenarios", args: []string{"--demo", "flapping", "-h"}, code: exitOK, stdout: []string{"--demo SCENARIO", "flapping", "healthy", "recovery"}},
		{name: "unknown scenario", args: []string{"--demo", "no-such"}, code: exitUsage, stderr: []string{`unknown demo scenario "no-such"`, "flapping", "healthy", "recovery"}, noStdout: true},
		{name: "unknown flag", args: []string{"--bogus"}, code: exitUsage, stderr: []string{"bogus"}, noStdout: true},
		{name: "stray argument", args: []string{"--demo", "healthy", "extra"}, code: exitUsage, stderr: []string{`unexpected argument "extra"`}, noStdout: true},
		{name: "unknown demo trace", args: []string{"--demo-trace", "no-such"}, code: exitUsage, stderr: []string{"--demo-trace", "success", "lost-after-handover"}, noStdout: true},
		{name: "demo and demo trace", args: []string{"--demo", "healthy", "--demo-trace", "success"}, code: exitUsage, stderr: []string{"choose one"}, noStdout: true},
		{name: "bad demo speed", args: []string{"--demo-trace", "success", "--demo-speed", "0"}, code: exitUsage, stderr: []string{"--demo-speed"}, noStdout: true},
		{name: "gui help names demo traces", args: []string{"--demo-trace", "success", "-h"}, code: exitOK, stdout: []string{"--demo-trace TRACE", "stuck-recovery"}},
		{name: "bad usbmuxd address", args: []string{"--usbmuxd", "ftp://x"}, code: exitUsage, stderr: []string{"--usbmuxd"}, noStdout: true},
		{name: "help names backup-dir", args: []string{"--demo", "healthy", "-h"}, code: exitOK, stdout: []string{"--backup-dir DIR"}},
		// A typo must not read as "no backup" on step 5.
		{name: "missing backup dir", args: []string{"--backup-dir", "/no/such/folder"}, code: exitUsage, stderr: []string{"backup-dir", "/no/such/folder"}, noStdout: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := run(c.args, &out, &errb); got != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", got, c.code, errb.String())
			}
			for _, w := range c.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if c.noStdout && out.Len() > 0 {
				t.Errorf("stdout not empty: %q", out.String())
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer process and a polling test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// needTools fails (never skips) when the X test tools are missing.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install the test dependencies with `make deps` (%v)", tool, err)
		}
	}
}

// startXvfb starts an X server with a screen of size ("1366x768") on a free
// display number and returns ":N".
func startXvfb(t *testing.T, size string) string {
	t.Helper()
	needTools(t, "Xvfb")
outer:
	for n := 90 + os.Getpid()%50; n < 400; n++ {
		lock := fmt.Sprintf("/tmp/.X%d-lock", n)
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		if _, err := os.Stat(lock); err == nil {
			continue
		}
		if _, err := os.Stat(sock); err == nil {
			continue
		}
		disp := fmt.Sprintf(":%d", n)
		cmd := exec.Command("Xvfb", disp, "-screen", "0", size+"x24", "-nolisten", "tcp")
		var errb lockedBuffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatalf("start Xvfb: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(sock); err == nil {
				return disp
			}
			select {
			case err := <-exited:
				exited <- err
				if strings.Contains(errb.String(), "already active") {
					continue outer
				}
				t.Fatalf("Xvfb %s exited: %v\n%s", disp, err, errb.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
		t.Fatalf("Xvfb %s did not create %s in time:\n%s", disp, sock, errb.String())
	}
	t.Fatal("no free X display number")
	return ""
}

// xcmd runs an X tool against disp with a deadline.
func xcmd(t *testing.T, disp string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+disp)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestGUISmokeDemoUnderXvfb runs the real window on a small laptop screen
// and a common one: it must fit the screen, show a verdict and close cleanly.
func TestGUISmokeDemoUnderXvfb(t *testing.T) {
	needTools(t, "Xvfb", "xdotool", "import")
	for _, size := range []string{"1024x640", "1366x768"} {
		t.Run(size, func(t *testing.T) { guiSmoke(t, size) })
	}
}

func guiSmoke(t *testing.T, size string) {
	disp := startXvfb(t, size)
	var screenW, screenH int
	if _, err := fmt.Sscanf(size, "%dx%d", &screenW, &screenH); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(binPath, "--demo", "flapping")
	cmd.Env = append(os.Environ(), "DISPLAY="+disp, "LANG=en_US.UTF-8", "HOME="+t.TempDir())
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var waitErr error
	done := false
	t.Cleanup(func() {
		if !done {
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("restoredoctor stderr:\n%s", stderr.String())
		}
	})

	// The window appears and the demo check produces a verdict.
	deadline := time.Now().Add(90 * time.Second)
	var winID string
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			done = true
			t.Fatalf("restoredoctor exited early: %v", err)
		case <-time.After(250 * time.Millisecond):
		}
		if winID == "" {
			if out, err := xcmd(t, disp, "xdotool", "search", "--name", "^Restore Doctor"); err == nil && len(strings.Fields(out)) > 0 {
				winID = strings.Fields(out)[0]
			}
		}
		if winID != "" && strings.Contains(stderr.String(), "verdict ready") {
			break
		}
	}
	if winID == "" {
		t.Fatal("no window titled \"Restore Doctor — Demo: flapping\" appeared")
	}
	if !strings.Contains(stderr.String(), "verdict ready") {
		t.Fatal("no verdict within the deadline")
	}
	if name, err := xcmd(t, disp, "xdotool", "getwindowname", winID); err != nil || strings.TrimSpace(name) != "Restore Doctor — Demo: flapping" {
		t.Errorf("window title = %q (%v), want \"Restore Doctor — Demo: flapping\"", name, err)
	}
	if !strings.Contains(stderr.String(), "primary_step=1") {
		t.Errorf("the flapping demo's verdict is not step 1:\n%s", stderr.String())
	}
	// The window fits the screen (issue 10: it used to open 1180x780).
	geo, err := xcmd(t, disp, "xdotool", "getwindowgeometry", "--shell", winID)
	if err != nil {
		t.Fatalf("getwindowgeometry: %v\n%s", err, geo)
	}
	g := map[string]int{}
	for _, line := range strings.Fields(geo) {
		if k, v, ok := strings.Cut(line, "="); ok {
			n, _ := strconv.Atoi(v)
			g[k] = n
		}
	}
	t.Logf("window %dx%d at %d,%d on a %s screen", g["WIDTH"], g["HEIGHT"], g["X"], g["Y"], size)
	if g["WIDTH"] <= 0 || g["HEIGHT"] <= 0 || g["X"]+g["WIDTH"] > screenW || g["Y"]+g["HEIGHT"] > screenH {
		t.Errorf("window %dx%d at %d,%d does not fit the %s screen", g["WIDTH"], g["HEIGHT"], g["X"], g["Y"], size)
	}

	// Screenshot: a real, non-blank image of the screen.
	shot := filepath.Join(t.TempDir(), "shot.png")
	if out, err := xcmd(t, disp, "import", "-window", "root", shot); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if dir := os.Getenv("RESTOREDOCTOR_SHOTS"); dir != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(dir, "xvfb-flapping-"+size+".png"), data, 0o644)
	}
	assertNotBlank(t, shot)

	// Still alive, window still there.
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("process gone after the verdict: %v", err)
	}
	if _, err := xcmd(t, disp, "xdotool", "getwindowname", winID); err != nil {
		t.Fatalf("window %s gone: %v", winID, err)
	}

	// SIGTERM closes the window and exits cleanly.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case waitErr = <-exited:
		done = true
	case <-time.After(20 * time.Second):
		t.Fatal("restoredoctor did not exit within 20 s of SIGTERM")
	}
	if waitErr != nil {
		var ee *exec.ExitError
		if errors.As(waitErr, &ee) {
			t.Fatalf("exit after SIGTERM: %v (code %d)", waitErr, ee.ExitCode())
		}
		t.Fatal(waitErr)
	}
	if !strings.Contains(stderr.String(), "window closed") {
		t.Errorf("no clean shutdown logged:\n%s", stderr.String())
	}
}

// assertNotBlank fails unless the PNG at path has at least a few distinct colours.
func assertNotBlank(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	colours := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r, g, bl}] = true
		}
	}
	if len(colours) < 8 || b.Dx() < 1000 {
		t.Fatalf("screenshot looks blank: %d colours, %v", len(colours), b)
	}
}

// Over SSH without X forwarding the window cannot open: a clear message that
// points to `restoredoctor check`, exit 1, and no Go panic or stack trace.
func TestGUINoDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	var out, errb bytes.Buffer
	if got := run([]string{"--demo", "healthy"}, &out, &errb); got != exitFail {
		t.Fatalf("exit %d, want %d; stderr:\n%s", got, exitFail, errb.String())
	}
	msg := errb.String()
	for _, want := range []string{"no graphical display", "restoredoctor check"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "goroutine") || strings.Contains(msg, "panic") {
		t.Errorf("stderr shows a panic:\n%s", msg)
	}
}

// TestGUIDemoTraceUnderXvfb opens the real window on a demo trace, presses
// "Watch my restore" with xdotool and waits for the recording of the
// replayed trace to end with the trace's verdict (wrong mode, step 5).
func TestGUIDemoTraceUnderXvfb(t *testing.T) {
	needTools(t, "Xvfb", "xdotool", "import")
	disp := startXvfb(t, "1024x640")
	cmd := exec.Command(binPath, "--demo-trace", "wrong-mode", "--demo-speed", "50")
	cmd.Env = append(os.Environ(), "DISPLAY="+disp, "LANG=en_US.UTF-8", "HOME="+t.TempDir())
	var stderr lockedBuffer
	cmd.Stderr, cmd.Stdout = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("restoredoctor stderr:\n%s", stderr.String())
		}
	})
	waitFor := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			select {
			case err := <-exited:
				t.Fatalf("restoredoctor exited early: %v", err)
			case <-time.After(200 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	var winID string
	waitFor("the window", 60*time.Second, func() bool {
		out, err := xcmd(t, disp, "xdotool", "search", "--name", "^Restore Doctor")
		if err == nil && len(strings.Fields(out)) > 0 {
			winID = strings.Fields(out)[0]
		}
		return winID != ""
	})
	if name, err := xcmd(t, disp, "xdotool", "getwindowname", winID); err != nil || strings.TrimSpace(name) != "Restore Doctor — Demo: trace wrong-mode" {
		t.Errorf("window title = %q (%v)", name, err)
	}
	time.Sleep(2 * time.Second) // the first layout
	geo, err := xcmd(t, disp, "xdotool", "getwindowgeometry", "--shell", winID)
	if err != nil {
		t.Fatal(err)
	}
	g := map[string]int{}
	for _, line := range strings.Fields(geo) {
		if k, v, ok := strings.Cut(line, "="); ok {
			g[k], _ = strconv.Atoi(v)
		}
	}
	// "Watch my restore" is the third control of the bar, below the banner.
	if out, err := xcmd(t, disp, "xdotool", "mousemove", strconv.Itoa(g["X"]+538), strconv.Itoa(g["Y"]+65), "click", "1"); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
	waitFor("the recording to start", 10*time.Second, func() bool { return strings.Contains(stderr.String(), "restore recording requested") })
	waitFor("the recording's verdict", 60*time.Second, func() bool { return strings.Contains(stderr.String(), "restore recording ended") })
	if s := stderr.String(); !strings.Contains(s, "verdict=wrong_mode") || !strings.Contains(s, "steps=[5]") {
		t.Errorf("the window's verdict is not the trace's (wrong_mode, step 5):\n%s", s)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	if out, err := xcmd(t, disp, "import", "-window", "root", shot); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if dir := os.Getenv("RESTOREDOCTOR_SHOTS"); dir != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(dir, "xvfb-demo-trace-wrong-mode.png"), data, 0o644)
	}
	assertNotBlank(t, shot)
}
