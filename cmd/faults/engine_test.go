package faults

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// engineRun runs the whole diagnostics engine against srv (its USB view
// included) with the real host checks minus the network, and returns the
// report after checking it against the JSON contract.
func engineRun(t *testing.T, srv *sim.Server, window, muxTimeout, limit time.Duration) *report.Report {
	t.Helper()
	e := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), UsbmuxTimeout: muxTimeout, PollInterval: 50 * time.Millisecond})
	defer e.Close()
	var rep *report.Report
	var err error
	within(t, limit, "Engine.Run", func() {
		rep, err = e.Run(context.Background(), diagnostics.Options{
			UsbmuxdAddress: srv.Addr(), Window: window, NoNetwork: true,
			HostsFile: filepath.Join(t.TempDir(), "no-hosts"),
		}, nil)
	})
	if err != nil {
		t.Fatalf("Engine.Run: %v", err)
	}
	var buf bytes.Buffer
	if err := rep.JSON(&buf); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	if err := report.Validate(buf.Bytes()); err != nil {
		t.Errorf("report breaks the contract: %v", err)
	}
	return rep
}

func findingIDs(rep *report.Report) []string {
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

func checkByID(rep *report.Report, id string) report.Check {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	return report.Check{}
}

// The whole engine against a broken usbmuxd: it returns promptly with the
// finding that names the fault, and the USB side of the report is intact.
func TestEngineAgainstBrokenUsbmuxd(t *testing.T) {
	guard(t)
	const muxTimeout = 500 * time.Millisecond
	cases := []struct {
		scenario string
		status   string
		finding  string
	}{
		{"hung", report.UsbmuxdNotResponding, report.FindingUsbmuxNotResponding},
		{"garbage", report.UsbmuxdError, ""},
		{"garbage-not-plist", report.UsbmuxdError, ""},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			sc, err := sim.Builtin(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			srv := startSim(t, sc)
			// Every usbmuxd step is bounded by muxTimeout; a handful run in sequence.
			rep := engineRun(t, srv, 0, muxTimeout, 10*muxTimeout+slack)
			if rep.Host.Usbmuxd.Status != tc.status {
				t.Errorf("usbmuxd status = %q, want %q", rep.Host.Usbmuxd.Status, tc.status)
			}
			if tc.finding != "" && !hasID(rep.Findings, tc.finding) {
				t.Errorf("findings %v, want %s", findingIDs(rep), tc.finding)
			}
			if st := checkByID(rep, report.CheckUsbmuxHealth).Status; st == report.StatusPass || st == "" {
				t.Errorf("usbmux.health = %q, want a failure", st)
			}
			if len(rep.Devices) != 1 || !rep.Devices[0].USB.Present {
				t.Errorf("the phone on USB got lost from the report: %+v", rep.Devices)
			}
		})
	}
}

// A phone that flaps during the sampling window, and one that leaves in the
// middle of the lockdown probes: the run ends on time with the right finding
// (or an honest error), never hangs.
func TestEngineDeviceLeavesMidRun(t *testing.T) {
	guard(t)
	t.Run("flapping during the window", func(t *testing.T) {
		srv := startSim(t, sim.Scenario{Name: "flap", Phones: []sim.Phone{sim.PhoneA()}, FlapInterval: 150 * time.Millisecond})
		rep := engineRun(t, srv, 2*time.Second, time.Second, 2*time.Second+30*time.Second)
		if !hasID(rep.Findings, report.FindingUSBUnstable) {
			t.Errorf("findings %v, want %s", findingIDs(rep), report.FindingUSBUnstable)
		}
	})
	t.Run("detached during lockdown probes", func(t *testing.T) {
		srv := startSim(t, sim.Scenario{Name: "slow", Phones: []sim.Phone{sim.PhoneA()}, LockdownLatency: 60 * time.Millisecond})
		go func() {
			time.Sleep(250 * time.Millisecond)
			for _, p := range srv.Phones() {
				srv.Detach(p.DeviceID)
			}
		}()
		rep := engineRun(t, srv, 0, time.Second, 30*time.Second)
		for _, id := range []string{report.CheckLockdownQuery, report.CheckLockdownRTT} {
			c := checkByID(rep, id)
			if c.Status == "" {
				t.Errorf("check %s missing from the report", id)
			}
			t.Logf("%s: %s %q", id, c.Status, c.Detail)
		}
	})
}

