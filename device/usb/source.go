package usb

import (
	"context"
	"log/slog"
	"time"
)

// Source is anything that can say what is on the bus right now: the gousb
// Scanner in production, scripted snapshots in tests.
type Source interface {
	// Snapshot is one poll of the bus: every Apple device present, in a stable order.
	Snapshot(ctx context.Context) ([]Device, error)
}

// FuncSource adapts a function to Source.
type FuncSource func(ctx context.Context) ([]Device, error)

// Snapshot calls f.
func (f FuncSource) Snapshot(ctx context.Context) ([]Device, error) { return f(ctx) }

// Unavailable is the Source of a bus that could not be opened: every
// snapshot fails with err (ErrUnavailable, ErrAccessDenied, …), so the
// checks report why rather than an empty bus.
func Unavailable(err error) Source {
	return FuncSource(func(context.Context) ([]Device, error) { return nil, err })
}

// ScannerOptions configure a Scanner. The zero value is usable.
type ScannerOptions struct {
	// ControlTimeout bounds each control transfer made to read strings
	// (default 1 s). A context deadline that is sooner wins.
	ControlTimeout time.Duration
	// SkipStrings lists devices without ever opening them: Serial, Recovery
	// and OpenErr stay empty.
	SkipStrings bool
	// Passive never opens a device and makes no control transfer: the serial
	// string (and so the iBoot fields) comes from the copy the kernel read
	// at enumeration (Linux: sysfs), and stays empty where there is none
	// (macOS). The restore recorder scans this way.
	Passive bool
	// RetryAfter is how long a failed string read is remembered before the
	// same enumeration of a device is opened again (default 30 s: a phone that
	// never answers costs one ControlTimeout per RetryAfter, not per poll). Successful
	// reads are remembered until the device leaves or re-enumerates.
	RetryAfter time.Duration
	// Logger receives debug messages (default slog.Default()).
	Logger *slog.Logger
}
