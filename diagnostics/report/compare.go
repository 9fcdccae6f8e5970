package report

import (
	"fmt"
	"sort"
	"strconv"
)

// ChangeKind says how something differs between two reports.
type ChangeKind string

// Change kinds.
const (
	Appeared ChangeKind = "appeared" // new in the second report (a step that now applies)
	Resolved ChangeKind = "resolved" // gone from the second report (a step that no longer applies)
	Changed  ChangeKind = "changed"  // present in both, with a different value
)

// Change subjects.
const (
	SubjectFinding      = "finding"
	SubjectDevice       = "device"
	SubjectCheck        = "check"
	SubjectStep         = "step"
	SubjectPrimaryStep  = "primary_step"
	SubjectProfessional = "professional"
)

// Change is one difference between a report before and after a fix (the
// GUI's "Check again").
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Subject is what changed: finding, device, check, step, primary_step, professional.
	Subject string `json:"subject"`
	// ID is the finding or check id, the device key, or the step number.
	ID string `json:"id"`
	// DeviceKey is the device a finding concerns ("" for host findings).
	DeviceKey string `json:"device_key,omitempty"`
	// Field is the value that changed for Changed ("severity",
	// "evidence.flaps", "mode", "stability.detaches", "rank", …).
	Field  string `json:"field,omitempty"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Text is the change in words: "usb.unstable resolved", "usb.unstable:
	// flaps 3 → 1", "step 4: rank 2 → 1".
	Text string `json:"text"`
}

// Compare lists what differs from before to after, in a fixed order:
// findings (by id and device), devices, checks, steps, the primary step and
// the professional advice. Findings match on id and device key, devices on
// key (so both reports must be redacted alike, or neither). Numeric and text
// evidence values of a finding present in both are compared; lists and
// objects in the evidence are not.
func Compare(before, after Report) []Change {
	var out []Change
	out = append(out, compareFindings(before.Findings, after.Findings)...)
	out = append(out, compareDevices(before.Devices, after.Devices)...)
	out = append(out, compareChecks(before.Checks, after.Checks)...)
	out = append(out, compareSteps(before.Steps, after.Steps)...)

	if b, a := intPtr(before.PrimaryStep), intPtr(after.PrimaryStep); b != a {
		out = append(out, Change{Kind: Changed, Subject: SubjectPrimaryStep, ID: "primary_step", Field: "primary_step",
			Before: b, After: a, Text: fmt.Sprintf("step to try first: %s → %s", b, a)})
	}
	if b, a := before.Professional.Recommended, after.Professional.Recommended; b != a {
		c := Change{Subject: SubjectProfessional, ID: "professional", Field: "recommended",
			Before: strconv.FormatBool(b), After: strconv.FormatBool(a)}
		if a {
			c.Kind, c.Text = Appeared, "seeing a professional is now recommended"
		} else {
			c.Kind, c.Text = Resolved, "seeing a professional is no longer recommended"
		}
		out = append(out, c)
	}
	return out
}

func intPtr(p *int) string {
	if p == nil {
		return "none"
	}
	return strconv.Itoa(*p)
}

type findingKey struct{ id, device string }

func compareFindings(before, after []Finding) []Change {
	bm := map[findingKey]Finding{}
	am := map[findingKey]Finding{}
	var keys []findingKey
	for _, f := range before {
		k := findingKey{f.ID, f.DeviceKey}
		if _, dup := bm[k]; !dup {
			bm[k] = f
			keys = append(keys, k)
		}
	}
	for _, f := range after {
		k := findingKey{f.ID, f.DeviceKey}
		if _, dup := am[k]; !dup {
			am[k] = f
			if _, inBefore := bm[k]; !inBefore {
				keys = append(keys, k)
			}
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].id != keys[j].id {
			return keys[i].id < keys[j].id
		}
		return keys[i].device < keys[j].device
	})
	var out []Change
	for _, k := range keys {
		b, inB := bm[k]
		a, inA := am[k]
		label := k.id
		if k.device != "" {
			label += " (" + k.device + ")"
		}
		base := Change{Subject: SubjectFinding, ID: k.id, DeviceKey: k.device}
		switch {
		case inB && !inA:
			c := base
			c.Kind, c.Text = Resolved, label+" resolved"
			out = append(out, c)
		case !inB && inA:
			c := base
			c.Kind, c.Text = Appeared, label+" appeared: "+a.Summary
			out = append(out, c)
		default:
			if b.Severity != a.Severity {
				c := base
				c.Kind, c.Field, c.Before, c.After = Changed, "severity", b.Severity, a.Severity
				c.Text = fmt.Sprintf("%s: severity %s → %s", label, b.Severity, a.Severity)
				out = append(out, c)
			}
			for _, ek := range evidenceKeys(b.Evidence, a.Evidence) {
				bv, bok := scalar(b.Evidence[ek])
				av, aok := scalar(a.Evidence[ek])
				if (!bok && !aok) || bv == av {
					continue
				}
				c := base
				c.Kind, c.Field, c.Before, c.After = Changed, "evidence."+ek, orNone(bv, bok), orNone(av, aok)
				c.Text = fmt.Sprintf("%s: %s %s → %s", label, ek, c.Before, c.After)
				out = append(out, c)
			}
		}
	}
	return out
}

func evidenceKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// scalar renders a number, string or bool evidence value; ok is false for
// absent values, lists and objects.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil, []any, map[string]any, []string, []int, []float64:
		return "", false
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return num(x), true
	case float32:
		return num(float64(x)), true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), true
	case fmt.Stringer:
		return x.String(), true
	}
	return "", false
}

func orNone(s string, ok bool) string {
	if !ok {
		return "none"
	}
	return s
}

func compareDevices(before, after []Device) []Change {
	bm := map[string]Device{}
	for _, d := range before {
		bm[d.Key] = d
	}
	am := map[string]Device{}
	for _, d := range after {
		am[d.Key] = d
	}
	var out []Change
	for _, d := range before {
		if _, ok := am[d.Key]; !ok {
			out = append(out, Change{Kind: Resolved, Subject: SubjectDevice, ID: d.Key, DeviceKey: d.Key,
				Text: fmt.Sprintf("device %s (%s) is gone", d.Key, modelName(d.Model))})
		}
	}
	for _, a := range after {
		b, ok := bm[a.Key]
		if !ok {
			out = append(out, Change{Kind: Appeared, Subject: SubjectDevice, ID: a.Key, DeviceKey: a.Key,
				Text: fmt.Sprintf("device %s (%s) appeared in %s mode", a.Key, modelName(a.Model), a.Mode)})
			continue
		}
		fields := []struct{ name, b, a string }{
			{"mode", b.Mode, a.Mode},
			{"usb.present", strconv.FormatBool(b.USB.Present), strconv.FormatBool(a.USB.Present)},
			{"usb.speed_mbps", num(b.USB.SpeedMbps), num(a.USB.SpeedMbps)},
			{"usb.behind_hub", strconv.FormatBool(b.USB.BehindHub), strconv.FormatBool(a.USB.BehindHub)},
			{"usbmux.listed", strconv.FormatBool(b.Usbmux.Listed), strconv.FormatBool(a.Usbmux.Listed)},
			{"lockdown.reachable", strconv.FormatBool(b.Lockdown.Reachable), strconv.FormatBool(a.Lockdown.Reachable)},
			{"lockdown.trusted", boolPtr(b.Lockdown.Trusted), boolPtr(a.Lockdown.Trusted)},
			{"lockdown.timeouts", strconv.Itoa(b.Lockdown.Timeouts), strconv.Itoa(a.Lockdown.Timeouts)},
			{"stability.detaches", strconv.Itoa(b.Stability.Detaches), strconv.Itoa(a.Stability.Detaches)},
		}
		for _, f := range fields {
			if f.b != f.a {
				out = append(out, Change{Kind: Changed, Subject: SubjectDevice, ID: a.Key, DeviceKey: a.Key,
					Field: f.name, Before: f.b, After: f.a, Text: fmt.Sprintf("device %s: %s %s → %s", a.Key, f.name, f.b, f.a)})
			}
		}
	}
	return out
}

func boolPtr(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return strconv.FormatBool(*b)
}

func compareChecks(before, after []Check) []Change {
	bm := map[string]Check{}
	for _, c := range before {
		bm[c.ID] = c
	}
	var out []Change
	seen := map[string]bool{}
	for _, a := range after {
		seen[a.ID] = true
		b, ok := bm[a.ID]
		switch {
		case !ok:
			out = append(out, Change{Kind: Appeared, Subject: SubjectCheck, ID: a.ID, After: a.Status,
				Text: fmt.Sprintf("check %s ran: %s", a.ID, a.Status)})
		case b.Status != a.Status:
			out = append(out, Change{Kind: Changed, Subject: SubjectCheck, ID: a.ID, Field: "status", Before: b.Status, After: a.Status,
				Text: fmt.Sprintf("check %s: %s → %s", a.ID, b.Status, a.Status)})
		}
	}
	for _, b := range before {
		if !seen[b.ID] {
			out = append(out, Change{Kind: Resolved, Subject: SubjectCheck, ID: b.ID, Before: b.Status,
				Text: fmt.Sprintf("check %s did not run again", b.ID)})
		}
	}
	return out
}

func compareSteps(before, after []Step) []Change {
	bm := map[int]Step{}
	for _, s := range before {
		bm[s.Number] = s
	}
	am := map[int]Step{}
	for _, s := range after {
		am[s.Number] = s
	}
	var out []Change
	for n := 1; n <= 6; n++ {
		b, a := bm[n], am[n]
		id := strconv.Itoa(n)
		switch {
		case !b.Applies && a.Applies:
			out = append(out, Change{Kind: Appeared, Subject: SubjectStep, ID: id, Field: "applies", Before: "false", After: "true",
				Text: fmt.Sprintf("step %d now applies (rank %s)", n, intPtr(a.Rank))})
		case b.Applies && !a.Applies:
			out = append(out, Change{Kind: Resolved, Subject: SubjectStep, ID: id, Field: "applies", Before: "true", After: "false",
				Text: fmt.Sprintf("step %d no longer applies", n)})
		case b.Applies && a.Applies:
			if br, ar := intPtr(b.Rank), intPtr(a.Rank); br != ar {
				out = append(out, Change{Kind: Changed, Subject: SubjectStep, ID: id, Field: "rank", Before: br, After: ar,
					Text: fmt.Sprintf("step %d: rank %s → %s", n, br, ar)})
			}
			if bc, ac := strPtr(b.Confidence), strPtr(a.Confidence); bc != ac {
				out = append(out, Change{Kind: Changed, Subject: SubjectStep, ID: id, Field: "confidence", Before: bc, After: ac,
					Text: fmt.Sprintf("step %d: confidence %s → %s", n, bc, ac)})
			}
		}
	}
	return out
}

func strPtr(p *string) string {
	if p == nil {
		return "none"
	}
	return *p
}