// The real `restoredoctor watch` while usbmuxd stops and comes back at the
// same socket: it keeps running, says usbmuxd went away, reports a phone
// plugged in after the restart, and stops cleanly on SIGINT.
func TestWatchProcessSurvivesUsbmuxdRestart(t *testing.T) {
	guard(t)
	bin := buildBinary(t, "restoredoctor")
	dir := sockDir(t)
	addr := "unix://" + dir + "/mux.sock"
	srv, err := sim.Start(context.Background(), addr, sim.Scenario{Name: "before"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "watch", "--no-checks", "--usbmuxd", addr, "--interval", "200ms")
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 1024)
	var rd sync.WaitGroup
	rd.Add(1)
	go func() {
		defer rd.Done()
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	go func() { rd.Wait(); exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	var seen []string
	expect := func(what string, match func(string) bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("watch exited while waiting for %s; output:\n%s\nstderr: %s", what, strings.Join(seen, "\n"), stderr.String())
				}
				seen = append(seen, l)
				if match(l) {
					return
				}
			case <-deadline:
				t.Fatalf("no %s line within 20s; output:\n%s\nstderr: %s", what, strings.Join(seen, "\n"), stderr.String())
			}
		}
	}
	attach := func(l string) bool { return strings.Contains(l, " attach ") && strings.Contains(l, "usbmux") }
	waitFor(t, 20*time.Second, "watch sends Listen", func() bool { return srv.Stats().Requests["Listen"] > 0 })
	srv.Attach(sim.PhoneA())
	expect("attach before the restart", attach)

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	expect("usbmuxd gone", func(l string) bool {
		return strings.Contains(l, "usbmux") && (strings.Contains(l, "disconnect") || strings.Contains(l, "lost") || strings.Contains(l, "unreachable") || strings.Contains(l, "detach"))
	})
	time.Sleep(300 * time.Millisecond)
	srv2, err := sim.Start(context.Background(), addr, sim.Scenario{Name: "after"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv2.Close() })
	waitFor(t, 30*time.Second, "watch reconnects (Listen on the new usbmuxd)", func() bool { return srv2.Stats().Requests["Listen"] > 0 })
	srv2.Attach(sim.PhoneB())
	expect("attach after the restart", attach)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("watch exit after SIGINT: %v (stderr: %s)", err, stderr.String())
		}
	case <-time.After(slack):
		t.Fatal("watch did not stop within 5 s of SIGINT")
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Errorf("stderr mentions a panic: %s", stderr.String())
	}
	_, _ = io.Copy(io.Discard, stdout)
}

// The real `restoredoctor check --json` against a hung usbmuxd: it exits 0
// (the check ran) well before its own --timeout, prints one valid report
// naming usbmuxd as not responding.
func TestCheckProcessAgainstHungUsbmuxd(t *testing.T) {
	guard(t)
	bin := buildBinary(t, "restoredoctor")
	sc, err := sim.Builtin("hung")
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, sc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "check", "--json", "--window", "0", "--no-network", "--timeout", "60s",
		"--hosts-file", os.DevNull, "--usbmuxd", srv.Addr())
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err = cmd.Run()
	took := time.Since(t0)
	if ctx.Err() != nil {
		t.Fatalf("check still running after 2 min against a hung usbmuxd")
	}
	if err != nil {
		t.Fatalf("check: %v (stderr: %s)", err, stderr.String())
	}
	// Each usbmuxd request is bounded by 2 s; far below the 60 s --timeout.
	if took > 30*time.Second {
		t.Errorf("check took %v against a hung usbmuxd; each request is bounded by seconds", took)
	}
	if err := report.Validate(stdout.Bytes()); err != nil {
		t.Fatalf("output is not one valid report: %v\n%s", err, stdout.String())
	}
	for _, want := range []string{`"status": "not_responding"`, report.FindingUsbmuxNotResponding} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	t.Logf("check against a hung usbmuxd returned in %v", took)
}

