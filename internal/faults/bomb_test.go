//go:build linux

package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// maxRSSMB is the ceiling on a process's peak resident set in the bomb tests
// (it bounds the heap too): the bomb expands to 2^70 strings when decoded.
const maxRSSMB = 64

// peakRSSMB is a finished process's peak resident set, in MB: its own
// high-water mark (VmHWM) as sampled while it ran (runProc), else getrusage's.
// getrusage alone over-reports: Go starts a child with clone(CLONE_VM|
// CLONE_VFORK), and Linux carries the old address space's high-water mark,
// here the test process's own, into the exec'ed child's ru_maxrss; a test
// binary that has grown to 160 MB under -race then "sees" 160 MB in a 29 MB child.
func peakRSSMB(t *testing.T, ps *os.ProcessState) float64 {
	t.Helper()
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the process")
	}
	mb := float64(ru.Maxrss) / 1024
	if v, ok := sampledHWM.Load(ps.Pid()); ok {
		if kb := v.(*atomic.Int64).Load(); kb > 0 && float64(kb)/1024 < mb {
			return float64(kb) / 1024
		}
	}
	return mb
}

// sampledHWM maps a child's pid to the largest VmHWM (kB) read from
// /proc/PID/status while it ran.
var sampledHWM sync.Map

// sampleHWM reads pid's VmHWM every 2 ms until done is closed. A high-water
// mark only grows, so the last reading before exit misses at most the final
// 2 ms of the process's life.
func sampleHWM(pid int, done <-chan struct{}) {
	peak := new(atomic.Int64)
	sampledHWM.Store(pid, peak)
	path := fmt.Sprintf("/proc/%d/status", pid)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if data, err := os.ReadFile(path); err == nil {
			if _, rest, ok := strings.Cut(string(data), "VmHWM:"); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && kb > peak.Load() {
						peak.Store(kb)
					}
				}
			}
		}
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

// runProc starts bin with args and, when sigAfter > 0, sends SIGTERM after
// that long. It returns when the process exits or limit passes (then it is
// killed and the test fails).
func runProc(t *testing.T, limit, sigAfter time.Duration, bin string, args ...string) (stdout, stderr string, ps *os.ProcessState, took time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go sampleHWM(cmd.Process.Pid, done)
	go func() { _ = cmd.Wait(); close(done) }()
	var sigAt time.Time
	if sigAfter > 0 {
		select {
		case <-time.After(sigAfter):
			sigAt = time.Now()
			_ = cmd.Process.Signal(syscall.SIGTERM)
		case <-done:
		}
	}
	select {
	case <-done:
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s %v still running after %v (stderr %s)", filepath.Base(bin), args, limit, errb.String())
	}
	took = time.Since(t0)
	if !sigAt.IsZero() {
		took = time.Since(sigAt)
	}
	return out.String(), errb.String(), cmd.ProcessState, took
}

// TestCheckProcessAgainstBombs: a plist bomb in a lockdown reply or on the
// Listen stream. check ends well inside --timeout + 1 s, in under 64 MB, with
// a valid report that names the refused reply; a bomb in a lockdown reply
// never gets "No fault found" (before: 29 s, 3 GB, "No fault found"; issue
// 14, defect 1).
func TestCheckProcessAgainstBombs(t *testing.T) {
	bin := buildBinary(t, "restoredoctor")
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scenario, window string
	}{
		{sim.GarbageBombLockdown, "0"},
		{sim.GarbageBombListen, "2s"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			sc, err := sim.Builtin(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			srv := startSim(t, sc)
			const timeout = 20 * time.Second
			out, errb, ps, took := runProc(t, timeout+time.Second, 0, bin, "check", "--json", "--window", tc.window, "--no-network",
				"--timeout", timeout.String(), "--hosts-file", hosts, "--usbmuxd", srv.Addr())
			if rss := peakRSSMB(t, ps); rss > maxRSSMB {
				t.Errorf("peak RSS %.0f MB, want under %d", rss, maxRSSMB)
			}
			if err := report.Validate([]byte(out)); err != nil {
				t.Fatalf("exit %d, not one valid report: %v\nstderr: %s", ps.ExitCode(), err, errb)
			}
			if !strings.Contains(out, "plist over a limit") {
				t.Errorf("the report does not name the refused reply:\n%s", out)
			}
			if tc.scenario == sim.GarbageBombLockdown && strings.Contains(out, "No fault found") {
				t.Errorf("a bomb got an all-clear:\n%s", out)
			}
			if srv.Stats().Requests["garbage"] == 0 {
				t.Error("the simulator never served the bomb")
			}
			t.Logf("check against %s: %v, exit %d, peak RSS %.1f MB", tc.scenario, took, ps.ExitCode(), peakRSSMB(t, ps))
		})
	}
}

