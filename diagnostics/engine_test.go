package diagnostics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/device/wintree"
	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// fakeHost keeps host checks off this machine in engine tests.
var fakeHost = HostChecks{
	AppleServers: func(ctx context.Context, _ host.ServerOptions) host.Result {
		return host.Result{ID: report.CheckHostAppleServers, Status: report.StatusPass, Detail: "fake"}
	},
	HostsFile: func(ctx context.Context, _ string) host.Result {
		return host.Result{ID: report.CheckHostHostsFile, Status: report.StatusPass, Detail: "fake"}
	},
	SecuritySoftware: func(ctx context.Context) host.Result {
		return host.Result{ID: report.CheckHostSecuritySoftware, Status: report.StatusPass, Detail: "fake"}
	},
	SoftwareVersions: func(ctx context.Context, _ string) host.Result {
		return host.Result{ID: report.CheckHostSoftwareVersions, Status: report.StatusPass, Detail: "fake"}
	},
}

func startSim(t testing.TB, name string) *sim.Server {
	t.Helper()
	sc, err := sim.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "rdsim")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sim.Start(ctx, sim.LocalAddress(dir), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func findingIDs(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if !slices.Contains(out, f.ID) {
			out = append(out, f.ID)
		}
	}
	slices.Sort(out)
	return out
}

func checkStatus(r *report.Report, id string) string {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}

func TestEngineAgainstSimulator(t *testing.T) {
	tests := []struct {
		scenario string
		window   time.Duration
		tried    rules.Tried
		want     []string // exactly these finding ids
		mode     string
		primary  int // 0 = null
		statuses map[string]string
	}{
		{"healthy", 2 * time.Second, rules.Tried{}, nil, "normal", 0, map[string]string{
			report.CheckUSBPresence: report.StatusPass, report.CheckUSBStability: report.StatusPass,
			report.CheckLockdownQuery: report.StatusPass, report.CheckLockdownTrust: report.StatusPass, report.CheckUSBControl: report.StatusSkipped,
		}},
		{"flapping", 4 * time.Second, rules.Tried{}, []string{report.FindingUSBUnstable}, "", 1, nil},
		{"full-speed", 0, rules.Tried{}, []string{report.FindingUSBFullSpeed}, "normal", 1, map[string]string{report.CheckUSBStability: report.StatusSkipped}},
		{"behind-hub", 0, rules.Tried{}, []string{report.FindingUSBBehindHub}, "normal", 1, nil},
		{"slow-lockdown", 0, rules.Tried{}, []string{report.FindingLockdownSlow}, "normal", 4, nil},
		{"lockdown-drops", 0, rules.Tried{}, []string{report.FindingLockdownTimeouts}, "normal", 1, nil},
		{"untrusted", 0, rules.Tried{}, []string{report.FindingLockdownUntrusted}, "normal", 0, nil},
		{"restore", 0, rules.Tried{}, []string{report.FindingDeviceRestoreMode}, "restore", 0, nil},
		{"recovery", 0, rules.Tried{}, []string{report.FindingDeviceRecoveryMode}, "recovery", 5, map[string]string{report.CheckUSBControl: report.StatusSkipped}},
		{"dfu", 0, rules.Tried{}, []string{report.FindingDeviceDFUMode}, "dfu", 5, nil},
		{"multi", 0, rules.Tried{}, []string{report.FindingUSBBehindHub}, "normal", 1, nil}, // Phone B sits behind a hub
		{"none", 0, rules.Tried{}, []string{report.FindingUSBNoDevice}, "", 1, nil},
		// usbmuxd down: usbmux.listing is skipped, so no device_missing on top.
		{"hung", 0, rules.Tried{}, []string{report.FindingUsbmuxNotResponding}, "normal", 4, map[string]string{report.CheckUsbmuxListing: report.StatusSkipped}},
		{"garbage", 0, rules.Tried{}, []string{report.FindingUsbmuxNotResponding}, "normal", 4, nil},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, tc.scenario)
			e := NewEngine(Config{USB: srv.USBSource(), Host: fakeHost, ToolVersion: "test"})
			ctx, cancel := context.WithTimeout(context.Background(), tc.window+40*time.Second)
			defer cancel()
			start := time.Now()
			var progress []Progress
			rep, err := e.Run(ctx, Options{Window: tc.window, UsbmuxdAddress: srv.Addr(), NoNetwork: true, Tried: tc.tried, LockdownRequests: 5}, func(p Progress) {
				progress = append(progress, p)
			})
			if err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			if elapsed > tc.window+15*time.Second {
				t.Errorf("run took %v", elapsed)
			}
			var buf bytes.Buffer
			if err := rep.JSON(&buf); err != nil {
				t.Fatal(err)
			}
			if err := report.Validate(buf.Bytes()); err != nil {
				t.Fatalf("invalid report: %v\n%s", err, buf.String())
			}
			if got := findingIDs(rep); !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v\n%s", got, tc.want, buf.String())
			}
			if tc.scenario == "multi" && len(rep.Devices) != 4 {
				t.Errorf("multi: %d devices, want 4", len(rep.Devices))
			}
			if tc.mode != "" && (len(rep.Devices) == 0 || rep.Devices[0].Mode != tc.mode) {
				t.Errorf("devices %+v, want mode %s", rep.Devices, tc.mode)
			}
			if (tc.primary == 0) != (rep.PrimaryStep == nil) || (rep.PrimaryStep != nil && *rep.PrimaryStep != tc.primary) {
				t.Errorf("primary step %v, want %d", rep.PrimaryStep, tc.primary)
			}
			for id, st := range tc.statuses {
				if got := checkStatus(rep, id); got != st {
					t.Errorf("check %s = %s, want %s", id, got, st)
				}
			}
			if len(progress) == 0 || progress[len(progress)-1].Done != len(rep.Checks) {
				t.Errorf("progress %+v", progress)
			}
			if strings.Contains(buf.String(), "001A2B3C4D5E6F70") {
				t.Errorf("identifier not redacted:\n%s", buf.String())
			}
		})
	}
}

