package main

import (
	"bytes"
	"errors"
	"os/exec"
	"syscall"
	"testing"
)

// runUmockdev runs the umockdev-run command line newCmd builds (afresh for
// each attempt) with its output captured, and returns what cmd.Run returned.
//
// The umockdev packaged by Debian and Ubuntu (0.17) has a race in its preload
// library: when several threads of the program under test call into it at
// once, one thread's signal mask can be stored over another's
// (martinpitt/umockdev issue 252, fixed in 0.18.4 by commit 284dcf1). libusb's
// event thread and a Go program's threads then rarely end in a death by
// SIGSEGV before anything is printed. Only that death (killed by a signal,
// nothing on stderr) is retried, once, and logged; every other outcome,
// including a Go panic or crash that prints anything, is returned as it is.
func runUmockdev(t *testing.T, newCmd func() *exec.Cmd) (cmd *exec.Cmd, stdout, stderr *bytes.Buffer, err error) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		cmd = newCmd()
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		err = cmd.Run()
		if attempt == 2 || !diedSilentlyBySignal(err, stderr) {
			return cmd, stdout, stderr, err
		}
		t.Logf("umockdev-run: the program died silently (%v): umockdev 0.17's preload signal-mask race; running it again", err)
	}
}

// diedSilentlyBySignal reports whether err is a process killed by SIGSEGV,
// SIGBUS or SIGABRT that wrote nothing to stderr.
func diedSilentlyBySignal(err error, stderr *bytes.Buffer) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) || stderr.Len() > 0 {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return false
	}
	switch ws.Signal() {
	case syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGABRT:
		return true
	}
	return false
}

// TestDiedSilentlyBySignal: only a silent death by a crash signal is retried.
func TestDiedSilentlyBySignal(t *testing.T) {
	run := func(script string) (*bytes.Buffer, error) {
		var stderr bytes.Buffer
		cmd := exec.Command("sh", "-c", script)
		cmd.Stderr = &stderr
		return &stderr, cmd.Run()
	}
	for _, c := range []struct {
		script string
		want   bool
	}{
		{"kill -SEGV $$", true},
		{"kill -ABRT $$", true},
		{"echo 'panic: boom' >&2; kill -SEGV $$", false}, // said something: a real crash
		{"kill -TERM $$", false},
		{"exit 2", false},
		{"exit 0", false},
	} {
		stderr, err := run(c.script)
		if got := diedSilentlyBySignal(err, stderr); got != c.want {
			t.Errorf("%q: %v (err %v), want %v", c.script, got, err, c.want)
		}
	}
}
