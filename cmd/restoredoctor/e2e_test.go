package main

// End-to-end scenarios: the real restoredoctor binary, run under umockdev-run
// (real libusb/gousb on a fake bus from device/usb's fixtures) against the
// usbmuxd + lockdownd simulator on a unix socket (real go-ios client), with
// host checks pointed at loopback servers. Each scenario asserts the report
// contract (report.Validate), the findings, the primary step and that the
// binary returned before window + deadline + slack.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// binPath is the command-line build (-tags nowindow) TestMain builds, and
// guiPath the windowed build next to it (restoredoctor-gui), which binPath
// hands the window over to: the two programs make build installs.
var binPath, guiPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "restoredoctor-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "restoredoctor")
	guiPath = filepath.Join(dir, windowProgramName(runtime.GOOS))
	for _, b := range [][]string{{"build", "-tags", "nowindow", "-o", binPath, "."}, {"build", "-o", guiPath, "."}} {
		build := exec.Command("go", b...)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: go", strings.Join(b, " "), err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const e2eFixtureDir = "../../device/usb/testdata/umockdev"

// e2eFixture is one entry of device/usb's fixtures.json.
type e2eFixture struct {
	Name     string `json:"name"`
	Umockdev string `json:"umockdev"`
	Pcaps    []struct {
		Sysfs string `json:"sysfs"`
		File  string `json:"file"`
	} `json:"pcaps"`
}

var (
	e2eFixturesOnce sync.Once
	e2eFixtures     map[string]e2eFixture
	e2eFixturesErr  error
)

func e2eLoadFixture(t *testing.T, name string) e2eFixture {
	t.Helper()
	e2eFixturesOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(e2eFixtureDir, "fixtures.json"))
		if err != nil {
			e2eFixturesErr = err
			return
		}
		var list []e2eFixture
		if err := json.Unmarshal(b, &list); err != nil {
			e2eFixturesErr = err
			return
		}
		e2eFixtures = map[string]e2eFixture{}
		for _, f := range list {
			e2eFixtures[f.Name] = f
		}
	})
	if e2eFixturesErr != nil {
		t.Fatalf("USB fixtures: %v", e2eFixturesErr)
	}
	f, ok := e2eFixtures[name]
	if !ok {
		t.Fatalf("no USB fixture %q in %s/fixtures.json", name, e2eFixtureDir)
	}
	return f
}