// TestProcessesStopOnSIGTERMDuringBombs: check (30 s window) and watch stop
// within 1 s of SIGTERM while the bomb arrives on their Listen stream.
func TestProcessesStopOnSIGTERMDuringBombs(t *testing.T) {
	bin := buildBinary(t, "restoredoctor")
	sc, err := sim.Builtin(sim.GarbageBombListen)
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, sc)
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"check": {"check", "--window", "30s", "--no-network", "--hosts-file", hosts, "--usbmuxd", srv.Addr()},
		"watch": {"watch", "--no-checks", "--usbmuxd", srv.Addr()},
	} {
		t.Run(name, func(t *testing.T) {
			out, errb, ps, took := runProc(t, 10*time.Second, 1500*time.Millisecond, bin, args...)
			if took > time.Second {
				t.Errorf("%s took %v to stop after SIGTERM", name, took)
			}
			if rss := peakRSSMB(t, ps); rss > maxRSSMB {
				t.Errorf("peak RSS %.0f MB, want under %d", rss, maxRSSMB)
			}
			if name == "check" && (!strings.Contains(out, "Incomplete check") || strings.Contains(out, "No fault found")) {
				t.Errorf("interrupted check does not say it is incomplete:\n%s\nstderr: %s", out, errb)
			}
			if name == "watch" && !strings.Contains(out, "limit") {
				t.Errorf("watch did not report the refused frame:\n%s", out)
			}
		})
	}
}

// TestSimulatorFedABomb: clients send the bomb to the simulator process as
// a usbmuxd request and inside a lockdown tunnel; it refuses both, keeps
// serving, stays under 64 MB and stops on SIGTERM within 1 s.
func TestSimulatorFedABomb(t *testing.T) {
	bin := buildBinary(t, "restoredoctor-sim")
	sock := filepath.Join(sockDir(t), "s.sock")
	cmd := exec.Command(bin, "--listen", "unix://"+sock)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 256)
	if _, err := stdout.Read(line); err != nil {
		t.Fatalf("simulator printed nothing: %v (%s)", err, errb.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	bomb := plisttest.Bomb(sim.BombLevels, map[string]string{"MessageType": "ListDevices", "Request": "GetValue"}, "X")
	send := func(frame []byte, tunnel bool) {
		c, err := net.DialTimeout("unix", sock, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if tunnel {
			req, _ := sim.EncodeMuxPlist(1, map[string]any{"MessageType": "Connect", "DeviceID": 1, "PortNumber": 0xf27e})
			if _, err := c.Write(req); err != nil {
				t.Fatal(err)
			}
			if _, _, err := sim.ReadMuxFrame(c); err != nil {
				t.Fatalf("connect reply: %v", err)
			}
		}
		if _, err := c.Write(frame); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("after the bomb: %v, want the connection closed", err)
		}
	}
	send(sim.AppendMuxFrame(nil, 1, 8, 1, bomb), false)
	send(append([]byte{0, 0, byte(len(bomb) >> 8), byte(len(bomb))}, bomb...), true)
	// Still serving.
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := sim.EncodeMuxPlist(2, map[string]any{"MessageType": "ListDevices"})
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sim.ReadMuxFrame(c); err != nil {
		t.Errorf("ListDevices after the bombs: %v", err)
	}
	c.Close()
	t0 := time.Now()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("simulator did not stop on SIGTERM")
	}
	if took := time.Since(t0); took > 3*time.Second {
		t.Errorf("simulator took %v to stop", took)
	}
	if rss := peakRSSMB(t, cmd.ProcessState); rss > maxRSSMB {
		t.Errorf("simulator peak RSS %.0f MB", rss)
	}
}

// backlogProxy listens on a unix socket with an accept backlog of 5 and
// forwards each connection to target, accepting one every few milliseconds:
// a busy usbmuxd in front of a real simulator.
func backlogProxy(t *testing.T, target string) string {
	t.Helper()
	path := filepath.Join(sockDir(t), "busy.sock")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 5); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), path)
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	network, address, _ := sim.ParseAddress(target)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			time.Sleep(3 * time.Millisecond)
			up, err := net.Dial(network, address)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(up, c); up.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return "unix://" + path
}

