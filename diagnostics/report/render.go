package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Shared pieces of the Markdown and plain-text renderings.

// rankedSteps returns the steps that apply, by rank.
func rankedSteps(r *Report) []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Applies && s.Rank != nil {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Step) int { return *a.Rank - *b.Rank })
	return out
}

// primary returns the primary step, if it is listed.
func primary(r *Report) (Step, bool) {
	if r.PrimaryStep == nil {
		return Step{}, false
	}
	for _, s := range r.Steps {
		if s.Number == *r.PrimaryStep {
			return s, true
		}
	}
	return Step{Number: *r.PrimaryStep, Title: i18n.T("report.step.fallback_title", i18n.Args{"N": *r.PrimaryStep})}, true
}

// confidence is a step's confidence in words ("high"), "-" when it has none.
func confidence(s Step) string {
	if s.Confidence == nil {
		return "-"
	}
	return word("report.confidence.", *s.Confidence)
}

// word is the translation of an enumeration value (a status, severity,
// mode, confidence) under prefix, or the value itself when it has none: a
// value a newer contract adds still reads, as its English key.
func word(prefix, value string) string {
	if value == "" {
		return "-"
	}
	if id := prefix + strings.ReplaceAll(value, "-", "_"); has(id) {
		return i18n.T(id)
	}
	return value
}

// known caches i18n.Has: the bundles are embedded, so whether a message
// exists never changes in a process.
var known sync.Map

func has(id string) bool {
	if v, ok := known.Load(id); ok {
		return v.(bool)
	}
	h := i18n.Has(id)
	known.Store(id, h)
	return h
}

// num formats a measured value in the locale's way (at most three decimals).
func num(f float64) string { return i18n.Num(f, 3) }

// nums joins step numbers or port numbers for a sentence ("1, 2, 6").
func nums(ns []int, sep string) string {
	p := make([]string, len(ns))
	for i, n := range ns {
		p[i] = strconv.Itoa(n)
	}
	return strings.Join(p, sep)
}

// modelName is "iPhone 13 Pro Max (iPhone14,3)", or what is known of it.
func modelName(m Model) string {
	if m.Name != "" && strings.HasPrefix(m.Name, model.UnknownName) {
		if m.Name == model.UnknownName && m.ProductType != "" {
			return ModelDisplayName(model.UnknownName + " (" + m.ProductType + ")")
		}
		return ModelDisplayName(m.Name) // it names the product type or the chip
	}
	switch {
	case m.Name != "" && m.ProductType != "":
		return m.Name + " (" + m.ProductType + ")"
	case m.Name != "":
		return m.Name
	case m.ProductType != "":
		return m.ProductType
	}
	return i18n.T("report.model.unknown")
}

// ModelDisplayName is a model's name (device/model's Name, the report's
// model.name) as the user reads it: the name of a model not in the table,
// English data in the JSON, is said in the current language with what it
// was asked about; a marketing name is returned as it is.
func ModelDisplayName(name string) string {
	rest, ok := strings.CutPrefix(name, model.UnknownName)
	if !ok {
		return name
	}
	detail := strings.TrimSpace(rest)
	if d, ok := strings.CutPrefix(detail, "("); ok {
		detail = strings.TrimSuffix(d, ")")
	}
	if detail == "" {
		return i18n.T("report.model.unknown_device")
	}
	return i18n.T("report.model.unknown_device_detail", i18n.Args{"Detail": detail})
}

// usbLine describes the USB link in a few words.
func usbLine(u USB) string {
	if !u.Present {
		return i18n.T("report.usb.absent")
	}
	var p []string
	if u.SpeedMbps > 0 {
		p = append(p, i18n.T("report.usb.speed", i18n.Args{"Mbps": num(u.SpeedMbps)}))
	}
	if u.VendorID != "" || u.ProductID != "" {
		p = append(p, u.VendorID+":"+u.ProductID)
	}
	if len(u.PortPath) > 0 {
		p = append(p, i18n.T("report.usb.bus_port", i18n.Args{"Bus": u.Bus, "Port": nums(u.PortPath, ".")}))
	} else {
		p = append(p, i18n.T("report.usb.bus", i18n.Args{"Bus": u.Bus}))
	}
	if u.BehindHub {
		p = append(p, i18n.T("report.usb.behind_hub"))
	} else {
		p = append(p, i18n.T("report.usb.direct"))
	}
	return strings.Join(p, ", ")
}

