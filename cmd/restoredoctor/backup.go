package main

import (
	"context"
	"runtime"
	"strconv"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// backupHost are the only host probes of the action commands: this
// computer's backups and the phone's iCloud Backup setting, shown before
// `recovery enter` asks.
func backupHost() diagnostics.HostChecks {
	return diagnostics.HostChecks{Backups: diagnostics.SystemBackupScan, ICloudBackup: true}
}

// backupCheckTimeout bounds the quick check run for the backup lines.
const backupCheckTimeout = 30 * time.Second

// backupLines returns actions.Command.BeforeConfirm: a quick check of sess
// (one pass, no network), whose backup.local and backup.icloud findings for
// the phone become step 5's sentences (viewmodel.Backup), and the ways to
// back up now when there is no finished backup and iCloud Backup is off.
func backupLines(sess *session.Session, dirs []string) func(ctx context.Context, key string) []string {
	return func(ctx context.Context, key string) []string {
		ctx, cancel := context.WithTimeout(ctx, backupCheckTimeout)
		defer cancel()
		rep, err := sess.Check(ctx, diagnostics.Options{UsbmuxdAddress: sess.UsbmuxdAddress(), NoNetwork: true,
			IncludeIdentifiers: true, BackupDirs: dirs}, nil)
		if err != nil {
			return []string{i18n.T("cli.backup.check_failed", i18n.Args{"Error": err})}
		}
		v := viewmodel.Backup(rep, key, time.Now(), time.Local, runtime.GOOS)
		if !v.Known {
			return []string{i18n.T("cli.backup.unknown")}
		}
		lines := v.Lines
		if !v.Covered && len(v.Ways) > 0 {
			lines = append(lines, i18n.T("cli.backup.how"))
			if v.NeedsIOS != "" {
				lines = append(lines, "  "+v.NeedsIOS)
			}
			for _, w := range v.Ways {
				lines = append(lines, "  "+w.App+":")
				for i, s := range w.Steps {
					lines = append(lines, "    "+strconv.Itoa(i+1)+". "+s)
				}
			}
		}
		return lines
	}
}
