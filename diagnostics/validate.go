package diagnostics

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// Bounds of the options a user gives.
const (
	// MaxWindow caps Options.Window: longer windows are a typo (2562047h
	// overflowed the run's timeout to a negative value).
	MaxWindow = 24 * time.Hour
	// MaxLockdownRequests caps Options.LockdownRequests.
	MaxLockdownRequests = 1000
)

// ErrBadOption is wrapped by every error Validate returns.
var ErrBadOption = errors.New("bad option")

// OptionError is an option a user gave that cannot work. Its Reason and
// its text are in the language current when it was made (cli.option.*).
type OptionError struct {
	Option string // the CLI flag: "--window", "--apple-hosts", …
	Value  string
	Reason string
}

func (e *OptionError) Error() string {
	return i18n.T("cli.option.error", i18n.Args{"Option": e.Option, "Value": strconv.Quote(e.Value), "Reason": e.Reason})
}

// Unwrap returns ErrBadOption.
func (e *OptionError) Unwrap() error { return ErrBadOption }

// Validate checks options as a user gave them (the CLI calls it before a
// run): the window within 0..MaxWindow, LockdownRequests within
// 1..MaxLockdownRequests (set DefaultLockdownRequests for the default),
// every Apple host a host:port with a port 1..65535, and the hosts file and
// CA file present (the CA file a regular file of at most MaxCABundle bytes). It returns the first problem as an *OptionError.
func (o Options) Validate() error {
	if o.Window < 0 || o.Window > MaxWindow {
		return &OptionError{"--window", o.Window.String(), i18n.T("cli.option.window_range", i18n.Args{"Max": MaxWindow.String()})}
	}
	if o.LockdownRequests < 1 || o.LockdownRequests > MaxLockdownRequests {
		return &OptionError{"--lockdown-requests", strconv.Itoa(o.LockdownRequests), i18n.T("cli.option.requests_range", i18n.Args{"Max": strconv.Itoa(MaxLockdownRequests)})}
	}
	for _, h := range o.AppleHosts {
		if reason := hostPortProblem(h); reason != "" {
			return &OptionError{"--apple-hosts", h, reason}
		}
	}
	for _, f := range []struct{ opt, path string }{{"--hosts-file", o.HostsFile}, {"--apple-ca", o.AppleCAFile}} {
		if f.path == "" {
			continue
		}
		fi, err := os.Stat(f.path)
		switch {
		case err != nil:
			reason := err.Error()
			var pe *fs.PathError
			if errors.As(err, &pe) {
				reason = pe.Err.Error()
			}
			return &OptionError{f.opt, f.path, i18n.T("cli.option.unreadable", i18n.Args{"Err": reason})}
		case fi.IsDir():
			return &OptionError{f.opt, f.path, i18n.T("cli.option.directory")}
		case f.opt == "--apple-ca" && !fi.Mode().IsRegular():
			// Opening a FIFO blocks until a writer comes; a device may never
			// end. A CA bundle is a file.
			return &OptionError{f.opt, f.path, i18n.T("cli.option.not_regular", i18n.Args{"Kind": safefile.Kind(fi.Mode())})}
		case f.opt == "--apple-ca" && fi.Size() > MaxCABundle:
			return &OptionError{f.opt, f.path, i18n.T("cli.option.too_large", i18n.Args{"Size": strconv.FormatInt(fi.Size(), 10), "Max": strconv.Itoa(MaxCABundle)})}
		}
	}
	return nil
}

// hostPortProblem says what is wrong with a host:port, "" when nothing.
func hostPortProblem(hp string) string {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return i18n.T("cli.option.want_host_port")
	}
	if host == "" || strings.ContainsAny(host, " \t/\\@") {
		return i18n.T("cli.option.not_host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return i18n.T("cli.option.bad_port")
	}
	return ""
}
