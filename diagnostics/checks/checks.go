// Package checks holds the device-side checks of the diagnostics engine as
// pure functions: each takes plain facts (a USB snapshot, the usbmuxd
// listing, lockdownd answers, link events over the sampling window) and
// returns an Outcome with findings that carry structured evidence and the fix
// steps they support. Gathering the facts, deadlines and concurrency belong
// to the diagnostics package; nothing here does I/O.
//
// checks imports device/ types, diagnostics/report and diagnostics/rules (for
// the finding → step table); it must not import
// diagnostics (the engine), app/ or anything that initialises a GUI.
package checks

import (
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/stats"
)

// Outcome is what one check concluded. An empty Status is derived by the
// runner from the findings (none → pass, warning → warn, critical → fail).
type Outcome struct {
	Status   string
	Detail   string
	Findings []report.Finding
}

// Skipped returns an Outcome with status skipped and the reason.
func Skipped(reason string) Outcome {
	return Outcome{Status: report.StatusSkipped, Detail: reason}
}

// Thresholds used by the checks. Exported so the report can quote them and
// tests can build facts on either side of them.
const (
	// SlowRTTp95 is the lockdown round-trip p95 above which lockdown.slow is raised.
	SlowRTTp95 = 250 * time.Millisecond
	// FlapsCritical is the number of same-mode re-appearances in one window
	// from which usb.unstable is critical rather than a warning.
	FlapsCritical = 2
)

// finding builds a finding with the steps the rules give its id at this
// severity, so findings and the verdict never disagree.
func finding(id, severity, deviceKey, summary string, evidence map[string]any) report.Finding {
	if evidence == nil {
		evidence = map[string]any{}
	}
	f := report.Finding{ID: id, Severity: severity, Summary: summary, Evidence: evidence, DeviceKey: deviceKey}
	f.Steps = rules.StepsForFinding(f)
	return f
}

// ms converts a duration to milliseconds (stats.Millis: rounded to 0.1 ms).
func ms(d time.Duration) float64 { return stats.Millis(d) }

// seconds converts a duration to seconds rounded to 0.1 s.
func seconds(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// num prints a measured number for people without trailing zeros (12,
// 2.5; 2,5 in German), without digit grouping.
func num(x float64) string {
	return localSep(strconv.FormatFloat(x, 'f', -1, 64))
}

// fixed prints x with exactly decimals digits (1.0, 12.3; 12,3 in German).
func fixed(x float64, decimals int) string {
	return localSep(strconv.FormatFloat(x, 'f', decimals, 64))
}

// localSep puts the current language's decimal separator into a number
// printed with a point.
func localSep(s string) string {
	if sep := strings.Trim(i18n.Num(1.5, 1), "15"); sep != "." && sep != "" {
		return strings.Replace(s, ".", sep, 1)
	}
	return s
}

// modeWord is a mode for people in the current language ("recovery mode",
// "Wiederherstellungsmodus").
func modeWord(m mode.Mode) string {
	switch m {
	case mode.Normal:
		return i18n.T("findings.mode.normal")
	case mode.Restore:
		return i18n.T("findings.mode.restore")
	case mode.Recovery:
		return i18n.T("findings.mode.recovery")
	case mode.DFU:
		return i18n.T("findings.mode.dfu")
	case mode.WTF:
		return i18n.T("findings.mode.wtf")
	case mode.PortDFU:
		return i18n.T("findings.mode.port_dfu")
	}
	return i18n.T("findings.mode.unknown")
}

// modeName is a mode for people, defaulting to unknown.
func modeName(m mode.Mode) string {
	if m == "" {
		return string(mode.Unknown)
	}
	return string(m)
}

// andList joins items as a list for people: "a", "a and b", "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return i18n.T("findings.list.and", i18n.Args{"Items": strings.Join(items[:len(items)-1], i18n.T("findings.list.separator")), "Last": items[len(items)-1]})
}
