package rules

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/usb/speed"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// reasonFor turns one finding into a reason line built from its evidence, in
// the current language (i18n). It never fails: missing or odd evidence falls
// back to the finding's summary.
func reasonFor(f report.Finding) string {
	ev := f.Evidence
	switch f.ID {
	case report.FindingUSBNoDevice:
		return i18n.T("findings.reason.usb_no_device")
	case report.FindingUSBUnavailable:
		return i18n.T("findings.reason.usb_unavailable")
	case report.FindingUSBDriverMissing:
		return i18n.T("findings.reason.usb_driver_missing")
	case report.FindingUSBFullSpeed:
		mbps, ok := number(ev, report.EvSpeedMbps)
		want, wok := number(ev, report.EvExpectedMbps)
		if !wok {
			want = 480
		}
		if ok {
			return i18n.T("findings.reason.usb_full_speed", i18n.Args{"Speed": speed.Name(mbps), "Mbps": fmtNum(mbps), "Want": fmtNum(want)})
		}
		return i18n.T("findings.reason.usb_full_speed_unknown", i18n.Args{"Want": fmtNum(480)})
	case report.FindingUSBBehindHub:
		if n, ok := number(ev, report.EvHubDepth); ok && n > 1 {
			return i18n.T("findings.reason.usb_behind_hubs", i18n.Args{"Hubs": fmtNum(n)})
		}
		return i18n.T("findings.reason.usb_behind_hub")
	case report.FindingUSBUnstable:
		n, ok := number(ev, report.EvDetaches)
		if !ok {
			n, ok = number(ev, report.EvFlaps)
		}
		if !ok {
			break
		}
		if w, ok := number(ev, report.EvWindowS); ok && w > 0 {
			return i18n.N("findings.reason.usb_unstable_window", pluralCount(n), i18n.Args{"Times": fmtNum(n), "Seconds": fmtNum(w)})
		}
		return i18n.N("findings.reason.usb_unstable", pluralCount(n), i18n.Args{"Times": fmtNum(n)})
	case report.FindingUSBControlTimeouts:
		if s := failedOf(ev, "findings.reason.usb_control_failed_of", "findings.reason.usb_control_failed"); s != "" {
			return s
		}
		return i18n.T("findings.reason.usb_control_timeouts")
	case report.FindingDeviceRecoveryMode:
		return i18n.T("findings.reason.device_recovery_mode")
	case report.FindingDeviceDFUMode:
		return i18n.T("findings.reason.device_dfu_mode")
	case report.FindingLockdownUnreachable:
		return i18n.T("findings.reason.lockdown_unreachable")
	case report.FindingDeviceRestoreMode:
		return i18n.T("findings.reason.device_restore_mode")
	case report.FindingUsbmuxUnreachable:
		return i18n.T("findings.reason.usbmux_unreachable")
	case report.FindingUsbmuxNotResponding:
		return i18n.T("findings.reason.usbmux_not_responding")
	case report.FindingUsbmuxDeviceMissing:
		return i18n.T("findings.reason.usbmux_device_missing")
	case report.FindingLockdownSlow:
		p95, ok := number(ev, report.EvP95Ms)
		if !ok {
			break
		}
		if th, ok := number(ev, report.EvThresholdMs); ok {
			return i18n.T("findings.reason.lockdown_slow_threshold", i18n.Args{"P95": fmtNum(math.Round(p95)), "Threshold": fmtNum(math.Round(th))})
		}
		return i18n.T("findings.reason.lockdown_slow", i18n.Args{"P95": fmtNum(math.Round(p95))})
	case report.FindingLockdownTimeouts:
		if s := failedOf(ev, "findings.reason.lockdown_failed_of", "findings.reason.lockdown_failed"); s != "" {
			return s
		}
		return i18n.T("findings.reason.lockdown_timeouts")
	case report.FindingHostServersUnreachable:
		var hosts []string
		if h := str(ev, report.EvHost); h != "" {
			hosts = []string{h}
		} else if hs := strs(ev, report.EvFailedHosts); len(hs) > 0 {
			hosts = hs
		} else {
			hosts = strs(ev, report.EvHosts)
		}
		if len(hosts) == 0 {
			break
		}
		// The host names and the failing stage are in the finding's
		// evidence (report, Details); the reason stays in plain words.
		return i18n.T("findings.reason.host_servers_unreachable")
	case report.FindingHostHostsFileRedirect:
		h := str(ev, report.EvHost)
		if h == "" {
			h = strings.Join(strs(ev, report.EvRestoreHosts), ", ")
		}
		if h == "" {
			h = strings.Join(strs(ev, report.EvHosts), ", ")
		}
		if h == "" || (str(ev, report.EvRedirectsTo) == "" && f.Summary != "") {
			break // the check's own summary names host, address and line
		}
		if to := str(ev, report.EvRedirectsTo); to != "" {
			return i18n.T("findings.reason.hosts_redirect_to", i18n.Args{"Host": h, "Address": to})
		}
		return i18n.T("findings.reason.hosts_redirect", i18n.Args{"Host": h})
	case report.FindingHostSecuritySoftware:
		p := strs(ev, report.EvActiveThirdParty)
		if len(p) == 0 {
			p = strs(ev, report.EvProducts)
		}
		if len(p) > 0 {
			return i18n.T("findings.reason.security_software_named", i18n.Args{"Products": strings.Join(p, ", ")})
		}
		if f.Summary == "" {
			return i18n.T("findings.reason.security_software")
		}
	case report.FindingHostSoftwareOutdated:
		if c := str(ev, report.EvComponent); c != "" {
			v, m := str(ev, report.EvVersion), str(ev, report.EvMinimum)
			args := i18n.Args{"Component": c, "Version": v, "Minimum": m}
			switch {
			case v != "" && m != "":
				return i18n.T("findings.reason.software_outdated_version_minimum", args)
			case v != "":
				return i18n.T("findings.reason.software_outdated_version", args)
			case m != "":
				return i18n.T("findings.reason.software_outdated_minimum", args)
			}
			return i18n.T("findings.reason.software_outdated", args)
		}
		if p := strs(ev, report.EvProblems); len(p) > 0 {
			return strings.Join(p, "; ")
		}
	}
	if f.Summary != "" {
		return lowerFirst(strings.TrimSuffix(strings.TrimSuffix(f.Summary, "."), "。"))
	}
	return f.ID
}

