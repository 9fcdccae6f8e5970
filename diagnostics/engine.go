package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/wintree"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Options are the user's choices for one run (the CLI flags, the GUI's
// settings). The zero value is a usable quick run with no sampling window.
type Options struct {
	// Window is how long the connection is watched for drops; 0 = one pass.
	Window time.Duration
	// UsbmuxdAddress is where usbmuxd listens, in any form usbmux.ParseAddress
	// accepts; "" means USBMUXD_SOCKET_ADDRESS, else the platform default.
	UsbmuxdAddress string
	// NoNetwork skips the Apple-server check (reported as skipped).
	NoNetwork bool
	// AppleHosts overrides the servers probed ("host:port"); nil = Apple's.
	AppleHosts []string
	// AppleCAFile is a PEM bundle trusted instead of the system roots for the
	// Apple-server check (tests point it at httptest's certificate).
	AppleCAFile string
	// HostsFile overrides the hosts file read ("" = the platform's).
	HostsFile string
	// Tried is what the user already tried (cable, port, computer, restart).
	Tried rules.Tried
	// IncludeIdentifiers keeps UDIDs, ECIDs and serials in the report; by
	// default they are redacted.
	IncludeIdentifiers bool
	// BackupDirs are folders holding backups besides the OS's own (Linux:
	// idevicebackup2's target, --backup-dir).
	BackupDirs []string
	// LockdownRequests is the number of lockdown round trips timed per phone
	// (0 = DefaultLockdownRequests). With more than ProbeFullPhones phones
	// each gets fewer (ProbeRequests); the report gives each phone's count.
	LockdownRequests int
}

// DefaultLockdownRequests is Options.LockdownRequests when it is 0.
const DefaultLockdownRequests = 10

// With more than ProbeFullPhones phones, a run times as many lockdown round
// trips in all as ProbeFullPhones phones would get, shared equally, and each
// phone at least MinProbeRequests. The probe does no plist work per round
// trip any more (one request frame, each distinct reply decoded once), but
// every round trip still wakes this computer's CPUs and usbmuxd's while up to
// maxParallelPhones phones are timed at once, so with 32 phones ten each
// would time the host's scheduler as much as the phones.
const (
	ProbeFullPhones  = 4
	MinProbeRequests = 3
)

// ProbeRequests is how many round trips each of phones phones gets when
// perPhone were asked: perPhone up to ProbeFullPhones phones, else
// perPhone*ProbeFullPhones/phones, never fewer than MinProbeRequests (or
// perPhone, when that is smaller). 10 asked: 10 each up to 4 phones, 5 each
// for 8, 3 each for 14 or more.
func ProbeRequests(perPhone, phones int) int {
	if phones <= ProbeFullPhones {
		return perPhone
	}
	return max(perPhone*ProbeFullPhones/phones, min(MinProbeRequests, perPhone))
}

// HostChecks are the host-side probes the engine runs. The engine never
// probes the real host on its own: a nil field reports its check as skipped
// ("not configured"). Production wiring passes SystemHostChecks(); tests pass
// recorded or fake probes.
type HostChecks struct {
	AppleServers     func(ctx context.Context, opts host.ServerOptions) host.Result
	HostsFile        func(ctx context.Context, path string) host.Result
	SecuritySoftware func(ctx context.Context) host.Result
	SoftwareVersions func(ctx context.Context, iosVersion string) host.Result
	// Backups finds a phone's local backups (host.backups; SystemBackupScan).
	Backups BackupScan
	// ICloudBackup asks trusted phones in normal mode whether iCloud Backup
	// is on (lockdown.icloud_backup: a paired session and one read-only
	// GetValue); false reports that check as not configured.
	ICloudBackup bool
}

