package checks

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/stats"
)

// UsbmuxHealth is check usbmux.health: is usbmuxd (Apple Mobile Device
// Service) running and answering.
func UsbmuxHealth(h MuxHealth) (Outcome, error) {
	ev := map[string]any{"address": h.Address, "status": h.Status, "elapsed_ms": ms(h.Elapsed)}
	if h.Err != nil {
		ev["error"] = h.Err.Error()
	}
	switch h.Status {
	case report.UsbmuxdOK:
		return Outcome{Detail: i18n.T("findings.detail.usbmux_ok", i18n.Args{"Address": h.Address, "Ms": fixed(ms(h.Elapsed), 1)})}, nil
	case report.UsbmuxdUnreachable:
		if h.StartsOnDemand && h.USBReadable && h.PhonesOnUSB == 0 {
			f := finding(report.FindingUsbmuxUnreachable, report.SeverityInfo, "",
				i18n.T("findings.summary.usbmux_on_demand"), ev)
			return Outcome{Status: report.StatusPass, Detail: i18n.T("findings.detail.usbmux_on_demand", i18n.Args{"Address": h.Address}),
				Findings: []report.Finding{f}}, nil
		}
		return Outcome{Detail: i18n.T("findings.detail.usbmux_error", i18n.Args{"Address": h.Address, "Error": errText(h.Err)}), Findings: []report.Finding{
			finding(report.FindingUsbmuxUnreachable, report.SeverityCritical, "",
				i18n.T("findings.summary.usbmux_unreachable"), ev),
		}}, nil
	case report.UsbmuxdNotResponding:
		if h.Busy {
			return Outcome{Detail: i18n.T("findings.detail.usbmux_busy", i18n.Args{"Address": h.Address, "Error": errText(h.Err)}), Findings: []report.Finding{
				finding(report.FindingUsbmuxNotResponding, report.SeverityCritical, "",
					i18n.T("findings.summary.usbmux_busy"), ev),
			}}, nil
		}
		return Outcome{Detail: i18n.T("findings.detail.usbmux_silent", i18n.Args{"Address": h.Address, "Error": errText(h.Err)}), Findings: []report.Finding{
			finding(report.FindingUsbmuxNotResponding, report.SeverityCritical, "",
				i18n.T("findings.summary.usbmux_silent"), ev),
		}}, nil
	case report.UsbmuxdError:
		ev["protocol_error"] = true
		return Outcome{Detail: i18n.T("findings.detail.usbmux_garbage", i18n.Args{"Address": h.Address, "Error": errText(h.Err)}), Findings: []report.Finding{
			finding(report.FindingUsbmuxNotResponding, report.SeverityCritical, "",
				i18n.T("findings.summary.usbmux_garbage"), ev),
		}}, nil
	}
	if h.Err != nil {
		return Outcome{}, fmt.Errorf("usbmuxd at %s: %w", h.Address, h.Err)
	}
	return Outcome{}, fmt.Errorf("usbmuxd at %s: unknown status %q", h.Address, h.Status)
}

// UsbmuxListing is check usbmux.listing: does usbmuxd list every phone USB
// sees in normal or restore mode. usbmuxOK is false when usbmuxd could not
// be asked (usbmux.health already says why); usbReadable is false when the
// USB bus could not be read (nothing to compare with).
func UsbmuxListing(phones []Phone, usbmuxOK, usbReadable bool, listErr error) (Outcome, error) {
	if !usbmuxOK {
		return Skipped(i18n.T("findings.skipped.usbmux_not_asked")), nil
	}
	if listErr != nil {
		return Outcome{}, fmt.Errorf("list devices from usbmuxd: %w", listErr)
	}
	var fs []report.Finding
	listed, missing := 0, 0
	for _, p := range phones {
		if p.Mux != nil {
			listed++
			continue
		}
		if p.USB == nil || p.Mode.IsLowLevel() || p.Mode == mode.Unknown {
			continue // recovery/DFU phones are not usbmuxd's business
		}
		missing++
		fs = append(fs, finding(report.FindingUsbmuxDeviceMissing, report.SeverityCritical, p.Key,
			i18n.T("findings.summary.usbmux_device_missing"),
			map[string]any{"location": p.USB.Location(), "product_id": fmt.Sprintf("%04x", p.USB.ProductID), "mode": string(p.Mode)}))
	}
	detail := i18n.N("findings.detail.usbmux_lists", listed)
	if missing > 0 {
		detail = i18n.N("findings.detail.usbmux_lists_missing", listed, i18n.Args{"Missing": i18n.Int(missing)})
	}
	if !usbReadable {
		detail = i18n.T("findings.detail.usbmux_not_compared", i18n.Args{"Detail": detail})
	}
	return Outcome{Detail: detail, Findings: fs}, nil
}

