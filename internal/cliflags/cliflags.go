// Package cliflags is what every restoredoctor subcommand does with its
// command line: a quiet flag set whose errors the command words itself,
// parsing that tells -h/--help apart and rejects stray arguments,
// non-negative duration flags, -v/--verbose and its logger, the
// interrupt-aware context and whether a stream is a terminal. It knows no
// command and imports nothing of the project.
package cliflags

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
)

// ErrHelp says the user asked for the usage text (-h, -help, --help): the
// command prints it and exits 0.
var ErrHelp = errors.New("help requested")

// NewFlagSet returns a flag set named name that prints nothing: the command
// prints its own usage text and its one-line error.
func NewFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// Parse parses args into fs and rejects positional arguments. It returns
// ErrHelp for -h/--help, otherwise the reason in one line ("flag provided
// but not defined: -bogus", "unexpected argument \"now\"").
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// duration is a non-negative time.Duration flag.
type duration struct{ p *time.Duration }

func (f duration) String() string {
	if f.p == nil {
		return "0s"
	}
	return f.p.String()
}

func (f duration) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return errors.New("not a duration (e.g. 10s, 1m30s, 0)")
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*f.p = d
	return nil
}

// DurationVar defines a duration flag ("10s", "1m30s", "0") that stores into
// *p, starting at value. Unlike flag.Duration it rejects negative values and
// says what a duration looks like.
func DurationVar(fs *flag.FlagSet, p *time.Duration, name string, value time.Duration) {
	*p = value
	fs.Var(duration{p}, name, "")
}

// VerboseVar defines -v and its long form --verbose, both storing into *p.
func VerboseVar(fs *flag.FlagSet, p *bool) {
	fs.BoolVar(p, "v", false, "")
	fs.BoolVar(p, "verbose", false, "")
}

// Logger is a headless command's logger: debug logs to stderr when verbose,
// otherwise nothing. Go-ios logs every broken pipe at error level through
// slog's default, so the quiet logger discards everything rather than
// keeping errors.
func Logger(stderr io.Writer, verbose bool) *slog.Logger {
	if !verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// SignalContext is a context that ends on SIGINT (Ctrl-C) or SIGTERM; stop
// releases the signal handler.
func SignalContext() (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// IsTerminal reports whether stream (a command's stdin, stdout or stderr) is
// a terminal: the progress line and questions go only to one.
func IsTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
