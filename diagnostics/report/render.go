package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
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
	return Step{Number: *r.PrimaryStep, Title: fmt.Sprintf("Step %d", *r.PrimaryStep)}, true
}

func confidence(s Step) string {
	if s.Confidence == nil {
		return "-"
	}
	return *s.Confidence
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// modelName is "iPhone 13 Pro Max (iPhone14,3)", or what is known of it.
func modelName(m Model) string {
	switch {
	case m.Name != "" && m.ProductType != "":
		return m.Name + " (" + m.ProductType + ")"
	case m.Name != "":
		return m.Name
	case m.ProductType != "":
		return m.ProductType
	}
	return "unknown model"
}

// usbLine describes the USB link in a few words.
func usbLine(u USB) string {
	if !u.Present {
		return "not on USB"
	}
	var p []string
	if u.SpeedMbps > 0 {
		p = append(p, num(u.SpeedMbps)+" Mbit/s")
	}
	if u.VendorID != "" || u.ProductID != "" {
		p = append(p, u.VendorID+":"+u.ProductID)
	}
	loc := "bus " + strconv.Itoa(u.Bus)
	if len(u.PortPath) > 0 {
		ports := make([]string, len(u.PortPath))
		for i, n := range u.PortPath {
			ports[i] = strconv.Itoa(n)
		}
		loc += " port " + strings.Join(ports, ".")
	}
	p = append(p, loc)
	if u.BehindHub {
		p = append(p, "behind a hub")
	} else {
		p = append(p, "direct")
	}
	return strings.Join(p, ", ")
}

func usbmuxLine(u Usbmux) string {
	if u.Listed {
		return "listed"
	}
	return "not listed"
}

func lockdownLine(l Lockdown) string {
	if !l.Reachable {
		if l.Timeouts+l.Failures > 0 {
			return fmt.Sprintf("unreachable (%d timeouts, %d failures)", l.Timeouts, l.Failures)
		}
		return "unreachable"
	}
	var p []string
	if l.ProductVersion != "" {
		p = append(p, "iOS "+l.ProductVersion)
	}
	switch {
	case l.Trusted == nil:
		p = append(p, "trust unknown")
	case *l.Trusted:
		p = append(p, "trusted")
	default:
		p = append(p, "not trusted")
	}
	if l.Requests > 0 {
		p = append(p, fmt.Sprintf("p95 %s ms over %d requests", num(l.RTTms.P95), l.Requests))
	}
	if l.Timeouts+l.Failures > 0 {
		p = append(p, fmt.Sprintf("%d timeouts, %d failures", l.Timeouts, l.Failures))
	}
	return strings.Join(p, ", ")
}

// stabilityLine describes drops in the window. In an incomplete report the
// window may not have run to its end: it says how long was watched and that
// the check is incomplete, never a plain "no drops in 10 s".
func stabilityLine(s Stability, incomplete bool) string {
	drops := "no drops"
	switch s.Detaches {
	case 0:
	case 1:
		drops = "1 drop"
	default:
		drops = fmt.Sprintf("%d drops", s.Detaches)
	}
	if s.Detaches > 0 {
		// Drops and returns differ when the phone was gone at either end of
		// the window; the findings count returns (re-appearances).
		if s.Attaches == 1 {
			drops += ", 1 return"
		} else {
			drops += fmt.Sprintf(", %d returns", s.Attaches)
		}
	}
	if s.WindowS > 0 && incomplete {
		return fmt.Sprintf("%s seen in the %s s watched (check incomplete)", drops, num(s.WindowS))
	}
	if s.WindowS > 0 {
		return fmt.Sprintf("%s in %s s", drops, num(s.WindowS))
	}
	return drops + " (one pass)"
}

// stepList names the steps a finding supports. A finding with none is either
// context (info) or one with a fix text of its own, shown in the verdict.
func stepList(f Finding) string {
	ns := f.Steps
	if len(ns) == 0 {
		if f.Severity == SeverityInfo {
			return "none, for context"
		}
		return "none, own fix in the verdict"
	}
	p := make([]string, len(ns))
	for i, n := range ns {
		p[i] = strconv.Itoa(n)
	}
	return strings.Join(p, ", ")
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

func durationMs(ms float64) string {
	switch {
	case ms >= 10000:
		return num(float64(int(ms/100))/10) + " s"
	case ms >= 100:
		return strconv.Itoa(int(ms+0.5)) + " ms"
	}
	return num(float64(int(ms*10+0.5))/10) + " ms"
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
