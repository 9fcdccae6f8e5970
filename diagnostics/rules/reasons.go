package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/usb/speed"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// reasonFor turns one finding into a reason line built from its evidence. It
// never fails: missing or odd evidence falls back to the finding's summary.
func reasonFor(f report.Finding) string {
	ev := f.Evidence
	switch f.ID {
	case report.FindingUSBNoDevice:
		return "the computer does not see an iPhone on its USB ports"
	case report.FindingUSBUnavailable:
		return "Restore Doctor cannot use this computer's USB ports"
	case report.FindingUSBDriverMissing:
		return "Windows has no driver for the iPhone's USB connection (Apple Mobile Device USB Driver is missing)"
	case report.FindingUSBFullSpeed:
		mbps, ok := number(ev, report.EvSpeedMbps)
		want, wok := number(ev, report.EvExpectedMbps)
		if !wok {
			want = 480
		}
		if ok {
			return fmt.Sprintf("it negotiated USB %s (%s Mbit/s) instead of high speed (%s)", speed.Name(mbps), fmtNum(mbps), fmtNum(want))
		}
		return "it negotiated a slower USB speed than high speed (480 Mbit/s)"
	case report.FindingUSBBehindHub:
		if n, ok := number(ev, report.EvHubDepth); ok && n > 1 {
			return fmt.Sprintf("it is connected through %s hubs, docks or adapters, not directly to the computer", fmtNum(n))
		}
		return "it is connected through a hub, dock or adapter, not directly to the computer"
	case report.FindingUSBUnstable:
		n, ok := number(ev, report.EvDetaches)
		if !ok {
			n, ok = number(ev, report.EvFlaps)
		}
		if !ok {
			break
		}
		s := fmt.Sprintf("the iPhone dropped off USB %s", times(n))
		if w, ok := number(ev, report.EvWindowS); ok && w > 0 {
			s += fmt.Sprintf(" in %s s", fmtNum(w))
		}
		return s
	case report.FindingUSBControlTimeouts:
		if s := failedOf(ev, "USB control transfers"); s != "" {
			return s
		}
		return "USB control transfers to the iPhone timed out or failed"
	case report.FindingDeviceRecoveryMode:
		return "the iPhone is already in recovery mode, waiting for a restore"
	case report.FindingDeviceDFUMode:
		return "the iPhone is in DFU mode, waiting for a restore"
	case report.FindingLockdownUnreachable:
		return "the computer sees the iPhone but cannot talk to it: the connection to the iPhone was refused"
	case report.FindingDeviceRestoreMode:
		return "a restore is in progress on the iPhone"
	case report.FindingUsbmuxUnreachable:
		return "the computer's iPhone connection service is not running"
	case report.FindingUsbmuxNotResponding:
		return "the computer's iPhone connection service does not answer"
	case report.FindingUsbmuxDeviceMissing:
		return "the iPhone is plugged in, but the computer's iPhone connection service does not see it"
	case report.FindingLockdownSlow:
		p95, ok := number(ev, report.EvP95Ms)
		if !ok {
			break
		}
		s := fmt.Sprintf("the iPhone answers slowly: it often took up to %s ms", fmtNum(math.Round(p95)))
		if th, ok := number(ev, report.EvThresholdMs); ok {
			s += fmt.Sprintf(", where under %s ms is normal", fmtNum(math.Round(th)))
		}
		return s
	case report.FindingLockdownTimeouts:
		if s := failedOf(ev, "requests to the iPhone"); s != "" {
			return s
		}
		return "requests to the iPhone timed out or lost the connection"
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
		return "this computer cannot reach Apple's restore servers"
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
		s := "the hosts file redirects " + h
		if to := str(ev, report.EvRedirectsTo); to != "" {
			s += " to " + to
		}
		return s
	case report.FindingHostSecuritySoftware:
		p := strs(ev, report.EvActiveThirdParty)
		if len(p) == 0 {
			p = strs(ev, report.EvProducts)
		}
		if len(p) > 0 {
			return "security software is active: " + strings.Join(p, ", ")
		}
		if f.Summary == "" {
			return "third-party security software is active"
		}
	case report.FindingHostSoftwareOutdated:
		if c := str(ev, report.EvComponent); c != "" {
			s := c + " is out of date"
			if v := str(ev, report.EvVersion); v != "" {
				s = c + " " + v + " is out of date"
			}
			if m := str(ev, report.EvMinimum); m != "" {
				s += " (needs " + m + " or later)"
			}
			return s
		}
		if p := strs(ev, report.EvProblems); len(p) > 0 {
			return strings.Join(p, "; ")
		}
	}
	if f.Summary != "" {
		return lowerFirst(strings.TrimSuffix(f.Summary, "."))
	}
	return f.ID
}

// failedOf renders "4 of 10 <what> timed out or failed" from requests,
// timeouts and failures; "" when the evidence has no counts.
func failedOf(ev map[string]any, what string) string {
	to, tok := number(ev, report.EvTimeouts)
	fl, fok := number(ev, report.EvFailures)
	if !tok && !fok {
		return ""
	}
	bad := to + fl
	if req, ok := number(ev, report.EvRequests); ok && req >= bad && req > 0 {
		return fmt.Sprintf("%s of %s %s timed out or failed", fmtNum(bad), fmtNum(req), what)
	}
	return fmt.Sprintf("%s %s timed out or failed", fmtNum(bad), what)
}

func times(n float64) string {
	if n == 1 {
		return "once"
	}
	return fmtNum(n) + " times"
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

// fmtNum prints 3, 2.5, 12, 480 without trailing zeros.
func fmtNum(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}