// Config is how an Engine reaches the outside world. Nothing of this
// computer is touched unless it is given here: production wiring (cmd/)
// passes the libusb scanner (usb.NewScanner, or usb.Unavailable with the
// reason it could not open) and SystemHostChecks(); tests pass the
// simulator's USB view and fake host probes. The usbmuxd address is a run
// option.
type Config struct {
	// USB is the bus to inspect; nil means no USB source (the USB checks
	// say so). When it also implements usb.Opener (the gousb Scanner does),
	// phones in recovery/DFU get the control-transfer probe.
	USB usb.Source
	// Logger receives debug and warning logs (nil: slog.Default()).
	Logger *slog.Logger
	// ToolVersion goes into the report.
	ToolVersion string
	// Now is the clock for generated_at (nil: time.Now).
	Now func() time.Time
	// Host are the host probes (SystemHostChecks() in production).
	Host HostChecks
	// PollInterval is how often the USB bus is polled during the window
	// (0: 250 ms).
	PollInterval time.Duration
	// UsbmuxTimeout bounds each usbmuxd/lockdownd request (0: 2 s).
	UsbmuxTimeout time.Duration
	// DeviceTree reads Apple's devices from the Windows device tree, where
	// libusb cannot open them (nil: wintree.Scan on Windows, nothing elsewhere).
	DeviceTree func(ctx context.Context) ([]wintree.Device, error)
}

// ErrNoUSBSource is why the USB checks cannot run when Config.USB is nil.
var ErrNoUSBSource = errors.New("diagnostics: no USB source configured")

// Engine runs diagnostics. It is safe for concurrent use.
type Engine struct {
	cfg Config
	log *slog.Logger
}

// NewEngine returns an Engine for cfg.
func NewEngine(cfg Config) *Engine {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.UsbmuxTimeout <= 0 {
		cfg.UsbmuxTimeout = 2 * time.Second
	}
	if cfg.DeviceTree == nil && runtime.GOOS == "windows" {
		cfg.DeviceTree = wintree.Scan
	}
	return &Engine{cfg: cfg, log: log}
}

// Close releases what the engine holds (nothing today: the USB source
// belongs to whoever configured it). It is kept so callers need not change
// when that does.
func (e *Engine) Close() error { return nil }

// usbSource returns the configured source.
func (e *Engine) usbSource() (usb.Source, error) {
	if e.cfg.USB == nil {
		return nil, ErrNoUSBSource
	}
	return e.cfg.USB, nil
}

// Check labels shown while a check runs: message IDs (Label renders them).
var labels = map[string]string{
	report.CheckUSBPresence:          "findings.label.usb_presence",
	report.CheckUSBLink:              "findings.label.usb_link",
	report.CheckUSBStability:         "findings.label.usb_stability",
	report.CheckUSBControl:           "findings.label.usb_control",
	report.CheckUsbmuxHealth:         "findings.label.usbmux_health",
	report.CheckUsbmuxListing:        "findings.label.usbmux_listing",
	report.CheckLockdownQuery:        "findings.label.lockdown_query",
	report.CheckLockdownRTT:          "findings.label.lockdown_rtt",
	report.CheckLockdownTrust:        "findings.label.lockdown_trust",
	report.CheckHostAppleServers:     "findings.label.host_apple_servers",
	report.CheckHostHostsFile:        "findings.label.host_hosts_file",
	report.CheckHostSecuritySoftware: "findings.label.host_security_software",
	report.CheckHostSoftwareVersions: "findings.label.host_software_versions",
}

// Label returns the human label of a check id in the current language
// ("" for unknown ids).
func Label(checkID string) string {
	id, ok := labels[checkID]
	if !ok {
		return ""
	}
	return i18n.T(id)
}

// lockdownResult is QueryLockdown's answer for one phone.
type lockdownResult struct {
	info usbmux.LockdownInfo
	err  error
}

// run holds the facts of one run.
type run struct {
	e      *Engine
	opts   Options
	addr   usbmux.Address
	client *usbmux.Client
	// quick is the quick pass's client: it keeps the tunnel each phone's
	// lockdown query used for that phone's round-trip probe (one usbmuxd
	// connection per phone, not two); Run closes what is left.
	quick *usbmux.Client
	src   usb.Source

	usbScan  *Fact[checks.USBScan]
	muxList  *Fact[muxListing] // error: usbmuxd could not be asked
	phones   *Fact[[]phone]
	lockdown *Fact[map[string]lockdownResult]
	rtt      *Fact[map[string]usbmux.RTTStats]
	control  *Fact[map[string]checks.ControlStats]
	sample   *Fact[sampleResult]

	// live is the sampling window's monitor while it runs (provisional
	// reports read the drops so far from it).
	live atomic.Pointer[liveWindow]

	// windowLockdown is what lockdownd said of phones that came (back)
	// during the window, by UDID: a phone that was away at the quick pass
	// keeps its model and iOS version in the report.
	windowMu       sync.Mutex
	windowLockdown map[string]usbmux.LockdownInfo
}

