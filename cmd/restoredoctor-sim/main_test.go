package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

const testTimeout = 20 * time.Second

// TestMain doubles as the CLI when re-executed by the signal tests.
func TestMain(m *testing.M) {
	if os.Getenv("RDSIM_RUN_MAIN") == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

func tempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "rdsimcli") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"--help"}, 0, "usage: restoredoctor-sim"},
		{"unknown flag", []string{"--frob"}, 2, "flag provided but not defined"},
		{"unknown scenario", []string{"--scenario", "nope"}, 2, "unknown scenario"},
		{"extra argument", []string{"healthy"}, 2, "unexpected argument"},
		{"phones zero", []string{"--phones", "0"}, 2, "--phones"},
		{"phones not multi", []string{"--scenario", "healthy", "--phones", "3"}, 2, "--phones"},
		{"both scenario flags", []string{"--scenario", "healthy", "--scenario-file", "x.json"}, 2, "exclusive"},
		{"bad scenario file", []string{"--scenario-file", filepath.Join("testdata", "missing.json")}, 2, "missing.json"},
		{"bad listen", []string{"--listen", "nonsense"}, 1, "usbmuxd address"},
		{"bad phones value", []string{"--phones", "x"}, 2, "invalid value"},
		{"all interfaces", []string{"--listen", "0.0.0.0:0"}, 2, "--allow-remote"},
		{"no host", []string{"--listen", ":0"}, 2, "--allow-remote"},
		{"replay with a scenario", []string{"--replay", "x.jsonl", "--scenario", "healthy"}, 2, "no --scenario"},
		{"speed without replay", []string{"--speed", "2"}, 2, "--speed only goes with --replay"},
		{"speed zero", []string{"--replay", "x.jsonl", "--speed", "0"}, 2, "--speed 0"},
		{"missing trace", []string{"--replay", filepath.Join("testdata", "missing.jsonl")}, 2, "missing.jsonl"},
		{"garbage trace", []string{"--replay", filepath.Join("testdata", "garbage.jsonl")}, 2, "line 1: not a trace file"},
		{"unknown demo trace", []string{"--replay", "no-such-demo"}, 2, "no-such-demo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			code := run(ctx, tc.args, &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errb.String())
			}
			if !strings.Contains(errb.String(), tc.want) {
				t.Errorf("stderr %q does not mention %q", errb.String(), tc.want)
			}
			if tc.code == 2 && strings.Count(strings.TrimRight(errb.String(), "\n"), "\n") != 0 {
				t.Errorf("usage error is not one line: %q", errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
}

// listDevices asks the usbmuxd at addr for its device list with the frame codec.
func listDevices(t *testing.T, addr string) []any {
	t.Helper()
	network, address, err := sim.ParseAddress(addr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout(network, address, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(testTimeout))
	frame, err := sim.EncodeMuxPlist(1, map[string]any{"MessageType": "ListDevices"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(frame); err != nil {
		t.Fatal(err)
	}
	_, payload, err := sim.ReadMuxFrame(c)
	if err != nil {
		t.Fatal(err)
	}
	d, err := sim.DecodeDict(payload)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := d["DeviceList"].([]any)
	return l
}

func TestRunInProcess(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		count int
	}{
		{"healthy", nil, 1},
		{"none", []string{"--scenario", "none"}, 0},
		{"phones", []string{"--phones", "7"}, 7},
		{"multi", []string{"--scenario", "multi"}, 4},
		{"file", []string{"--scenario-file", filepath.Join("testdata", "one-phone.json")}, 1},
		{"tcp", []string{"--listen", "tcp://127.0.0.1:0"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			sock := filepath.Join(tempDir(t), "s.sock")
			if !strings.Contains(strings.Join(args, " "), "--listen") {
				args = append(args, "--listen", sock)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			var errb bytes.Buffer
			done := make(chan int, 1)
			go func() {
				code := run(ctx, args, pw, &errb)
				_ = pw.Close()
				done <- code
			}()
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil {
				t.Fatalf("no address line: %v", err)
			}
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			addr, ok := strings.CutPrefix(strings.TrimSpace(line), "USBMUXD_SOCKET_ADDRESS=")
			if !ok {
				t.Fatalf("first line %q", line)
			}
			if got := len(listDevices(t, addr)); got != tc.count {
				t.Errorf("%d devices, want %d", got, tc.count)
			}
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("exit %d, stderr %q", code, errb.String())
				}
			case <-time.After(testTimeout):
				t.Fatal("run did not return after cancel")
			}
			if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("socket left behind: %v", err)
			}
		})
	}
}

// startCLI runs the CLI as a child process and returns it with the printed lines.
func startCLI(t *testing.T, env []string, args ...string) (*exec.Cmd, []string, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "RDSIM_RUN_MAIN=1"), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan []string, 1)
	go func() {
		var ls []string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			ls = append(ls, sc.Text())
			if len(ls) == 2 {
				break
			}
		}
		lines <- ls
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case ls := <-lines:
		return cmd, ls, &errb
	case <-time.After(testTimeout):
		t.Fatalf("CLI printed no address; stderr %q", errb.String())
	}
	return nil, nil, nil
}

