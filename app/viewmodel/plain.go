package viewmodel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// PlainError says in plain words what kind of failure err is, for the main
// view; the error's own text belongs in the Details (BuildDetails).
func PlainError(err error) string {
	if err == nil {
		return ""
	}
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), strings.Contains(msg, "timeout"), strings.Contains(msg, "timed out"):
		return i18n.T("window.error.timeout")
	case errors.Is(err, context.Canceled):
		return i18n.T("window.error.canceled")
	case strings.Contains(msg, "exceeds"), strings.Contains(msg, "protocol"), strings.Contains(msg, "plist"), strings.Contains(msg, "frame"):
		return i18n.T("window.error.garbage")
	case strings.Contains(msg, "refused"), strings.Contains(msg, "no such file"):
		return i18n.T("window.error.not_running")
	case errors.Is(err, os.ErrPermission), strings.Contains(msg, "permission"), strings.Contains(msg, "access"):
		return i18n.T("window.error.permission")
	default:
		return i18n.T("window.error.unexpected")
	}
}

// BuildDetails lists the technical facts behind the main view, for the
// "Details" disclosure and for support staff: the computer's iPhone service
// (usbmuxd / Apple Mobile Device Service) with its address and error, the
// check's own error, every finding with its evidence, and every check that
// did not pass.
func BuildDetails(r *report.Report, host Host, runErr error) []string {
	var out []string
	if host.Known {
		args := i18n.Args{"Address": host.UsbmuxdAddress, "Status": host.UsbmuxdStatus}
		var line string
		switch {
		case host.UsbmuxdAddress != "" && host.UsbmuxdStatus != "":
			line = i18n.T("window.details.service_at_status", args)
		case host.UsbmuxdAddress != "":
			line = i18n.T("window.details.service_at", args)
		case host.UsbmuxdStatus != "":
			line = i18n.T("window.details.service_status", args)
		default:
			line = i18n.T("window.details.service")
		}
		out = append(out, line)
		if host.Detail != "" {
			out = append(out, "  "+host.Detail)
		}
	}
	if runErr != nil {
		out = append(out, i18n.T("window.details.check_failed", i18n.Args{"Error": runErr.Error()}))
	}
	if r == nil {
		return out
	}
	for _, f := range r.Findings {
		args := i18n.Args{"ID": f.ID, "Severity": f.Severity, "Summary": f.Summary}
		line := i18n.T("window.details.finding", args)
		if ev := evidenceText(f.Evidence); ev != "" {
			line += " [" + ev + "]" // the evidence as the JSON report has it
		}
		out = append(out, line)
	}
	for _, c := range r.Checks {
		if c.Status == report.StatusPass {
			continue
		}
		out = append(out, i18n.T("window.details.check", i18n.Args{"ID": c.ID, "Status": c.Status, "Detail": c.Detail}))
	}
	for _, d := range r.Devices {
		if d.Lockdown.Requests > 0 {
			out = append(out, i18n.T("window.details.lockdown", i18n.Args{"Model": d.Model.Name,
				"P50": msText(d.Lockdown.RTTms.P50), "P95": msText(d.Lockdown.RTTms.P95), "Max": msText(d.Lockdown.RTTms.Max),
				"Requests": i18n.Int(d.Lockdown.Requests), "Timeouts": i18n.Int(d.Lockdown.Timeouts), "Failures": i18n.Int(d.Lockdown.Failures)}))
		}
	}
	return out
}

func evidenceText(ev map[string]any) string {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, ev[k]))
	}
	return strings.Join(parts, ", ")
}
