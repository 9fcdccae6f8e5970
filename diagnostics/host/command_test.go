package host

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestExecRunner(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	ctx := context.Background()
	t.Run("ok", func(t *testing.T) {
		out, err := ExecRunner{}.Run(ctx, Command{Name: "sh", Args: []string{"-c", "echo hello; echo warn >&2"}})
		if err != nil || string(out.Stdout) != "hello\n" || string(out.Stderr) != "warn\n" || out.ExitCode != 0 {
			t.Fatalf("%+v %v", out, err)
		}
	})
	t.Run("exit code and stderr", func(t *testing.T) {
		out, err := ExecRunner{}.Run(ctx, Command{Name: "sh", Args: []string{"-c", "echo partial; echo 'no packages found' >&2; exit 3"}})
		var ce *CommandError
		if !errors.As(err, &ce) || ce.ExitCode != 3 || ce.Stderr != "no packages found" || string(out.Stdout) != "partial\n" {
			t.Fatalf("%+v %v", out, err)
		}
	})
	t.Run("not installed", func(t *testing.T) {
		_, err := ExecRunner{}.Run(ctx, Command{Name: "restoredoctor-no-such-tool"})
		if !errors.Is(err, ErrNotInstalled) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("fallback path", func(t *testing.T) {
		out, err := ExecRunner{}.Run(ctx, Command{Name: "restoredoctor-no-such-tool", Args: []string{"-c", "echo fb"}, Fallbacks: []string{"/nonexistent/x", "/bin/sh"}})
		if err != nil || string(out.Stdout) != "fb\n" {
			t.Fatalf("%+v %v", out, err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		// The grandchild keeps stdout open; WaitDelay must still end the wait.
		_, err := ExecRunner{Timeout: 200 * time.Millisecond}.Run(ctx, Command{Name: "sh", Args: []string{"-c", "sleep 30 & sleep 30"}})
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("took %s", el)
		}
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "after 200ms") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("output cap", func(t *testing.T) {
		out, err := ExecRunner{}.Run(ctx, Command{Name: "head", Args: []string{"-c", "3000000", "/dev/zero"}})
		if err != nil || len(out.Stdout) != MaxCommandOutput || !out.Truncated {
			t.Fatalf("len %d truncated %v err %v", len(out.Stdout), out.Truncated, err)
		}
	})
}
