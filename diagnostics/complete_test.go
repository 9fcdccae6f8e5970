package diagnostics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"

	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func healthyReport() *report.Report {
	return &report.Report{
		Schema:  report.Schema,
		Summary: rules.NoFaultSummary(),
		Devices: []report.Device{{Key: "id-1", Mode: "normal", Stability: report.Stability{WindowS: 10}}},
		Checks: []report.Check{
			{ID: report.CheckUSBStability, Status: report.StatusPass},
			{ID: report.CheckLockdownQuery, Status: report.StatusPass},
			{ID: report.CheckHostSoftwareVersions, Status: report.StatusPass},
			{ID: report.CheckHostHostsFile, Status: report.StatusPass},
			{ID: report.CheckHostSecuritySoftware, Status: report.StatusUnsupported, Detail: "no reliable way"},
			{ID: report.CheckHostAppleServers, Status: report.StatusSkipped, Detail: "--no-network"},
		},
		Findings: []report.Finding{},
	}
}

// TestMarkCompleteness: a cut-short run or an errored phone check is
// incomplete in every format, and never says "No fault found" or "no drops
// in 10 s" (issue 14, defect 4).
func TestMarkCompleteness(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cause    error
		checkErr string // a check id set to error
		complete bool
		reason   string
		window   float64
	}{
		{"ran to the end", nil, "", true, "", 10},
		{"software versions error", nil, report.CheckHostSoftwareVersions, false, "host.software_versions", 10},
		{"hosts file error", nil, report.CheckHostHostsFile, false, "host.hosts_file", 10},
		{"interrupted", context.Canceled, "", false, "interrupted", 2},
		{"timeout", context.DeadlineExceeded, "", false, "--timeout", 2},
		{"lockdown error", nil, report.CheckLockdownQuery, false, "lockdown.query", 10},
		// Unsupported is no reason, on the phone as on the computer (the
		// window, watch and the export agree: their own tests).
		{"phone check unsupported", nil, "", true, "", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := healthyReport()
			if tc.name == "phone check unsupported" {
				rep.Checks = append(rep.Checks, report.Check{ID: report.CheckUSBControl, Status: report.StatusUnsupported, Detail: "not on this platform"})
			}
			for i := range rep.Checks {
				if rep.Checks[i].ID == tc.checkErr {
					rep.Checks[i].Status = report.StatusError
					rep.Checks[i].Detail = "cannot read hosts file /etc/hosts: permission denied"
				}
			}
			MarkCompleteness(rep, tc.cause, 2*time.Second+50*time.Millisecond)
			if rep.Complete != tc.complete || (tc.complete != (len(rep.IncompleteReasons) == 0)) {
				t.Fatalf("complete %v, reasons %q", rep.Complete, rep.IncompleteReasons)
			}
			if NoFaultFound(rep) != tc.complete {
				t.Errorf("NoFaultFound = %v for a report complete=%v", NoFaultFound(rep), tc.complete)
			}
			if got := rep.Devices[0].Stability.WindowS; got != tc.window {
				t.Errorf("window_s = %v, want %v", got, tc.window)
			}
			var js, md, txt bytes.Buffer
			if err := rep.JSON(&js); err != nil {
				t.Fatal(err)
			}
			if err := report.Markdown(&md, rep, catalog.MustDefault()); err != nil {
				t.Fatal(err)
			}
			if err := report.Text(&txt, rep); err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			if back["complete"] != tc.complete {
				t.Errorf("JSON complete = %v", back["complete"])
			}
			for format, out := range map[string]string{"json": js.String(), "markdown": md.String(), "text": txt.String()} {
				if tc.complete {
					if strings.Contains(out, "Incomplete check") {
						t.Errorf("%s: complete report says incomplete", format)
					}
					continue
				}
				if !strings.Contains(out, "Incomplete check: ") || !strings.Contains(out, tc.reason) {
					t.Errorf("%s: no \"Incomplete check: …%s\":\n%s", format, tc.reason, out)
				}
				if strings.Contains(out, "No fault found") || strings.Contains(out, "no drops in 10 s") {
					t.Errorf("%s: an incomplete report gives an all-clear:\n%s", format, out)
				}
			}
		})
	}
}

