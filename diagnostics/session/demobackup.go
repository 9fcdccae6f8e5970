package session

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// demoBackupAge is how old the demo's backup of each phone is, by demo
// scenario: the scenarios where step 5 (the erase) matters show a finished,
// encrypted backup; the others show none, so both states can be seen.
// iCloud Backup comes from the scenario itself (icloud-backup).
var demoBackupAge = map[string]time.Duration{
	"recovery":       4*24*time.Hour + 3*time.Hour,
	"recovery-stuck": 4*24*time.Hour + 3*time.Hour,
	"dfu":            9 * 24 * time.Hour,
	"restore":        2 * time.Hour,
	"flapping":       23 * 24 * time.Hour,
}

// writeDemoBackups makes the demo's backup folder: a new temporary folder
// the checks scan besides this computer's own (Session.BackupDirs), holding
// for scenario name's phones (demoBackupAge) what Finder writes about a
// backup: Info.plist, Status.plist and Manifest.plist, no content. The real
// scanner then finds it, as it would a real one. It returns the folder.
func writeDemoBackups(name string, sc sim.Scenario, now time.Time) (string, error) {
	dir, err := os.MkdirTemp("", "restoredoctor-demo-backups-")
	if err != nil {
		return "", fmt.Errorf("demo backups: %w", err)
	}
	age, ok := demoBackupAge[name]
	if !ok {
		return dir, nil
	}
	when := now.Add(-age).Truncate(time.Minute)
	for _, p := range sc.Phones {
		if p.UDID == "" {
			continue
		}
		if err := writeDemoBackup(filepath.Join(dir, p.UDID), p, when); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("demo backups: %w", err)
		}
	}
	return dir, nil
}

// writeDemoBackup writes one backup folder's three plists for p, finished
// and encrypted at when.
func writeDemoBackup(dir string, p sim.Phone, when time.Time) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	files := map[string]map[string]any{
		"Info.plist": {
			"Unique Identifier": p.UDID, "Target Identifier": p.UDID, "Last Backup Date": when.UTC(),
			"Product Version": p.ProductVersion, "Product Type": p.ProductType, "Device Name": p.DeviceName,
		},
		"Status.plist":   {"SnapshotState": "finished", "Date": when.UTC(), "IsFullBackup": false, "Version": "3.3"},
		"Manifest.plist": {"IsEncrypted": true, "Version": "10.0"},
	}
	for name, v := range files {
		raw, err := plist.Marshal(v, plist.XMLFormat)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o600); err != nil {
			return err
		}
	}
	return nil
}