func TestEngineRedactionOptional(t *testing.T) {
	srv := startSim(t, "healthy")
	e := NewEngine(Config{USB: srv.USBSource(), Host: fakeHost})
	rep, err := e.Run(context.Background(), Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Devices) != 1 || rep.Devices[0].Key != "ecid:001A2B3C4D5E6F70" {
		t.Fatalf("devices %+v", rep.Devices)
	}
	d := rep.Devices[0]
	if d.Model.Name != "iPhone 13 Pro Max" || d.Lockdown.ProductVersion != "17.5.1" || !d.Usbmux.Listed || !d.USB.Present || d.Lockdown.Trusted == nil || !*d.Lockdown.Trusted {
		t.Errorf("device %+v", d)
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), "001A2B3C4D5E6F70") {
		t.Error("identifiers dropped although included")
	}
}

func TestEngineBadAddress(t *testing.T) {
	e := NewEngine(Config{USB: usb.FuncSource(func(context.Context) ([]usb.Device, error) { return nil, nil }), Host: fakeHost})
	if _, err := e.Run(context.Background(), Options{UsbmuxdAddress: "ftp://x"}, nil); err == nil {
		t.Error("bad usbmuxd address: want error")
	}
}

// TestEngineRestoreTransitionIsNotAFlap: during the window the phone leaves
// and comes back in restore mode (same USB product id, lockdownd answers
// com.apple.mobile.restored). USB sees a same-mode re-enumeration, usbmuxd +
// lockdownd a mode change: no usb.unstable. A same-mode re-attach is a flap.
func TestEngineRestoreTransitionIsNotAFlap(t *testing.T) {
	for _, tc := range []struct {
		name       string
		next       func(p sim.Phone) sim.Phone
		wantFlaps  bool
		wantDetail string
	}{
		{"normal to restore", func(p sim.Phone) sim.Phone { p.Mode = mode.Restore; return p }, false, "0 drops, 0 returns in the same mode, 1 mode change"},
		{"normal to normal", func(p sim.Phone) sim.Phone { return p }, true, "1 drop, 1 return in the same mode, 0 mode changes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSim(t, "healthy")
			e := NewEngine(Config{USB: srv.USBSource(), Host: fakeHost, PollInterval: 100 * time.Millisecond})
			go func() {
				time.Sleep(700 * time.Millisecond)
				p := srv.Phones()[0]
				srv.Detach(p.DeviceID)
				time.Sleep(400 * time.Millisecond)
				n := tc.next(p)
				n.DeviceID, n.Address = 0, p.Address+1
				srv.Attach(n)
			}()
			rep, err := e.Run(context.Background(), Options{Window: 3 * time.Second, UsbmuxdAddress: srv.Addr(), NoNetwork: true, LockdownRequests: 3}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Contains(findingIDs(rep), report.FindingUSBUnstable)
			if got != tc.wantFlaps {
				t.Errorf("usb.unstable = %v, want %v; stability: %+v", got, tc.wantFlaps, rep.Checks[2])
			}
			if rep.Checks[2].ID != report.CheckUSBStability || !strings.Contains(rep.Checks[2].Detail, tc.wantDetail) {
				t.Errorf("stability check %+v", rep.Checks[2])
			}
		})
	}
}

