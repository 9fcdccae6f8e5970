// Package actions acts on a fix step instead of only describing it: exit
// recovery mode (iBoot commands over USB), enter recovery mode (lockdownd's
// EnterRecovery) and restart (the diagnostics relay). It owns the policy —
// never while a restore runs, never "exit recovery" in DFU, one action at a
// time per phone, a deadline on everything — and it follows the phone
// afterwards through the merged USB/usbmuxd view until it is back, then says
// what happened in one sentence and as a report finding.
//
// The hardware calls live in device/usb and device/usbmux; this package only
// decides and watches. It imports device and diagnostics/report, never app/.
package actions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/phonelock"
)

// Kind is one action. The values are the command names and the suffix of
// the action's finding id ("action.recovery_exit").
type Kind string

// The actions.
const (
	ExitRecovery  Kind = "recovery_exit"
	EnterRecovery Kind = "recovery_enter"
	Restart       Kind = "restart"
)

// Kinds lists every action.
func Kinds() []Kind { return []Kind{ExitRecovery, EnterRecovery, Restart} }

// FindingID is the report finding id of an action: "action.recovery_exit", …
func (k Kind) FindingID() string { return "action." + string(k) }

// Step is the fix step the action belongs to.
func (k Kind) Step() int {
	if k == Restart {
		return 4
	}
	return 5
}

// Title is the button and confirmation title.
func (k Kind) Title() string {
	switch k {
	case ExitRecovery, EnterRecovery, Restart:
		return i18n.T("actions.title." + string(k))
	}
	return string(k)
}

// Sentinel errors of the policy, for errors.Is.
var (
	// ErrRestoreMode: the phone runs a restore; any action could interrupt it.
	ErrRestoreMode = errors.New("a restore is running on the iPhone")
	// ErrDFU: DFU mode cannot be left over USB; only a force restart does it.
	ErrDFU = errors.New("DFU mode cannot be left over USB")
	// ErrNotApplicable: the phone is not in the mode the action starts from.
	ErrNotApplicable = errors.New("the action does not apply to the phone's mode")
	// ErrBusy: another action is running on this iPhone, in this process or
	// in another Restore Doctor (the per-phone lock file, internal/phonelock).
	ErrBusy = errors.New("another Restore Doctor is already acting on this iPhone")
	// ErrNotVisible: the source the action needs (USB or usbmuxd) does not see the phone.
	ErrNotVisible = errors.New("the iPhone is not visible where the action needs it")
	// ErrModeUnconfirmed: the fresh look right before the action did not show
	// the phone in the mode the action needs (no answer, an error, an
	// unexpected answer, another phone): nothing is sent on a guess.
	ErrModeUnconfirmed = errors.New("the iPhone's mode could not be confirmed")
)

// Hardware does the actions. *Devices is the production one.
type Hardware interface {
	// LockdownMode asks lockdownd on e, now, which mode the phone is in and
	// which phone it is (usbmux.Client.ModeNow).
	LockdownMode(ctx context.Context, e usbmux.Entry) (usbmux.ModeAnswer, error)
	ExitRecovery(ctx context.Context, d usb.Device) error
	EnterRecovery(ctx context.Context, e usbmux.Entry) error
	Restart(ctx context.Context, e usbmux.Entry) error
}

// Devices is the Hardware of real (or simulated) devices: iBoot commands
// through a usb.Opener, lockdown requests through a usbmux.Client.
type Devices struct {
	USB    usb.Opener     // nil: exit recovery unavailable
	Usbmux *usbmux.Client // nil: enter recovery and restart unavailable
	// TransferTimeout bounds each iBoot command's USB transfer (default
	// usb.IBootCommandTimeout, 10 s as libirecovery).
	TransferTimeout time.Duration
}

var errNoSource = errors.New("no such source on this computer")

// ExitRecovery sends the iBoot commands (usb.ExitRecovery).
func (h Devices) ExitRecovery(ctx context.Context, d usb.Device) error {
	if h.USB == nil {
		return fmt.Errorf("actions: USB: %w", errNoSource)
	}
	return usb.ExitRecovery(ctx, h.USB, d, usb.ExitRecoveryOptions{Timeout: h.TransferTimeout})
}