// Lockdown query types.
const (
	QueryTypeNormal  = "com.apple.mobile.lockdown"
	QueryTypeRestore = "com.apple.mobile.restored"
)

// ModeFromQueryType maps lockdownd's QueryType answer to a mode.
func ModeFromQueryType(qt string) mode.Mode {
	switch qt {
	case QueryTypeNormal:
		return mode.Normal
	case QueryTypeRestore:
		return mode.Restore
	}
	return mode.Unknown
}

// LockdownQuery is check lockdown.query: does lockdownd answer QueryType and
// GetValue on every listed phone. answers is keyed by Phone.Key.
func LockdownQuery(phones []Phone, answers map[string]Lockdown) (Outcome, error) {
	var fs []report.Finding
	var parts, errs []string
	asked := 0
	for _, p := range phones {
		a, ok := answers[p.Key]
		if !ok || p.Mux == nil {
			continue
		}
		asked++
		if a.Err != nil {
			if a.Timeout {
				fs = append(fs, finding(report.FindingLockdownTimeouts, report.SeverityCritical, p.Key,
					i18n.T("findings.summary.lockdown_no_answer"),
					map[string]any{"request": "QueryType", "error": a.Err.Error(), "elapsed_ms": ms(a.Elapsed)}))
				parts = append(parts, i18n.T("findings.detail.lockdown_no_answer", i18n.Args{"Device": p.Key, "Error": a.Err.Error()}))
			} else {
				// usbmuxd lists the phone, yet lockdownd cannot be reached
				// through it: the computer cannot talk to the phone.
				fs = append(fs, finding(report.FindingLockdownUnreachable, report.SeverityCritical, p.Key,
					i18n.T("findings.summary.lockdown_unreachable"),
					map[string]any{"request": "QueryType", "error": a.Err.Error(), "elapsed_ms": ms(a.Elapsed)}))
				errs = append(errs, i18n.T("findings.detail.query_failed", i18n.Args{"Device": p.Key, "Error": a.Err.Error()}))
			}
			continue
		}
		m := ModeFromQueryType(a.QueryType)
		if m == mode.Restore {
			fs = append(fs, finding(report.FindingDeviceRestoreMode, report.SeverityInfo, p.Key,
				i18n.T("findings.summary.restore_in_progress"),
				map[string]any{"query_type": a.QueryType}))
		}
		s := i18n.T("findings.detail.lockdown_mode", i18n.Args{"Device": p.Key, "Mode": modeWord(m), "QueryType": a.QueryType})
		if a.ProductType != "" {
			s += ", " + a.ProductType
		}
		if a.ProductVersion != "" {
			s += " iOS " + a.ProductVersion
		}
		parts = append(parts, s)
	}
	if asked == 0 {
		return Skipped(i18n.T("findings.skipped.no_phone_listed")), nil
	}
	if len(errs) > 0 && len(parts) == 0 && len(fs) == 0 {
		return Outcome{}, errors.New(strings.Join(errs, i18n.T("findings.incomplete.separator")))
	}
	parts = append(parts, errs...)
	o := Outcome{Detail: strings.Join(parts, i18n.T("findings.incomplete.separator")), Findings: fs}
	if !slices.ContainsFunc(fs, func(f report.Finding) bool { return f.ID != report.FindingDeviceRestoreMode }) {
		// lockdownd answered; a restore in progress is context, not a fault of the query.
		o.Status = report.StatusPass
	}
	return o, nil
}