// noteWindowLockdown records lockdownd's answer for a phone seen during the window.
func (r *run) noteWindowLockdown(udid string, info usbmux.LockdownInfo) {
	r.windowMu.Lock()
	defer r.windowMu.Unlock()
	if r.windowLockdown == nil {
		r.windowLockdown = map[string]usbmux.LockdownInfo{}
	}
	r.windowLockdown[udid] = info
}

// windowLockdownOf is the last answer recorded by noteWindowLockdown.
func (r *run) windowLockdownOf(udid string) (usbmux.LockdownInfo, bool) {
	r.windowMu.Lock()
	defer r.windowMu.Unlock()
	info, ok := r.windowLockdown[udid]
	return info, ok
}

// muxListing is usbmuxd's device list and how long it took to get.
type muxListing struct {
	entries []usbmux.Entry
	elapsed time.Duration
}

// Run performs one diagnostics run and returns the report. progress, when
// not nil, is called as checks start and finish. The error is non-nil only
// when the run itself could not happen (an unusable usbmuxd address); every
// failure of a single check is reported inside the report as status error.
func (e *Engine) Run(ctx context.Context, opts Options, progress func(Progress)) (*report.Report, error) {
	addr, err := usbmux.ResolveAddress(opts.UsbmuxdAddress)
	if err != nil {
		return nil, fmt.Errorf("diagnostics: usbmuxd address: %w", err)
	}
	if opts.Window < 0 {
		return nil, fmt.Errorf("diagnostics: negative window %v", opts.Window)
	}
	if opts.LockdownRequests <= 0 {
		opts.LockdownRequests = DefaultLockdownRequests
	}
	r := &run{
		e: e, opts: opts, addr: addr,
		client: usbmux.NewClient(addr, usbmux.Options{RequestTimeout: e.cfg.UsbmuxTimeout, DialTimeout: e.cfg.UsbmuxTimeout, Logger: e.log}),
		quick: usbmux.NewClient(addr, usbmux.Options{RequestTimeout: e.cfg.UsbmuxTimeout, DialTimeout: e.cfg.UsbmuxTimeout, Logger: e.log,
			KeepTunnels: quickTunnelKeep(e.cfg.UsbmuxTimeout, opts.Window)}),
		usbScan:  NewFact[checks.USBScan](),
		muxList:  NewFact[muxListing](),
		phones:   NewFact[[]phone](),
		lockdown: NewFact[map[string]lockdownResult](),
		rtt:      NewFact[map[string]usbmux.RTTStats](),
		control:  NewFact[map[string]checks.ControlStats](),
		sample:   NewFact[sampleResult](),
	}
	defer r.quick.Close()
	started := time.Now()
	// Producers stop with the run: cancel after the checks are done.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.gather(pctx)

	tasks := r.tasks()
	var results []TaskResult
	if progress == nil {
		results = RunTasks(ctx, tasks, nil)
	} else {
		pv := newProvisionals(r, tasks, started, progress)
		pv.start(pctx)
		results = runTasks(ctx, tasks, pv.progress, pv.done)
		pv.stop()
	}

	rep := r.newReport()
	for _, res := range results {
		rep.Checks = append(rep.Checks, res.Check)
		rep.Findings = append(rep.Findings, res.Findings...)
	}
	rep.Devices = r.devices()
	sortFindings(rep.Findings)
	finish(rep, r.opts)
	var cause error
	if ctx.Err() != nil {
		cause = context.Cause(ctx)
	}
	MarkCompleteness(rep, cause, min(time.Since(started), opts.Window))
	e.log.Debug("diagnostics run finished", "elapsed", time.Since(started), "findings", len(rep.Findings), "devices", len(rep.Devices))
	return rep, nil
}

