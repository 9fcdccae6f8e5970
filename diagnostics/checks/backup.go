package checks

import (
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/backup"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// LocalBackup is one phone's backup scan as the engine gives it to LocalBackups.
type LocalBackup struct {
	// UDID is the identifier looked for; "" when the phone's mode hides it
	// (an iPhone older than the XS in recovery or DFU mode shows only its ECID).
	UDID   string
	Result backup.Result
	// Err is why the scan could not run at all.
	Err error
}

// FullDiskAccessHint is what to do when macOS refuses the backup folder,
// in the current language.
func FullDiskAccessHint() string { return i18n.T("findings.fix.full_disk_access") }

// permissionHint is what to do when goos refuses a backup folder.
func permissionHint(goos string) string {
	if goos == "darwin" {
		return FullDiskAccessHint()
	}
	return i18n.T("findings.fix.backup_read_access")
}

// maxBackupsInEvidence caps the backups listed per phone.
const maxBackupsInEvidence = 10

// LocalBackups turns each phone's scan into a backup.local finding. The
// status is pass when every phone has a finished backup here, warn when one
// has none, only an unfinished one, or could not be checked, unsupported
// when there was nowhere to look (Linux without --backup-dir). "No backup"
// is said only when every location was read completely.
func LocalBackups(phones []Phone, scans map[string]LocalBackup, goos string) (Outcome, error) {
	var out Outcome
	var details []string
	warn, looked := false, false
	for _, p := range phones {
		s, ok := scans[p.Key]
		if !ok {
			continue
		}
		f, w, d := localFinding(p, s, goos)
		out.Findings = append(out.Findings, f)
		warn = warn || w
		looked = looked || f.Evidence["state"] != string(backup.VerdictNoLocations)
		details = append(details, d)
	}
	switch {
	case len(out.Findings) == 0:
		return Skipped(i18n.T("findings.skipped.no_iphone_backups")), nil
	case !looked:
		out.Status = report.StatusUnsupported
	case warn:
		out.Status = report.StatusWarn
	default:
		out.Status = report.StatusPass
	}
	out.Detail = strings.Join(details, i18n.T("findings.incomplete.separator"))
	return out, nil
}

// localFinding is one phone's backup.local finding, whether it warns, and a detail.
func localFinding(p Phone, s LocalBackup, goos string) (report.Finding, bool, string) {
	ev := map[string]any{"udid": s.UDID}
	if s.UDID == "" {
		ev["state"] = "unknown_phone"
		args := i18n.Args{"Mode": modeWord(p.Mode)}
		return finding(report.FindingBackupLocal, report.SeverityWarning, p.Key,
				i18n.T("findings.summary.backup_unknown_phone", args), ev),
			true, i18n.T("findings.detail.backup_unknown_phone", args)
	}
	if s.Err != nil {
		ev["state"] = string(backup.VerdictError)
		ev["error"] = s.Err.Error()
		return finding(report.FindingBackupLocal, report.SeverityWarning, p.Key, i18n.T("findings.summary.backup_error", i18n.Args{"Error": s.Err.Error()}), ev), true, s.Err.Error()
	}
	r := s.Result
	v := r.Verdict()
	ev["state"] = string(v)
	ev["count"] = len(r.Backups)
	locs := []any{}
	var problems []string
	for _, l := range r.Locations {
		lm := map[string]any{"path": l.Display, "app": string(l.App), "status": string(l.Status)}
		if l.Err != "" {
			lm["error"] = l.Err
		}
		if l.Truncated {
			lm["truncated"] = true
			problems = append(problems, i18n.T("findings.detail.backup_truncated", i18n.Args{"Path": l.Display}))
		}
		if l.Unreadable > 0 {
			lm["unreadable_folders"] = l.Unreadable
		}
		switch {
		case l.Status == backup.LocationPermission || l.Unreadable > 0:
			problems = append(problems, i18n.T("findings.detail.backup_permission_denied", i18n.Args{"Path": l.Display}))
		case l.Status == backup.LocationError || l.Status == backup.LocationTimeout:
			problems = append(problems, l.Display+": "+l.Err)
		}
		locs = append(locs, lm)
	}
	ev["locations"] = locs
	bs := []any{}
	for i, b := range r.Backups {
		if i == maxBackupsInEvidence {
			break
		}
		bs = append(bs, backupEvidence(b))
	}
	ev["backups"] = bs
	if r.TimedOut {
		ev["timed_out"] = true
	}
	switch v {
	case backup.VerdictFound:
		n := r.Newest()
		fin := n.Finished()
		sev := report.SeverityInfo
		if fin == nil || !*fin {
			sev = report.SeverityWarning
		}
		return finding(report.FindingBackupLocal, sev, p.Key, i18n.T("findings.summary.backup_found", i18n.Args{"Backup": describeBackup(*n)}), ev),
			sev == report.SeverityWarning, i18n.N("findings.detail.backup_found", len(r.Backups), i18n.Args{"Newest": stamp(n.When())})
	case backup.VerdictNone:
		return finding(report.FindingBackupLocal, report.SeverityWarning, p.Key, i18n.T("findings.summary.backup_none"), ev), true, i18n.T("findings.detail.backup_none")
	case backup.VerdictPermission:
		hint := permissionHint(goos)
		ev["what_to_do"] = hint
		return finding(report.FindingBackupLocal, report.SeverityWarning, p.Key,
			i18n.T("findings.summary.backup_permission", i18n.Args{"Hint": hint}), ev), true, i18n.T("findings.detail.backup_permission", i18n.Args{"Problems": strings.Join(problems, "; ")})
	case backup.VerdictNoLocations:
		ev["what_to_do"] = i18n.T("findings.fix.backup_dir")
		return finding(report.FindingBackupLocal, report.SeverityInfo, p.Key,
			i18n.T("findings.summary.backup_no_locations"), ev), false, i18n.T("findings.detail.backup_no_locations")
	}
	return finding(report.FindingBackupLocal, report.SeverityWarning, p.Key,
		i18n.T("findings.summary.backup_incomplete", i18n.Args{"Problems": strings.Join(problems, "; ")}), ev), true, i18n.T("findings.detail.backup_incomplete", i18n.Args{"Problems": strings.Join(problems, "; ")})
}

// backupEvidence is one backup as report evidence: dates, versions, flags,
// size and where, never what it holds.
func backupEvidence(b backup.Backup) map[string]any {
	m := map[string]any{
		"path":        displayPath(b),
		"app":         string(b.Location.App),
		"timestamped": b.Timestamped,
		"encrypted":   boolOrNil(b.Manifest.IsEncrypted),
		"finished":    boolOrNil(b.Finished()),
	}
	if t := b.When(); !t.IsZero() {
		m["last_backup"] = t.UTC().Format(time.RFC3339)
	}
	if b.Info.ProductVersion != "" {
		m["product_version"] = b.Info.ProductVersion
	}
	if b.Info.ProductType != "" {
		m["product_type"] = b.Info.ProductType
	}
	if b.Status.SnapshotState != "" {
		m["snapshot_state"] = b.Status.SnapshotState
	}
	if b.SizeKnown {
		m["size_bytes"] = b.SizeBytes
		if b.SizeCapped {
			m["size_at_least"] = true
		}
	}
	if b.Link {
		m["problems"] = []string{i18n.T("findings.detail.backup_link")}
	}
	var probs []string
	for _, e := range []string{b.InfoErr, b.StatusErr, b.ManifestErr} {
		if e != "" {
			probs = append(probs, e)
		}
	}
	if len(probs) > 0 {
		m["problems"] = probs
	}
	return m
}

// displayPath is the backup's folder under its location's display path.
func displayPath(b backup.Backup) string {
	sep := "/"
	if strings.HasPrefix(b.Location.Display, "%") {
		sep = `\`
	}
	return b.Location.Display + sep + b.Folder
}

func boolOrNil(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return i18n.T("findings.backup.date_unknown")
	}
	if i18n.Current().Code == "en" {
		return t.UTC().Format("2 Jan 2006, 15:04 MST")
	}
	// No month names to translate: the locale's numeric date.
	return i18n.Date(t.UTC()) + " " + i18n.Clock(t.UTC()) + " UTC"
}

// describeBackup is "2 Dec 2026, 14:10 UTC, finished, encrypted".
func describeBackup(b backup.Backup) string {
	args := i18n.Args{"When": stamp(b.When())}
	switch fin := b.Finished(); {
	case fin == nil:
		args["Finished"] = i18n.T("findings.backup.finish_unknown")
	case *fin:
		args["Finished"] = i18n.T("findings.backup.finished")
	default:
		args["Finished"] = i18n.T("findings.backup.unfinished")
	}
	switch enc := b.Manifest.IsEncrypted; {
	case enc == nil:
		return i18n.T("findings.backup.describe", args)
	case *enc:
		args["Encrypted"] = i18n.T("findings.backup.encrypted")
	default:
		args["Encrypted"] = i18n.T("findings.backup.not_encrypted")
	}
	return i18n.T("findings.backup.describe_encryption", args)
}

// ICloud is what one phone said about iCloud Backup, or why it was not asked.
type ICloud struct {
	// Enabled is the phone's answer; nil when it was not asked or did not say.
	Enabled *bool
	// LastComputerBackup is when a computer (any) last backed the phone up, per the phone.
	LastComputerBackup time.Time
	// Reason is why the phone could not be asked ("" when it was).
	Reason string
	// Code is Reason as a stable word for programs, whatever the language:
	// recovery_mode, dfu_mode, restoring, not_listed, lockdownd_silent,
	// trust_unknown, untrusted, not_normal, no_answer, did_not_say.
	Code string
}

// ICloudBackup turns each phone's answer into a backup.icloud finding. The
// status is pass when every phone asked has iCloud Backup on, warn when one
// has it off or could not say, skipped when none could be asked (with why):
// never a guess.
func ICloudBackup(phones []Phone, answers map[string]ICloud) (Outcome, error) {
	var out Outcome
	var details []string
	asked, off := 0, false
	for _, p := range phones {
		a, ok := answers[p.Key]
		if !ok {
			continue
		}
		ev := map[string]any{}
		if !a.LastComputerBackup.IsZero() {
			ev["last_computer_backup"] = a.LastComputerBackup.UTC().Format(time.RFC3339)
		}
		switch {
		case a.Enabled != nil && *a.Enabled:
			asked++
			ev["state"] = "on"
			out.Findings = append(out.Findings, finding(report.FindingBackupICloud, report.SeverityInfo, p.Key, i18n.T("findings.summary.icloud_on"), ev))
			details = append(details, i18n.T("findings.detail.icloud_on"))
		case a.Enabled != nil:
			asked++
			off = true
			ev["state"] = "off"
			out.Findings = append(out.Findings, finding(report.FindingBackupICloud, report.SeverityInfo, p.Key, i18n.T("findings.summary.icloud_off"), ev))
			details = append(details, i18n.T("findings.detail.icloud_off"))
		default:
			off = true
			reason, code := a.Reason, a.Code
			if reason == "" {
				reason, code = i18n.T("findings.icloud.did_not_say"), "did_not_say"
			}
			ev["state"] = "unknown"
			ev["reason"] = reason
			if code != "" {
				ev["reason_code"] = code
			}
			out.Findings = append(out.Findings, finding(report.FindingBackupICloud, report.SeverityInfo, p.Key, i18n.T("findings.summary.icloud_unknown", i18n.Args{"Reason": reason}), ev))
			details = append(details, i18n.T("findings.detail.icloud_unknown", i18n.Args{"Reason": reason}))
		}
	}
	out.Detail = strings.Join(details, i18n.T("findings.incomplete.separator"))
	switch {
	case len(out.Findings) == 0:
		return Skipped(i18n.T("findings.skipped.no_iphone_to_ask")), nil
	case asked == 0:
		out.Status = report.StatusSkipped
	case off:
		out.Status = report.StatusWarn
	default:
		out.Status = report.StatusPass
	}
	return out, nil
}
