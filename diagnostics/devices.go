package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/stats"
)

func errorsIsAccessDenied(err error) bool { return errors.Is(err, usb.ErrAccessDenied) }

// settled returns a fact's value when it is settled, the zero value otherwise
// (the report is built from whatever the run managed to learn).
func settled[T any](f *Fact[T]) (T, bool) {
	if !f.Settled() {
		var zero T
		return zero, false
	}
	v, err := f.Get(context.Background())
	return v, err == nil
}

// ReportUSB is the report contract's usb object of a device on the bus.
func ReportUSB(d usb.Device) report.USB {
	return report.USB{
		Present:   true,
		VendorID:  fmt.Sprintf("%04x", d.VendorID),
		ProductID: fmt.Sprintf("%04x", d.ProductID),
		SpeedMbps: d.SpeedMbps,
		Bus:       d.Bus,
		PortPath:  append([]int{}, d.PortPath...),
		BehindHub: d.BehindHub || d.HubDepth > 0,
	}
}

// ReportRecovery is the report contract's recovery object of parsed iBoot
// fields (nil for nil).
func ReportRecovery(r *usb.RecoveryInfo) *report.RecoveryInfo {
	if r == nil {
		return nil
	}
	return &report.RecoveryInfo{CPID: r.CPID, CPRV: r.CPRV, CPFM: r.CPFM, SCEP: r.SCEP, BDID: r.BDID, ECID: r.ECID,
		IBFL: r.IBFL, SRTG: r.SRTG, SRNM: r.SRNM, IMEI: r.IMEI, NONC: r.NONC, SNON: r.SNON, SDOM: r.SDOM}
}

// devices builds the report's device list from the facts of the run.
func (r *run) devices() []report.Device {
	sample, sampled := settled(r.sample)
	return r.devicesWith(sample, sampled, r.opts.Window)
}

// devicesWith builds the device list with sample as the window's
// stability (sampled false: none yet), watched for window.
func (r *run) devicesWith(sample sampleResult, sampled bool, window time.Duration) []report.Device {
	phones, ok := settled(r.phones)
	if !ok {
		return nil
	}
	ld, _ := settled(r.lockdown)
	rtt, _ := settled(r.rtt)
	stab := map[string]checks.PhoneStability{}
	if sampled && r.opts.Window > 0 {
		// Phones seen at any time during the window are reported, with
		// their last known facts; see withWindowPhones.
		phones = withWindowPhones(phones, sample)
		for _, ps := range sample.byPhone(phones) {
			stab[ps.Key] = ps
		}
	}
	out := make([]report.Device, 0, len(phones))
	for _, p := range phones {
		d := report.Device{Key: p.Key, Mode: string(p.Mode)}
		if d.Mode == "" {
			d.Mode = string(mode.Unknown)
		}
		var info model.Info
		res, ok := ld[p.Key]
		if !ok && p.Mux != nil {
			// Away at the quick pass, described when it came back.
			res.info, ok = r.windowLockdownOf(p.Mux.UDID)
		}
		if ok {
			if res.info.Mode == mode.Restore {
				d.Mode = string(mode.Restore)
			}
			if res.info.ProductType != "" {
				info = model.ByProductType(res.info.ProductType)
			}
			d.Lockdown.Reachable = res.info.Type != ""
			d.Lockdown.ProductVersion = res.info.ProductVersion
			d.Lockdown.Trusted = res.info.Trust.Trusted()
		}
		if st, ok := rtt[p.Key]; ok {
			d.Lockdown.Requests, d.Lockdown.Timeouts, d.Lockdown.Failures = st.Requests, st.Timeouts, st.Failures
			p50, p95, mx := stats.Summary(st.Samples)
			d.Lockdown.RTTms = report.RTT{P50: stats.Millis(p50), P95: stats.Millis(p95), Max: stats.Millis(mx)}
		}
		if u := p.USB; u != nil {
			d.USB = ReportUSB(*u)
			// A phone seen only during the window is present when it was
			// still on the bus at the window's end; its other fields are
			// the last known ones.
			d.USB.Present = !p.inWindow || p.usbAtEnd
			if ri := u.Recovery; ri != nil {
				d.Recovery = ReportRecovery(ri)
				if !info.Known {
					info = model.ByChipHex(ri.CPID, ri.BDID)
				}
			}
		}
		d.Usbmux.Listed = p.Mux != nil && (!p.inWindow || p.listedAtEnd)
		if info.Name == "" {
			info = model.ByProductType("")
		}
		d.Model = report.Model{ProductType: info.ProductType, Name: info.Name, RecoveryButtons: string(info.Family)}
		if d.Model.RecoveryButtons == "" {
			d.Model.RecoveryButtons = string(model.Unknown)
		}
		d.Stability.WindowS = window.Seconds()
		if ps, ok := stab[p.Key]; ok {
			d.Stability.Detaches, d.Stability.Attaches = ps.Detaches, ps.Attaches
		}
		out = append(out, d)
	}
	return out
}

// finish applies the rules (steps, professional, primary step, summary) and
// the redaction of identifiers.
func finish(rep *report.Report, opts Options) {
	rep.Tried = opts.Tried.Words() // the check ran with these answers
	v := rules.Evaluate(nil, rules.InputFromReport(rep, opts.Tried))
	v.Apply(rep)
	if !opts.IncludeIdentifiers {
		*rep = report.Redact(*rep)
	}
}
