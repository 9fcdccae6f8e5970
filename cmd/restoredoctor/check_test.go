package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestParseCheckArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, co checkOptions)
	}{
		{"defaults", nil, "", func(t *testing.T, co checkOptions) {
			if co.opts.Window != 10*time.Second || co.timeout != 0 || co.json || co.opts.NoNetwork {
				t.Errorf("%+v", co)
			}
		}},
		{"all", []string{"--json", "--markdown", "r.md", "--window", "0", "--timeout", "5s", "--usbmuxd", "UNIX:/tmp/x",
			"--no-network", "--apple-hosts", "a:443, b:443", "--apple-ca", "check_test.go", "--hosts-file", "/dev/null", "--tried", "cable,Computer",
			"--include-identifiers", "--lockdown-requests", "3", "-v"}, "", func(t *testing.T, co checkOptions) {
			o := co.opts
			if !co.json || co.markdown != "r.md" || o.Window != 0 || co.timeout != 5*time.Second || o.UsbmuxdAddress != "UNIX:/tmp/x" ||
				!o.NoNetwork || len(o.AppleHosts) != 2 || o.AppleHosts[1] != "b:443" || o.AppleCAFile != "check_test.go" || o.HostsFile != "/dev/null" ||
				!o.Tried.Cable || !o.Tried.Computer || o.Tried.Port || !o.IncludeIdentifiers || o.LockdownRequests != 3 || !co.verbose {
				t.Errorf("%+v", co)
			}
		}},
		{"single dash works too", []string{"-json", "-window=3s"}, "", func(t *testing.T, co checkOptions) {
			if !co.json || co.opts.Window != 3*time.Second {
				t.Errorf("%+v", co)
			}
		}},
		{"usbmuxd forms", []string{"--usbmuxd", "tcp://127.0.0.1:27015"}, "", nil},
		{"unknown flag", []string{"--bogus"}, "not defined", nil},
		{"bad duration", []string{"--window", "10"}, "not a duration", nil},
		{"negative duration", []string{"--window", "-1s"}, "negative", nil},
		{"bad tried", []string{"--tried", "cable,prayer"}, "prayer", nil},
		{"empty apple host", []string{"--apple-hosts", "a:1,,b:2"}, "empty entry", nil},
		{"bad usbmuxd", []string{"--usbmuxd", "ftp://x"}, "--usbmuxd", nil},
		{"stray argument", []string{"now"}, "unexpected argument", nil},
		{"bad request count", []string{"--lockdown-requests", "-1"}, "lockdown-requests", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			co, err := parseCheckArgs(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, co)
			}
		})
	}
}

func TestRunCheckExitCodes(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		stdoutHas  string
		stderrLine bool
	}{
		{[]string{"--help"}, exitOK, "Usage: restoredoctor check", false},
		{[]string{"--nope"}, exitUsage, "", true},
		{[]string{"--window", "soon"}, exitUsage, "", true},
		{[]string{"--tried", "magic"}, exitUsage, "", true},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		code := runCheck(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.stdoutHas) {
			t.Errorf("%v: exit %d stdout %q, want %d %q", tc.args, code, out.String(), tc.code, tc.stdoutHas)
		}
		if tc.stderrLine && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("%v: stderr is not one line: %q", tc.args, errb.String())
		}
		if tc.code == exitUsage && out.Len() != 0 {
			t.Errorf("%v: usage error wrote to stdout: %q", tc.args, out.String())
		}
	}
}

// TestRunCheckOnThisMachine runs the real engine in-process: the real (here
// empty or absent) USB bus, no usbmuxd, no network. It must report that
// honestly, print one JSON object and write the Markdown file atomically.
func TestRunCheckOnThisMachine(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "report.md")
	if err := os.WriteFile(filepath.Join(dir, "no-hosts"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	start := time.Now()
	code := runCheck([]string{"--json", "--window", "0", "--no-network", "--usbmuxd", "unix://" + filepath.Join(dir, "none"),
		"--markdown", md, "--hosts-file", filepath.Join(dir, "no-hosts")}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("took %v", el)
	}
	if err := report.Validate(out.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	dec := json.NewDecoder(&out)
	var rep report.Report
	if err := dec.Decode(&rep); err != nil || dec.More() {
		t.Fatalf("stdout is not exactly one JSON object: %v", err)
	}
	if rep.Host.Usbmuxd.Status != report.UsbmuxdUnreachable {
		t.Errorf("usbmuxd status %q", rep.Host.Usbmuxd.Status)
	}
	ids := map[string]bool{}
	for _, f := range rep.Findings {
		ids[f.ID] = true
	}
	if !ids[report.FindingUsbmuxUnreachable] || !(ids[report.FindingUSBNoDevice] || ids[report.FindingUSBUnavailable]) {
		t.Errorf("findings %v", ids)
	}
	b, err := os.ReadFile(md)
	if err != nil || !bytes.HasPrefix(b, []byte("#")) {
		t.Fatalf("markdown %q, %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestRunCheckCouldNotRun: exit 1 when the report cannot be written or the
// run ran out of time (the report is still printed, once).
func TestRunCheckCouldNotRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "h"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"--window", "0", "--no-network", "--usbmuxd", "unix://" + filepath.Join(dir, "none"), "--hosts-file", filepath.Join(dir, "h")}
	var out, errb bytes.Buffer
	if code := runCheck(append(base, "--markdown", filepath.Join(dir, "missing", "r.md")), &out, &errb); code != exitFail {
		t.Errorf("unwritable --markdown: exit %d, want %d (%s)", code, exitFail, errb.String())
	}
	out.Reset()
	errb.Reset()
	start := time.Now()
	code := runCheck(append(base, "--json", "--timeout", "1ns"), &out, &errb)
	if code != exitFail || !strings.Contains(errb.String(), "--timeout") {
		t.Errorf("--timeout 1ns: exit %d, stderr %q", code, errb.String())
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("--timeout 1ns took %v", el)
	}
	if err := report.Validate(out.Bytes()); err != nil {
		t.Errorf("incomplete report does not validate: %v", err)
	}
}

func TestParseWatchArgs(t *testing.T) {
	wo, err := parseWatchArgs([]string{"--json", "--interval", "200ms", "--for", "3s", "--no-checks", "--usbmuxd", "/tmp/x"})
	if c := wo.cmd; err != nil || !c.JSON || c.Interval != 200*time.Millisecond || c.For != 3*time.Second || !c.NoChecks || c.UsbmuxdAddress != "/tmp/x" {
		t.Fatalf("%+v %v", wo, err)
	}
	for _, bad := range [][]string{{"--interval", "1ms"}, {"--for", "x"}, {"--bogus"}, {"extra"}} {
		if _, err := parseWatchArgs(bad); err == nil {
			t.Errorf("%v: want error", bad)
		}
	}
	var out, errb bytes.Buffer
	if code := runWatch([]string{"--help"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "Usage: restoredoctor watch") {
		t.Errorf("--help: %d %q", code, out.String())
	}
	if code := runWatch([]string{"--nope"}, &out, &errb); code != exitUsage {
		t.Errorf("--nope: %d", code)
	}
}
