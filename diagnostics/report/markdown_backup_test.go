package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// backup_summary (the window's step-5 sentences) is rendered under its own
// heading, in order, and a UDID in it is replaced when redacting.
func TestMarkdownBackupSummary(t *testing.T) {
	udid := "00008110-001A2B3C4D5E6F70"
	r := report.Report{Schema: report.Schema, Complete: true,
		Devices: []report.Device{{Key: udid, Mode: "normal"}},
		BackupSummary: []string{
			"No backup of this iPhone on this computer.",
			"iCloud Backup cannot be checked now: The iPhone did not answer: read backup settings of " + udid + ".",
		}}
	var buf bytes.Buffer
	if err := report.Markdown(&buf, &r, nil); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	i := strings.Index(md, "## Backups (before the erase)")
	j := strings.Index(md, "No backup of this iPhone on this computer.")
	k := strings.Index(md, "iCloud Backup cannot be checked now")
	if i < 0 || j < i || k < j {
		t.Errorf("Markdown lacks the backup section in order:\n%s", md)
	}
	red := report.Redact(r)
	if strings.Contains(strings.Join(red.BackupSummary, " "), udid) || len(red.BackupSummary) != 2 {
		t.Errorf("redacted backup_summary %q", red.BackupSummary)
	}
	var empty bytes.Buffer
	r.BackupSummary = nil
	if err := report.Markdown(&empty, &r, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(empty.String(), "## Backups") {
		t.Error("a report without backup_summary has a backup section")
	}
}