// newReport is a report with the run's header and no checks yet.
func (r *run) newReport() *report.Report {
	return &report.Report{
		Schema:      report.Schema,
		GeneratedAt: r.e.cfg.Now().UTC().Truncate(time.Second),
		ToolVersion: r.e.cfg.ToolVersion,
		Host:        report.Host{OS: runtime.GOOS, Usbmuxd: report.UsbmuxdRef{Address: r.addr.String(), Status: r.usbmuxStatus()}},
	}
}

// gather starts the producers of every fact. Each one settles its fact
// under its own deadline, so no check waits forever.
func (r *run) gather(ctx context.Context) {
	e := r.e
	src, srcErr := e.usbSource()
	r.src = src
	Produce(ctx, 5*time.Second, r.usbScan, "USB scan", func(ctx context.Context) (checks.USBScan, error) {
		var scan checks.USBScan
		if srcErr != nil {
			scan = checks.USBScan{Err: srcErr, Unavailable: errors.Is(srcErr, usb.ErrUnavailable)}
		} else {
			devs, err := src.Snapshot(ctx)
			scan = checks.USBScan{Devices: devs, Err: err, Unavailable: errors.Is(err, usb.ErrUnavailable)}
		}
		if e.cfg.DeviceTree != nil {
			tree, terr := e.cfg.DeviceTree(ctx)
			if terr != nil {
				e.log.Warn("the Windows device tree could not be read", "err", terr)
			}
			scan.Tree = tree
		}
		return scan, nil
	})
	Produce(ctx, 2*e.cfg.UsbmuxTimeout+time.Second, r.muxList, "usbmuxd listing", func(ctx context.Context) (muxListing, error) {
		t0 := time.Now()
		l, err := r.client.List(ctx)
		return muxListing{entries: l, elapsed: time.Since(t0)}, err
	})
	Produce(ctx, 3*e.cfg.UsbmuxTimeout+6*time.Second, r.phones, "device merge", func(ctx context.Context) ([]phone, error) {
		scan, _ := r.usbScan.Get(ctx)
		ml, _ := r.muxList.Get(ctx)
		return mergePhones(scan.Devices, ml.entries, ""), ctx.Err()
	})
	ldBudget := lockdownBudget(e.cfg.UsbmuxTimeout)
	Produce(ctx, ldBudget+10*time.Second, r.lockdown, "lockdown query", func(ctx context.Context) (map[string]lockdownResult, error) {
		phones, err := r.phones.Get(ctx)
		if err != nil {
			return nil, err
		}
		return forEachListed(ctx, phones, ldBudget, func(ctx context.Context, p phone) lockdownResult {
			info, err := r.quick.QueryLockdown(ctx, *p.entry)
			return lockdownResult{info, err}
		}), nil
	})
	// The round-trip probe runs after the query (it would skew the timings
	// of both to run them side by side) and within a budget: a phone that
	// drops every request costs a full request timeout each time.
	probeBudget := rttBudget(r.opts.Window, e.cfg.UsbmuxTimeout)
	Produce(ctx, ldBudget+probeBudget+12*time.Second, r.rtt, "lockdown round trips", func(ctx context.Context) (map[string]usbmux.RTTStats, error) {
		phones, err := r.phones.Get(ctx)
		if err != nil {
			return nil, err
		}
		_, _ = r.lockdown.Get(ctx)
		n := ProbeRequests(r.opts.LockdownRequests, listedCount(phones))
		return forEachListed(ctx, phones, probeBudget, func(ctx context.Context, p phone) usbmux.RTTStats {
			st, err := r.quick.ProbeRTT(ctx, *p.entry, n)
			if err != nil && st.Err == nil {
				st.Err = err
			}
			return st
		}), nil
	})
	Produce(ctx, 15*time.Second, r.control, "USB control probe", func(ctx context.Context) (map[string]checks.ControlStats, error) {
		phones, err := r.phones.Get(ctx)
		if err != nil {
			return nil, err
		}
		op, ok := r.src.(usb.Opener)
		out := map[string]checks.ControlStats{}
		for _, p := range phones {
			if p.USB == nil || !p.Mode.IsLowLevel() {
				continue
			}
			if !ok {
				out[p.Key] = checks.ControlStats{Err: errors.New("this USB source cannot open devices")}
				continue
			}
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			st, err := usb.ControlProbe(pctx, op, *p.USB, 5, 500*time.Millisecond)
			cancel()
			cs := checks.ControlStats{Requests: st.Requests, Timeouts: st.Timeouts, Failures: st.Failures, Max: st.Max}
			if err != nil && st.Requests == 0 {
				cs.Err = err
			}
			out[p.Key] = cs
		}
		return out, nil
	})
	Produce(ctx, r.opts.Window+2*e.cfg.UsbmuxTimeout+6*time.Second, r.sample, "stability sampling", func(ctx context.Context) (sampleResult, error) {
		return r.sampleLinks(ctx), nil
	})
}

