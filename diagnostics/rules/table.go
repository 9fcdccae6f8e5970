package rules

import (
	"slices"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Weights of a finding's support for a step: how directly the step addresses
// what the finding shows.
const (
	weak   = 1 // worth trying, addresses the finding indirectly
	normal = 2 // a likely fix
	strong = 3 // the fix for exactly this finding
)

// support says that a finding supports a step with a weight.
type support struct {
	step, weight int
}

// table maps each finding id to the steps it supports. It extends the
// "supports step" column of DESIGN.md with weights; the first entry is the
// step DESIGN.md lists first. Findings not listed here (new ids) support the
// steps in their own Finding.Steps with normal weight. Findings with a fix
// text of their own (usb.access_denied, lockdown.untrusted) support no step.
var table = map[string][]support{
	report.FindingUSBNoDevice:            {{1, strong}},
	report.FindingUSBAccessDenied:        nil,
	report.FindingUSBUnavailable:         {{2, strong}, {6, weak}},
	report.FindingUSBDriverMissing:       {{2, strong}},
	report.FindingUSBFullSpeed:           {{1, strong}},
	report.FindingUSBBehindHub:           {{1, normal}},
	report.FindingUSBUnstable:            {{1, strong}, {4, weak}},
	report.FindingUSBControlTimeouts:     {{1, strong}, {4, normal}},
	report.FindingUSBTooManyPhones:       nil,
	report.FindingDeviceRecoveryMode:     {{5, strong}},
	report.FindingDeviceDFUMode:          {{5, strong}},
	report.FindingUsbmuxUnreachable:      {{2, strong}, {4, normal}},
	report.FindingUsbmuxNotResponding:    {{4, strong}, {2, weak}},
	report.FindingUsbmuxDeviceMissing:    {{2, strong}, {4, normal}},
	report.FindingLockdownSlow:           {{4, normal}, {1, weak}},
	report.FindingLockdownTimeouts:       {{1, strong}, {4, normal}},
	report.FindingLockdownUntrusted:      nil,
	report.FindingLockdownUnreachable:    {{4, strong}, {1, normal}},
	report.FindingDeviceRestoreMode:      nil,
	report.FindingHostServersUnreachable: {{3, strong}},
	report.FindingHostHostsFileRedirect:  {{3, strong}},
	report.FindingHostSecuritySoftware:   {{3, normal}},
	report.FindingHostSoftwareOutdated:   {{2, strong}},
}

// minSeverity is the severity from which a finding supports its steps. An
// info-level host.security_software finding ("only built-in security
// software is active") is context, not a reason to disable anything; an
// info-level usbmux.unreachable ("not running, and it starts on demand when a
// phone is plugged in") is the normal state of a Linux computer with no phone.
var minSeverity = map[string]string{
	report.FindingHostSecuritySoftware: report.SeverityWarning,
	report.FindingUsbmuxUnreachable:    report.SeverityWarning,
}

// linkFindings are the findings that point at the physical link: cable,
// port, the computer's USB controller, or the phone's own port. They are the
// ones that, persisting across another cable and another computer, send the
// user to a professional.
var linkFindings = []string{
	report.FindingUSBUnstable,
	report.FindingUSBControlTimeouts,
	report.FindingLockdownTimeouts,
	report.FindingUSBFullSpeed,
}

// escalation adds a step when a finding persists although the user already
// tried something: the next suspect moves from the cable to the computer.
type escalation struct {
	step, weight int
	// findings that must be present (any of them).
	findings []string
	// when says whether what the user tried triggers the escalation.
	when func(Tried) bool
	// why is the message ID of the suspect that completes "it persists
	// although you already <tried>: …".
	why string
}

var escalations = []escalation{
	{
		step: 6, weight: normal,
		findings: append(slices.Clone(linkFindings), report.FindingUSBNoDevice),
		when:     func(t Tried) bool { return t.Cable || t.Port },
		why:      "findings.escalation.suspect_usb_port",
	},
	{
		step: 6, weight: normal,
		findings: []string{report.FindingUsbmuxUnreachable, report.FindingUsbmuxNotResponding,
			report.FindingUsbmuxDeviceMissing, report.FindingUSBUnavailable, report.FindingLockdownSlow},
		when: func(t Tried) bool { return t.Restart },
		why:  "findings.escalation.suspect_usb_software",
	},
}

// fixTextFindings have a fix text of their own instead of a step.
var fixTextFindings = []string{report.FindingDeviceRestoreMode, report.FindingUSBAccessDenied, report.FindingLockdownUntrusted, report.FindingUSBTooManyPhones}

// StepsFor returns the steps a finding id supports, strongest first, then
// by step number (a fresh slice; empty for ids with their own fix text and
// for unknown ids). Checks use it to fill Finding.Steps.
func StepsFor(findingID string) []int {
	sup := slices.Clone(table[findingID])
	slices.SortStableFunc(sup, func(a, b support) int {
		if a.weight != b.weight {
			return b.weight - a.weight
		}
		return a.step - b.step
	})
	out := make([]int, 0, len(sup))
	for _, s := range sup {
		out = append(out, s.step)
	}
	return out
}

// KnownFinding reports whether the rules have a table entry for id.
func KnownFinding(id string) bool {
	_, ok := table[id]
	return ok
}