// The whole engine's Apple-server check (--apple-hosts, --apple-ca) against
// one server that stalls after a verified handshake and one that never says
// hello: the run ends within the per-stage deadlines, the first counts as
// reached, the second as unreachable.
func TestEngineAppleServersStall(t *testing.T) {
	guard(t)
	cert, _ := selfSigned(t, "gs.apple.com")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pemCert(cert.Certificate[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	afterHandshake := stallServer(t, func(c net.Conn, stop <-chan struct{}) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		_ = tc.SetDeadline(time.Now().Add(30 * time.Second))
		if tc.Handshake() == nil {
			<-stop
		}
	})
	silent := stallServer(t, func(c net.Conn, stop <-chan struct{}) { <-stop })
	srv := startSim(t, sim.Scenario{Name: "healthy", Phones: []sim.Phone{sim.PhoneA()}})

	run := func(hosts ...string) *report.Report {
		// Only the network probe is real (loopback servers); nothing else of this machine is probed.
		e := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Host: diagnostics.HostChecks{AppleServers: host.CheckAppleServers}})
		defer e.Close()
		var rep *report.Report
		var err error
		// Three stages of at most 3 s each (netcheck.DefaultStageTimeout), probed concurrently.
		within(t, 9*time.Second+slack+10*time.Second, "Engine.Run with stalling servers", func() {
			rep, err = e.Run(context.Background(), diagnostics.Options{
				UsbmuxdAddress: srv.Addr(), AppleHosts: hosts, AppleCAFile: caFile,
				HostsFile: filepath.Join(t.TempDir(), "none"),
			}, nil)
		})
		if err != nil {
			t.Fatalf("Engine.Run: %v", err)
		}
		return rep
	}
	rep := run(afterHandshake)
	if c := checkByID(rep, report.CheckHostAppleServers); c.Status != report.StatusPass || hasID(rep.Findings, report.FindingHostServersUnreachable) {
		t.Errorf("server that stalls after a verified handshake: %s %q, findings %v; want pass", c.Status, c.Detail, findingIDs(rep))
	}
	rep = run(afterHandshake, silent)
	if !hasID(rep.Findings, report.FindingHostServersUnreachable) {
		t.Errorf("silent server not reported: findings %v", findingIDs(rep))
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// The real `restoredoctor watch` against a hung usbmuxd: it says so within
// seconds instead of waiting forever, and still stops promptly on SIGINT.
func TestWatchProcessAgainstHungUsbmuxd(t *testing.T) {
	guard(t)
	bin := buildBinary(t, "restoredoctor")
	sc, err := sim.Builtin("hung")
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, sc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "watch", "--no-checks", "--usbmuxd", srv.Addr())
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	got := make(chan string, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "usbmux") {
				select {
				case got <- sc.Text():
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case l := <-got:
		if !strings.Contains(l, "no answer") && !strings.Contains(l, "not responding") && !strings.Contains(l, "disconnected") {
			t.Errorf("first usbmux line = %q, want it to say usbmuxd does not answer", l)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("watch said nothing about a hung usbmuxd within 20 s (stderr: %s)", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { <-readDone; done <- cmd.Wait() }() // Wait only after the last read
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch exit after SIGINT: %v (stderr: %s)", err, stderr.String())
		}
	case <-time.After(slack):
		t.Fatal("watch did not stop within 5 s of SIGINT while usbmuxd hangs")
	}
}

// The real `restoredoctor watch` through 1000 flaps: it prints every event
// it is told about, keeps its memory bounded, ends on the right state and
// stops cleanly.
func TestWatchProcessFlaps1000(t *testing.T) {
	guard(t)
	bin := buildBinary(t, "restoredoctor")
	srv := startSim(t, sim.Scenario{Name: "flaps"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "watch", "--no-checks", "--usbmuxd", srv.Addr())
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	var mu sync.Mutex
	var attaches, detaches int
	var last string
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			l := sc.Text()
			mu.Lock()
			switch {
			case strings.Contains(l, "usbmux detach"):
				detaches++
				last = l
			case strings.Contains(l, "usbmux attach"):
				attaches++
				last = l
			}
			mu.Unlock()
		}
	}()
	waitFor(t, 20*time.Second, "watch sends Listen", func() bool { return srv.Stats().Requests["Listen"] > 0 })
	id := srv.Attach(sim.PhoneA())
	for i := range flaps {
		srv.Detach(id)
		id = srv.Attach(sim.PhoneA())
		if (i+1)%50 == 0 { // let the reader keep up, as a real bus would
			want := i + 2
			waitFor(t, 20*time.Second, "watch keeping up", func() bool { mu.Lock(); defer mu.Unlock(); return attaches >= want })
		}
	}
	waitFor(t, 20*time.Second, "all events printed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return attaches == flaps+1 && detaches == flaps
	})
	mu.Lock()
	if !strings.Contains(last, "attach") || strings.Contains(last, "detach") {
		t.Errorf("last event line = %q, want the final attach", last)
	}
	mu.Unlock()
	hwm, err := procHWM(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("watch peak RSS after %d flaps: %.1f MB", flaps, hwm)
	// About 26 MB is the binary's baseline (Fyne's init included); the rest must stay small.
	if hwm > 26+64 {
		t.Errorf("watch peak RSS %.1f MB after %d flaps, want under 90 MB", hwm, flaps)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { <-readDone; done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch exit after SIGINT: %v (stderr: %s)", err, stderr.String())
		}
	case <-time.After(slack):
		t.Fatal("watch did not stop within 5 s of SIGINT")
	}
}

// procHWM is the peak resident set (VmHWM) of a process, in MB.
func procHWM(pid int) (float64, error) {
	_, kb, err := procStatus("/proc/" + strconv.Itoa(pid) + "/status")
	return float64(kb) / 1024, err
}

// procStatus reads a process's name (the kernel's 15-byte comm) and its
// peak resident set (VmHWM, kB) from its /proc/PID/status.
func procStatus(path string) (name string, hwmKB int64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, err
	}
	hwmKB = -1
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Name:"); ok {
			name = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			if f := strings.Fields(v); len(f) == 2 {
				if hwmKB, err = strconv.ParseInt(f[0], 10, 64); err != nil {
					return "", 0, err
				}
			}
		}
	}
	if hwmKB < 0 {
		return name, 0, errors.New("no VmHWM in " + path)
	}
	return name, hwmKB, nil
}