func usbmuxLine(u Usbmux) string {
	return listedWord(&u.Listed)
}

func lockdownLine(l Lockdown) string {
	errs := i18n.Args{"Timeouts": l.Timeouts, "Failures": l.Failures}
	if !l.Reachable {
		if l.Timeouts+l.Failures > 0 {
			return i18n.T("report.lockdown.unreachable_errors", errs)
		}
		return i18n.T("report.lockdown.unreachable")
	}
	var p []string
	if l.ProductVersion != "" {
		p = append(p, "iOS "+l.ProductVersion)
	}
	switch {
	case l.Trusted == nil:
		p = append(p, i18n.T("report.lockdown.trust_unknown"))
	case *l.Trusted:
		p = append(p, i18n.T("report.lockdown.trusted"))
	default:
		p = append(p, i18n.T("report.lockdown.not_trusted"))
	}
	if l.Requests > 0 {
		p = append(p, i18n.N("report.lockdown.rtt", l.Requests, i18n.Args{"Ms": num(l.RTTms.P95)}))
	}
	if l.Timeouts+l.Failures > 0 {
		p = append(p, i18n.T("report.lockdown.errors", errs))
	}
	return strings.Join(p, ", ")
}

// stabilityLine describes drops in the window. In an incomplete report the
// window may not have run to its end: it says how long was watched and that
// the check is incomplete, never a plain "no drops in 10 s".
func stabilityLine(s Stability, incomplete bool) string {
	drops := i18n.T("report.stability.no_drops")
	if s.Detaches > 0 {
		// Drops and returns differ when the phone was gone at either end of
		// the window; the findings count returns (re-appearances).
		drops = i18n.N("report.stability.drops_returns", s.Detaches, i18n.Args{"Returns": i18n.N("report.stability.returns", s.Attaches)})
	}
	window := i18n.Args{"Drops": drops, "Window": durationS(s.WindowS)}
	if s.WindowS > 0 && incomplete {
		return i18n.T("report.stability.window_incomplete", window)
	}
	if s.WindowS > 0 {
		return i18n.T("report.stability.window", window)
	}
	return i18n.T("report.stability.one_pass", window)
}

// stepList names the steps a finding supports. A finding with none is either
// context (info) or one with a fix text of its own, shown in the verdict.
func stepList(f Finding) string {
	if len(f.Steps) == 0 {
		if f.Severity == SeverityInfo {
			return i18n.T("report.finding.steps_none_context")
		}
		return i18n.T("report.finding.steps_none_own_fix")
	}
	return nums(f.Steps, ", ")
}

// evidenceLines renders evidence as sorted "key: value" pairs, values in
// compact JSON (strings unquoted).
func evidenceLines(ev map[string]any) []string {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+": "+evidenceValue(ev[k]))
	}
	return out
}

func evidenceValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// durationMs says how long a check took: "850 ms", "0.4 ms", "12.3 s".
func durationMs(ms float64) string {
	switch {
	case ms >= 10000:
		return i18n.T("unit.duration.s", i18n.Args{"S": i18n.Num(float64(int(ms/100))/10, 1)})
	case ms >= 100:
		return i18n.T("unit.duration.ms", i18n.Args{"Ms": strconv.Itoa(int(ms + 0.5))})
	}
	return i18n.T("unit.duration.ms", i18n.Args{"Ms": i18n.Num(float64(int(ms*10+0.5))/10, 1)})
}

// durationS says a span of seconds the way people read it ("10 s",
// "2 min 10 s").
func durationS(s float64) string {
	return i18n.Duration(time.Duration(s * float64(time.Second)))
}

// reportOS picks the OS name a Guide understands from Host.OS.
func reportOS(r *Report) string { return r.Host.OS }

// recoveryFamily is the recovery-button family of the primary device (the
// first in recovery/DFU, else the first), "unknown" without devices.
func recoveryFamily(r *Report) string {
	for _, d := range r.Devices {
		if d.Mode == "recovery" || d.Mode == "dfu" {
			return orUnknown(d.Model.RecoveryButtons)
		}
	}
	if len(r.Devices) > 0 {
		return orUnknown(r.Devices[0].Model.RecoveryButtons)
	}
	return "unknown"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