// withProbeAnswers copies a usbmon capture and appends n more answers to
// GET_DESCRIPTOR(device): the capture's first transfer (the serial read
// starts with exactly that request), so a recovery/DFU phone answers the
// engine's control probe after its serial was read.
func withProbeAnswers(t *testing.T, src string, n int) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const global, recHdr = 24, 16
	if len(b) < global+recHdr {
		t.Fatalf("%s: too short for a pcap", src)
	}
	// The first two records: submit and completion of the device descriptor.
	off := global
	var recs [][]byte
	for range 2 {
		if off+recHdr > len(b) {
			t.Fatalf("%s: truncated record", src)
		}
		l := int(binary.LittleEndian.Uint32(b[off+8:]))
		if off+recHdr+l > len(b) || l < 8 {
			t.Fatalf("%s: bad record length %d", src, l)
		}
		recs = append(recs, b[off:off+recHdr+l])
		off += recHdr + l
	}
	if recs[0][recHdr+8] != 'S' || recs[1][recHdr+8] != 'C' {
		t.Fatalf("%s: first records are not a submit/completion pair", src)
	}
	out := bytes.Clone(b)
	for i := range n {
		for _, r := range recs {
			c := bytes.Clone(r)
			binary.LittleEndian.PutUint64(c[recHdr:], uint64(0x9000+i)) // urb id
			binary.LittleEndian.PutUint32(c[0:], uint32(100+i))         // ts_sec
			out = append(out, c...)
		}
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// startSim starts the simulator in-process on a unix socket.
func startSim(t *testing.T, scenario string) *sim.Server {
	t.Helper()
	var sc sim.Scenario
	var err error
	if scenario == "phones-a-b" {
		sc = sim.Scenario{Name: scenario, Phones: []sim.Phone{sim.PhoneA(), sim.PhoneB()}}
	} else if sc, err = sim.Builtin(scenario); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "rdmux") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sim.Start(ctx, "unix://"+filepath.Join(dir, "mux"), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// blackhole accepts TCP connections on loopback and never answers: a
// middlebox that swallows the TLS handshake.
func blackhole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// tlsServer is a loopback HTTPS server and the PEM file of its certificate.
func tlsServer(t *testing.T) (addr, caFile string) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(srv.URL, "https://"), caFile
}

// scenario is one end-to-end case.
type scenario struct {
	name string
	// usb is the device/usb fixture; probes adds that many answered control probes.
	usb    string
	probes int
	// sim is the simulator scenario; "" runs no usbmuxd at all.
	sim    string
	window time.Duration
	// args are extra CLI arguments; network is "off" (--no-network),
	// "ok" (a loopback TLS server and its CA) or "blackhole".
	args     []string
	network  string
	hostsMap string // a hosts file line to write and pass with --hosts-file
	// want are the device/usbmuxd/lockdown/USB finding ids, exactly; wantHost
	// are host finding ids that must be present.
	want, wantHost []string
	primary        int // 0: null
	professional   bool
	mode           string // devices[0].mode; "" when no device
	checks         map[string]string
	// ndevices, when set, is the number of devices expected (else 1, or 0 without mode).
	ndevices int
	// device, when set, checks devices[0] further.
	device func(t *testing.T, d report.Device)
}

// hostFindingIDs are findings about this computer whose presence depends on
// the machine the test runs on (security software, installed software).
var machineDependent = []string{report.FindingHostSecuritySoftware, report.FindingHostSoftwareOutdated}

func TestE2EScenarios(t *testing.T) {
	if _, err := exec.LookPath("umockdev-run"); err != nil {
		t.Fatal("umockdev-run not found: install umockdev (make deps)")
	}
	scenarios := []scenario{
		{name: "healthy", usb: "iphone-normal", sim: "healthy", window: 2 * time.Second, network: "ok",
			want: nil, primary: 0, mode: "normal",
			checks: map[string]string{
				report.CheckUSBPresence: report.StatusPass, report.CheckUSBLink: report.StatusPass, report.CheckUSBStability: report.StatusPass,
				report.CheckUSBControl: report.StatusSkipped, report.CheckUsbmuxHealth: report.StatusPass, report.CheckUsbmuxListing: report.StatusPass,
				report.CheckLockdownQuery: report.StatusPass, report.CheckLockdownRTT: report.StatusPass, report.CheckLockdownTrust: report.StatusPass,
				report.CheckHostAppleServers: report.StatusPass, report.CheckHostHostsFile: report.StatusPass,
			},
			device: func(t *testing.T, d report.Device) {
				l := d.Lockdown
				if d.Model.Name != "iPhone 13 Pro Max" || d.Model.ProductType != "iPhone14,3" || d.Model.RecoveryButtons != "face-id-or-8-later" ||
					!d.USB.Present || d.USB.SpeedMbps != 480 || d.USB.ProductID != "12a8" || !slices.Equal(d.USB.PortPath, []int{2}) || d.USB.BehindHub ||
					!d.Usbmux.Listed || !l.Reachable || l.ProductVersion != "17.5.1" || l.Trusted == nil || !*l.Trusted ||
					l.Requests != 10 || l.Timeouts != 0 || l.Failures != 0 || l.RTTms.P95 <= 0 || d.Stability.WindowS != 2 || d.Stability.Detaches != 0 ||
					!report.IsRedacted(d.Key) {
					t.Errorf("device %+v", d)
				}
			}},
		// The simulator re-attaches every 1.5 s (a 3 s cycle): any 5 s window
		// holds at least one detach followed by a same-mode re-attach.
		{name: "flapping", usb: "iphone-normal", sim: "flapping", window: 5 * time.Second, network: "off",
			want: []string{report.FindingUSBUnstable}, primary: 1, mode: "normal",
			checks: map[string]string{report.CheckHostAppleServers: report.StatusSkipped}},
		{name: "full-speed", usb: "iphone-normal-fullspeed", sim: "full-speed", network: "off",
			want: []string{report.FindingUSBFullSpeed}, primary: 1, mode: "normal",
			checks: map[string]string{report.CheckUSBLink: report.StatusWarn, report.CheckUSBStability: report.StatusSkipped}},
		{name: "behind-hub", usb: "iphone-normal-hub", sim: "behind-hub", network: "off",
			want: []string{report.FindingUSBBehindHub}, primary: 1, mode: "normal"},
		{name: "slow-lockdown", usb: "iphone-normal", sim: "slow-lockdown", network: "off", args: []string{"--lockdown-requests", "4"},
			want: []string{report.FindingLockdownSlow}, primary: 4, mode: "normal"},
		{name: "lockdown-drops", usb: "iphone-normal", sim: "lockdown-drops", network: "off",
			want: []string{report.FindingLockdownTimeouts}, primary: 1, mode: "normal"},
		{name: "untrusted", usb: "iphone-normal", sim: "untrusted", network: "off",
			want: []string{report.FindingLockdownUntrusted}, primary: 0, mode: "normal",
			checks: map[string]string{report.CheckLockdownTrust: report.StatusWarn}},
		{name: "usbmuxd-down", usb: "iphone-normal", sim: "", network: "off",
			want: []string{report.FindingUsbmuxUnreachable}, primary: 2, mode: "normal",
			checks: map[string]string{report.CheckUsbmuxHealth: report.StatusFail, report.CheckUsbmuxListing: report.StatusSkipped}},
		{name: "usbmuxd-hung", usb: "iphone-normal", sim: "hung", network: "off",
			want: []string{report.FindingUsbmuxNotResponding}, primary: 4, mode: "normal"},
		{name: "usbmuxd-garbage", usb: "iphone-normal", sim: "garbage", network: "off",
			want: []string{report.FindingUsbmuxNotResponding}, primary: 4, mode: "normal"},
		// Restore mode: same USB identity as normal, QueryType says restored.
		// A restore is in progress: a finding that says so (never "no fault
		// found, try the restore again"), no step.
		{name: "restore-mode", usb: "iphone-normal", sim: "restore", network: "off",
			want: []string{report.FindingDeviceRestoreMode}, primary: 0, mode: "restore",
			checks: map[string]string{report.CheckLockdownQuery: report.StatusPass, report.CheckLockdownTrust: report.StatusPass}},
		{name: "recovery", usb: "iphone-recovery", probes: 5, sim: "recovery", network: "off",
			want: []string{report.FindingDeviceRecoveryMode}, primary: 5, mode: "recovery",
			checks: map[string]string{report.CheckUSBControl: report.StatusPass, report.CheckLockdownQuery: report.StatusSkipped},
			device: func(t *testing.T, d report.Device) {
				r := d.Recovery
				if d.Model.Name != "iPhone 13 Pro Max" || d.Model.RecoveryButtons != "face-id-or-8-later" || d.USB.ProductID != "1281" || d.Usbmux.Listed ||
					r == nil || r.CPID != "8110" || r.BDID != "0E" || !report.IsRedacted(r.ECID) || r.SRTG != "iBoot-10151.41.12" {
					t.Errorf("device %+v recovery %+v", d, r)
				}
			}},
		{name: "recovery-control-timeouts", usb: "iphone-recovery-probe", sim: "recovery", network: "off",
			want: []string{report.FindingDeviceRecoveryMode, report.FindingUSBControlTimeouts}, primary: 1, mode: "recovery"},
		{name: "dfu", usb: "iphone-dfu", probes: 5, sim: "dfu", network: "off",
			want: []string{report.FindingDeviceDFUMode}, primary: 5, mode: "dfu"},
		// Two phones, A direct and B behind a hub: one device each, the hub
		// finding only for B.
		{name: "two-phones", usb: "two-iphones", sim: "phones-a-b", network: "off",
			want: []string{report.FindingUSBBehindHub}, primary: 1, ndevices: 2},
		{name: "no-phone", usb: "no-apple", sim: "none", network: "off",
			want: []string{report.FindingUSBNoDevice}, primary: 1, mode: ""},
		{name: "servers-blocked", usb: "iphone-normal", sim: "healthy", network: "blackhole",
			want: nil, wantHost: []string{report.FindingHostServersUnreachable}, primary: 3, mode: "normal",
			checks: map[string]string{report.CheckHostAppleServers: report.StatusFail}},
		{name: "hosts-file-redirect", usb: "iphone-normal", sim: "healthy", network: "off", hostsMap: "127.0.0.1 gs.apple.com",
			want: nil, wantHost: []string{report.FindingHostHostsFileRedirect}, primary: 3, mode: "normal",
			checks: map[string]string{report.CheckHostHostsFile: report.StatusFail}},
		{name: "tried-cable-computer-flapping", usb: "iphone-normal", sim: "flapping", window: 5 * time.Second, network: "off", mode: "normal",
			args: []string{"--tried", "cable,computer"},
			want: []string{report.FindingUSBUnstable}, primary: 1, professional: true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runScenario(t, sc)
		})
	}
}

