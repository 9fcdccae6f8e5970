package checks

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/backup"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestLocalBackups(t *testing.T) {
	loc := backup.Location{Path: "/Users/u/Library/Application Support/MobileSync/Backup", Display: "~/Library/Application Support/MobileSync/Backup", App: backup.AppFinder}
	yes, no := true, false
	when := time.Date(2026, 12, 2, 14, 10, 0, 0, time.UTC)
	finished := backup.Backup{Location: loc, Folder: "U", Info: backup.Info{LastBackup: when, ProductVersion: "18.1"},
		Status: backup.Status{SnapshotState: "finished"}, Manifest: backup.Manifest{IsEncrypted: &yes}, SizeBytes: 10, SizeKnown: true}
	unfinished := finished
	unfinished.Status.SnapshotState, unfinished.Manifest.IsEncrypted = "uploading", &no
	read := backup.LocationResult{Location: loc, Status: backup.LocationRead}
	tests := []struct {
		name     string
		mode     mode.Mode
		scan     LocalBackup
		status   string
		state    string
		severity string
		summary  string
	}{
		{"a finished backup", mode.Normal, LocalBackup{UDID: "U", Result: backup.Result{Locations: []backup.LocationResult{read}, Backups: []backup.Backup{finished}}},
			report.StatusPass, "found", report.SeverityInfo, "Last backup of this iPhone on this computer: 2 Dec 2026, 14:10 UTC, finished, encrypted"},
		{"only an unfinished backup", mode.Normal, LocalBackup{UDID: "U", Result: backup.Result{Locations: []backup.LocationResult{read}, Backups: []backup.Backup{unfinished}}},
			report.StatusWarn, "found", report.SeverityWarning, "did not finish, not encrypted"},
		{"none", mode.Normal, LocalBackup{UDID: "U", Result: backup.Result{Locations: []backup.LocationResult{read}}},
			report.StatusWarn, "none", report.SeverityWarning, "No backup of this iPhone on this computer"},
		{"permission: never 'no backup'", mode.Normal, LocalBackup{UDID: "U", Result: backup.Result{Locations: []backup.LocationResult{{Location: loc, Status: backup.LocationPermission, Err: "permission denied"}}}},
			report.StatusWarn, "permission", report.SeverityWarning, "Full Disk Access"},
		{"too many folders: not 'no backup'", mode.Normal, LocalBackup{UDID: "U", Result: backup.Result{Locations: []backup.LocationResult{{Location: loc, Status: backup.LocationRead, Truncated: true}}}},
			report.StatusWarn, "error", report.SeverityWarning, "holds more folders than are looked at"},
		{"nowhere to look", mode.Normal, LocalBackup{UDID: "U"},
			report.StatusUnsupported, "no_locations", report.SeverityInfo, "--backup-dir"},
		{"an older iPhone in recovery", mode.Recovery, LocalBackup{},
			report.StatusWarn, "unknown_phone", report.SeverityWarning, "recovery mode"},
		{"the scan could not run", mode.Normal, LocalBackup{UDID: "U", Err: errors.New("boom")},
			report.StatusWarn, "error", report.SeverityWarning, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := LocalBackups([]Phone{{Key: "k", Mode: tt.mode}}, map[string]LocalBackup{"k": tt.scan}, "darwin")
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != tt.status || len(out.Findings) != 1 {
				t.Fatalf("status %s (%d findings), want %s", out.Status, len(out.Findings), tt.status)
			}
			f := out.Findings[0]
			if f.ID != report.FindingBackupLocal || f.DeviceKey != "k" || f.Evidence["state"] != tt.state || f.Severity != tt.severity || !strings.Contains(f.Summary, tt.summary) {
				t.Errorf("finding %s %s %v %s %q", f.ID, f.DeviceKey, f.Evidence["state"], f.Severity, f.Summary)
			}
		})
	}
	if out, _ := LocalBackups(nil, nil, "linux"); out.Status != report.StatusSkipped {
		t.Errorf("no phone: %s", out.Status)
	}
}

func TestICloudBackup(t *testing.T) {
	on, off := true, false
	tests := []struct {
		name    string
		answers map[string]ICloud
		status  string
		states  []string
	}{
		{"on", map[string]ICloud{"a": {Enabled: &on}}, report.StatusPass, []string{"on"}},
		{"off", map[string]ICloud{"a": {Enabled: &off}}, report.StatusWarn, []string{"off"}},
		{"cannot be asked: no guess", map[string]ICloud{"a": {Reason: "the iPhone is in DFU mode"}}, report.StatusSkipped, []string{"unknown"}},
		{"one on, one cannot be asked", map[string]ICloud{"a": {Enabled: &on}, "b": {Reason: "untrusted"}}, report.StatusWarn, []string{"on", "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ICloudBackup([]Phone{{Key: "a"}, {Key: "b"}}, tt.answers)
			if err != nil {
				t.Fatal(err)
			}
			var states []string
			for _, f := range out.Findings {
				states = append(states, f.Evidence["state"].(string))
				if f.Evidence["state"] == "unknown" && !strings.HasPrefix(f.Summary, "iCloud Backup cannot be checked now: ") {
					t.Errorf("summary %q", f.Summary)
				}
			}
			if out.Status != tt.status || strings.Join(states, ",") != strings.Join(tt.states, ",") {
				t.Errorf("status %s states %v, want %s %v", out.Status, states, tt.status, tt.states)
			}
		})
	}
}
