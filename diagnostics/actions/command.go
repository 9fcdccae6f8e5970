package actions

// The flow of the `restoredoctor recovery exit|enter` and `restart`
// commands: find and choose the phone, ask, act, follow it, check again.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Errors of RunCommand; the reason is already written to the command's Stderr.
var (
	// ErrNeedsConfirmation: the action needs a yes and there is no terminal to ask on.
	ErrNeedsConfirmation = errors.New("actions: needs confirmation")
	// ErrCommandFailed: the action could not run (refused, failed, no phone, declined).
	ErrCommandFailed = errors.New("actions: the action could not run")
)

// Command is one run of an action command.
type Command struct {
	Kind       Kind
	Device     string        // --device: the phone to act on when several are connected
	Yes        bool          // act without asking
	Terminal   bool          // Stdin is a terminal (to ask on)
	JSON       bool          // the re-check as one JSON report, with the action's finding
	IncludeIDs bool          // keep identifiers in the re-check's report
	Follow     time.Duration // how long to follow the phone after the action
	USB        usb.Source    // nil without libusb
	Opener     usb.Opener    // nil without libusb
	Usbmux     *usbmux.Client
	GOOS       string
	// Recheck runs the diagnostics again after the action, with identifiers.
	Recheck func(ctx context.Context) (*report.Report, error)
	Logger  *slog.Logger
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer

	// BeforeConfirm, when set, gives lines shown before entering recovery
	// mode is confirmed on the terminal: this phone's backup state.
	BeforeConfirm func(ctx context.Context, phoneKey string) []string
}

// RunCommand runs c: nil when the action ran (whatever came of it),
// ErrNeedsConfirmation or ErrCommandFailed otherwise. It prints the result
// and the re-check (also after a failure with JSON) on c.Stdout.
func RunCommand(ctx context.Context, c Command) error {
	name := "restoredoctor " + CommandName(c.Kind)
	fail := func(format string, a ...any) error {
		fmt.Fprintf(c.Stderr, "%s: %s\n", name, fmt.Sprintf(format, a...))
		return ErrCommandFailed
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	look := SnapshotLook(c.USB, c.Usbmux, c.GOOS)
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	devs, err := look(lctx)
	cancel()
	if err != nil {
		return fail("cannot see any iPhone: %v", err)
	}
	d, err := Pick(devs, c.Device)
	if err != nil {
		return fail("%v", err)
	}
	phone, family := Identify(ctx, c.Usbmux, &d)

	runner := NewRunner(Devices{USB: c.Opener, Usbmux: c.Usbmux}, look, Options{FollowTimeout: c.Follow})
	req := Request{Kind: c.Kind, Device: d, Family: family}
	if Check(c.Kind, d) == nil && !c.Yes {
		if !c.Terminal {
			fmt.Fprintf(c.Stderr, "%s: %s on %s needs confirmation: pass --yes, or run it on a terminal\n", name, c.Kind.Title(), phone)
			return ErrNeedsConfirmation
		}
		if c.BeforeConfirm != nil && c.Kind == EnterRecovery {
			for _, l := range c.BeforeConfirm(ctx, d.Key) {
				fmt.Fprintln(c.Stderr, l)
			}
		}
		if !Confirm(c.Stdin, c.Stderr, c.Kind, phone, d.Mode) {
			fmt.Fprintln(c.Stderr, "Nothing was done.")
			return ErrCommandFailed
		}
	}
	if Check(c.Kind, d) == nil {
		fmt.Fprintf(c.Stderr, "%s on %s (%s mode); the iPhone is followed for up to %v afterwards\n", c.Kind.Title(), phone, d.Mode, c.Follow)
	}
	res := runner.Run(ctx, req)

	WriteResult(c.Stdout, res)
	if res.Err != nil {
		log.Debug("action", "err", res.Err)
	}
	var result error
	if !res.Ran() {
		result = ErrCommandFailed
	}
	if !res.Ran() && !c.JSON {
		return result
	}

	// Check again, and put what was done into the report.
	rctx, rcancel := context.WithTimeout(ctx, 60*time.Second)
	defer rcancel()
	rep, err := c.Recheck(rctx)
	if err != nil {
		fmt.Fprintf(c.Stderr, "%s: the re-check could not run: %v\n", name, err)
		return result
	}
	rep.Findings = append(rep.Findings, res.Finding())
	if !c.IncludeIDs {
		r := report.Redact(*rep)
		rep = &r
	}
	if c.JSON {
		if err := rep.JSON(c.Stdout); err != nil {
			return fail("%v", err)
		}
		return result
	}
	fmt.Fprintln(c.Stdout, "\nChecked again:")
	if err := report.Text(c.Stdout, rep); err != nil {
		return fail("%v", err)
	}
	return result
}