func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(testTimeout):
		t.Fatal("CLI did not exit")
	}
	return -1
}

func TestSignalsExitCleanly(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := tempDir(t)
			// Default address: a socket in $XDG_RUNTIME_DIR.
			cmd, lines, errb := startCLI(t, []string{"XDG_RUNTIME_DIR=" + dir}, "-v")
			if len(lines) != 2 {
				t.Fatalf("printed %q", lines)
			}
			addr, ok := strings.CutPrefix(lines[0], "USBMUXD_SOCKET_ADDRESS=unix://")
			if !ok || filepath.Dir(addr) != dir {
				t.Fatalf("address line %q: want a socket in %s", lines[0], dir)
			}
			if !strings.Contains(lines[1], "USBMUXD_SOCKET_ADDRESS=UNIX:"+addr) {
				t.Errorf("libimobiledevice hint %q", lines[1])
			}
			if n := len(listDevices(t, "unix://"+addr)); n != 1 {
				t.Errorf("%d devices", n)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, cmd); code != 0 {
				t.Errorf("exit %d after %v, stderr %q", code, sig, errb.String())
			}
			if _, err := os.Lstat(addr); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("socket left behind after %v: %v", sig, err)
			}
			if !strings.Contains(errb.String(), "type=ListDevices") {
				t.Errorf("-v did not log the request: %q", errb.String())
			}
		})
	}
}

// TestIdeviceIDAgainstCLI is the end-to-end cross-check: the address line the
// CLI prints for libimobiledevice works with idevice_id.
func TestIdeviceIDAgainstCLI(t *testing.T) {
	tool, err := exec.LookPath("idevice_id")
	if err != nil {
		t.Fatal("idevice_id not found: install libimobiledevice-utils (make deps)")
	}
	sock := filepath.Join(tempDir(t), "s.sock")
	cmd, lines, _ := startCLI(t, nil, "--phones", "3", "--listen", sock)
	if len(lines) != 2 {
		t.Fatalf("printed %q", lines)
	}
	i := strings.Index(lines[1], "USBMUXD_SOCKET_ADDRESS=")
	if i < 0 {
		t.Fatalf("no libimobiledevice address in %q", lines[1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	id := exec.CommandContext(ctx, tool, "-l")
	id.Env = append(os.Environ(), lines[1][i:])
	out, err := id.Output()
	if err != nil {
		t.Fatalf("idevice_id -l: %v", err)
	}
	if n := len(strings.Fields(string(out))); n != 3 {
		t.Errorf("idevice_id -l listed %d phones: %q", n, out)
	}
	// A private value needs a lockdown session: libimobiledevice starts one
	// with the pair record's HostID and SystemBUID and switches it to TLS,
	// as the simulator asks by default (issue 18, item 9).
	if info, err := exec.LookPath("ideviceinfo"); err == nil {
		first := strings.Fields(string(out))[0]
		ii := exec.CommandContext(ctx, info, "-u", first, "-k", "SerialNumber")
		ii.Env = id.Env
		sn, err := ii.CombinedOutput()
		if err != nil || strings.TrimSpace(string(sn)) == "" {
			t.Errorf("ideviceinfo -k SerialNumber (a TLS session): %v %q", err, sn)
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// --replay over TCP (as the Wine run uses it): a Listen client sees the
// trace's phone attach and detach.
func TestReplayOverTCP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--replay", filepath.Join("testdata", "replay.jsonl"), "--speed", "10", "--listen", "tcp://127.0.0.1:0"}, pw, &errb)
		_ = pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	addr, err := usbmux.ParseAddress(strings.TrimSpace(strings.TrimPrefix(line, "USBMUXD_SOCKET_ADDRESS=")))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []usbmux.EventKind
	for e := range usbmux.NewClient(addr, usbmux.Options{}).Listen(ctx) {
		if e.Kind == usbmux.EventAttach || e.Kind == usbmux.EventDetach {
			kinds = append(kinds, e.Kind)
		}
		if e.Kind == usbmux.EventDetach {
			break
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, errb.String())
	}
	if len(kinds) != 2 || kinds[0] != usbmux.EventAttach {
		t.Errorf("Listen saw %v, want attach then detach", kinds)
	}
}

// TestHelpNamesEveryScenarioField: --help lists the fields --scenario-file
// takes, and that is every field of sim.Scenario (issue 18, item 9).
func TestHelpNamesEveryScenarioField(t *testing.T) {
	var errb bytes.Buffer
	if _, err := parseArgs([]string{"--help"}, &errb); err == nil {
		t.Log("--help parsed without error")
	}
	help := errb.String()
	typ := reflect.TypeOf(sim.Scenario{})
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; name != "Name" && !strings.Contains(help, name) {
			t.Errorf("--help does not name the scenario field %s:\n%s", name, help)
		}
	}
}
