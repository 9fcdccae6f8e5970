package diagnostics

// The command-line flags of Options (`restoredoctor check`): their names,
// defaults and parsing live next to Options and Validate, which already
// names its problems by flag.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// DefaultWindow is --window when it is not given.
const DefaultWindow = 10 * time.Second

// OptionFlags are Options bound to a flag set; Finish completes them once
// the flag set is parsed.
type OptionFlags struct {
	o                 *Options
	appleHosts, tried string
}

// BindFlags defines the flags of o on fs, with their defaults: --window
// (DefaultWindow), --usbmuxd, --no-network, --apple-hosts, --apple-ca,
// --hosts-file, --tried, --include-identifiers and --lockdown-requests
// (DefaultLockdownRequests).
func BindFlags(fs *flag.FlagSet, o *Options) *OptionFlags {
	f := &OptionFlags{o: o}
	cliflags.DurationVar(fs, &o.Window, "window", DefaultWindow)
	fs.StringVar(&o.UsbmuxdAddress, "usbmuxd", "", "")
	fs.BoolVar(&o.NoNetwork, "no-network", false, "")
	fs.StringVar(&f.appleHosts, "apple-hosts", "", "")
	fs.StringVar(&o.AppleCAFile, "apple-ca", "", "")
	fs.StringVar(&o.HostsFile, "hosts-file", "", "")
	fs.StringVar(&f.tried, "tried", "", "")
	fs.BoolVar(&o.IncludeIdentifiers, "include-identifiers", false, "")
	fs.IntVar(&o.LockdownRequests, "lockdown-requests", DefaultLockdownRequests, "")
	BackupDirFlag(fs, &o.BackupDirs)
	return f
}

// BackupDirFlag defines --backup-dir DIR on fs (repeatable): a folder
// holding backups besides the OS's own (Linux: idevicebackup2's target). A
// folder that is not there is a usage error when the flag is parsed: a typo
// must not read as "no backup".
func BackupDirFlag(fs *flag.FlagSet, dirs *[]string) {
	fs.Func("backup-dir", "", func(s string) error {
		fi, err := os.Stat(s)
		switch {
		case err != nil:
			return fmt.Errorf("%s: %v", s, errors.Unwrap(err))
		case !fi.IsDir():
			return fmt.Errorf("%s: not a folder", s)
		}
		*dirs = append(*dirs, s)
		return nil
	})
}

// Finish parses --apple-hosts (ParseAppleHosts) and --tried
// (rules.ParseTried) into the bound Options, checks --usbmuxd
// (usbmux.ResolveAddress) and validates the whole (Validate). Its error is
// one line naming the flag.
func (f *OptionFlags) Finish() error {
	hosts, err := ParseAppleHosts(f.appleHosts)
	if err != nil {
		return err
	}
	f.o.AppleHosts = hosts
	t, err := rules.ParseTried(f.tried)
	if err != nil {
		return &OptionError{"--tried", f.tried, triedProblem(f.tried, err)}
	}
	f.o.Tried = t
	if _, err := usbmux.ResolveAddress(f.o.UsbmuxdAddress); err != nil {
		return &causedOptionError{&OptionError{"--usbmuxd", f.o.UsbmuxdAddress, i18n.T("cli.option.bad_usbmuxd")}, err}
	}
	return f.o.Validate()
}

// causedOptionError is an *OptionError (its text, ErrBadOption) that also
// wraps the error behind it (a *usbmux.AddressError).
type causedOptionError struct {
	*OptionError
	cause error
}

func (e *causedOptionError) Unwrap() []error { return []error{e.OptionError, e.cause} }

// triedProblem is why --tried s does not parse (err is rules.ParseTried's),
// in the current language: the first word it does not know, or an empty
// entry.
func triedProblem(s string, err error) string {
	words := strings.Join(rules.TriedWords, ", ")
	if errors.Is(err, rules.ErrUnknownTried) {
		for _, w := range strings.Split(s, ",") {
			if _, werr := rules.ParseTried(w); werr != nil {
				return i18n.T("cli.option.tried_unknown", i18n.Args{"Item": strconv.Quote(strings.TrimSpace(w)), "Words": words})
			}
		}
	}
	return i18n.T("cli.option.tried_empty", i18n.Args{"Words": words})
}

// ParseAppleHosts splits --apple-hosts, a comma-separated list of host:port
// ("gs.apple.com:443, 127.0.0.1:8443"), trimming spaces: nil for "", an
// *OptionError for an empty entry. Validate checks each host:port.
func ParseAppleHosts(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var hosts []string
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, &OptionError{"--apple-hosts", s, i18n.T("cli.option.empty_entry")}
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}
