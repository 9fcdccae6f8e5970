package viewmodel

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// BackupView is what step 5 shows before "I have a backup" (and what
// `restoredoctor recovery enter` prints before it asks): the backup.local
// and backup.icloud findings of one phone in sentences, and how to back up
// now when there is no finished backup here and iCloud Backup is not on.
type BackupView struct {
	// Known: the report holds a backup finding for this phone.
	Known bool
	// Lines are the sentences, in order.
	Lines []string
	// Covered: a finished backup is on this computer or iCloud Backup is on.
	Covered bool
	// Ways are the ways to back up now (nil when Covered); NeedsIOS says
	// that a backup needs iOS running (set for recovery and DFU).
	Ways     []BackupWay
	NeedsIOS string
}

// BackupWay is one way to back up, with its steps.
type BackupWay struct {
	App   string   `json:"app"`
	Steps []string `json:"steps"`
}

// Backup builds the BackupView of the phone deviceKey from r ("" = the
// first phone with a backup finding), with dates in loc relative to now,
// and the ways to back up on goos (runtime.GOOS).
func Backup(r *report.Report, deviceKey string, now time.Time, loc *time.Location, goos string) BackupView {
	var local, cloud *report.Finding
	if r != nil {
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.ID != report.FindingBackupLocal && f.ID != report.FindingBackupICloud {
				continue
			}
			if deviceKey == "" {
				deviceKey = f.DeviceKey // the first phone with a backup finding
			}
			switch {
			case f.DeviceKey != deviceKey:
			case f.ID == report.FindingBackupLocal && local == nil:
				local = f
			case f.ID == report.FindingBackupICloud && cloud == nil:
				cloud = f
			}
		}
	}
	var v BackupView
	if local == nil && cloud == nil {
		return v
	}
	v.Known = true
	if loc == nil {
		loc = time.Local
	}
	lstate, cstate := evStr(local, "state"), evStr(cloud, "state")
	finished := false
	switch lstate {
	case "found":
		b := newestBackup(local)
		finished = b["finished"] == true
		v.Lines = append(v.Lines, i18n.T("window.backup.last", i18n.Args{"Backup": backupPhrase(b, now, loc)}))
	case "none":
		switch cstate {
		case "off":
			v.Lines = append(v.Lines, i18n.T("window.backup.none_icloud_off"))
		case "on":
			v.Lines = append(v.Lines, i18n.T("window.backup.none_icloud_on"))
		default:
			v.Lines = append(v.Lines, i18n.T("window.backup.none"))
		}
	case "permission":
		line := i18n.T("window.backup.permission")
		if w := evStr(local, "what_to_do"); w != "" {
			line = i18n.T("window.backup.permission_do", i18n.Args{"Do": sentence(w)})
		}
		v.Lines = append(v.Lines, line)
	case "no_locations":
		v.Lines = append(v.Lines, i18n.T("window.backup.no_locations"))
	case "unknown_phone":
		v.Lines = append(v.Lines, i18n.T("window.backup.unknown_phone"))
	case "":
	default:
		v.Lines = append(v.Lines, i18n.T("window.backup.incomplete"))
	}
	combined := lstate == "none" && (cstate == "on" || cstate == "off")
	switch {
	case combined:
	case cstate == "on":
		v.Lines = append(v.Lines, i18n.T("window.backup.icloud_on"))
	case cstate == "off":
		v.Lines = append(v.Lines, i18n.T("window.backup.icloud_off"))
	case cstate == "unknown":
		v.Lines = append(v.Lines, i18n.T("window.backup.icloud_unknown", i18n.Args{"Reason": clause(evStr(cloud, "reason"))}))
	}
	v.Covered = finished || cstate == "on"
	if !v.Covered {
		key := waysKey(goos)
		steps := backupSteps()
		v.Ways = translateWays(steps.Ways[key])
		if code := evStr(cloud, "reason_code"); cstate == "unknown" && (code == "recovery_mode" || code == "dfu_mode") {
			v.NeedsIOS = steps.NeedsIOS
		}
	}
	return v
}

// translateWays gives the catalogue's ways (already in the current
// language) the app names as Apple writes them in it.
func translateWays(ways []BackupWay) []BackupWay {
	out := make([]BackupWay, len(ways))
	for i, w := range ways {
		out[i] = BackupWay{App: appName(w.App), Steps: w.Steps}
	}
	return out
}

// appName is an app's name as Apple writes it in the current language
// (Finder is 访达 in Simplified Chinese); other names stay.
func appName(app string) string {
	switch app {
	case "Apple Devices":
		return i18n.T("window.app.apple_devices")
	case "Finder":
		return i18n.T("window.app.finder")
	}
	return app
}

