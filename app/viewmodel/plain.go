package viewmodel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
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
		return "the computer's iPhone connection service did not answer in time"
	case errors.Is(err, context.Canceled):
		return "it was stopped before it finished"
	case strings.Contains(msg, "exceeds"), strings.Contains(msg, "protocol"), strings.Contains(msg, "plist"), strings.Contains(msg, "frame"):
		return "the computer's iPhone connection service gave an answer that makes no sense"
	case strings.Contains(msg, "refused"), strings.Contains(msg, "no such file"):
		return "the computer's iPhone connection service is not running"
	case errors.Is(err, os.ErrPermission), strings.Contains(msg, "permission"), strings.Contains(msg, "access"):
		return "this computer did not allow the access it needs"
	default:
		return "something unexpected went wrong"
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
		line := "usbmuxd (Apple Mobile Device Service)"
		if host.UsbmuxdAddress != "" {
			line += " at " + host.UsbmuxdAddress
		}
		if host.UsbmuxdStatus != "" {
			line += ": " + host.UsbmuxdStatus
		}
		out = append(out, line)
		if host.Detail != "" {
			out = append(out, "  "+host.Detail)
		}
	}
	if runErr != nil {
		out = append(out, "The check failed: "+runErr.Error())
	}
	if r == nil {
		return out
	}
	for _, f := range r.Findings {
		line := fmt.Sprintf("Finding %s (%s): %s", f.ID, f.Severity, f.Summary)
		if ev := evidenceText(f.Evidence); ev != "" {
			line += " [" + ev + "]"
		}
		out = append(out, line)
	}
	for _, c := range r.Checks {
		if c.Status == report.StatusPass {
			continue
		}
		out = append(out, fmt.Sprintf("Check %s: %s: %s", c.ID, c.Status, c.Detail))
	}
	for _, d := range r.Devices {
		if d.Lockdown.Requests > 0 {
			out = append(out, fmt.Sprintf("Lockdown round trips (%s): p50 %s, p95 %s, max %s over %d requests, %d timeouts, %d failures",
				d.Model.Name, msText(d.Lockdown.RTTms.P50), msText(d.Lockdown.RTTms.P95), msText(d.Lockdown.RTTms.Max),
				d.Lockdown.Requests, d.Lockdown.Timeouts, d.Lockdown.Failures))
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