// TestEngineCutShortIsIncomplete runs the engine against the healthy
// simulator and cancels it inside the window.
func TestEngineCutShortIsIncomplete(t *testing.T) {
	srv := startSim(t, "healthy")
	e := NewEngine(Config{USB: srv.USBSource(), Host: fakeHost, ToolVersion: "test"})
	defer e.Close()
	ctx, cancel := context.WithTimeoutCause(context.Background(), 700*time.Millisecond, context.DeadlineExceeded)
	defer cancel()
	rep, err := e.Run(ctx, Options{UsbmuxdAddress: srv.Addr(), Window: 5 * time.Second, NoNetwork: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Complete || !strings.HasPrefix(rep.Summary, "Incomplete check: ") {
		t.Fatalf("cut-short run: complete %v, summary %q", rep.Complete, rep.Summary)
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("context did not time out")
	}
	for _, d := range rep.Devices {
		if d.Stability.WindowS >= 5 {
			t.Errorf("device %s: window_s %v claims the whole window", d.Key, d.Stability.WindowS)
		}
	}
}

// TestReevaluateKeepsIncomplete: re-ranking an incomplete report (the window
// narrows it to one phone, or the user ticks what they tried) keeps it marked
// incomplete; the rules alone would write a fresh summary.
func TestReevaluateKeepsIncomplete(t *testing.T) {
	rep := healthyReport()
	MarkCompleteness(rep, context.Canceled, time.Second)
	if rep.Complete {
		t.Fatal("a cancelled run is complete")
	}
	Reevaluate(rep, catalog.MustDefault(), rules.Tried{Cable: true})
	if rep.Complete || !strings.HasPrefix(rep.Summary, "Incomplete check: ") || len(rep.IncompleteReasons) == 0 {
		t.Errorf("after Reevaluate: complete %v, reasons %q, summary %q", rep.Complete, rep.IncompleteReasons, rep.Summary)
	}
}

// TestEngineHostCheckErrorsAreIncomplete: a hosts file that cannot be read
// and a --apple-ca that is a device (read without Validate, as the window
// does) end in error, and the report is incomplete with the reasons, never
// "No fault found" with complete: true (issue 18, item 6). /dev/zero is
// refused before any byte is read (item 7).
func TestEngineHostCheckErrorsAreIncomplete(t *testing.T) {
	srv := startSim(t, "healthy")
	var servers atomic.Int32
	hc := HostChecks{
		AppleServers: func(ctx context.Context, o host.ServerOptions) host.Result {
			servers.Add(1)
			return host.Result{ID: report.CheckHostAppleServers, Status: report.StatusPass}
		},
		HostsFile: host.CheckHostsFile,
	}
	e := NewEngine(Config{USB: srv.USBSource(), Host: hc, ToolVersion: "test"})
	defer e.Close()
	dir := testtmp.Dir(t) // a directory as the hosts file: "cannot read hosts file"
	rep, err := e.Run(context.Background(), Options{UsbmuxdAddress: srv.Addr(), HostsFile: dir, AppleCAFile: "/dev/zero", LockdownRequests: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if servers.Load() != 0 {
		t.Error("the server probe ran without its CA bundle")
	}
	for _, id := range []string{report.CheckHostHostsFile, report.CheckHostAppleServers} {
		if st := checkStatus(rep, id); st != report.StatusError {
			t.Errorf("%s: %s, want error", id, st)
		}
	}
	if rep.Complete || NoFaultFound(rep) {
		t.Fatalf("complete %v with checks in error: %q", rep.Complete, rep.Summary)
	}
	joined := strings.Join(rep.IncompleteReasons, "; ")
	for _, want := range []string{"host.hosts_file", "is a directory", "host.apple_servers", "not a regular file"} {
		if !strings.Contains(joined, want) {
			t.Errorf("reasons %q lack %q", joined, want)
		}
	}
	if strings.Contains(rep.Summary, "No fault found") || !strings.HasPrefix(rep.Summary, "Incomplete check: ") {
		t.Errorf("summary %q", rep.Summary)
	}
}

// TestLoadCAFileBounded: a CA bundle is read with a size limit, and
// non-regular files are refused before they are opened.
func TestLoadCAFileBounded(t *testing.T) {
	dir := testtmp.Dir(t)
	for name, path := range map[string]string{
		"device":  "/dev/zero",
		"fifo":    fifo(t, dir),
		"too big": sparse(t, dir, MaxCABundle+1),
		"no PEM":  "complete_test.go",
		"missing": filepath.Join(dir, "none.pem"),
	} {
		if _, err := loadCAFile(path); err == nil {
			t.Errorf("%s: loadCAFile(%s) = nil error", name, path)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