// TestParallelChecksAgainstBusyUsbmuxd: 50 checks at once against a usbmuxd
// with an accept backlog of 5 all reach it; none says it is not running
// (issue 14, defect 6).
func TestParallelChecksAgainstBusyUsbmuxd(t *testing.T) {
	sc, err := sim.Builtin("healthy")
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, sc)
	addr := backlogProxy(t, srv.Addr())
	var wg sync.WaitGroup
	reps := make([]*report.Report, 50)
	errs := make([]error, 50)
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), UsbmuxTimeout: 10 * time.Second})
			defer e.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			reps[i], errs[i] = e.Run(ctx, diagnostics.Options{UsbmuxdAddress: addr, NoNetwork: true, LockdownRequests: 2,
				HostsFile: filepath.Join(t.TempDir(), "no-hosts")}, nil)
		}()
	}
	wg.Wait()
	for i, rep := range reps {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		if rep.Host.Usbmuxd.Status != report.UsbmuxdOK {
			t.Errorf("run %d: usbmuxd %s", i, rep.Host.Usbmuxd.Status)
		}
		for _, f := range rep.Findings {
			if f.ID == report.FindingUsbmuxUnreachable {
				t.Errorf("run %d: %s: %s", i, f.ID, f.Summary)
			}
		}
	}
}

// TestCheckProcessEscapesFromThePhone: every string a phone reports carries
// terminal escapes; the text and Markdown check prints hold no control
// character (issue 14, defect 5), with and without identifiers.
func TestCheckProcessEscapesFromThePhone(t *testing.T) {
	bin := buildBinary(t, "restoredoctor")
	const esc = "\x1b[2J\x1b]0;owned\x07\r\nVERDICT: fine\u009b31m"
	p := sim.PhoneA()
	p.UDID += esc
	p.ProductType, p.ProductVersion, p.BuildVersion = esc+"iPhone14,3", esc+"17.5", esc
	p.DeviceName, p.DeviceClass, p.HardwareModel = esc, esc, esc
	srv := startSim(t, sim.Scenario{Phones: []sim.Phone{p}})
	dir := t.TempDir()
	md := filepath.Join(dir, "r.md")
	for _, extra := range [][]string{nil, {"--include-identifiers"}} {
		args := append([]string{"check", "--window", "0", "--no-network", "--hosts-file", os.DevNull, "--usbmuxd", srv.Addr(), "--markdown", md}, extra...)
		out, errb, ps, _ := runProc(t, 30*time.Second, 0, bin, args...)
		if ps.ExitCode() != 0 {
			t.Fatalf("exit %d: %s", ps.ExitCode(), errb)
		}
		mdOut, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		for name, s := range map[string]string{"text": out, "stderr": errb, "markdown": string(mdOut)} {
			for _, r := range s {
				if r != '\n' && (r < 0x20 || (r >= 0x7f && r <= 0x9f)) {
					t.Errorf("%v: %s holds control character %U", extra, name, r)
					break
				}
			}
		}
	}
}

// TestActionProcessesAgainstTLSBombs: a plist bomb as the reply inside the
// TLS session (EnterRecovery, StartService) or from the diagnostics relay
// over TLS ends `recovery enter` / `restart` with a clear error that names
// the refused reply, exit 1, well before its deadlines, in under 64 MB.
func TestActionProcessesAgainstTLSBombs(t *testing.T) {
	bin := buildBinary(t, "restoredoctor")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // the per-phone lock files
	for _, tc := range []struct {
		garbage string
		args    []string
	}{
		{sim.GarbageBombSession, []string{"recovery", "enter"}},
		{sim.GarbageBombSession, []string{"restart"}},
		{sim.GarbageBombRelay, []string{"restart"}},
	} {
		t.Run(tc.garbage+"/"+strings.Join(tc.args, "-"), func(t *testing.T) {
			srv := startSim(t, sim.Scenario{Phones: []sim.Phone{sim.PhoneA()}, Garbage: tc.garbage})
			out, errb, ps, took := runProc(t, 30*time.Second, 0, bin, append(tc.args, "--yes", "--follow", "2s", "--usbmuxd", srv.Addr())...)
			t.Logf("%v against %s: %v, exit %d, peak RSS %.1f MB\nstdout: %s\nstderr: %s", tc.args, tc.garbage, took, ps.ExitCode(), peakRSSMB(t, ps), out, errb)
			if rss := peakRSSMB(t, ps); rss > maxRSSMB {
				t.Errorf("peak RSS %.0f MB, want under %d", rss, maxRSSMB)
			}
			if ps.ExitCode() != 1 || !strings.Contains(errb, "plist over a limit") {
				t.Errorf("exit %d, stderr does not name the refused reply", ps.ExitCode())
			}
			if srv.Stats().Requests["garbage"] == 0 {
				t.Error("the simulator never served the bomb")
			}
		})
	}
}
