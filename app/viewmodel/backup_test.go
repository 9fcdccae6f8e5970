package viewmodel

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/backup"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func backupReport(key string, local, cloud map[string]any) *report.Report {
	r := &report.Report{}
	if local != nil {
		r.Findings = append(r.Findings, report.Finding{ID: report.FindingBackupLocal, DeviceKey: key, Evidence: local})
	}
	if cloud != nil {
		r.Findings = append(r.Findings, report.Finding{ID: report.FindingBackupICloud, DeviceKey: key, Evidence: cloud})
	}
	return r
}

func TestBackupSentences(t *testing.T) {
	now := time.Date(2026, 12, 6, 14, 10, 0, 0, time.UTC)
	found := func(when string, finished, encrypted any) map[string]any {
		return map[string]any{"state": "found", "backups": []any{map[string]any{"last_backup": when, "finished": finished, "encrypted": encrypted}}}
	}
	none := map[string]any{"state": "none"}
	on, off := map[string]any{"state": "on"}, map[string]any{"state": "off"}
	recovery := map[string]any{"state": "unknown", "reason": "the iPhone is in recovery mode, where it cannot be asked", "reason_code": "recovery_mode"}
	tests := []struct {
		name         string
		local, cloud map[string]any
		goos         string
		want         []string
		covered      bool
		ways         []string
		needsIOS     bool
	}{
		{name: "finished, encrypted, iCloud off", local: found("2026-12-02T14:10:00Z", true, true), cloud: off, goos: "darwin",
			want:    []string{"Last backup of this iPhone on this computer: 2 Dec 2026, 14:10 (4 days ago), finished, encrypted.", "iCloud Backup is off."},
			covered: true},
		{name: "no backup, iCloud off: the ways to back up on Windows", local: none, cloud: off, goos: "windows",
			want: []string{"No backup of this iPhone on this computer, and iCloud Backup is off."},
			ways: []string{"Apple Devices", "iTunes", "iCloud"}},
		{name: "no backup, iCloud on", local: none, cloud: on, goos: "darwin",
			want: []string{"iCloud Backup is on; last local backup: none."}, covered: true},
		{name: "recovery: what the computer has, iCloud cannot be checked", local: found("2026-12-06T11:05:00Z", false, false), cloud: recovery, goos: "darwin",
			want: []string{"Last backup of this iPhone on this computer: 6 Dec 2026, 11:05 (3 hours ago), did not finish, not encrypted.",
				"iCloud Backup cannot be checked now: the iPhone is in recovery mode, where it cannot be asked."},
			ways: []string{"Finder", "iCloud"}, needsIOS: true},
		{name: "DFU, no backup here", local: none, cloud: map[string]any{"state": "unknown", "reason": "the iPhone is in DFU mode, where it cannot be asked", "reason_code": "dfu_mode"}, goos: "linux",
			want: []string{"No backup of this iPhone on this computer.", "iCloud Backup cannot be checked now: the iPhone is in DFU mode, where it cannot be asked."},
			ways: []string{"idevicebackup2", "iCloud"}, needsIOS: true},
		{name: "permission: never 'no backup'", local: map[string]any{"state": "permission", "what_to_do": checks.FullDiskAccessHint()}, cloud: off, goos: "darwin",
			want: []string{"Could not check this computer's backups (permission). " + sentence(checks.FullDiskAccessHint()), "iCloud Backup is off."},
			ways: []string{"Finder", "iCloud"}},
		{name: "Linux without --backup-dir", local: map[string]any{"state": "no_locations"}, cloud: on, goos: "linux",
			want:    []string{"This computer has no standard backup folder: name idevicebackup2's folder with --backup-dir to check it.", "iCloud Backup is on."},
			covered: true},
		{name: "an error", local: map[string]any{"state": "error"}, goos: "linux",
			want: []string{"Could not check this computer's backups completely."}, ways: []string{"idevicebackup2", "iCloud"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Backup(backupReport("k", tt.local, tt.cloud), "k", now, time.UTC, tt.goos)
			if !v.Known || strings.Join(v.Lines, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(v.Lines, "\n"), strings.Join(tt.want, "\n"))
			}
			if v.Covered != tt.covered {
				t.Errorf("covered %v, want %v", v.Covered, tt.covered)
			}
			var apps []string
			for _, w := range v.Ways {
				apps = append(apps, w.App)
				if len(w.Steps) == 0 {
					t.Errorf("%s has no steps", w.App)
				}
			}
			if strings.Join(apps, ",") != strings.Join(tt.ways, ",") {
				t.Errorf("ways %v, want %v", apps, tt.ways)
			}
			if (v.NeedsIOS != "") != tt.needsIOS {
				t.Errorf("needs iOS %q", v.NeedsIOS)
			}
		})
	}
	if v := Backup(backupReport("k", none, off), "other", now, time.UTC, "darwin"); v.Known {
		t.Errorf("another phone's findings were shown: %+v", v)
	}
	// Two phones, no key given: the first phone's findings only, never a mix.
	two := &report.Report{Findings: []report.Finding{
		{ID: report.FindingBackupICloud, DeviceKey: "a", Evidence: on},
		{ID: report.FindingBackupICloud, DeviceKey: "b", Evidence: off},
		{ID: report.FindingBackupLocal, DeviceKey: "a", Evidence: none},
		{ID: report.FindingBackupLocal, DeviceKey: "b", Evidence: found("2026-12-02T14:10:00Z", true, true)},
	}}
	if v := Backup(two, "", now, time.UTC, "darwin"); strings.Join(v.Lines, " ") != "iCloud Backup is on; last local backup: none." {
		t.Errorf("two phones: %q", v.Lines)
	}
	if v := Backup(nil, "", now, time.UTC, "darwin"); v.Known || len(v.Lines) != 0 {
		t.Errorf("nil report: %+v", v)
	}
}

