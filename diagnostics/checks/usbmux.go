package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
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
		return Outcome{Detail: fmt.Sprintf("usbmuxd at %s answered in %.1f ms", h.Address, ms(h.Elapsed))}, nil
	case report.UsbmuxdUnreachable:
		if h.StartsOnDemand && h.USBReadable && h.PhonesOnUSB == 0 {
			f := finding(report.FindingUsbmuxUnreachable, report.SeverityInfo, "",
				"usbmuxd is not running; on this computer it starts when an iPhone is plugged in", ev)
			return Outcome{Status: report.StatusPass, Detail: fmt.Sprintf(
				"usbmuxd at %s is not running, as expected while no iPhone in normal or restore mode is plugged in (it starts on demand)", h.Address),
				Findings: []report.Finding{f}}, nil
		}
		return Outcome{Detail: fmt.Sprintf("usbmuxd at %s: %v", h.Address, h.Err), Findings: []report.Finding{
			finding(report.FindingUsbmuxUnreachable, report.SeverityCritical, "",
				"The Apple device service (usbmuxd / Apple Mobile Device Service) is not running or cannot be reached", ev),
		}}, nil
	case report.UsbmuxdNotResponding:
		if h.Busy {
			return Outcome{Detail: fmt.Sprintf("usbmuxd at %s is busy: its accept queue stayed full and it took no connection in time: %v", h.Address, h.Err), Findings: []report.Finding{
				finding(report.FindingUsbmuxNotResponding, report.SeverityCritical, "",
					"The Apple device service (usbmuxd / Apple Mobile Device Service) is busy: it takes no new connections in time", ev),
			}}, nil
		}
		return Outcome{Detail: fmt.Sprintf("usbmuxd at %s accepted the connection but did not answer: %v", h.Address, h.Err), Findings: []report.Finding{
			finding(report.FindingUsbmuxNotResponding, report.SeverityCritical, "",
				"The Apple device service (usbmuxd / Apple Mobile Device Service) accepts connections but does not answer in time", ev),
		}}, nil
	case report.UsbmuxdError:
		ev["protocol_error"] = true
		return Outcome{Detail: fmt.Sprintf("usbmuxd at %s answered with something unusable: %v", h.Address, h.Err), Findings: []report.Finding{
			finding(report.FindingUsbmuxNotResponding, report.SeverityCritical, "",
				"The Apple device service (usbmuxd / Apple Mobile Device Service) answers with garbage instead of a valid reply", ev),
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
		return Skipped("usbmuxd could not be asked (see usbmux.health)"), nil
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
			"USB sees the iPhone but the Apple device service (usbmuxd) does not list it",
			map[string]any{"location": p.USB.Location(), "product_id": fmt.Sprintf("%04x", p.USB.ProductID), "mode": string(p.Mode)}))
	}
	detail := fmt.Sprintf("usbmuxd lists %s", plural(listed, "device"))
	if missing > 0 {
		detail += fmt.Sprintf("; %d on USB not listed", missing)
	}
	if !usbReadable {
		detail += " (USB not readable: not compared)"
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
					"lockdownd on the iPhone did not answer or dropped the connection",
					map[string]any{"request": "QueryType", "error": a.Err.Error(), "elapsed_ms": ms(a.Elapsed)}))
				parts = append(parts, fmt.Sprintf("%s: no answer (%v)", p.Key, a.Err))
			} else {
				// usbmuxd lists the phone, yet lockdownd cannot be reached
				// through it: the computer cannot talk to the phone.
				fs = append(fs, finding(report.FindingLockdownUnreachable, report.SeverityCritical, p.Key,
					"The computer sees the iPhone but cannot talk to it: the connection to lockdownd was refused or failed",
					map[string]any{"request": "QueryType", "error": a.Err.Error(), "elapsed_ms": ms(a.Elapsed)}))
				errs = append(errs, fmt.Sprintf("%s: %v", p.Key, a.Err))
			}
			continue
		}
		m := ModeFromQueryType(a.QueryType)
		if m == mode.Restore {
			fs = append(fs, finding(report.FindingDeviceRestoreMode, report.SeverityInfo, p.Key,
				"A restore is in progress on the iPhone: leave it connected and do not interrupt it",
				map[string]any{"query_type": a.QueryType}))
		}
		s := fmt.Sprintf("%s: %s mode (%s)", p.Key, m, a.QueryType)
		if a.ProductType != "" {
			s += ", " + a.ProductType
		}
		if a.ProductVersion != "" {
			s += " iOS " + a.ProductVersion
		}
		parts = append(parts, s)
	}
	if asked == 0 {
		return Skipped("no phone listed by usbmuxd"), nil
	}
	if len(errs) > 0 && len(parts) == 0 && len(fs) == 0 {
		return Outcome{}, fmt.Errorf("lockdown query: %s", strings.Join(errs, "; "))
	}
	parts = append(parts, errs...)
	o := Outcome{Detail: strings.Join(parts, "; "), Findings: fs}
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
			errs = append(errs, fmt.Sprintf("%s: %v", p.Key, st.Err))
			continue
		}
		probed++
		p50, p95, mx := stats.Summary(st.Samples)
		parts = append(parts, fmt.Sprintf("%s: %d requests, p50 %.1f ms, p95 %.1f ms, %d timeouts, %d failures",
			p.Key, st.Requests, ms(p50), ms(p95), st.Timeouts, st.Failures))
		ev := map[string]any{
			"requests": st.Requests, "timeouts": st.Timeouts, "failures": st.Failures,
			"p50_ms": ms(p50), "p95_ms": ms(p95), "max_ms": ms(mx), "threshold_ms": ms(SlowRTTp95),
		}
		if bad := st.Timeouts + st.Failures; bad > 0 {
			fs = append(fs, finding(report.FindingLockdownTimeouts, report.SeverityCritical, p.Key,
				fmt.Sprintf("%d of %d lockdown requests to the iPhone timed out or lost the connection", bad, st.Requests), ev))
		}
		if len(st.Samples) > 0 && p95 > SlowRTTp95 {
			fs = append(fs, finding(report.FindingLockdownSlow, report.SeverityWarning, p.Key,
				fmt.Sprintf("The iPhone answers slowly: 95%% of lockdown round trips took up to %.0f ms (over %.0f ms)", ms(p95), ms(SlowRTTp95)), ev))
		}
	}
	if probed == 0 {
		if len(errs) > 0 {
			return Outcome{}, fmt.Errorf("lockdown round trips: %s", strings.Join(errs, "; "))
		}
		return Skipped("no phone listed by usbmuxd in normal or restore mode"), nil
	}
	parts = append(parts, errs...)
	return Outcome{Detail: strings.Join(parts, "; "), Findings: fs}, nil
}

// TrustFix is the fix text for lockdown.untrusted.
const TrustFix = "unlock the iPhone and tap Trust when it asks \"Trust This Computer?\", then check again"

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
			parts = append(parts, p.Key+": restore mode, no pairing needed")
			checked++
			continue
		}
		if !t.Known {
			if t.Err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", p.Key, t.Err))
			}
			continue
		}
		checked++
		if t.Trusted {
			parts = append(parts, p.Key+": trusted")
			continue
		}
		parts = append(parts, p.Key+": not trusted")
		ev := map[string]any{"pair_record": t.HasPairRecord, "fix": TrustFix}
		if t.Reason != "" {
			ev["reason"] = t.Reason
		}
		fs = append(fs, finding(report.FindingLockdownUntrusted, report.SeverityWarning, p.Key,
			"The iPhone does not trust this computer yet: "+TrustFix, ev))
	}
	if checked == 0 {
		if len(errs) > 0 {
			return Outcome{}, fmt.Errorf("trust: %s", strings.Join(errs, "; "))
		}
		return Skipped("no phone listed by usbmuxd"), nil
	}
	parts = append(parts, errs...)
	return Outcome{Detail: strings.Join(parts, "; "), Findings: fs}, nil
}