// LockdownMode asks lockdownd (usbmux.Client.ModeNow).
func (h Devices) LockdownMode(ctx context.Context, e usbmux.Entry) (usbmux.ModeAnswer, error) {
	if h.Usbmux == nil {
		return usbmux.ModeAnswer{Mode: mode.Unknown}, fmt.Errorf("actions: usbmuxd: %w", errNoSource)
	}
	return h.Usbmux.ModeNow(ctx, e)
}

// EnterRecovery asks lockdownd (usbmux.Client.EnterRecovery).
func (h Devices) EnterRecovery(ctx context.Context, e usbmux.Entry) error {
	if h.Usbmux == nil {
		return fmt.Errorf("actions: usbmuxd: %w", errNoSource)
	}
	return h.Usbmux.EnterRecovery(ctx, e)
}

// Restart asks the diagnostics relay (usbmux.Client.Restart).
func (h Devices) Restart(ctx context.Context, e usbmux.Entry) error {
	if h.Usbmux == nil {
		return fmt.Errorf("actions: usbmuxd: %w", errNoSource)
	}
	return h.Usbmux.Restart(ctx, e)
}

// Look returns the phones as the merged USB/usbmuxd view sees them now (one
// look; the Runner polls it). A device.Monitor's Devices, or device.Merge of
// one USB snapshot and one usbmuxd list.
type Look func(ctx context.Context) ([]device.Device, error)

// Options tune a Runner. Zero values take the defaults.
type Options struct {
	// ActionTimeout bounds the action itself (default DefaultActionTimeout).
	ActionTimeout time.Duration
	// FollowTimeout bounds waiting for the phone to come back (default
	// DefaultFollow).
	FollowTimeout time.Duration
	// ConfirmTimeout bounds the fresh look at the phone's mode right before
	// the action (default DefaultConfirmTimeout).
	ConfirmTimeout time.Duration
	// Poll is the interval between looks while following (default 250 ms).
	Poll time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// LockDir is where the per-phone lock files are (default
	// phonelock.DefaultDir: the user's runtime or cache directory).
	LockDir string
}

// DefaultActionTimeout bounds an action itself: exit recovery's three iBoot
// commands may each take usb.IBootCommandTimeout (10 s), and opening the
// device comes first; a lockdown action is a handful of requests of
// usbmux.DefaultRequestTimeout (3 s) each.
const DefaultActionTimeout = 3*usb.IBootCommandTimeout + 10*time.Second

// DefaultConfirmTimeout bounds the fresh mode look before an action: the
// usbmuxd connection, QueryType and GetValue UniqueDeviceID (each also
// within the client's RequestTimeout, 3 s by default), or one USB snapshot.
const DefaultConfirmTimeout = 5 * time.Second

// DefaultFollow is how long an action follows the phone afterwards when
// nothing else is asked (Options.FollowTimeout 0, no --follow): a reboot into
// recovery can take a minute, iOS longer.
const DefaultFollow = 3 * time.Minute

// Runner runs actions with the policy and follows the phone afterwards. It
// is safe for concurrent use. One action per phone runs at a time on the
// computer, whichever Runner or process started it: the phone is one. Inside
// the process a set of busy keys says so; across processes a lock file per
// phone that the operating system holds (internal/phonelock), which a
// crashed or killed process releases with its exit.
type Runner struct {
	hw   Hardware
	look Look
	opts Options
}

// busy holds the keys of the phones an action runs on, process-wide.
var busy = struct {
	sync.Mutex
	keys map[string]bool
}{keys: map[string]bool{}}