// LockdownRTT is check lockdown.rtt: lockdown round trips, slow (p95 over
// SlowRTTp95) or dropped. rtt is keyed by Phone.Key.
func LockdownRTT(phones []Phone, rtt map[string]RTTStats) (Outcome, error) {
	var fs []report.Finding
	var parts, errs []string
	probed := 0
	for _, p := range phones {
		st, ok := rtt[p.Key]
		if !ok || p.Mux == nil {
			continue
		}
		if st.Err != nil && st.Requests == 0 {
			errs = append(errs, i18n.T("findings.detail.rtt_failed", i18n.Args{"Device": p.Key, "Error": st.Err.Error()}))
			continue
		}
		probed++
		p50, p95, mx := stats.Summary(st.Samples)
		parts = append(parts, i18n.T("findings.detail.rtt", i18n.Args{"Device": p.Key, "Requests": i18n.Int(st.Requests),
			"P50": fixed(ms(p50), 1), "P95": fixed(ms(p95), 1), "Timeouts": i18n.Int(st.Timeouts), "Failures": i18n.Int(st.Failures)}))
		ev := map[string]any{
			"requests": st.Requests, "timeouts": st.Timeouts, "failures": st.Failures,
			"p50_ms": ms(p50), "p95_ms": ms(p95), "max_ms": ms(mx), "threshold_ms": ms(SlowRTTp95),
		}
		if bad := st.Timeouts + st.Failures; bad > 0 {
			fs = append(fs, finding(report.FindingLockdownTimeouts, report.SeverityCritical, p.Key,
				i18n.T("findings.summary.lockdown_timeouts", i18n.Args{"Bad": i18n.Int(bad), "Requests": i18n.Int(st.Requests)}), ev))
		}
		if len(st.Samples) > 0 && p95 > SlowRTTp95 {
			fs = append(fs, finding(report.FindingLockdownSlow, report.SeverityWarning, p.Key,
				i18n.T("findings.summary.lockdown_slow", i18n.Args{"P95": fixed(ms(p95), 0), "Threshold": fixed(ms(SlowRTTp95), 0)}), ev))
		}
	}
	if probed == 0 {
		if len(errs) > 0 {
			return Outcome{}, errors.New(strings.Join(errs, i18n.T("findings.incomplete.separator")))
		}
		return Skipped(i18n.T("findings.skipped.no_phone_listed_normal")), nil
	}
	parts = append(parts, errs...)
	return Outcome{Detail: strings.Join(parts, i18n.T("findings.incomplete.separator")), Findings: fs}, nil
}

// TrustFix is the fix text for lockdown.untrusted, in the current language.
func TrustFix() string { return i18n.T("findings.fix.trust") }

// LockdownTrust is check lockdown.trust: is this computer trusted by each
// normal-mode phone (restore mode needs no pairing). trust is keyed by Phone.Key.
func LockdownTrust(phones []Phone, modes map[string]mode.Mode, trust map[string]Trust) (Outcome, error) {
	var fs []report.Finding
	var parts, errs []string
	checked := 0
	for _, p := range phones {
		t, ok := trust[p.Key]
		if !ok || p.Mux == nil {
			continue
		}
		if modes[p.Key] == mode.Restore {
			parts = append(parts, i18n.T("findings.detail.trust_restore", i18n.Args{"Device": p.Key}))
			checked++
			continue
		}
		if !t.Known {
			if t.Err != nil {
				errs = append(errs, i18n.T("findings.detail.trust_unreadable", i18n.Args{"Device": p.Key, "Error": t.Err.Error()}))
			}
			continue
		}
		checked++
		if t.Trusted {
			parts = append(parts, i18n.T("findings.detail.trusted", i18n.Args{"Device": p.Key}))
			continue
		}
		parts = append(parts, i18n.T("findings.detail.not_trusted", i18n.Args{"Device": p.Key}))
		fix := TrustFix()
		ev := map[string]any{"pair_record": t.HasPairRecord, "fix": fix}
		if t.Reason != "" {
			ev["reason"] = t.Reason
		}
		fs = append(fs, finding(report.FindingLockdownUntrusted, report.SeverityWarning, p.Key,
			i18n.T("findings.summary.untrusted", i18n.Args{"Fix": fix}), ev))
	}
	if checked == 0 {
		if len(errs) > 0 {
			return Outcome{}, errors.New(strings.Join(errs, i18n.T("findings.incomplete.separator")))
		}
		return Skipped(i18n.T("findings.skipped.no_phone_listed")), nil
	}
	parts = append(parts, errs...)
	return Outcome{Detail: strings.Join(parts, i18n.T("findings.incomplete.separator")), Findings: fs}, nil
}

// errText is err's message, "" for nil (details quote it as it is).
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