// evStr is a string evidence value of f ("" when f is nil or it is absent).
func evStr(f *report.Finding, k string) string {
	if f == nil {
		return ""
	}
	s, _ := f.Evidence[k].(string)
	return s
}

// newestBackup is the first (newest) backup in a backup.local finding.
func newestBackup(f *report.Finding) map[string]any {
	switch bs := f.Evidence["backups"].(type) {
	case []any:
		if len(bs) > 0 {
			if m, ok := bs[0].(map[string]any); ok {
				return m
			}
		}
	case []map[string]any:
		if len(bs) > 0 {
			return bs[0]
		}
	}
	return map[string]any{}
}

// backupPhrase is "2 Dec 2026, 14:10 (4 days ago), finished, encrypted".
func backupPhrase(b map[string]any, now time.Time, loc *time.Location) string {
	var parts []string
	if s, _ := b["last_backup"].(string); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			parts = append(parts, i18n.T("window.backup.when", i18n.Args{"Date": backupDate(t.In(loc)), "Ago": ago(now.Sub(t))}))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, i18n.T("window.backup.date_unknown"))
	}
	switch b["finished"] {
	case true:
		parts = append(parts, i18n.T("window.backup.finished"))
	case false:
		parts = append(parts, i18n.T("window.backup.not_finished"))
	default:
		parts = append(parts, i18n.T("window.backup.finished_unknown"))
	}
	switch b["encrypted"] {
	case true:
		parts = append(parts, i18n.T("window.backup.encrypted"))
	case false:
		parts = append(parts, i18n.T("window.backup.not_encrypted"))
	}
	return strings.Join(parts, i18n.T("window.list.sep"))
}

// backupDate is a backup's date and time: "2 Dec 2026, 14:10" in English,
// the locale's numeric date elsewhere ("02.12.2026, 14:10").
func backupDate(t time.Time) string {
	if i18n.Current().Tag == i18n.English().Tag {
		return t.Format("2 Jan 2006, 15:04")
	}
	return i18n.T("window.backup.date", i18n.Args{"Date": i18n.Date(t), "Time": i18n.Clock(t)})
}

// ago says how long ago d was, in the largest whole unit.
func ago(d time.Duration) string {
	plural := func(n int, unit string) string { return i18n.N("window.ago."+unit, n) }
	switch {
	case d < 0:
		return i18n.T("window.ago.future")
	case d < time.Minute:
		return i18n.T("window.ago.now")
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d < 48*time.Hour:
		return i18n.T("window.ago.yesterday")
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d < 730*24*time.Hour:
		return plural(int(math.Round(float64(d)/float64(30*24*time.Hour))), "month")
	}
	return plural(int(d/(365*24*time.Hour)), "year")
}

// sentence is s with a capital first letter and a final full stop: "。"
// after Japanese or Chinese text. A first word that is already cased
// inside ("iPhone", "iCloud", "macOS") keeps its case: "IPhone" was shown.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	first, _, _ := strings.Cut(s, " ")
	if c := s[0]; c >= 'a' && c <= 'z' && strings.ToLower(first) == first {
		s = string(c-32) + s[1:]
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	switch {
	case strings.ContainsRune(".!?。！？", last):
	case unicode.In(last, unicode.Han, unicode.Hiragana, unicode.Katakana) || (last >= 0x3000 && last <= 0x303f) || (last >= 0xff00 && last <= 0xffef):
		s += "。"
	default:
		s += "."
	}
	return s
}

// clause is s as the rest of a sentence after a colon: first letter in lower
// case (unless the word is an abbreviation such as "DFU"), a final period.
func clause(s string) string {
	s = sentence(s)
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		s = string(s[0]+32) + s[1:]
	}
	return s
}

// backupStepsFile is assets/steps/backup.json, in the current language.
type backupStepsFile struct {
	NeedsIOS string
	Ways     map[string][]BackupWay
}

// backupSteps returns assets/steps/backup.json in the current language,
// from the step catalogue (diagnostics/catalog), which owns that file.
func backupSteps() backupStepsFile {
	c := catalog.MustDefault()
	f := backupStepsFile{NeedsIOS: c.BackupNeedsIOS(), Ways: map[string][]BackupWay{}}
	for _, k := range []string{"darwin", "windows", "other"} {
		for _, w := range c.BackupWays(k) {
			f.Ways[k] = append(f.Ways[k], BackupWay{App: w.App, Steps: w.Steps})
		}
	}
	return f
}

// waysKey is the key of goos in backup.json's ways.
func waysKey(goos string) string {
	if goos == "darwin" || goos == "windows" {
		return goos
	}
	return "other"
}
