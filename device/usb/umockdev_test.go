//go:build cgo && linux

package usb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb/internal/usbmontest"
)

// The umockdev integration tests re-execute this test binary under
// umockdev-run (never `go test` itself: the preload would wrap the compiler).
// The child is recognised in TestMain by childEnv, does a real gousb scan of
// the fake bus and prints childResult as JSON; the parent asserts.
const (
	childEnv      = "RESTOREDOCTOR_USB_UMOCKDEV_CHILD" // "scan" or "idle"
	childProbeEnv = "RESTOREDOCTOR_USB_UMOCKDEV_PROBE" // "N,TIMEOUT_MS": run ControlProbe too
	childIdleEnv  = "RESTOREDOCTOR_USB_UMOCKDEV_IDLE"  // seconds of idle polling to measure
	childExitEnv  = "RESTOREDOCTOR_USB_UMOCKDEV_EXIT"  // "TIMEOUT_MS": run ExitRecovery too
	fixtureDir    = "testdata/umockdev"
)

type childResult struct {
	Devices    []usbmontest.Expect `json:"devices"`
	Error      string              `json:"error,omitempty"`
	ErrorKind  string              `json:"error_kind,omitempty"` // errorKind(Error)
	Probe      *usbmontest.Probe   `json:"probe,omitempty"`
	Exit       *usbmontest.Exit    `json:"exit,omitempty"`
	ProbeP95Ms float64             `json:"probe_p95_ms,omitempty"`
	// Idle polling measurement.
	// Watched is what a Watcher over the same Scanner reported in its first
	// polls: one attach per device ("attach 1-2"), nothing else.
	Watched        []string `json:"watched"`
	IdleCPUPercent float64  `json:"idle_cpu_percent,omitempty"`
	IdlePolls      int      `json:"idle_polls,omitempty"`
}

func errorKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrDisconnected):
		return "disconnected"
	case errors.Is(err, ErrAccessDenied):
		return "access_denied"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	}
	return "other"
}

// ToExpect renders a Device in the fixtures' expectation shape.
func toExpect(d Device) usbmontest.Expect {
	e := usbmontest.Expect{
		Mode: string(d.Mode), VendorID: fmt.Sprintf("%04x", d.VendorID), ProductID: fmt.Sprintf("%04x", d.ProductID),
		SpeedMbps: d.SpeedMbps, Bus: d.Bus, Address: d.Address, PortPath: d.PortPath, BehindHub: d.BehindHub,
		HubDepth: d.HubDepth, USBVersion: d.USBVersion, Serial: d.Serial, OpenError: errorKind(d.OpenErr),
	}
	if e.PortPath == nil {
		e.PortPath = []int{}
	}
	if r := d.Recovery; r != nil {
		e.Recovery = map[string]string{}
		for k, v := range map[string]string{"sdom": r.SDOM, "cpid": r.CPID, "cprv": r.CPRV, "cpfm": r.CPFM, "scep": r.SCEP,
			"bdid": r.BDID, "ecid": r.ECID, "ibfl": r.IBFL, "srtg": r.SRTG, "srnm": r.SRNM, "imei": r.IMEI, "nonc": r.NONC, "snon": r.SNON} {
			if v != "" {
				e.Recovery[k] = v
			}
		}
	}
	return e
}

// childMain runs inside umockdev-run.
func childMain(kind string) int {
	res := childResult{}
	defer func() {
		_ = json.NewEncoder(os.Stdout).Encode(res)
	}()
	s, err := NewScanner(ScannerOptions{ControlTimeout: 2 * time.Second})
	if err != nil {
		res.Error, res.ErrorKind = err.Error(), errorKind(err)
		return 0
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if kind == "idle" {
		secs, _ := strconv.ParseFloat(os.Getenv(childIdleEnv), 64)
		res.IdleCPUPercent, res.IdlePolls, err = measureIdle(ctx, s, time.Duration(secs*float64(time.Second)))
		if err != nil {
			res.Error = err.Error()
		}
		return 0
	}
	devs, err := s.Snapshot(ctx)
	if err != nil {
		res.Error = err.Error()
		return 0
	}
	res.Devices = []usbmontest.Expect{}
	for _, d := range devs {
		res.Devices = append(res.Devices, toExpect(d))
	}
	res.Watched = watchBriefly(ctx, s, 3)
	if spec := os.Getenv(childProbeEnv); spec != "" {
		n, ms, _ := strings.Cut(spec, ",")
		count, _ := strconv.Atoi(n)
		timeoutMs, _ := strconv.Atoi(ms)
		for _, d := range devs {
			if !d.Mode.IsLowLevel() {
				continue
			}
			st, perr := ControlProbe(ctx, s, d, count, time.Duration(timeoutMs)*time.Millisecond)
			res.Probe = &usbmontest.Probe{N: count, TimeoutMs: timeoutMs, Requests: st.Requests, OK: st.OK,
				Timeouts: st.Timeouts, Failures: st.Failures, Error: errorKind(perr)}
			res.ProbeP95Ms = float64(st.P95) / float64(time.Millisecond)
			break
		}
	}
	if spec := os.Getenv(childExitEnv); spec != "" {
		res.Exit = childExit(ctx, s, devs, spec)
	}
	return 0
}

// watchBriefly runs a Watcher over s for polls polls and lists its events.
func watchBriefly(ctx context.Context, s *Scanner, polls int) []string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	src := FuncSource(func(ctx context.Context) ([]Device, error) {
		n++
		if n > polls {
			cancel()
		}
		return s.Snapshot(ctx)
	})
	out := []string{}
	for e := range NewWatcher(src, WatcherOptions{Interval: 10 * time.Millisecond}).Run(ctx) {
		out = append(out, fmt.Sprintf("%s %s %s reenum=%v", e.Kind, e.Device.Location(), e.Device.Mode, e.Reenumeration))
	}
	return out
}

