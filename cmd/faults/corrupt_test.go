package faults

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
)

// corruptInputs are damaged versions of a JSON document: truncated, binary,
// deeply nested, huge, wrong types.
func corruptInputs(valid []byte) map[string][]byte {
	random := make([]byte, 64<<10)
	_, _ = rand.Read(random)
	huge := append([]byte(`{"Junk":"`), bytes.Repeat([]byte("a"), 2<<20)...)
	huge = append(huge, `"}`...)
	return map[string][]byte{
		"empty":          {},
		"truncated":      valid[:len(valid)/2],
		"random":         random,
		"NULs":           make([]byte, 4096),
		"deep nesting":   append(bytes.Repeat([]byte("["), 100000), bytes.Repeat([]byte("]"), 100000)...),
		"wrong types":    []byte(`{"Name":5,"Phones":"x","FlapInterval":true,"Phones":[{"ProductID":"12a8"}]}`),
		"2 MB string":    huge,
		"trailing junk":  append(append([]byte{}, valid...), "}{"...), // dec.More() misses a stray }
		"UTF-16 BOM":     append([]byte{0xFF, 0xFE}, valid...),
		"negative times": []byte(`{"Name":"x","LockdownLatency":"-5s","FlapInterval":"1ns"}`),
	}
}

// Corrupt simulator scenario files (restoredoctor-sim --scenario-file, demo
// mode) are refused with an error naming the problem, without panicking.
func TestCorruptScenarioFiles(t *testing.T) {
	guard(t)
	valid := []byte(`{"Name":"ok","Phones":[{"UDID":"00008110-001A2B3C4D5E6F70"}],"FlapInterval":"1s"}`)
	if _, err := sim.ParseScenario(valid); err != nil {
		t.Fatalf("valid scenario refused: %v", err)
	}
	dir := t.TempDir()
	for name, data := range corruptInputs(valid) {
		t.Run(name, func(t *testing.T) {
			var err error
			within(t, slack, "ParseScenario", func() { _, err = sim.ParseScenario(data) })
			if err == nil {
				t.Fatalf("corrupt scenario accepted")
			}
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			within(t, slack, "LoadScenario", func() { _, err = sim.LoadScenario(p) })
			if err == nil || !strings.Contains(err.Error(), p) {
				t.Errorf("LoadScenario error %v does not name the file", err)
			}
		})
	}
}

// The real restoredoctor-sim binary given a corrupt scenario file exits 2
// with a one-line reason on stderr, promptly, and listens on nothing.
func TestSimBinaryCorruptScenario(t *testing.T) {
	guard(t)
	bin := buildBinary(t, "restoredoctor-sim")
	dir := sockDir(t)
	p := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(p, []byte("{\"Phones\":[{\"Trust\":\"maybe\"}]"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--scenario-file", p, "--listen", "unix://"+dir+"/s.sock")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("restoredoctor-sim did not exit on a corrupt scenario: %v", ctx.Err())
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2; stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "scenario") || strings.Contains(stderr.String(), "panic") {
		t.Errorf("stderr = %q, want a reason about the scenario", stderr.String())
	}
	if _, err := os.Stat(dir + "/s.sock"); err == nil {
		t.Error("socket created although the scenario was refused")
	}
}

// A corrupt step catalogue is refused with an error, never a panic.
func TestCorruptCatalog(t *testing.T) {
	guard(t)
	valid := []byte(`{"schema":"x","steps":[]}`)
	for name, data := range corruptInputs(valid) {
		t.Run(name, func(t *testing.T) {
			var err error
			within(t, slack, "catalog.Parse", func() { _, err = catalog.Parse(data) })
			if err == nil {
				t.Errorf("corrupt catalogue accepted")
			}
		})
	}
}

// buildBinary builds ./cmd/NAME of this module into a temporary directory
// (cached per test binary run).
func buildBinary(t *testing.T, name string) string {
	t.Helper()
	if p, ok := built[name]; ok {
		return p
	}
	out := filepath.Join(binDir(t), name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/restoredoctor/restoredoctor/cmd/"+name)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, b)
	}
	built[name] = out
	return out
}

var (
	built   = map[string]string{}
	binRoot string
)

func binDir(t *testing.T) string {
	if binRoot == "" {
		d, err := os.MkdirTemp("", "rdfbin")
		if err != nil {
			t.Fatal(err)
		}
		binRoot = d
	}
	return binRoot
}

func TestMain(m *testing.M) {
	// go-ios logs every broken pipe at error level through slog's default.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	code := m.Run()
	if binRoot != "" {
		_ = os.RemoveAll(binRoot)
	}
	os.Exit(code)
}
