package watchlog

// The `restoredoctor watch` command's run: the session, the stream, and how
// it ends (interrupt, --for, or stdout failing).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// Polling intervals of the USB bus a watch accepts.
const (
	DefaultInterval = 500 * time.Millisecond
	MinInterval     = 50 * time.Millisecond
)

// ErrWatchFailed says a watch could not start, ended on an error, or could
// not write to its stdout; the reason is already on its Stderr.
var ErrWatchFailed = errors.New("watchlog: the watch failed")

// Command is one `restoredoctor watch` run.
type Command struct {
	JSON       bool // JSON lines instead of text
	NoChecks   bool // no quick check after an attach or mode change
	IncludeIDs bool // identifiers as they are, not redacted
	// UsbmuxdAddress is usbmuxd's address ("" = the default).
	UsbmuxdAddress string
	// Interval is the USB polling interval (at least MinInterval).
	Interval time.Duration
	// For stops the watch after this long (0: when ctx ends).
	For time.Duration
	// Host are the quick checks' host probes (diagnostics.SystemHostChecks()).
	Host        diagnostics.HostChecks
	ToolVersion string
	Logger      *slog.Logger // nil: discarded
	Stdout      io.Writer
	Stderr      io.Writer
	Prefix      string // of every message on Stderr: "restoredoctor watch: "
}

// Validate checks the interval and the usbmuxd address as the user gave
// them; the error is one line naming the flag.
func (c Command) Validate() error {
	if c.Interval < MinInterval {
		return errors.New(i18n.T("cli.watch.interval", i18n.Args{"Value": c.Interval.String(), "Min": MinInterval.String()}))
	}
	if _, err := usbmux.ResolveAddress(c.UsbmuxdAddress); err != nil {
		return fmt.Errorf("--usbmuxd: %w", err)
	}
	return nil
}

// RunCommand opens a session on this computer and prints its stream until
// ctx ends or c.For runs out. A USB bus that cannot be opened is an error
// line of the stream, not a failure. It returns ErrWatchFailed, after
// saying why on c.Stderr, when the session cannot open, the watch fails, or
// a write to c.Stdout fails (/dev/full, a closed pipe: that ends the watch).
func RunCommand(ctx context.Context, c Command) error {
	ctx, outFailed := context.WithCancelCause(ctx)
	defer outFailed(nil)
	out := &safefile.StickyWriter{W: c.Stdout, OnError: outFailed}
	if c.For > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.For)
		defer cancel()
	}
	fail := func(format string, a ...any) error {
		fmt.Fprintf(c.Stderr, "%s%s\n", c.Prefix, fmt.Sprintf(format, a...))
		return ErrWatchFailed
	}
	sess, err := session.Open(ctx, session.Setup{UsbmuxdAddress: c.UsbmuxdAddress, Host: c.Host, ToolVersion: c.ToolVersion,
		PollInterval: c.Interval, SampleEvery: 2 * time.Second, Logger: c.Logger})
	if err != nil {
		return fail("%v", err)
	}
	defer sess.Close()
	pr := NewPrinter(out, c.JSON, c.IncludeIDs)
	if err := sess.USBErr(); err != nil {
		pr.Error("usb", err)
	}
	if err := pr.Run(ctx, sess, sess.Usbmux().Addr().String(), c.NoChecks); err != nil {
		return fail("%v", err)
	}
	if err := out.Err(); err != nil {
		return fail("%s", i18n.T("cli.stdout_failed", i18n.Args{"Error": err}))
	}
	return nil
}
