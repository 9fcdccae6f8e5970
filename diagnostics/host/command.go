package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// DefaultCommandTimeout bounds one command when the caller sets no timeout.
// PowerShell's cold start alone can take a few seconds on a busy Windows PC.
const DefaultCommandTimeout = 15 * time.Second

// MaxCommandOutput is how many bytes of a command's stdout (and, separately,
// stderr) are kept; the rest is discarded so a runaway command cannot exhaust
// memory.
const MaxCommandOutput = 1 << 20

// ErrNotInstalled reports that a command's program is not on this computer.
var ErrNotInstalled = errors.New("not installed")

// Command is one fixed command line. Commands are package-level values chosen
// per platform, never built from user input.
type Command struct {
	// Name is the program, looked up in PATH.
	Name string
	// Args are passed verbatim.
	Args []string
	// Fallbacks are absolute paths tried in order when Name is not in PATH
	// (for example /usr/sbin/usbmuxd, which is often missing from a user's PATH).
	Fallbacks []string
	// Stable marks a command whose output depends only on the program file
	// (`--version`): it may be answered from a probecache.Cache while that
	// file is unchanged.
	Stable bool
}

// String renders c for evidence and error messages.
func (c Command) String() string {
	return strings.Join(append([]string{c.Name}, c.Args...), " ")
}

// Output is what a command printed, capped at MaxCommandOutput each.
type Output struct {
	Stdout    []byte
	Stderr    []byte
	ExitCode  int
	Truncated bool
}

// CommandError is a command that could not be started, timed out, or exited
// non-zero.
type CommandError struct {
	Command  string
	ExitCode int    // -1 when the command did not exit by itself
	Stderr   string // first line of stderr, trimmed
	Err      error
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("host: run %q: %v", e.Command, e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *CommandError) Unwrap() error { return e.Err }

// Runner runs one fixed command. Tests substitute recorded outputs; the
// production Runner is ExecRunner.
type Runner interface {
	// Run runs c and returns its output. A non-zero exit returns the output
	// and a *CommandError; a missing program wraps ErrNotInstalled.
	Run(ctx context.Context, c Command) (Output, error)
}

// Locator is a Runner that can tell which program file it would run for a
// command (the file a cached answer is keyed by).
type Locator interface {
	// Locate returns the program's path; a missing program wraps ErrNotInstalled.
	Locate(c Command) (string, error)
}

// ExecRunner runs commands with os/exec under a deadline.
type ExecRunner struct {
	// Timeout bounds each command; 0 means DefaultCommandTimeout.
	Timeout time.Duration
}

// Run implements Runner.
func (r ExecRunner) Run(ctx context.Context, c Command) (Output, error) {
	path, err := lookPath(c)
	if err != nil {
		return Output{ExitCode: -1}, &CommandError{Command: c.String(), ExitCode: -1, Err: err}
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, path, c.Args...)
	stdout := &capWriter{max: MaxCommandOutput}
	stderr := &capWriter{max: MaxCommandOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A grandchild holding our pipes open must not keep us waiting.
	cmd.WaitDelay = time.Second
	hideWindow(cmd)

	runErr := cmd.Run()
	out := Output{
		Stdout:    stdout.buf.Bytes(),
		Stderr:    stderr.buf.Bytes(),
		ExitCode:  -1,
		Truncated: stdout.truncated || stderr.truncated,
	}
	if cmd.ProcessState != nil {
		out.ExitCode = cmd.ProcessState.ExitCode()
	}
	if runErr == nil {
		return out, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		runErr = fmt.Errorf("after %s: %w", timeout, ctxErr)
	}
	return out, &CommandError{Command: c.String(), ExitCode: out.ExitCode, Stderr: firstLine(out.Stderr), Err: runErr}
}

// Locate implements Locator: the PATH entry or fallback Run would start.
func (ExecRunner) Locate(c Command) (string, error) { return lookPath(c) }

func lookPath(c Command) (string, error) {
	p, err := exec.LookPath(c.Name)
	if err == nil {
		return p, nil
	}
	for _, fb := range c.Fallbacks {
		if p, fbErr := exec.LookPath(fb); fbErr == nil {
			return p, nil
		}
	}
	if errors.Is(err, exec.ErrNotFound) {
		return "", fmt.Errorf("%s: %w", c.Name, ErrNotInstalled)
	}
	return "", err
}

// capWriter keeps the first max bytes written and silently drops the rest, so
// the child never blocks or fails on a full pipe.
type capWriter struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	room := w.max - w.buf.Len()
	if room <= 0 {
		w.truncated = w.truncated || len(p) > 0
		return len(p), nil
	}
	if len(p) > room {
		w.buf.Write(p[:room])
		w.truncated = true
		return len(p), nil
	}
	w.buf.Write(p)
	return len(p), nil
}

// firstLine is the first non-empty line of b, trimmed and capped for messages.
func firstLine(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 200 {
				l = l[:200] + "…"
			}
			return l
		}
	}
	return ""
}

// commandErrorText says for the user why a command gave no answer: not
// installed, or which command failed and how (the command line and the
// operating system's error stay as they are).
func commandErrorText(err error) string {
	var ce *CommandError
	if !errors.As(err, &ce) {
		return err.Error()
	}
	// The program's name: the arguments may be a whole script.
	prog := ce.Command
	if f := strings.Fields(prog); len(f) > 0 {
		prog = f[0]
	}
	switch {
	case errors.Is(err, ErrNotInstalled):
		return i18n.T("host.command.not_installed", i18n.Args{"Command": prog})
	case ce.Stderr != "":
		return i18n.T("host.command.failed_stderr", i18n.Args{"Command": prog, "Err": ce.Err.Error(), "Stderr": ce.Stderr})
	}
	return i18n.T("host.command.failed", i18n.Args{"Command": prog, "Err": ce.Err.Error()})
}
