package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// macBackups is the macOS testdata tree's Backup folder, used here as an
// idevicebackup2 folder (--backup-dir): it holds two backups of the demo's phone.
func macBackups(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../diagnostics/host/backup/testdata/macos/Library/Application Support/MobileSync/Backup")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openDemo(t *testing.T, scenario string) *session.Session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sess, err := session.Open(ctx, session.Setup{Demo: scenario, ToolVersion: "test", Host: backupHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

func TestBackupLines(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the expectations assume Linux, where only --backup-dir is looked at")
	}
	tests := []struct {
		scenario string
		dirs     bool
		want     []string
		not      []string
	}{
		{"healthy", true, []string{"Last backup of this iPhone on this computer: 2 Dec 2026, ", "finished, encrypted.", "iCloud Backup is off."}, []string{"To back up now"}},
		{"icloud-backup", false, []string{"no standard backup folder", "iCloud Backup is on."}, []string{"To back up now"}},
		{"untrusted", false, []string{"iCloud Backup cannot be checked now: the iPhone does not trust this computer", "To back up now:", "idevicebackup2:", "1. Connect the iPhone"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			sess := openDemo(t, tt.scenario)
			var dirs []string
			if tt.dirs {
				dirs = []string{macBackups(t)}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			devs, err := actions.SnapshotLook(sess.USB(), sess.Usbmux(), runtime.GOOS)(ctx)
			if err != nil || len(devs) != 1 {
				t.Fatalf("devices %v, %v", devs, err)
			}
			got := strings.Join(backupLines(sess, dirs)(ctx, devs[0].Key), "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("lines lack %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("lines hold %q:\n%s", n, got)
				}
			}
		})
	}
}

// TestRecoveryEnterShowsBackupsBeforeAsking: on a terminal, `recovery
// enter` prints the phone's backup state before the data-loss warning and
// the question; declining sends nothing.
func TestRecoveryEnterShowsBackupsBeforeAsking(t *testing.T) {
	sess := openDemo(t, "healthy")
	var stdout, stderr bytes.Buffer
	c := actions.Command{Kind: actions.EnterRecovery, Follow: time.Second, Terminal: true,
		USB: sess.USB(), Opener: sess.Opener(), Usbmux: sess.Usbmux(), GOOS: runtime.GOOS,
		BeforeConfirm: backupLines(sess, []string{macBackups(t)}),
		Stdin:         strings.NewReader("no\n"), Stdout: &stdout, Stderr: &stderr}
	err := actions.RunCommand(context.Background(), c)
	if !errors.Is(err, actions.ErrCommandFailed) {
		t.Fatalf("declined: %v", err)
	}
	out := stderr.String()
	b, q := strings.Index(out, "Last backup of this iPhone on this computer"), strings.Index(out, `Type "I have a backup"`)
	if b < 0 || q < 0 || b > q {
		t.Fatalf("the backup line must come before the question:\n%s", out)
	}
	if !strings.Contains(out, "Nothing was done.") {
		t.Errorf("stderr:\n%s", out)
	}
}

func TestBackupDirMustExist(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if got := runActionWith([]string{"recovery", "enter", "--backup-dir", "/nonexistent/backups", "--demo", "healthy"}, strings.NewReader(""), &stdout, &stderr); got != exitUsage {
		t.Fatalf("exit %d, want usage\n%s", got, stderr.String())
	}
	if _, err := parseCheckArgs([]string{"--backup-dir", "/nonexistent/backups"}); err == nil {
		t.Fatal("check accepted a missing --backup-dir")
	}
	co, err := parseCheckArgs([]string{"--backup-dir", macBackups(t), "--backup-dir", macBackups(t)})
	if err != nil || len(co.opts.BackupDirs) != 2 {
		t.Fatalf("%v %v", co.opts.BackupDirs, err)
	}
}
