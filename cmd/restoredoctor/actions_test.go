package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// TestActionCLI runs the three actions end to end against the demo
// simulator (real usbmuxd wire protocol, simulated iBoot on the USB side).
func TestActionCLI(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     int
		stdout   []string
		finding  string // outcome in the JSON finding, "" when no JSON
		noOutput bool
	}{
		{name: "exit recovery", args: []string{"recovery", "exit", "--yes", "--demo", "recovery", "--json"}, want: exitOK, finding: "done"},
		{name: "exit recovery, text", args: []string{"recovery", "exit", "--yes", "--demo", "recovery"}, want: exitOK,
			stdout: []string{"back in normal mode in", "Before: recovery mode. After: normal mode.", "Checked again:", "action.recovery_exit"}},
		{name: "iOS does not start", args: []string{"recovery", "exit", "--yes", "--demo", "recovery-stuck", "--json"}, want: exitOK, finding: "back_in_recovery"},
		{name: "DFU refused", args: []string{"recovery", "exit", "--yes", "--demo", "dfu"}, want: exitFail,
			stdout: []string{"cannot be left over USB", "Press and hold the Side button"}},
		{name: "enter recovery", args: []string{"recovery", "enter", "--yes", "--demo", "healthy", "--json"}, want: exitOK, finding: "done"},
		{name: "enter recovery untrusted, JSON", args: []string{"recovery", "enter", "--yes", "--demo", "untrusted", "--json"}, want: exitFail, finding: "refused"},
		{name: "enter recovery untrusted", args: []string{"recovery", "enter", "--yes", "--demo", "untrusted"}, want: exitFail,
			stdout: []string{"needs the iPhone to trust it", "keep holding past the Apple logo"}},
		{name: "restart", args: []string{"restart", "--yes", "--demo", "healthy"}, want: exitOK,
			stdout: []string{"the iPhone restarted: it left USB after"}},
		{name: "restart during a restore", args: []string{"restart", "--yes", "--demo", "restore"}, want: exitFail,
			stdout: []string{"could interrupt the restore"}},
		{name: "no phone", args: []string{"recovery", "exit", "--yes", "--demo", "none"}, want: exitFail},
		{name: "no confirmation, no terminal", args: []string{"restart", "--demo", "healthy"}, want: exitUsage},
		{name: "bad subcommand", args: []string{"recovery", "sideways"}, want: exitUsage},
		{name: "recovery alone", args: []string{"recovery"}, want: exitUsage},
		{name: "bad flag", args: []string{"restart", "--frob"}, want: exitUsage},
		{name: "bad follow", args: []string{"restart", "--follow", "0s"}, want: exitUsage},
		{name: "bad demo", args: []string{"restart", "--demo", "nope"}, want: exitUsage},
		{name: "help", args: []string{"recovery", "--help"}, want: exitOK, stdout: []string{"restoredoctor recovery exit"}},
	}
	for _, tt := range tests {
		// Not parallel: the simulated phones of every demo share one key, and
		// the one-action-per-phone lock is process-wide by design.
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := runActionWith(tt.args, strings.NewReader("yes\n"), &stdout, &stderr)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tt.want, stdout.String(), stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout does not say %q:\n%s", s, stdout.String())
				}
			}
			if tt.finding == "" {
				return
			}
			// The JSON report follows the summary lines; it is the last object on stdout.
			out := stdout.String()
			i := strings.Index(out, "{")
			if i < 0 {
				t.Fatalf("no JSON on stdout:\n%s", out)
			}
			if err := report.Validate([]byte(out[i:])); err != nil {
				t.Fatalf("report invalid: %v", err)
			}
			var rep report.Report
			if err := json.Unmarshal([]byte(out[i:]), &rep); err != nil {
				t.Fatal(err)
			}
			var f *report.Finding
			for j := range rep.Findings {
				if strings.HasPrefix(rep.Findings[j].ID, "action.") {
					f = &rep.Findings[j]
				}
			}
			if f == nil || f.Evidence["outcome"] != tt.finding {
				t.Fatalf("action finding = %+v, want outcome %s", f, tt.finding)
			}
			if strings.Contains(out[i:], "001A2B3C4D5E6F70") {
				t.Error("the JSON report carries the ECID/UDID without --include-identifiers")
			}
		})
	}
}