// A USB bus whose scan hangs (a libusb call stuck on a misbehaving device,
// ignoring cancellation): the engine gives up on it at its deadline, reports
// the USB checks honestly and still diagnoses usbmuxd and lockdownd.
func TestEngineWithHungUSBScan(t *testing.T) {
	guard(t)
	srv := startSim(t, sim.Scenario{Name: "healthy", Phones: []sim.Phone{sim.PhoneA()}})
	release := make(chan struct{})
	returned := make(chan struct{}, 8)
	calls := 0
	var mu sync.Mutex
	t.Cleanup(func() { // before goleak looks: let the stuck scans return
		close(release)
		mu.Lock()
		n := calls
		mu.Unlock()
		for range n {
			<-returned
		}
	})
	src := usb.FuncSource(func(ctx context.Context) ([]usb.Device, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		defer func() { returned <- struct{}{} }()
		<-release // ignores ctx, like a stuck cgo call
		return nil, nil
	})
	e := diagnostics.NewEngine(diagnostics.Config{USB: src})
	defer e.Close()
	var rep *report.Report
	var err error
	// The USB scan's own deadline is 5 s; everything else is bounded too.
	within(t, 5*time.Second+30*time.Second, "Engine.Run with a hung USB scan", func() {
		rep, err = e.Run(context.Background(), diagnostics.Options{
			UsbmuxdAddress: srv.Addr(), NoNetwork: true, HostsFile: filepath.Join(t.TempDir(), "none"),
		}, nil)
	})
	if err != nil {
		t.Fatalf("Engine.Run: %v", err)
	}
	if c := checkByID(rep, report.CheckUSBPresence); c.Status == report.StatusPass || c.Status == "" {
		t.Errorf("usb.presence = %s %q after a hung scan, want it to say the scan failed", c.Status, c.Detail)
	} else {
		t.Logf("usb.presence: %s %q", c.Status, c.Detail)
	}
	if rep.Host.Usbmuxd.Status != report.UsbmuxdOK {
		t.Errorf("usbmuxd status = %q, want ok (only USB hung)", rep.Host.Usbmuxd.Status)
	}
	if c := checkByID(rep, report.CheckLockdownQuery); c.Status != report.StatusPass {
		t.Errorf("lockdown.query = %s %q, want pass: the phone is reachable through usbmuxd", c.Status, c.Detail)
	}
}