func loadManifest(t testing.TB) []usbmontest.Fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, usbmontest.ManifestName))
	if err != nil {
		t.Fatalf("read fixture manifest: %v", err)
	}
	var fx []usbmontest.Fixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatalf("parse fixture manifest: %v", err)
	}
	return fx
}

func umockdevRun(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("umockdev-run")
	if err != nil {
		t.Fatal("umockdev-run not found: install umockdev: apt-get install umockdev (or make deps)")
	}
	return p
}

// runChild runs this test binary under umockdev-run with fixture f.
func runChild(t testing.TB, f usbmontest.Fixture, kind string, extraEnv ...string) childResult {
	t.Helper()
	args := []string{"-d", filepath.Join(fixtureDir, f.Umockdev)}
	for _, p := range f.Pcaps {
		args = append(args, "-p", p.Sysfs+"="+filepath.Join(fixtureDir, p.File))
	}
	args = append(args, "--", os.Args[0], "-test.run", "^TestUmockdev$")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, umockdevRun(t), args...)
	cmd.Env = append(append(os.Environ(), childEnv+"="+kind), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("umockdev-run %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("child output is not JSON: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if res.Error != "" {
		t.Fatalf("child scan failed: %s\nstderr:\n%s", res.Error, stderr.String())
	}
	return res
}

// TestUmockdev scans every fixture with real libusb under umockdev and
// checks mode, speed, port path, hub flag, serial and parsed iBoot fields.
func TestUmockdev(t *testing.T) {
	fixtures := loadManifest(t)
	if len(fixtures) < 8 {
		t.Fatalf("manifest lists %d fixtures, want at least 8", len(fixtures))
	}
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			var env []string
			if f.Probe != nil {
				env = append(env, fmt.Sprintf("%s=%d,%d", childProbeEnv, f.Probe.N, f.Probe.TimeoutMs))
			}
			if f.Exit != nil {
				env = append(env, fmt.Sprintf("%s=%d", childExitEnv, f.Exit.TimeoutMs))
			}
			res := runChild(t, f, "scan", env...)
			if !reflect.DeepEqual(res.Devices, f.Expect) {
				got, _ := json.MarshalIndent(res.Devices, "", "  ")
				want, _ := json.MarshalIndent(f.Expect, "", "  ")
				t.Errorf("scan of %s:\ngot  %s\nwant %s", f.Name, got, want)
			}
			var wantWatched []string
			for _, d := range f.Expect {
				loc := fmt.Sprint(d.Bus, "-", strings.Trim(strings.ReplaceAll(fmt.Sprint(d.PortPath), " ", "."), "[]"))
				wantWatched = append(wantWatched, fmt.Sprintf("attach %s %s reenum=false", loc, d.Mode))
			}
			if wantWatched == nil {
				wantWatched = []string{}
			}
			if !reflect.DeepEqual(res.Watched, wantWatched) {
				t.Errorf("watcher over the real scanner: got %q, want %q", res.Watched, wantWatched)
			}
			if f.Probe != nil {
				if res.Probe == nil {
					t.Fatalf("no control probe ran")
				}
				if *res.Probe != *f.Probe {
					t.Errorf("control probe: got %+v, want %+v", *res.Probe, *f.Probe)
				}
				if res.Probe.OK > 0 && res.ProbeP95Ms <= 0 {
					t.Errorf("control probe p95 = %v ms with %d answers", res.ProbeP95Ms, res.Probe.OK)
				}
			}
			if f.Exit != nil {
				checkExit(t, res.Exit, *f.Exit)
			}
		})
	}
}

// TestFixturesMatchGenerator fails when a checked-in fixture differs from
// what internal/usbmontest generates (run `go generate ./device/usb`).
func TestFixturesMatchGenerator(t *testing.T) {
	files, err := usbmontest.Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Errorf("%s: %v (run go generate ./device/usb)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (run go generate ./device/usb)", name)
		}
	}
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && e.Name() != "README.md" {
			t.Errorf("%s in %s is not generated (stale fixture?)", e.Name(), fixtureDir)
		}
	}
	var names []string
	for _, f := range loadManifest(t) {
		names = append(names, f.Name)
	}
	for _, want := range []string{"iphone-normal", "iphone-normal-hub", "iphone-normal-fullspeed", "iphone-recovery",
		"iphone-recovery-long", "iphone-dfu", "two-iphones", "iphone-and-other"} {
		if !slices.Contains(names, want) {
			t.Errorf("fixture %s missing from the manifest", want)
		}
	}
}