// TestActionCLIUmockdev runs the built binary under umockdev with the
// device/usb exit-recovery captures: the iBoot commands go through real
// libusb and must match the recorded bytes. umockdev's bus is static, so
// the phone never leaves: a sent "reboot" ends in "did not restart".
func TestActionCLIUmockdev(t *testing.T) {
	umockdev, err := exec.LookPath("umockdev-run")
	if err != nil {
		t.Fatal("umockdev-run not found: install umockdev (make deps)")
	}
	tests := []struct {
		fixture string
		want    int
		stdout  string
	}{
		{"iphone-recovery-exit", exitOK, "the iPhone did not leave USB within 1 s; it may not have restarted"},
		{"iphone-recovery-exit-stall", exitFail, "the iBoot commands did not go through (the iPhone refused a USB request)"},
		{"iphone-dfu-exit", exitFail, "DFU mode, which cannot be left over USB"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			f := e2eLoadFixture(t, tt.fixture)
			args := []string{"-d", filepath.Join(e2eFixtureDir, f.Umockdev)}
			for _, p := range f.Pcaps {
				args = append(args, "-p", p.Sysfs+"="+filepath.Join(e2eFixtureDir, p.File))
			}
			args = append(args, "--", binPath, "recovery", "exit", "--yes", "--follow", "1s",
				"--usbmuxd", "unix://"+filepath.Join(t.TempDir(), "no-usbmuxd"))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			// The fixtures are one phone: each run gets its own lock directory,
			// or the parallel runs would (rightly) refuse each other.
			lockDir := t.TempDir()
			_, stdout, stderr, err := runUmockdev(t, func() *exec.Cmd {
				c := exec.CommandContext(ctx, umockdev, args...)
				c.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+lockDir)
				return c
			})
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.want || !strings.Contains(stdout.String(), tt.stdout) {
				t.Fatalf("exit %d (want %d); stdout lacks %q?\nstdout:\n%s\nstderr:\n%s", code, tt.want, tt.stdout, stdout.String(), stderr.String())
			}
		})
	}
}

// TestActionsAcrossProcesses: three restoredoctor processes act on one
// simulated phone at once (two restarts, one enter recovery). The per-phone
// lock file lets exactly one action reach the phone; the other two are
// refused, saying another Restore Doctor is acting on it.
func TestActionsAcrossProcesses(t *testing.T) {
	dir := testtmp.Dir(t)
	p := sim.PhoneA()
	// Each lockdownd answer takes 300 ms: the phone stays on the bus while
	// the winner talks to it, so every process finds it and reaches the lock
	// (a process started after the phone left would only find no iPhone).
	sc := sim.Scenario{Name: "three", Phones: []sim.Phone{p}, RebootDelay: 3 * time.Second,
		LockdownLatency: 300 * time.Millisecond}
	srv, err := sim.Start(context.Background(), sim.LocalAddress(dir), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	runtimeDir := filepath.Join(dir, "run")
	type out struct {
		code           int
		stdout, stderr string
	}
	cmds := [][]string{{"restart"}, {"recovery", "enter"}, {"restart"}}
	outs := make([]out, len(cmds))
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, binPath, append(c, "--yes", "--usbmuxd", srv.Addr(), "--follow", "20s")...)
			cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtimeDir, "LANG=en_US.UTF-8")
			var so, se bytes.Buffer
			cmd.Stdout, cmd.Stderr = &so, &se
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			outs[i] = out{code, so.String(), se.String()}
		}()
	}
	wg.Wait()
	st := srv.Stats()
	refused := 0
	for i, o := range outs {
		t.Logf("process %d (%v): exit %d\nstdout: %s\nstderr: %s", i, cmds[i], o.code, o.stdout, o.stderr)
		if strings.Contains(o.stderr, "another Restore Doctor is already acting on this iPhone") {
			refused++
			if o.code != exitFail {
				t.Errorf("process %d was refused but exited %d", i, o.code)
			}
		}
	}
	// Enter recovery sends EnterRecovery twice (SessionInactive, then in a session).
	if st.Requests["diagnostics:Restart"]+(st.Requests["lockdown:EnterRecovery"]+1)/2 != 1 {
		t.Errorf("actions delivered: %d Restart, %d EnterRecovery requests; want exactly one action", st.Requests["diagnostics:Restart"], st.Requests["lockdown:EnterRecovery"])
	}
	if refused != 2 {
		t.Errorf("%d processes were refused as busy, want 2", refused)
	}
}

// runCLI runs the built CLI with args and returns its exit code and output.
func runCLI(t *testing.T, ctx context.Context, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = append(append(os.Environ(), "LANG=en_US.UTF-8"), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), so.String(), se.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, so.String(), se.String()
}