func runScenario(t *testing.T, sc scenario) {
	fx := e2eLoadFixture(t, sc.usb)
	args := []string{"-d", filepath.Join(e2eFixtureDir, fx.Umockdev)}
	for _, p := range fx.Pcaps {
		file := filepath.Join(e2eFixtureDir, p.File)
		if sc.probes > 0 {
			file = withProbeAnswers(t, file, sc.probes)
		}
		args = append(args, "-p", p.Sysfs+"="+file)
	}
	muxAddr := "unix://" + filepath.Join(t.TempDir(), "no-usbmuxd-here")
	if sc.sim != "" {
		muxAddr = startSim(t, sc.sim).Addr()
	}
	cli := []string{binPath, "check", "--json", "--window", sc.window.String(), "--usbmuxd", muxAddr}
	switch sc.network {
	case "off":
		cli = append(cli, "--no-network")
	case "ok":
		addr, ca := tlsServer(t)
		cli = append(cli, "--apple-hosts", addr, "--apple-ca", ca)
	case "blackhole":
		_, ca := tlsServer(t)
		cli = append(cli, "--apple-hosts", blackhole(t), "--apple-ca", ca)
	}
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("127.0.0.1 localhost\n::1 localhost\n"+sc.hostsMap+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cli = append(cli, "--hosts-file", hosts)
	cli = append(cli, sc.args...)
	args = append(append(args, "--"), cli...)

	// Deadline: the window, the slowest check's own deadlines (usbmuxd
	// request 2 s, TLS stages 3 s each) and generous slack for a loaded
	// 2-core machine.
	limit := sc.window + 25*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), limit+30*time.Second)
	defer cancel()
	start := time.Now()
	cmd, stdout, stderr, err := runUmockdev(t, func() *exec.Cmd {
		cmd := exec.CommandContext(ctx, "umockdev-run", args...)
		cmd.Env = append(os.Environ(), "USBMUXD_SOCKET_ADDRESS=")
		return cmd
	})
	elapsed := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit %d, want 0\nstderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}
	if elapsed > limit {
		t.Errorf("took %v, want under %v (window %v)", elapsed, limit, sc.window)
	}
	t.Logf("%s: %v", sc.name, elapsed.Round(10*time.Millisecond))

	out := stdout.Bytes()
	if err := report.Validate(out); err != nil {
		t.Fatalf("report does not validate: %v\n%s", err, out)
	}
	if dec := json.NewDecoder(bytes.NewReader(out)); true {
		var first json.RawMessage
		if err := dec.Decode(&first); err != nil {
			t.Fatal(err)
		}
		if dec.More() {
			t.Fatalf("stdout holds more than one JSON value:\n%s", out)
		}
	}
	var rep report.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}

	var device, hostIDs []string
	machine := false
	for _, f := range rep.Findings {
		switch {
		case f.ID == report.FindingBackupLocal || f.ID == report.FindingBackupICloud:
			// Context for step 5, on every phone (TestEngineBackups, TestBackupLines).
		case slices.Contains(machineDependent, f.ID):
			machine = true
		case strings.HasPrefix(f.ID, "host."):
			hostIDs = append(hostIDs, f.ID)
		default:
			if !slices.Contains(device, f.ID) {
				device = append(device, f.ID)
			}
		}
	}
	slices.Sort(device)
	want := slices.Clone(sc.want)
	slices.Sort(want)
	if !slices.Equal(device, want) {
		t.Errorf("device findings %v, want %v\n%s", device, want, out)
	}
	for _, h := range sc.wantHost {
		if !slices.Contains(hostIDs, h) {
			t.Errorf("host finding %s missing (got %v)", h, hostIDs)
		}
	}
	if len(sc.wantHost) == 0 && len(hostIDs) > 0 {
		t.Errorf("unexpected host findings %v", hostIDs)
	}
	// The primary step is asserted when this machine adds no findings of
	// its own (installed software, security software) that compete for it.
	if !machine {
		got := 0
		if rep.PrimaryStep != nil {
			got = *rep.PrimaryStep
		}
		if got != sc.primary {
			t.Errorf("primary_step %d, want %d (0 = null)\n%s", got, sc.primary, out)
		}
	} else {
		t.Logf("primary step not asserted: this machine adds host findings")
	}
	if rep.Professional.Recommended != sc.professional {
		t.Errorf("professional.recommended = %v, want %v: %v", rep.Professional.Recommended, sc.professional, rep.Professional.Reasons)
	}
	switch {
	case sc.ndevices > 0:
		if len(rep.Devices) != sc.ndevices {
			t.Errorf("%d devices, want %d: %+v", len(rep.Devices), sc.ndevices, rep.Devices)
		}
		for _, d := range rep.Devices {
			if !d.USB.Present || !d.Usbmux.Listed || !d.Lockdown.Reachable {
				t.Errorf("device not merged across USB, usbmuxd and lockdownd: %+v", d)
			}
		}
		behind := 0
		for _, f := range rep.Findings {
			if f.ID == report.FindingUSBBehindHub {
				behind++
			}
		}
		if behind != 1 {
			t.Errorf("%d behind-hub findings, want 1 (phone B only)", behind)
		}
	case sc.mode == "" && len(rep.Devices) != 0:
		t.Errorf("devices %+v, want none", rep.Devices)
	case sc.mode != "" && (len(rep.Devices) != 1 || rep.Devices[0].Mode != sc.mode):
		t.Errorf("devices %+v, want one in mode %s", rep.Devices, sc.mode)
	}
	if sc.device != nil && len(rep.Devices) > 0 {
		sc.device(t, rep.Devices[0])
	}
	for id, st := range sc.checks {
		found := false
		for _, c := range rep.Checks {
			if c.ID == id {
				found = true
				if c.Status != st {
					t.Errorf("check %s: %s (%s), want %s", id, c.Status, c.Detail, st)
				}
			}
		}
		if !found {
			t.Errorf("check %s missing", id)
		}
	}
	// Every finding about a phone carries the steps it supports (or a fix
	// text of its own) and every applying step has reasons.
	for _, s := range rep.Steps {
		if s.Applies && len(s.Reasons) == 0 {
			t.Errorf("step %d applies without a reason", s.Number)
		}
	}
	if bytes.Contains(out, []byte("001A2B3C4D5E6F70")) || bytes.Contains(bytes.ToLower(out), []byte("a1b2c3d4e5f60718")) {
		t.Errorf("identifiers leaked into a default (redacted) report")
	}
}
