package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// recorded answers each command (by Name) with a recorded output.
type recorded map[string]recordedOutput

type recordedOutput struct {
	stdout, stderr string
	exit           int
	missing        bool
}

func (r recorded) Run(ctx context.Context, c Command) (Output, error) {
	o, ok := r[c.Name]
	if !ok || o.missing {
		return Output{ExitCode: -1}, &CommandError{Command: c.String(), ExitCode: -1, Err: fmt.Errorf("%s: %w", c.Name, ErrNotInstalled)}
	}
	out := Output{Stdout: []byte(o.stdout), Stderr: []byte(o.stderr), ExitCode: o.exit}
	if o.exit != 0 {
		return out, &CommandError{Command: c.String(), ExitCode: o.exit, Stderr: firstLine(out.Stderr), Err: fmt.Errorf("exit status %d", o.exit)}
	}
	return out, nil
}

func fixture(t testing.TB, pkg, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pkg, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