// lockdownBudget bounds the quick pass's lockdown queries of all phones.
func lockdownBudget(timeout time.Duration) time.Duration { return 4*timeout + 2*time.Second }

// rttBudget bounds the round-trip probes of all phones.
func rttBudget(window, timeout time.Duration) time.Duration {
	return max(window, 4*time.Second) + timeout
}

// quickTunnelKeep is how long a phone's lockdown tunnel is kept for its
// probe: at most the other phones' queries and its turn among the probes.
func quickTunnelKeep(timeout, window time.Duration) time.Duration {
	return lockdownBudget(timeout) + rttBudget(window, timeout)
}

// maxParallelPhones bounds how many phones talk to usbmuxd/lockdownd at
// once. Each phone's work is a chain of round trips, each waiting on
// usbmuxd, the phone and the scheduler, so a few per CPU keep the CPUs busy
// while others wait; more would only make every answer later (and closer
// to its deadline): the work between the waits is plist coding on this
// computer's CPUs. With 32 simulated phones on 2 CPUs, 8 at once took
// 46–53 ms against 56–64 ms with 4 (interleaved runs, load average 4).
var maxParallelPhones = max(8, 4*runtime.GOMAXPROCS(0))

// forEachListed runs fn for every usbmuxd-listed phone, at most
// maxParallelPhones at once, all within budget (waiting for a turn
// included), and collects the results by phone key. A fixed set of workers
// takes the phones in turn: a worker's stack, grown by the plist work of its
// first phone, serves the next ones instead of growing again in a new
// goroutine per phone. Once ctx ends the remaining phones still get fn,
// which returns at once with ctx's error.
func forEachListed[T any](ctx context.Context, phones []phone, budget time.Duration, fn func(ctx context.Context, p phone) T) map[string]T {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	todo := make(chan phone, len(phones))
	for _, p := range phones {
		if p.entry != nil {
			todo <- p
		}
	}
	close(todo)
	out := make(map[string]T, len(todo))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(maxParallelPhones, len(todo)) {
		wg.Go(func() {
			for p := range todo {
				v := fn(ctx, p)
				mu.Lock()
				out[p.Key] = v
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

// listedCount is the number of phones forEachListed runs for.
func listedCount(phones []phone) int {
	n := 0
	for _, p := range phones {
		if p.entry != nil {
			n++
		}
	}
	return n
}

// usbmuxStatus is the host.usbmuxd.status of the run.
func (r *run) usbmuxStatus() string {
	if !r.muxList.Settled() {
		return report.UsbmuxdNotResponding
	}
	_, err := r.muxList.Get(context.Background())
	return string(usbmux.StatusOf(err))
}

// tasks are the checks of a run, in report order.
func (r *run) tasks() []Task {
	mk := func(id string, timeout time.Duration, fn func(ctx context.Context) (Outcome, error)) Task {
		return Task{ID: id, Label: Label(id), Timeout: timeout, Run: fn}
	}
	usbmuxT := 2*r.e.cfg.UsbmuxTimeout + 3*time.Second
	ldT := 4*r.e.cfg.UsbmuxTimeout + 14*time.Second
	rttT := ldT + max(r.opts.Window, 4*time.Second) + r.e.cfg.UsbmuxTimeout + 14*time.Second
	window := r.opts.Window
	stabilityLabel := Label(report.CheckUSBStability)
	if window > 0 {
		stabilityLabel = i18n.T("findings.label.usb_stability_window", i18n.Args{"Seconds": i18n.Num(window.Seconds(), 1)})
	}
	ts := []Task{
		// usb.presence may wait for the window (see checkPresence).
		mk(report.CheckUSBPresence, 8*time.Second+window+2*r.e.cfg.UsbmuxTimeout+time.Second, r.checkPresence),
		mk(report.CheckUSBLink, 8*time.Second, r.checkLink),
		{ID: report.CheckUSBStability, Label: stabilityLabel, Timeout: window + 2*r.e.cfg.UsbmuxTimeout + 9*time.Second, Run: r.checkStability},
		mk(report.CheckUSBControl, 20*time.Second, r.checkControl),
		mk(report.CheckUsbmuxHealth, usbmuxT, r.checkUsbmuxHealth),
		mk(report.CheckUsbmuxListing, usbmuxT+6*time.Second, r.checkUsbmuxListing),
		mk(report.CheckLockdownQuery, ldT, r.checkLockdownQuery),
		mk(report.CheckLockdownRTT, rttT, r.checkLockdownRTT),
		mk(report.CheckLockdownTrust, ldT, r.checkLockdownTrust),
	}
	return append(append(ts, r.hostTasks()...), r.backupTasks()...)
}

func (r *run) checkPresence(ctx context.Context) (Outcome, error) {
	scan, err := r.usbScan.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	phones, err := r.phones.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	if r.opts.Window > 0 && !anyConnected(phones) {
		// Nothing at the first look: a phone that came and went during the
		// window is still a phone on this bus, not usb.no_device.
		if sample, err := r.sample.Get(ctx); err == nil {
			phones = withWindowPhones(phones, sample)
		}
	}
	return checks.USBPresence(scan, checkPhones(phones))
}

// anyConnected reports whether a phone is on USB or listed by usbmuxd over USB.
func anyConnected(phones []phone) bool {
	for _, p := range phones {
		if p.USB != nil || (p.Mux != nil && p.Mux.ConnectionType != "Network") {
			return true
		}
	}
	return false
}

// withWindowPhones returns phones plus the phones the sampling window saw
// that the first scan and listing did not (same USB location or same UDID
// is the same phone), sorted by key.
func withWindowPhones(phones []phone, s sampleResult) []phone {
	out := slices.Clone(phones)
	keys, locs := map[string]bool{}, map[string]bool{}
	for _, p := range phones {
		keys[p.Key] = true
		if p.USB != nil {
			locs[p.USB.Location()] = true
		}
	}
	for _, p := range s.phones("") {
		if keys[p.Key] || (p.USB != nil && locs[p.USB.Location()]) {
			continue
		}
		p.WindowOnly = true
		keys[p.Key] = true
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b phone) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func (r *run) checkLink(ctx context.Context) (Outcome, error) {
	scan, err := r.usbScan.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	if scan.Err != nil {
		return Skipped(i18n.T("findings.skipped.usb_unreadable")), nil
	}
	phones, err := r.phones.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	return checks.USBLink(checkPhones(phones))
}

func (r *run) checkControl(ctx context.Context) (Outcome, error) {
	phones, err := r.phones.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	if _, ok := r.src.(usb.Opener); !ok {
		for _, p := range phones {
			if p.USB != nil && p.Mode.IsLowLevel() {
				return Skipped(i18n.T("findings.skipped.no_control_transfers")), nil
			}
		}
	}
	probes, err := r.control.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	return checks.USBControl(checkPhones(phones), probes)
}

func (r *run) checkUsbmuxHealth(ctx context.Context) (Outcome, error) {
	ml, err := r.muxList.Get(ctx)
	if err != nil && errors.Is(err, context.Canceled) {
		return Outcome{}, err
	}
	h := checks.MuxHealth{Address: r.addr.String(), Status: string(usbmux.StatusOf(err)), Err: err, Busy: errors.Is(err, usbmux.ErrBusy), Elapsed: ml.elapsed,
		StartsOnDemand: usbmux.StartsOnDemand(r.addr)}
	if h.StartsOnDemand {
		scan, serr := r.usbScan.Get(ctx)
		if serr != nil {
			return Outcome{}, serr
		}
		h.USBReadable = scan.Err == nil
		for _, d := range scan.Devices {
			if d.Mode == mode.Normal || d.Mode == mode.Restore {
				h.PhonesOnUSB++
			}
		}
	}
	return checks.UsbmuxHealth(h)
}

func (r *run) checkUsbmuxListing(ctx context.Context) (Outcome, error) {
	_, listErr := r.muxList.Get(ctx)
	scan, err := r.usbScan.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	phones, err := r.phones.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	return checks.UsbmuxListing(checkPhones(phones), listErr == nil, scan.Err == nil, nil)
}

func (r *run) checkLockdownQuery(ctx context.Context) (Outcome, error) {
	phones, ld, err := r.lockdownFacts(ctx)
	if err != nil {
		return Outcome{}, err
	}
	answers := map[string]checks.Lockdown{}
	for k, res := range ld {
		answers[k] = lockdownAnswer(res)
	}
	return checks.LockdownQuery(checkPhones(phones), answers)
}

func (r *run) lockdownFacts(ctx context.Context) ([]phone, map[string]lockdownResult, error) {
	phones, err := r.phones.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	ld, err := r.lockdown.Get(ctx)
	return phones, ld, err
}

// lockdownAnswer converts a QueryLockdown result for checks.LockdownQuery.
func lockdownAnswer(res lockdownResult) checks.Lockdown {
	a := checks.Lockdown{
		Err: res.err, QueryType: res.info.Type, ProductType: res.info.ProductType,
		ProductVersion: res.info.ProductVersion, BuildVersion: res.info.BuildVersion,
		DeviceName: res.info.DeviceName, Elapsed: res.info.Duration,
	}
	if res.err != nil {
		a.Timeout = errors.Is(res.err, usbmux.ErrNotResponding) || errors.Is(res.err, usbmux.ErrDropped) ||
			errors.Is(res.err, context.DeadlineExceeded)
		if res.info.Type != "" {
			// QueryType answered but a later request failed: that is lockdownd
			// dropping the conversation, a link symptom, not a broken check.
			a.Timeout = true
		}
	}
	return a
}

func (r *run) checkLockdownRTT(ctx context.Context) (Outcome, error) {
	phones, err := r.phones.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	stats, err := r.rtt.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	in := map[string]checks.RTTStats{}
	for k, st := range stats {
		in[k] = checks.RTTStats{Requests: st.Requests, Timeouts: st.Timeouts, Failures: st.Failures, Samples: st.Samples, Err: st.Err}
	}
	return checks.LockdownRTT(checkPhones(phones), in)
}

func (r *run) checkLockdownTrust(ctx context.Context) (Outcome, error) {
	phones, ld, err := r.lockdownFacts(ctx)
	if err != nil {
		return Outcome{}, err
	}
	modes := map[string]mode.Mode{}
	trust := map[string]checks.Trust{}
	for k, res := range ld {
		modes[k] = res.info.Mode
		t := checks.Trust{HasPairRecord: res.info.PairRecord, Reason: res.info.TrustDetail}
		switch tr := res.info.Trust.Trusted(); {
		case tr != nil:
			t.Known, t.Trusted = true, *tr
		default:
			t.Err = res.err
			if t.Err == nil && res.info.TrustDetail != "" {
				t.Err = errors.New(res.info.TrustDetail)
			}
		}
		trust[k] = t
	}
	return checks.LockdownTrust(checkPhones(phones), modes, trust)
}

func (r *run) checkStability(ctx context.Context) (Outcome, error) {
	if r.opts.Window <= 0 {
		return Skipped(i18n.T("findings.skipped.window_zero")), nil
	}
	s, err := r.sample.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	phones, err := r.phones.Get(ctx)
	if err != nil {
		return Outcome{}, err
	}
	out, err := checks.USBStability(r.opts.Window, s.byPhone(withWindowPhones(phones, s)), s.watched, s.failed)
	if f, ok := tooManyPhones(s.overflow); ok && err == nil {
		out.Findings = append(out.Findings, f)
	}
	return out, err
}

// checkPhones strips the raw entries for the checks.
func checkPhones(ps []phone) []checks.Phone {
	out := make([]checks.Phone, len(ps))
	for i, p := range ps {
		out[i] = p.Phone
	}
	return out
}
