package diagnostics

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/backup"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// treeScan scans a testdata tree of diagnostics/host/backup as goos's layout.
func treeScan(t *testing.T, goos string, env map[string]string) BackupScan {
	t.Helper()
	abs := map[string]string{}
	for k, v := range env {
		p, err := filepath.Abs(filepath.Join("host", "backup", "testdata", v))
		if err != nil {
			t.Fatal(err)
		}
		abs[k] = p
	}
	return func(ctx context.Context, udid string, dirs []string) (backup.Result, error) {
		return backup.Scan(ctx, backup.Options{UDID: udid, Locations: backup.Locations(goos, func(k string) string { return abs[k] }, dirs)})
	}
}

func findingOf(r *report.Report, id string) *report.Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}

func TestEngineBackups(t *testing.T) {
	mac := map[string]string{"HOME": "macos"}
	linux := map[string]string{"HOME": "linux"}
	tests := []struct {
		scenario     string
		goos         string
		env          map[string]string
		local        string // backup.local evidence.state
		localSummary string
		icloud       string // backup.icloud evidence.state
		reason       string // substring of the iCloud reason
		statuses     map[string]string
		primary      int
	}{
		{scenario: "healthy", goos: "darwin", env: mac, local: "found", localSummary: "2 Dec 2026, 14:10 UTC, finished, encrypted", icloud: "off",
			statuses: map[string]string{report.CheckHostBackups: report.StatusPass, report.CheckLockdownICloudBackup: report.StatusWarn}},
		{scenario: "icloud-backup", goos: "linux", env: linux, local: "no_locations", icloud: "on",
			statuses: map[string]string{report.CheckHostBackups: report.StatusUnsupported, report.CheckLockdownICloudBackup: report.StatusPass}},
		{scenario: "untrusted", goos: "darwin", env: linux, local: "none", localSummary: "No backup", icloud: "unknown", reason: "does not trust",
			statuses: map[string]string{report.CheckHostBackups: report.StatusWarn, report.CheckLockdownICloudBackup: report.StatusSkipped}},
		// Recovery and DFU: the UDID comes from the iBoot serial's CPID and ECID (A15 here).
		{scenario: "recovery", goos: "darwin", env: mac, local: "found", icloud: "unknown", reason: "recovery mode", primary: 5},
		{scenario: "dfu", goos: "darwin", env: mac, local: "found", icloud: "unknown", reason: "DFU mode", primary: 5},
		{scenario: "restore", goos: "darwin", env: mac, local: "found", icloud: "unknown", reason: "restore is running"},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, tc.scenario)
			h := fakeHost
			h.Backups, h.ICloudBackup = treeScan(t, tc.goos, tc.env), true
			e := NewEngine(Config{USB: srv.USBSource(), Host: h, ToolVersion: "test"})
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			rep, err := e.Run(ctx, Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, LockdownRequests: 3}, nil)
			if err != nil {
				t.Fatal(err)
			}
			lf, cf := findingOf(rep, report.FindingBackupLocal), findingOf(rep, report.FindingBackupICloud)
			if lf == nil || cf == nil {
				t.Fatalf("findings %v: want backup.local and backup.icloud", findingIDs(rep))
			}
			if lf.Evidence["state"] != tc.local || !strings.Contains(lf.Summary, tc.localSummary) {
				t.Errorf("backup.local: state %v, summary %q; want %s, %q", lf.Evidence["state"], lf.Summary, tc.local, tc.localSummary)
			}
			if cf.Evidence["state"] != tc.icloud {
				t.Errorf("backup.icloud: state %v, want %s (%q)", cf.Evidence["state"], tc.icloud, cf.Summary)
			}
			if r, _ := cf.Evidence["reason"].(string); !strings.Contains(r, tc.reason) {
				t.Errorf("backup.icloud reason %q, want %q", r, tc.reason)
			}
			if lf.DeviceKey == "" || cf.DeviceKey == "" || len(lf.Steps) != 0 {
				t.Errorf("device keys %q %q, steps %v", lf.DeviceKey, cf.DeviceKey, lf.Steps)
			}
			for id, want := range tc.statuses {
				if got := checkStatus(rep, id); got != want {
					t.Errorf("check %s = %s, want %s", id, got, want)
				}
			}
			// The backup facts change no verdict: no step gives them as a reason.
			for _, s := range rep.Steps {
				for _, r := range s.Reasons {
					if strings.Contains(strings.ToLower(r), "backup") {
						t.Errorf("step %d reason %q", s.Number, r)
					}
				}
			}
			got := 0
			if rep.PrimaryStep != nil {
				got = *rep.PrimaryStep
			}
			if tc.primary != 0 && got != tc.primary || !rep.Complete {
				t.Errorf("primary step %d, complete %v; want %d, true (%v; findings %v)", got, rep.Complete, tc.primary, rep.IncompleteReasons, findingIDs(rep))
			}
			// Redacted: the UDID is hashed, the path keeps no UDID.
			red := report.Redact(*rep)
			if f := findingOf(&red, report.FindingBackupLocal); f != nil {
				var b strings.Builder
				if err := red.JSON(&b); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(strings.ToUpper(b.String()), "001A2B3C4D5E6F70") {
					t.Errorf("redacted report holds the UDID")
				}
			}
		})
	}
}

func TestUDIDFromChip(t *testing.T) {
	for _, tt := range []struct{ cpid, ecid, want string }{
		{"8110", "001A2B3C4D5E6F70", "00008110-001A2B3C4D5E6F70"},
		{"0x8020", "0x1A2B", "00008020-0000000000001A2B"},
		{"8015", "001A2B3C4D5E6F70", ""}, // iPhone X: 40-hex UDID
		{"zz", "1", ""},
		{"8110", "0", ""},
	} {
		if got := udidFromChip(tt.cpid, tt.ecid); got != tt.want {
			t.Errorf("udidFromChip(%s, %s) = %q, want %q", tt.cpid, tt.ecid, got, tt.want)
		}
	}
}

// BenchmarkEngineRunBackupChecks is one quick run (window 0) against the
// healthy simulated phone with and without host.backups (an empty macOS
// tree) and lockdown.icloud_backup: what the two checks add to `check`.
func BenchmarkEngineRunBackupChecks(b *testing.B) {
	for _, with := range []bool{false, true} {
		b.Run(map[bool]string{false: "without", true: "with"}[with], func(b *testing.B) {
			srv := startSim(b, "healthy")
			h := fakeHost
			if with {
				home := b.TempDir()
				h.Backups = func(ctx context.Context, udid string, dirs []string) (backup.Result, error) {
					return backup.Scan(ctx, backup.Options{UDID: udid, Locations: backup.Locations("darwin", func(string) string { return home }, dirs)})
				}
				h.ICloudBackup = true
			}
			e := NewEngine(Config{USB: srv.USBSource(), Host: h, ToolVersion: "bench"})
			for b.Loop() {
				if _, err := e.Run(context.Background(), Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, LockdownRequests: 3}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