// NewRunner returns a Runner over hw that follows phones through look.
func NewRunner(hw Hardware, look Look, opts Options) *Runner {
	if opts.ActionTimeout <= 0 {
		opts.ActionTimeout = DefaultActionTimeout
	}
	if opts.FollowTimeout <= 0 {
		opts.FollowTimeout = DefaultFollow
	}
	if opts.Poll <= 0 {
		opts.Poll = 250 * time.Millisecond
	}
	if opts.ConfirmTimeout <= 0 {
		opts.ConfirmTimeout = DefaultConfirmTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Runner{hw: hw, look: look, opts: opts}
}

// ForMode lists the actions the policy allows in mode m, in Kinds order:
// exit recovery in recovery mode; enter recovery and restart in normal
// mode; nothing in restore mode (it could interrupt a restore), DFU (only
// the buttons leave it) or any other mode. Check adds what the action needs
// to see of the phone.
func ForMode(m mode.Mode) []Kind {
	switch m {
	case mode.Recovery:
		return []Kind{ExitRecovery}
	case mode.Normal:
		return []Kind{EnterRecovery, Restart}
	}
	return nil
}

// Check says whether the policy allows action k on d, and if not, why
// (ErrRestoreMode, ErrDFU, ErrNotApplicable, ErrNotVisible).
func Check(k Kind, d device.Device) error {
	switch {
	case d.Mode == mode.Restore:
		return ErrRestoreMode
	case k == ExitRecovery && d.Mode == mode.DFU:
		return ErrDFU
	case !slices.Contains(Kinds(), k):
		return because(ErrNotApplicable, "actions.reason.unknown_action", i18n.Args{"Action": strconv.Quote(string(k))})
	case !slices.Contains(ForMode(d.Mode), k):
		return because(ErrNotApplicable, "actions.reason.wrong_mode", i18n.Args{"Action": k.Title(), "Mode": ModeName(d.Mode)})
	}
	switch k {
	case ExitRecovery:
		if d.USB == nil {
			return because(ErrNotVisible, "actions.reason.exit_needs_usb")
		}
	case EnterRecovery, Restart:
		if d.Usbmux == nil || d.Usbmux.ConnectionType == "Network" {
			return because(ErrNotVisible, "actions.reason.needs_usbmux", i18n.Args{"Action": k.Title()})
		}
	}
	return nil
}

// Request is one action on one phone.
type Request struct {
	Kind   Kind
	Device device.Device
	// Family is the phone's recovery-button family (for the button
	// instructions a refusal shows); model.Unknown lists every family.
	Family model.Family
}

// Outcome is how an action ended.
type Outcome string

// Outcomes.
const (
	// Done: the phone is back in the mode the action aimed at.
	Done Outcome = "done"
	// BackInRecovery: after exit recovery (or a restart) the phone came
	// back in recovery mode: iOS could not start.
	BackInRecovery Outcome = "back_in_recovery"
	// OtherMode: the phone came back in a mode nobody aimed at.
	OtherMode Outcome = "other_mode"
	// NotBack: the phone did not come back before FollowTimeout.
	NotBack Outcome = "not_back"
	// Refused: the policy or the phone refused (restore mode, DFU, busy, not trusted); nothing was sent.
	Refused Outcome = "refused"
	// Failed: the action was attempted and failed (stall, timeout, I/O).
	Failed Outcome = "failed"
	// Interrupted: the action was sent, then following the phone was
	// stopped (SIGINT, the window closed) before it was back.
	Interrupted Outcome = "interrupted"
)

// Result is what an action did, when, and where the phone ended up.
type Result struct {
	Kind      Kind
	DeviceKey string
	Started   time.Time
	// Took is from the start of the action until the phone was back (or the end).
	Took    time.Duration
	Before  mode.Mode
	After   mode.Mode // "" when the phone was not seen again
	Outcome Outcome
	// Summary is the one sentence for people: "the iPhone restarted: it left USB after 2 s and was back in normal mode after 38 s".
	Summary string
	// Buttons are what to do by hand instead (refusals and failures), with Hint saying when.
	Hint    string
	Buttons []string
	// Device is the phone as last seen (for the re-check); zero when not back.
	Device device.Device
	// Err is the refusal or failure, nil on Done.
	Err error
}

// Ran reports whether the action ran its course (the command could run, in
// CLI exit-code terms), whatever came of it: not when it was refused,
// failed, or interrupted while following.
func (r Result) Ran() bool {
	return r.Outcome != Refused && r.Outcome != Failed && r.Outcome != Interrupted
}

// Run applies the policy, does the action with ActionTimeout and follows the
// phone until it is back or FollowTimeout passed. It never returns without a
// Result; ctx ending stops it early (Outcome NotBack or Failed).
func (r *Runner) Run(ctx context.Context, req Request) Result {
	d := req.Device
	res := Result{Kind: req.Kind, DeviceKey: d.Key, Started: r.opts.Now(), Before: d.Mode}
	refuse := func(err error) Result {
		res.Outcome, res.Err = Refused, err
		res.Summary, res.Hint, res.Buttons = refusal(req, err)
		return res
	}
	if err := Check(req.Kind, d); err != nil {
		return refuse(err)
	}
	if !r.claim(d.Key) {
		return refuse(ErrBusy)
	}
	defer r.release(d.Key)
	lock, err := phonelock.Acquire(r.opts.LockDir, d.Key)
	if errors.Is(err, phonelock.ErrHeld) {
		return refuse(ErrBusy)
	}
	if err != nil {
		return refuse(because(ErrBusy, "actions.reason.lock_failed", i18n.Args{"Err": err.Error()}))
	}
	defer func() { _ = lock.Release() }()
	cctx, cancel := context.WithTimeout(ctx, r.opts.ConfirmTimeout)
	d, err = r.confirm(cctx, req.Kind, d)
	cancel()
	if err != nil {
		return refuse(err)
	}

	actx, cancel := context.WithTimeout(ctx, r.opts.ActionTimeout)
	switch req.Kind {
	case ExitRecovery:
		err = r.hw.ExitRecovery(actx, *d.USB)
	case EnterRecovery:
		err = r.hw.EnterRecovery(actx, *d.Usbmux)
	case Restart:
		err = r.hw.Restart(actx, *d.Usbmux)
	}
	cancel()
	if err != nil {
		if errors.Is(err, usbmux.ErrNeedsTrust) || errors.Is(err, usb.ErrWrongMode) {
			return refuse(err)
		}
		res.Outcome, res.Err = Failed, err
		res.Took = r.opts.Now().Sub(res.Started)
		res.Summary, res.Hint, res.Buttons = failure(req, err)
		return res
	}
	return r.follow(ctx, req, res)
}

func (r *Runner) claim(key string) bool {
	busy.Lock()
	defer busy.Unlock()
	if busy.keys[key] {
		return false
	}
	busy.keys[key] = true
	return true
}

func (r *Runner) release(key string) {
	busy.Lock()
	delete(busy.keys, key)
	busy.Unlock()
}

// target is the mode the action aims at.
func (k Kind) target() mode.Mode {
	if k == EnterRecovery {
		return mode.Recovery
	}
	return mode.Normal
}

// follow polls the merged view: first for the phone to leave, then for it
// to come back, and judges where it came back. A departure is either two
// successive successful looks without the phone, or the phone seen again
// under a new USB address or usbmuxd id or in another mode (it re-attached
// between looks). A look that failed, or that could not ask the source the
// phone was visible in (LookError), is "could not look": it neither shows
// a departure nor breaks one already seen, and it resets the count of looks
// without the phone, so a departure always rests on two consistent ones.
func (r *Runner) follow(ctx context.Context, req Request, res Result) Result {
	start := req.Device
	fctx, cancel := context.WithTimeout(ctx, r.opts.FollowTimeout)
	defer cancel()
	t := time.NewTicker(r.opts.Poll)
	defer t.Stop()
	var seen sightings
	var last device.Device
	var usbOnlySince time.Time // back in normal mode on USB, usbmuxd not listing it yet
	for {
		devs, err := r.look(fctx)
		now := r.opts.Now()
		switch {
		case fctx.Err() != nil:
			// the look was cut short by the deadline or the interrupt: nothing seen
		case !sawSources(err, start):
			seen.failed++
			seen.absent = 0
		default:
			d, found := find(devs, start)
			if !found {
				if seen.absent++; seen.absent == 1 {
					seen.firstAbsent = now
				}
				if seen.absent >= 2 && seen.leftAt.IsZero() {
					seen.leftAt = seen.firstAbsent
				}
				break
			}
			seen.absent = 0
			last = d
			if seen.leftAt.IsZero() && changed(start, d) {
				seen.leftAt = now
			}
			if !seen.leftAt.IsZero() && r.settled(d, &usbOnlySince) {
				return r.judge(req, res, d, seen)
			}
		}
		select {
		case <-fctx.Done():
			res.Took = r.opts.Now().Sub(res.Started)
			res.Outcome, res.Device = NotBack, last
			res.Err = fmt.Errorf("actions: %s: the iPhone was not back within %v", req.Kind, r.opts.FollowTimeout)
			res.Summary = notBack(req, res, seen, r.opts.FollowTimeout)
			if ctx.Err() != nil {
				res.Outcome = Interrupted
				res.Err = fmt.Errorf("actions: %s: stopped while following the iPhone: %w", req.Kind, ctx.Err())
				res.Summary = interrupted(res, seen)
			}
			res.Hint, res.Buttons = forceRestartButtons(req.Family)
			return res
		case <-t.C:
		}
	}
}

// sightings is what following has seen of the phone's departure.
type sightings struct {
	absent      int       // successive successful looks without the phone
	firstAbsent time.Time // the first of them
	leftAt      time.Time // when the departure was seen (zero: not seen)
	failed      int       // looks that could not tell (failed, or the phone's source failed)
}

// LookError is a look in which a source failed: the others' devices are
// still returned. SnapshotLook returns it.
type LookError struct {
	USB    error // the USB snapshot's failure, nil when it worked (or there is no USB source)
	Usbmux error // the usbmuxd listing's failure, nil when it worked (or there is no usbmuxd client)
}

func (e *LookError) Error() string {
	var parts []string
	if e.USB != nil {
		parts = append(parts, "USB: "+e.USB.Error())
	}
	if e.Usbmux != nil {
		parts = append(parts, "usbmuxd: "+e.Usbmux.Error())
	}
	return "could not look: " + strings.Join(parts, "; ")
}

// Unwrap returns the sources' errors.
func (e *LookError) Unwrap() []error {
	var out []error
	for _, err := range []error{e.USB, e.Usbmux} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// sawSources reports whether a look that returned err could have seen
// start: it worked, or only a source start was not visible in failed.
func sawSources(err error, start device.Device) bool {
	if err == nil {
		return true
	}
	var le *LookError
	if !errors.As(err, &le) {
		return false
	}
	return !(start.USB != nil && le.USB != nil) && !(start.Usbmux != nil && le.Usbmux != nil)
}

// find locates the phone: same key, else (a recovery-mode phone of an old
// chip has no UDID) the same USB port.
func find(devs []device.Device, start device.Device) (device.Device, bool) {
	for _, d := range devs {
		if d.Key == start.Key {
			return d, true
		}
	}
	if start.USB != nil {
		for _, d := range devs {
			if d.USB != nil && d.USB.Location() == start.USB.Location() {
				return d, true
			}
		}
	}
	return device.Device{}, false
}

// changed reports whether d is no longer the attachment the action started
// from: another mode, USB address or usbmuxd id means it rebooted between looks.
func changed(start, d device.Device) bool {
	if d.Mode != start.Mode {
		return true
	}
	if start.USB != nil && d.USB != nil && d.USB.Address != start.USB.Address {
		return true
	}
	return start.Usbmux != nil && d.Usbmux != nil && d.Usbmux.DeviceID != start.Usbmux.DeviceID
}

// usbOnlyGrace is how long a phone back in normal mode on USB may go
// unlisted by usbmuxd before it counts as back anyway (usbmuxd missing or
// slow; the re-check then reports that).
const usbOnlyGrace = 10 * time.Second

// settled reports whether d is back for good: in normal mode once usbmuxd
// lists it too (or USB alone has shown it for usbOnlyGrace), in a
// boot-loader mode as soon as USB shows it.
func (r *Runner) settled(d device.Device, usbOnlySince *time.Time) bool {
	if d.Mode != mode.Normal {
		*usbOnlySince = time.Time{}
		return d.Mode != mode.Unknown && d.Mode != ""
	}
	if d.Usbmux != nil {
		return true
	}
	now := r.opts.Now()
	if usbOnlySince.IsZero() {
		*usbOnlySince = now
	}
	return now.Sub(*usbOnlySince) >= usbOnlyGrace
}

func (r *Runner) judge(req Request, res Result, d device.Device, seen sightings) Result {
	res.Took = r.opts.Now().Sub(res.Started)
	res.After, res.Device = d.Mode, d
	secs := seconds(res.Took)
	switch {
	case d.Mode == req.Kind.target():
		res.Outcome = Done
		res.Summary = i18n.T("actions.done."+string(req.Kind), i18n.Args{"Time": secs, "Left": seconds(seen.leftAt.Sub(res.Started))})
	case d.Mode == mode.Recovery:
		res.Outcome = BackInRecovery
		res.Err = fmt.Errorf("actions: %s: the iPhone came back in recovery mode", req.Kind)
		res.Summary = i18n.T("actions.back_in_recovery", i18n.Args{"Time": secs})
	default:
		res.Outcome = OtherMode
		res.Err = fmt.Errorf("actions: %s: the iPhone came back in %s mode", req.Kind, d.Mode)
		res.Summary = i18n.T("actions.other_mode", i18n.Args{"Mode": ModeName(d.Mode), "Time": secs})
	}
	return res
}

// notBack says what following saw when the phone was not back in time.
func notBack(req Request, res Result, seen sightings, follow time.Duration) string {
	s := i18n.T("actions.not_back.never_left", i18n.Args{"Follow": seconds(follow)})
	if !seen.leftAt.IsZero() {
		s = i18n.T("actions.not_back.left", i18n.Args{"Left": seconds(seen.leftAt.Sub(res.Started)), "Follow": seconds(follow)})
	}
	return withFailedLooks(s, seen)
}

// interrupted says what following saw before it was stopped.
func interrupted(res Result, seen sightings) string {
	s := i18n.T("actions.interrupted.never_left", i18n.Args{"Time": seconds(res.Took)})
	if !seen.leftAt.IsZero() {
		s = i18n.T("actions.interrupted.left", i18n.Args{"Time": seconds(res.Took), "Left": seconds(seen.leftAt.Sub(res.Started))})
	}
	return withFailedLooks(s, seen)
}

// refusal explains why nothing was sent and what to do by hand instead.
func refusal(req Request, err error) (summary, hint string, buttons []string) {
	var re *reasonError
	switch {
	case errors.Is(err, ErrRestoreMode):
		return i18n.T("actions.refused.restore"), "", nil
	case errors.Is(err, ErrDFU), errors.Is(err, usb.ErrWrongMode) && req.Device.Mode == mode.DFU:
		hint, buttons = forceRestartButtons(req.Family)
		return i18n.T("actions.refused.dfu"), hint, buttons
	case errors.Is(err, usbmux.ErrNeedsTrust):
		if req.Kind == EnterRecovery {
			hint, buttons = recoveryButtons(req.Family)
			return i18n.T("actions.refused.trust_enter"), hint, buttons
		}
		hint, buttons = forceRestartButtons(req.Family)
		return i18n.T("actions.refused.trust_restart"), hint, buttons
	case errors.Is(err, ErrBusy) && !errors.As(err, &re):
		return i18n.T("actions.refused.busy"), "", nil
	case errors.As(err, &re):
		for _, s := range []struct {
			err error
			id  string
		}{{ErrBusy, "busy_reason"}, {ErrModeUnconfirmed, "unconfirmed"}, {ErrNotApplicable, "not_applicable"}, {ErrNotVisible, "not_visible"}} {
			if errors.Is(re.sentinel, s.err) {
				return i18n.T("actions.refused."+s.id, i18n.Args{"Reason": re.Reason()}), "", nil
			}
		}
	}
	return i18n.T("actions.refused.other", i18n.Args{"Err": err.Error()}), "", nil
}

func failure(req Request, err error) (summary, hint string, buttons []string) {
	id := "actions.failed." + string(req.Kind)
	if errors.Is(err, usb.ErrStalled) {
		id += "_stalled"
	} else if errors.Is(err, usb.ErrTimeout) || errors.Is(err, usbmux.ErrNotResponding) || errors.Is(err, context.DeadlineExceeded) {
		id += "_timeout"
	}
	if req.Kind == EnterRecovery {
		hint, buttons = recoveryButtons(req.Family)
	} else {
		hint, buttons = forceRestartButtons(req.Family)
	}
	return i18n.T(id), hint, buttons
}

// Steps are the fix steps an action's finding supports.
func steps(res Result) []int {
	s := []int{res.Kind.Step()}
	if res.Outcome == BackInRecovery && !slices.Contains(s, 5) {
		s = append(s, 5)
	}
	return s
}

// SnapshotLook is a Look of one USB snapshot and one usbmuxd list, merged
// (device.MergeOn for this platform). Either may be nil. When a source
// fails, the other's devices come back with a *LookError naming the
// failure: a phone missing from such a look may only be unseen (following
// treats it as "could not look"). When every source failed, no devices.
func SnapshotLook(src usb.Source, c *usbmux.Client, goos string) Look {
	return func(ctx context.Context) ([]device.Device, error) {
		var devs []usb.Device
		var entries []usbmux.Entry
		var le LookError
		if src != nil {
			devs, le.USB = src.Snapshot(ctx)
		}
		if c != nil {
			entries, le.Usbmux = c.List(ctx)
		}
		if le.USB == nil && le.Usbmux == nil {
			return device.MergeOn(goos, devs, entries), nil
		}
		if (src == nil || le.USB != nil) && (c == nil || le.Usbmux != nil) {
			return nil, &le
		}
		return device.MergeOn(goos, devs, entries), &le
	}
}
