package backup

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"howett.net/plist"
)

// Phone A (the simulator's identity) and another phone.
const (
	udidA     = "00008110-001A2B3C4D5E6F70"
	udidOther = "00008030-000A11B22C33D44E"
)

// TestWriteTestdata writes the testdata trees when RESTOREDOCTOR_WRITE_TESTDATA=1
// (they are committed; run it after changing this function). Each tree is
// one operating system's layout, holding what Finder, iTunes or
// idevicebackup2 write: Info.plist, Status.plist, Manifest.plist and some
// hashed content files, whose bytes are never read.
func TestWriteTestdata(t *testing.T) {
	if os.Getenv("RESTOREDOCTOR_WRITE_TESTDATA") != "1" {
		t.Skip("set RESTOREDOCTOR_WRITE_TESTDATA=1 to rewrite testdata/")
	}
	type bk struct {
		dir       string
		udid      string
		date      time.Time
		version   string
		state     string
		encrypted bool
		format    int // plist.XMLFormat or plist.BinaryFormat
		content   int // bytes of a content file
	}
	mac := "testdata/macos/Library/Application Support/MobileSync/Backup"
	win := "testdata/windows/AppData/Roaming/Apple Computer/MobileSync/Backup"
	store := "testdata/windows/Apple/MobileSync/Backup"
	linux := "testdata/linux/backups"
	d := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, b := range []bk{
		// macOS: phone A twice (the folder and a timestamped copy), encrypted; another phone.
		{mac + "/" + udidA, udidA, d("2026-12-02T14:10:00Z"), "18.1", "finished", true, plist.XMLFormat, 4096},
		{mac + "/" + udidA + "-20261120-091500", udidA, d("2026-11-20T09:15:00Z"), "18.0", "finished", true, plist.XMLFormat, 2048},
		{mac + "/" + udidOther, udidOther, d("2026-12-05T08:00:00Z"), "17.6", "finished", false, plist.XMLFormat, 100},
		// Windows, iTunes from Apple's site: an unfinished backup of phone A.
		{win + "/" + udidA, udidA, d("2026-10-01T18:30:00Z"), "17.6", "uploading", false, plist.XMLFormat, 512},
		// Windows, Store iTunes / Apple Devices: binary plists; a renamed copy found by Info.plist.
		{store + "/" + udidA, udidA, d("2026-11-28T07:45:00Z"), "18.1", "finished", false, plist.BinaryFormat, 1000},
		{store + "/Copy of my iPhone", udidA, d("2026-09-01T12:00:00Z"), "17.5.1", "finished", false, plist.XMLFormat, 10},
		// Linux: another phone's backup only.
		{linux + "/" + udidOther, udidOther, d("2026-12-01T10:00:00Z"), "17.6", "finished", false, plist.XMLFormat, 10},
	} {
		must(t, os.MkdirAll(filepath.Join(b.dir, "ab"), 0o755))
		write := func(name string, v any) {
			raw, err := plist.Marshal(v, b.format)
			must(t, err)
			must(t, os.WriteFile(filepath.Join(b.dir, name), raw, 0o644))
		}
		write("Info.plist", map[string]any{
			"Last Backup Date": b.date, "Product Version": b.version, "Product Type": "iPhone14,3",
			"Device Name": "Test iPhone", "Display Name": "Test iPhone", "Build Version": "22B83",
			"Unique Identifier": upper(b.udid), "Target Identifier": b.udid, "Target Type": "Device",
			"Serial Number": "F2LXK0QJPLJM", "GUID": "6E1F5C1A0B2D4E8F9A7B6C5D4E3F2A1B",
		})
		write("Status.plist", map[string]any{"SnapshotState": b.state, "Date": b.date, "IsFullBackup": false,
			"Version": "3.3", "BackupState": "new", "UUID": "0D1C2B3A-4F5E-6D7C-8B9A-0F1E2D3C4B5A"})
		write("Manifest.plist", map[string]any{"IsEncrypted": b.encrypted, "Version": "10.0", "Date": b.date,
			"WasPasscodeSet": true, "Lockdown": map[string]any{"ProductVersion": b.version, "UniqueDeviceID": b.udid}})
		must(t, os.WriteFile(filepath.Join(b.dir, "ab", "ab34f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c"), make([]byte, b.content), 0o644))
	}
	// A corrupt Info.plist in a timestamped copy of phone A (Windows Store tree).
	bad := store + "/" + udidA + "-20260101-000000"
	must(t, os.MkdirAll(bad, 0o755))
	must(t, os.WriteFile(filepath.Join(bad, "Info.plist"), []byte("<?xml version=\"1.0\"?><plist><dict><key>Last Backup"), 0o644))
	must(t, os.WriteFile(filepath.Join(bad, "Status.plist"), mustPlist(t, map[string]any{"SnapshotState": "finished"}), 0o644))
	must(t, os.WriteFile(filepath.Join(mac, ".DS_Store"), []byte{0, 0, 0, 1}, 0o644))
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func mustPlist(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := plist.Marshal(v, plist.XMLFormat)
	must(t, err)
	return raw
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