// TestActionMessages: what an action could not do is said on stderr without
// -v, with its cause; a StartSession error that is not about trust is not
// called a trust problem; a busy usbmuxd is called busy.
func TestActionMessages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	t.Run("restore mode refusal on stderr", func(t *testing.T) {
		code, _, stderr := runCLI(t, ctx, []string{"XDG_RUNTIME_DIR=" + t.TempDir()}, "restart", "--yes", "--demo", "restore")
		if code != exitFail || !strings.Contains(stderr, "could interrupt the restore") {
			t.Errorf("exit %d, stderr %q; want 1 and the reason", code, stderr)
		}
	})
	t.Run("StartSession InternalError: the cause, not trust", func(t *testing.T) {
		dir := testtmp.Dir(t)
		sc := sim.Scenario{Phones: []sim.Phone{sim.PhoneA()}, StartSessionError: "InternalError"}
		srv, err := sim.Start(context.Background(), sim.LocalAddress(dir), sc, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		code, stdout, stderr := runCLI(t, ctx, []string{"XDG_RUNTIME_DIR=" + dir}, "restart", "--yes", "--usbmuxd", srv.Addr())
		if code != exitFail || !strings.Contains(stderr, "lockdownd refused StartSession: InternalError") {
			t.Errorf("exit %d, stderr %q; want 1 and lockdownd's refusal", code, stderr)
		}
		if strings.Contains(stdout+stderr, "trust") {
			t.Errorf("an InternalError is called a trust problem:\n%s\n%s", stdout, stderr)
		}
	})
	t.Run("busy usbmuxd", func(t *testing.T) {
		dir := testtmp.Dir(t)
		sock := filepath.Join(dir, "busy.sock")
		ln := listenFull(t, sock)
		defer ln.Close()
		code, _, stderr := runCLI(t, ctx, []string{"XDG_RUNTIME_DIR=" + dir}, "restart", "--yes", "--usbmuxd", "unix://"+sock)
		if code != exitFail || !strings.Contains(stderr, "usbmuxd is busy") || strings.Contains(stderr, "no iPhone found") {
			t.Errorf("exit %d, stderr %q; want 1, usbmuxd busy, not \"no iPhone found\"", code, stderr)
		}
	})
}

// TestActionInterrupted: SIGINT while following the phone stops with
// "stopped following (interrupted)" and exit status 1.
func TestActionInterrupted(t *testing.T) {
	dir := testtmp.Dir(t)
	sc := sim.Scenario{Phones: []sim.Phone{sim.PhoneA()}, RebootDelay: time.Minute}
	srv, err := sim.Start(context.Background(), sim.LocalAddress(dir), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "restart", "--yes", "--usbmuxd", srv.Addr(), "--follow", "2m")
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8", "XDG_RUNTIME_DIR="+dir)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the restart reached the phone (the simulator counts it).
	for srv.Stats().Requests["diagnostics:Restart"] == 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFail {
		t.Errorf("exit %v, want status 1", err)
	}
	if out := so.String() + se.String(); !strings.Contains(out, "stopped following (interrupted)") || strings.Contains(out, "did not restart within") {
		t.Errorf("output does not say it stopped following:\n%s", out)
	}
}

// TestActionsAgainstBombLockdown: the simulator's bomb-lockdown scenario
// (QueryType answers, every GetValue is a plist bomb) gets no EnterRecovery
// and no Restart: the identity part of the fresh mode check fails, so the
// mode is not confirmed and nothing is sent.
func TestActionsAgainstBombLockdown(t *testing.T) {
	sc, err := sim.Builtin("bomb-lockdown")
	if err != nil {
		t.Fatal(err)
	}
	dir := testtmp.Dir(t)
	srv, err := sim.Start(context.Background(), sim.LocalAddress(dir), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, args := range [][]string{{"recovery", "enter"}, {"restart"}} {
		code, _, stderr := runCLI(t, ctx, []string{"XDG_RUNTIME_DIR=" + dir}, append(args, "--yes", "--usbmuxd", srv.Addr())...)
		if code != exitFail || !strings.Contains(stderr, "nothing was sent") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and nothing sent", args, code, stderr)
		}
	}
	st := srv.Stats()
	if st.Requests["lockdown:EnterRecovery"] != 0 || st.Requests["diagnostics:Restart"] != 0 || st.Requests["lockdown:StartSession"] != 0 {
		t.Errorf("bomb-lockdown got %d EnterRecovery, %d StartSession, %d Restart requests; want none",
			st.Requests["lockdown:EnterRecovery"], st.Requests["lockdown:StartSession"], st.Requests["diagnostics:Restart"])
	}
	if st.Requests["garbage"] == 0 {
		t.Error("no bomb was sent: the test proves nothing")
	}
}