// failedOf renders "4 of 10 <what> timed out or failed" (message ofID) from
// requests, timeouts and failures, or "4 <what> timed out or failed"
// (message countID) without the request count; "" when the evidence has no
// counts.
func failedOf(ev map[string]any, ofID, countID string) string {
	to, tok := number(ev, report.EvTimeouts)
	fl, fok := number(ev, report.EvFailures)
	if !tok && !fok {
		return ""
	}
	bad := to + fl
	if req, ok := number(ev, report.EvRequests); ok && req >= bad && req > 0 {
		return i18n.T(ofID, i18n.Args{"Bad": fmtNum(bad), "Requests": fmtNum(req)})
	}
	return i18n.T(countID, i18n.Args{"Bad": fmtNum(bad)})
}

// pluralCount is the count that picks a plural form for n: n itself when
// it is a whole number, else 2 (a fraction reads as "other").
func pluralCount(n float64) int {
	if n == math.Trunc(n) && n >= 0 && n < math.MaxInt32 {
		return int(n)
	}
	return 2
}

// number reads a numeric evidence value of any numeric Go type, a
// json.Number or a numeric string.
func number(ev map[string]any, key string) (float64, bool) {
	var f float64
	switch v := ev[key].(type) {
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case int32:
		f = float64(v)
	case uint:
		f = float64(v)
	case uint64:
		f = float64(v)
	case uint32:
		f = float64(v)
	case float64:
		f = v
	case float32:
		f = float64(v)
	case json.Number:
		x, err := v.Float64()
		if err != nil {
			return 0, false
		}
		f = x
	case string:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		f = x
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func str(ev map[string]any, key string) string {
	s, _ := ev[key].(string)
	return s
}

// strs reads a list of strings ([]string or []any of strings).
func strs(ev map[string]any, key string) []string {
	switch v := ev[key].(type) {
	case []string:
		return v
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case string:
		if v != "" {
			return []string{v}
		}
	}
	return nil
}

// fmtNum prints 3, 2.5, 12, 480 without trailing zeros, the current
// language's way (2,5 in German), without digit grouping.
func fmtNum(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if sep := strings.Trim(i18n.Num(1.5, 1), "15"); sep != "." && sep != "" {
		s = strings.Replace(s, ".", sep, 1)
	}
	return s
}

// lowerFirst makes a finding's summary read as a clause ("The iPhone …" →
// "the iPhone …") in languages that lower-case a sentence's first word;
// German lower-cases only a leading article or pronoun ("Das iPhone" →
// "das iPhone") and keeps its capital nouns ("Kabel").
// germanLower are German sentence starts that are lower case inside a
// sentence.
var germanLower = map[string]bool{"Der": true, "Die": true, "Das": true, "Dieser": true, "Diese": true, "Dieses": true,
	"Es": true, "Er": true, "Sie": true, "Ein": true, "Eine": true, "Kein": true, "Keine": true, "Am": true, "Auf": true, "Im": true, "In": true, "Mehr": true}

func lowerFirst(s string) string {
	if c := i18n.Current().Code; c == "de" {
		first, _, _ := strings.Cut(s, " ")
		if !germanLower[first] {
			return s
		}
	}
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}
