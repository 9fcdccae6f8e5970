package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/watchlog"
)

// watchCmd returns `restoredoctor watch ARGS` under umockdev-run with Phone A
// on the fake bus.
func watchCmd(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	fx := e2eLoadFixture(t, "iphone-normal")
	u := []string{"-d", filepath.Join(e2eFixtureDir, fx.Umockdev)}
	for _, p := range fx.Pcaps {
		u = append(u, "-p", p.Sysfs+"="+filepath.Join(e2eFixtureDir, p.File))
	}
	u = append(append(u, "--", binPath, "watch"), args...)
	cmd := exec.CommandContext(ctx, "umockdev-run", u...)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	return cmd
}

// TestWatchE2EFlapping: JSON lines for USB and usbmuxd events of a flapping
// phone, a quick-check summary after an attach, and a clean stop at --for.
func TestWatchE2EFlapping(t *testing.T) {
	srv := startSim(t, "flapping")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := watchCmd(t, ctx, "--json", "--for", "5s", "--usbmuxd", srv.Addr())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("watch: %v\nstderr:\n%s", err, stderr.String())
	}
	if el := time.Since(start); el > 5*time.Second+10*time.Second {
		t.Errorf("watch --for 5s took %v", el)
	}
	count := map[string]int{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var l watchlog.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		if l.Time.IsZero() || l.Source == "" || l.Kind == "" {
			t.Errorf("incomplete line %q", sc.Text())
		}
		if strings.Contains(sc.Text(), "001A2B3C4D5E6F70") {
			t.Errorf("identifier not redacted: %q", sc.Text())
		}
		count[l.Source+" "+l.Kind]++
	}
	for _, want := range []string{"usb attach", "usbmux connected", "usbmux attach", "usbmux detach", "check summary"} {
		if count[want] == 0 {
			t.Errorf("no %q line; got %v", want, count)
		}
	}
}

// TestWatchE2ESIGINT: watch without --for stops cleanly and exits 0 on SIGINT.
func TestWatchE2ESIGINT(t *testing.T) {
	srv := startSim(t, "healthy")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Run the binary directly (not through umockdev-run) so the signal
	// reaches it; the USB side is then this machine's real, empty bus.
	cmd := exec.CommandContext(ctx, binPath, "watch", "--usbmuxd", srv.Addr(), "--no-checks")
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), "attach") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	err = cmd.Wait()
	if el := time.Since(sent); el > 5*time.Second {
		t.Errorf("stopped %v after SIGINT", el)
	}
	if err != nil {
		t.Fatalf("exit after SIGINT: %v (lines %q)", err, lines)
	}
	if len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), "usbmux attach") {
		t.Errorf("lines %q", lines)
	}
}
