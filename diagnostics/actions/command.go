package actions

// The flow of the `restoredoctor recovery exit|enter` and `restart`
// commands: find and choose the phone, ask, act, follow it, check again.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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
	devs, lookErr := look(lctx)
	cancel()
	d, err := Pick(devs, c.Device)
	if err != nil {
		var le *LookError
		switch {
		case len(devs) == 0 && errors.As(lookErr, &le) && le.Usbmux != nil && le.USB == nil && c.USB != nil:
			// Not "no iPhone found": usbmuxd, which lists the phones running iOS, could not be asked.
			return fail("%s", i18n.T("actions.cli.no_usb_iphone", i18n.Args{"Problem": lookProblem(lookErr)}))
		case lookErr != nil:
			// A phone may be missing only because a source could not be asked: say which, and why.
			return fail("%s", i18n.T("actions.cli.pick_and_look", i18n.Args{"Err": err.Error(), "Problem": lookProblem(lookErr)}))
		}
		return fail("%v", err)
	}
	phone, family := Identify(ctx, c.Usbmux, &d)

	runner := NewRunner(Devices{USB: c.Opener, Usbmux: c.Usbmux}, look, Options{FollowTimeout: c.Follow})
	req := Request{Kind: c.Kind, Device: d, Family: family}
	if Check(c.Kind, d) == nil && !c.Yes {
		if !c.Terminal {
			fmt.Fprintf(c.Stderr, "%s: %s\n", name, i18n.T("actions.cli.needs_confirmation", i18n.Args{"Action": c.Kind.Title(), "Phone": phone}))
			return ErrNeedsConfirmation
		}
		if c.BeforeConfirm != nil && c.Kind == EnterRecovery {
			for _, l := range c.BeforeConfirm(ctx, d.Key) {
				fmt.Fprintln(c.Stderr, l)
			}
		}
		if !Confirm(c.Stdin, c.Stderr, c.Kind, phone, d.Mode) {
			fmt.Fprintln(c.Stderr, i18n.T("actions.cli.nothing_done"))
			return ErrCommandFailed
		}
	}
	if Check(c.Kind, d) == nil {
		follow := c.Follow
		if follow <= 0 {
			follow = DefaultFollow
		}
		fmt.Fprintln(c.Stderr, i18n.T("actions.cli.starting", i18n.Args{"Action": c.Kind.Title(), "Phone": phone,
			"Mode": ModeName(d.Mode), "Follow": i18n.Duration(follow)}))
	}
	res := runner.Run(ctx, req)

	WriteResult(c.Stdout, res)
	if res.Err != nil {
		log.Debug("action", "err", res.Err)
	}
	if !res.Ran() {
		// Why nothing happened goes to stderr too, with the cause when the
		// sentence does not already carry it: no -v needed to see it.
		fmt.Fprintf(c.Stderr, "%s: %s\n", name, res.Summary)
		// A refusal's summary already gives the policy's reason; a failure's
		// cause is the hardware's error, shown as it is.
		if res.Err != nil && !strings.Contains(res.Summary, Reason(res.Err)) && !isPolicy(res.Err) {
			fmt.Fprintf(c.Stderr, "%s: %s\n", name, i18n.T("actions.cli.cause", i18n.Args{"Err": res.Err.Error()}))
		}
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
		fmt.Fprintf(c.Stderr, "%s: %s\n", name, i18n.T("actions.cli.recheck_failed", i18n.Args{"Err": err.Error()}))
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
	fmt.Fprintln(c.Stdout, "\n"+i18n.T("actions.cli.checked_again"))
	if err := report.Text(c.Stdout, rep); err != nil {
		return fail("%v", err)
	}
	return result
}

// lookProblem says in words why a look could not see everything: usbmuxd
// busy, not answering, not running, or answering garbage; USB unreadable.
func lookProblem(err error) string {
	var le *LookError
	if !errors.As(err, &le) {
		return i18n.T("actions.look.failed", i18n.Args{"Err": err.Error()})
	}
	var parts []string
	if le.Usbmux != nil {
		switch {
		case errors.Is(le.Usbmux, usbmux.ErrBusy):
			parts = append(parts, i18n.T("actions.look.usbmux_busy", i18n.Args{"Err": le.Usbmux.Error()}))
		case errors.Is(le.Usbmux, usbmux.ErrNotResponding):
			parts = append(parts, i18n.T("actions.look.usbmux_silent", i18n.Args{"Err": le.Usbmux.Error()}))
		case errors.Is(le.Usbmux, usbmux.ErrUnreachable):
			parts = append(parts, i18n.T("actions.look.usbmux_unreachable", i18n.Args{"Err": le.Usbmux.Error()}))
		default:
			parts = append(parts, i18n.T("actions.look.usbmux_failed", i18n.Args{"Err": le.Usbmux.Error()}))
		}
	}
	if le.USB != nil {
		parts = append(parts, i18n.T("actions.look.usb_failed", i18n.Args{"Err": le.USB.Error()}))
	}
	return strings.Join(parts, "; ")
}