// TestBackupFromScan reads the findings the check makes from a real scan of
// the macOS testdata tree: the view and the check agree on the evidence.
func TestBackupFromScan(t *testing.T) {
	home, err := filepath.Abs("../../diagnostics/host/backup/testdata/macos")
	if err != nil {
		t.Fatal(err)
	}
	const udid = "00008110-001A2B3C4D5E6F70"
	res, err := backup.Scan(context.Background(), backup.Options{UDID: udid,
		Locations: backup.Locations("darwin", func(k string) string { return map[string]string{"HOME": home}[k] }, nil)})
	if err != nil {
		t.Fatal(err)
	}
	phones := []checks.Phone{{Key: "k", Mode: mode.Normal}}
	out, err := checks.LocalBackups(phones, map[string]checks.LocalBackup{"k": {UDID: udid, Result: res}}, "darwin")
	if err != nil {
		t.Fatal(err)
	}
	r := &report.Report{Findings: out.Findings}
	v := Backup(r, "k", time.Date(2026, 12, 6, 14, 10, 0, 0, time.UTC), time.UTC, "darwin")
	want := "Last backup of this iPhone on this computer: 2 Dec 2026, 14:10 (4 days ago), finished, encrypted."
	if len(v.Lines) != 1 || v.Lines[0] != want || !v.Covered {
		t.Errorf("lines %q (covered %v), want %q", v.Lines, v.Covered, want)
	}
}

func TestAgo(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Hour, "in the future: check this computer's clock"},
		{30 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{5 * time.Hour, "5 hours ago"},
		{30 * time.Hour, "yesterday"},
		{4 * 24 * time.Hour, "4 days ago"},
		{90 * 24 * time.Hour, "3 months ago"},
		{800 * 24 * time.Hour, "2 years ago"},
	} {
		if got := ago(tt.d); got != tt.want {
			t.Errorf("ago(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestBackupSteps(t *testing.T) {
	s := backupSteps()
	for _, k := range []string{"darwin", "windows", "other"} {
		if len(s.Ways[k]) < 2 {
			t.Errorf("%s: %d ways", k, len(s.Ways[k]))
		}
	}
	if s.NeedsIOS == "" {
		t.Error("needs_ios missing")
	}
}

// A reason shown after a colon keeps "iPhone" as it is written and ends
// with the full stop of its script.
func TestClause(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"the iPhone is in recovery mode", "the iPhone is in recovery mode."},
		{"The iPhone did not answer", "the iPhone did not answer."},
		{"DFU mode", "DFU mode."},
		{"iPhone 处于恢复模式，此时无法询问", "iPhone 处于恢复模式，此时无法询问。"},
		{"iPhoneがリカバリモードのため、問い合わせできません", "iPhoneがリカバリモードのため、問い合わせできません。"},
		{"iPhone이 복구 모드여서 물어볼 수 없습니다", "iPhone이 복구 모드여서 물어볼 수 없습니다."},
		{"already a sentence.", "already a sentence."},
	} {
		if got := clause(tt.in); got != tt.want {
			t.Errorf("clause(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"open System Settings", "Open System Settings."},
		{"iCloud is off", "iCloud is off."},
		{"macOS asks first", "macOS asks first."},
	} {
		if got := sentence(tt.in); got != tt.want {
			t.Errorf("sentence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