// TestEngineUSBFailures: libusb unusable → usb.unavailable (a finding, the
// run goes on); a USB source that panics or hangs → usb.presence error with
// the reason, never a silent pass, and the run still returns.
func TestEngineUSBFailures(t *testing.T) {
	dir := testtmp.Dir(t)
	noMux := "unix://" + filepath.Join(dir, "none")
	hang := make(chan struct{})
	defer close(hang)
	tests := []struct {
		name     string
		src      usb.Source
		status   string
		detail   string
		findings []string
	}{
		{"unavailable", usb.FuncSource(func(context.Context) ([]usb.Device, error) {
			return nil, &usb.UnavailableError{Op: "init", Err: errors.New("LIBUSB_ERROR_OTHER")}
		}), report.StatusWarn, "USB not readable", []string{report.FindingUSBUnavailable, report.FindingUsbmuxUnreachable}},
		{"other scan error", usb.FuncSource(func(context.Context) ([]usb.Device, error) {
			return nil, errors.New("bus went away")
		}), report.StatusError, "bus went away", []string{report.FindingUsbmuxUnreachable}},
		{"panics", usb.FuncSource(func(context.Context) ([]usb.Device, error) { panic("libusb exploded") }),
			report.StatusError, "panicked", []string{report.FindingUsbmuxUnreachable}},
		{"hangs", usb.FuncSource(func(context.Context) ([]usb.Device, error) { <-hang; return nil, nil }),
			report.StatusError, "did not finish", []string{report.FindingUsbmuxUnreachable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(Config{USB: tc.src, Host: fakeHost})
			start := time.Now()
			rep, err := e.Run(context.Background(), Options{UsbmuxdAddress: noMux, NoNetwork: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el > 20*time.Second {
				t.Errorf("took %v", el)
			}
			c := rep.Checks[0]
			if c.ID != report.CheckUSBPresence || c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("usb.presence %+v, want %s containing %q", c, tc.status, tc.detail)
			}
			if got := findingIDs(rep); !slices.Equal(got, tc.findings) {
				t.Errorf("findings %v, want %v", got, tc.findings)
			}
			var buf bytes.Buffer
			if err := rep.JSON(&buf); err != nil {
				t.Fatal(err)
			}
			if err := report.Validate(buf.Bytes()); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestEngineFlappingPhoneAbsentAtSnapshotAndEnd: the phone is unplugged when
// the run starts, flaps during the window and is gone again at its end. The
// report must still describe it (last known facts, usb.present false because
// it is absent at the end of the window) and must not claim usb.no_device
// while usb.unstable says it came and went.
func TestEngineFlappingPhoneAbsentAtSnapshotAndEnd(t *testing.T) {
	srv := startSim(t, "healthy")
	p := srv.Phones()[0]
	srv.Detach(p.DeviceID)
	e := NewEngine(Config{USB: srv.USBSource(), Host: fakeHost, PollInterval: 50 * time.Millisecond})
	done := make(chan struct{})
	go func() {
		defer close(done)
		id := 0
		for i := range 6 {
			time.Sleep(400 * time.Millisecond)
			if i%2 == 0 {
				n := p
				n.DeviceID, n.Address = 0, p.Address+1+i
				id = srv.Attach(n)
			} else {
				srv.Detach(id)
			}
		}
	}()
	rep, err := e.Run(context.Background(), Options{Window: 3500 * time.Millisecond, UsbmuxdAddress: srv.Addr(), NoNetwork: true, LockdownRequests: 2, IncludeIdentifiers: true}, nil)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.JSON(&buf); err != nil {
		t.Fatal(err)
	}
	if err := report.Validate(buf.Bytes()); err != nil {
		t.Fatalf("invalid report: %v\n%s", err, buf.String())
	}
	ids := findingIDs(rep)
	if slices.Contains(ids, report.FindingUSBNoDevice) || !slices.Contains(ids, report.FindingUSBUnstable) {
		t.Errorf("findings %v, want usb.unstable and no usb.no_device\n%s", ids, buf.String())
	}
	if len(rep.Devices) != 1 {
		t.Fatalf("%d devices, want the phone seen during the window\n%s", len(rep.Devices), buf.String())
	}
	d := rep.Devices[0]
	if d.Key != "ecid:001A2B3C4D5E6F70" || d.Mode != "normal" || d.USB.Present || d.USB.ProductID != "12a8" || d.USB.Bus != 1 ||
		d.Usbmux.Listed || d.Stability.Detaches < 2 || d.Stability.Attaches < 2 {
		t.Errorf("device %+v", d)
	}
	if c := checkStatus(rep, report.CheckUSBPresence); c != report.StatusPass && c != report.StatusWarn {
		t.Errorf("usb.presence %s", c)
	}
}

// TestEngineHostProbesExplicit: an engine given no host probes runs none
// (each host check is skipped as not configured), whatever this machine has
// installed; --no-network still says why the network check was skipped.
func TestEngineHostProbesExplicit(t *testing.T) {
	srv := startSim(t, "healthy")
	e := NewEngine(Config{USB: srv.USBSource()})
	defer e.Close()
	for _, noNet := range []bool{false, true} {
		rep, err := e.Run(context.Background(), Options{UsbmuxdAddress: srv.Addr(), NoNetwork: noNet}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Checks {
			if !strings.HasPrefix(c.ID, "host.") {
				continue
			}
			if c.Status != report.StatusSkipped {
				t.Errorf("noNetwork=%v %s: %s %q, want skipped", noNet, c.ID, c.Status, c.Detail)
			}
			want := notConfigured()
			if noNet && c.ID == report.CheckHostAppleServers {
				want = "--no-network: Apple's servers were not contacted"
			}
			if c.Detail != want {
				t.Errorf("noNetwork=%v %s detail %q, want %q", noNet, c.ID, c.Detail, want)
			}
		}
	}
	// The production set is complete.
	sys := SystemHostChecks()
	if sys.AppleServers == nil || sys.HostsFile == nil || sys.SecuritySoftware == nil || sys.SoftwareVersions == nil {
		t.Errorf("SystemHostChecks has a nil probe: %+v", sys)
	}
}

// TestEngineNoUSBSource: an engine given no USB source does not open this
// machine's libusb; the USB checks say there is no source.
func TestEngineNoUSBSource(t *testing.T) {
	srv := startSim(t, "healthy")
	e := NewEngine(Config{Host: fakeHost})
	rep, err := e.Run(context.Background(), Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, LockdownRequests: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Checks[0]
	if c.ID != report.CheckUSBPresence || c.Status != report.StatusError || !strings.Contains(c.Detail, "no USB source") {
		t.Errorf("usb.presence %+v", c)
	}
	// usbmuxd still lists the phone.
	if len(rep.Devices) != 1 || !rep.Devices[0].Usbmux.Listed {
		t.Errorf("devices %+v", rep.Devices)
	}
}

// TestEngineWindowsDeviceTree: on Windows the engine reads the device tree
// too; a phone Windows has no driver for is a finding that points to step 2.
func TestEngineWindowsDeviceTree(t *testing.T) {
	tree := func(context.Context) ([]wintree.Device, error) {
		return []wintree.Device{{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Problem: wintree.ProblemNoDriver}}, nil
	}
	none := usb.FuncSource(func(context.Context) ([]usb.Device, error) { return []usb.Device{}, nil })
	e := NewEngine(Config{USB: none, Host: fakeHost, DeviceTree: tree})
	defer e.Close()
	rep, err := e.Run(context.Background(), Options{UsbmuxdAddress: "tcp://127.0.0.1:1", NoNetwork: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, f := range rep.Findings {
		if f.ID == report.FindingUSBDriverMissing {
			found = slices.Contains(f.Steps, 2)
		}
	}
	if !found {
		t.Fatalf("no usb.driver_missing finding supporting step 2 in %+v", rep.Findings)
	}
	for _, st := range rep.Steps {
		if st.Number == 2 && !st.Applies {
			t.Errorf("step 2 does not apply: %+v", st)
		}
	}
}

// TestEngineDescribesPhoneThatArrivesDuringWindow: a phone away at the quick
// pass that comes during the window is reported with the model and iOS
// version lockdownd gave when it came, not as "Unknown Apple device".
func TestEngineDescribesPhoneThatArrivesDuringWindow(t *testing.T) {
	srv := startSim(t, "none")
	e := NewEngine(Config{Host: fakeHost})
	defer e.Close()
	go func() {
		time.Sleep(300 * time.Millisecond)
		srv.Attach(sim.PhoneA())
	}()
	rep, err := e.Run(context.Background(), Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, Window: 1500 * time.Millisecond, LockdownRequests: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Devices) != 1 {
		t.Fatalf("devices %+v, want the phone that came during the window", rep.Devices)
	}
	d := rep.Devices[0]
	want := sim.PhoneA()
	if d.Model.ProductType != want.ProductType || d.Lockdown.ProductVersion != want.ProductVersion {
		t.Errorf("device %+v, want %s iOS %s", d, want.ProductType, want.ProductVersion)
	}
}

func TestProbeRequests(t *testing.T) {
	for _, tc := range []struct{ perPhone, phones, want int }{
		{10, 0, 10}, {10, 1, 10}, {10, 4, 10}, {10, 5, 8}, {10, 8, 5}, {10, 13, 3}, {10, 14, 3}, {10, 32, 3}, {10, 64, 3},
		{3, 32, 3}, {1, 64, 1}, {2, 32, 2}, {100, 1, 100}, {100, 4, 100}, {100, 8, 50}, {1000, 64, 62},
	} {
		if got := ProbeRequests(tc.perPhone, tc.phones); got != tc.want {
			t.Errorf("ProbeRequests(%d, %d) = %d, want %d", tc.perPhone, tc.phones, got, tc.want)
		}
	}
}

// TestProbeRequestsInReport: with eight phones each is timed with its share
// of round trips, and the report says how many.
func TestProbeRequestsInReport(t *testing.T) {
	dir, err := os.MkdirTemp("", "rdsim")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	srv, err := sim.Start(context.Background(), sim.LocalAddress(dir), sim.Multi(8), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e := NewEngine(Config{USB: srv.USBSource(), Logger: slog.New(slog.DiscardHandler), Host: fakeHost})
	r, err := e.Run(context.Background(), Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, IncludeIdentifiers: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := ProbeRequests(DefaultLockdownRequests, 8)
	for _, c := range r.Checks {
		if c.ID != report.CheckLockdownRTT {
			continue
		}
		if n := strings.Count(c.Detail, fmt.Sprintf(": %d requests,", want)); n != 8 || want != 5 {
			t.Errorf("lockdown.rtt detail %q: %d phones with %d requests, want 8 with 5", c.Detail, n, want)
		}
		return
	}
	t.Fatal("no lockdown.rtt check")
}
