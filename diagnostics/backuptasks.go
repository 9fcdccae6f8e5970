package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/backup"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// BackupScan finds one phone's local backups in the locations for dirs
// (the user's --backup-dir folders). SystemBackupScan in production; tests
// scan testdata trees.
type BackupScan func(ctx context.Context, udid string, dirs []string) (backup.Result, error)

// SystemBackupScan scans this computer's backup folders
// (backup.Locations for runtime.GOOS, from the environment) with the real
// file system.
func SystemBackupScan(ctx context.Context, udid string, dirs []string) (backup.Result, error) {
	return backup.Scan(ctx, backup.Options{UDID: udid, Locations: backup.Locations(runtime.GOOS, os.Getenv, dirs)})
}

// backupScanTimeout bounds the whole backup scan of a run (all phones).
const backupScanTimeout = 15 * time.Second

func init() {
	labels[report.CheckHostBackups] = "findings.label.host_backups"
	labels[report.CheckLockdownICloudBackup] = "findings.label.icloud_backup"
}

// backupTasks are host.backups and lockdown.icloud_backup.
func (r *run) backupTasks() []Task {
	t := r.e.cfg.UsbmuxTimeout
	// lockdown.icloud_backup waits for the round-trip probe (lockdown.rtt's
	// budget), then asks each phone within 4 request timeouts.
	rttT := 4*t + 14*time.Second + max(r.opts.Window, 4*time.Second) + t + 14*time.Second
	return []Task{
		{ID: report.CheckHostBackups, Label: Label(report.CheckHostBackups), Timeout: backupScanTimeout + 10*time.Second, Run: r.checkBackups},
		{ID: report.CheckLockdownICloudBackup, Label: Label(report.CheckLockdownICloudBackup), Timeout: rttT + 4*t + 2*time.Second, Run: r.checkICloud},
	}
}

// phoneUDID is the UDID a phone's backups are named by: usbmuxd's, else
// lockdownd's, else the USB serial (normal mode), else one built from the
// recovery/DFU serial's CPID and ECID for chips that name phones that way
// (A12 and later: "0000CPID-ECID"); "" when it cannot be known.
func phoneUDID(p phone, ld lockdownResult) string {
	switch {
	case p.Mux != nil && p.Mux.UDID != "":
		return p.Mux.UDID
	case ld.info.UniqueDeviceID != "":
		return ld.info.UniqueDeviceID
	case p.USB == nil:
		return ""
	case p.USB.Recovery != nil:
		return udidFromChip(p.USB.Recovery.CPID, p.USB.Recovery.ECID)
	case (p.Mode == mode.Normal || p.Mode == mode.Restore) && p.USB.Serial != "":
		return p.USB.Serial
	}
	return ""
}

// udidFromChip is the UDID of an A12-or-later phone from its chip id and
// ECID (hex), "" for older chips, whose UDID is a hash nothing here knows.
func udidFromChip(cpid, ecid string) string {
	c, err1 := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(cpid), "0x"), 16, 32)
	e, err2 := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(ecid), "0x"), 16, 64)
	if err1 != nil || err2 != nil || c < 0x8020 || e == 0 {
		return ""
	}
	return fmt.Sprintf("%08X-%016X", c, e)
}

func (r *run) checkBackups(ctx context.Context) (Outcome, error) {
	scan := r.e.cfg.Host.Backups
	if scan == nil {
		return Skipped(notConfigured()), nil
	}
	phones, ld, err := r.lockdownFacts(ctx)
	if err != nil {
		return Outcome{}, err
	}
	sctx, cancel := context.WithTimeout(ctx, backupScanTimeout)
	defer cancel()
	scans := map[string]checks.LocalBackup{}
	for _, p := range phones {
		if p.WindowOnly {
			continue
		}
		udid := phoneUDID(p, ld[p.Key])
		lb := checks.LocalBackup{UDID: udid}
		if udid != "" {
			lb.Result, lb.Err = scan(sctx, udid, r.opts.BackupDirs)
		}
		scans[p.Key] = lb
	}
	return checks.LocalBackups(checkPhones(phones), scans, runtime.GOOS)
}

func (r *run) checkICloud(ctx context.Context) (Outcome, error) {
	if !r.e.cfg.Host.ICloudBackup {
		return Skipped(notConfigured()), nil
	}
	phones, ld, err := r.lockdownFacts(ctx)
	if err != nil {
		return Outcome{}, err
	}
	// After the round-trip probe: a session beside it would skew its timings.
	_, _ = r.rtt.Get(ctx)
	answers := map[string]checks.ICloud{}
	for _, p := range phones {
		if p.WindowOnly {
			continue
		}
		answers[p.Key] = r.askICloud(ctx, p, ld)
	}
	return checks.ICloudBackup(checkPhones(phones), answers)
}

// askICloud asks one phone, when it can answer: listed by usbmuxd, lockdownd
// (not restored) answering, and this computer trusted.
func (r *run) askICloud(ctx context.Context, p phone, ld map[string]lockdownResult) checks.ICloud {
	switch p.Mode {
	case mode.Recovery:
		return checks.ICloud{Code: "recovery_mode", Reason: i18n.T("findings.icloud.recovery")}
	case mode.DFU:
		return checks.ICloud{Code: "dfu_mode", Reason: i18n.T("findings.icloud.dfu")}
	case mode.Restore:
		return checks.ICloud{Code: "restoring", Reason: i18n.T("findings.icloud.restoring")}
	}
	if p.entry == nil {
		return checks.ICloud{Code: "not_listed", Reason: i18n.T("findings.icloud.not_listed")}
	}
	res, ok := ld[p.Key]
	switch {
	case !ok || res.info.Type == "":
		return checks.ICloud{Code: "lockdownd_silent", Reason: i18n.T("findings.icloud.lockdownd_silent")}
	case res.info.Mode == mode.Restore:
		return checks.ICloud{Code: "restoring", Reason: i18n.T("findings.icloud.restoring")}
	}
	switch t := res.info.Trust.Trusted(); {
	case t == nil:
		return checks.ICloud{Code: "trust_unknown", Reason: i18n.T("findings.icloud.trust_unknown")}
	case !*t:
		return checks.ICloud{Code: "untrusted", Reason: i18n.T("findings.icloud.untrusted")}
	}
	qctx, cancel := context.WithTimeout(ctx, 4*r.e.cfg.UsbmuxTimeout)
	defer cancel()
	st, err := r.client.ReadBackupSettings(qctx, *p.entry)
	switch {
	case errors.Is(err, usbmux.ErrNeedsTrust):
		return checks.ICloud{Code: "untrusted", Reason: i18n.T("findings.icloud.untrusted")}
	case errors.Is(err, usbmux.ErrNotNormalMode):
		return checks.ICloud{Code: "not_normal", Reason: i18n.T("findings.icloud.not_normal")}
	case err != nil:
		return checks.ICloud{Code: "no_answer", Reason: i18n.T("findings.icloud.no_answer", i18n.Args{"Error": err.Error()})}
	case st.CloudBackupEnabled == nil:
		return checks.ICloud{Code: "did_not_say", Reason: i18n.T("findings.icloud.did_not_say"), LastComputerBackup: st.LastComputerBackup}
	}
	return checks.ICloud{Enabled: st.CloudBackupEnabled, LastComputerBackup: st.LastComputerBackup}
}
