package actions

import (
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Finding is the report finding of an action: what was done, when, and
// what came of it (id "action.recovery_exit", "action.recovery_enter" or
// "action.restart"; DeviceKey names the phone).
func (r Result) Finding() report.Finding {
	sev := report.SeverityInfo
	switch r.Outcome {
	case BackInRecovery:
		sev = report.SeverityCritical
	case NotBack, Failed, OtherMode:
		sev = report.SeverityWarning
	}
	ev := map[string]any{
		"action":      string(r.Kind),
		"started_at":  r.Started.UTC().Format(time.RFC3339),
		"duration_s":  float64(r.Took.Milliseconds()) / 1000,
		"outcome":     string(r.Outcome),
		"mode_before": string(r.Before),
	}
	if r.After != "" {
		ev["mode_after"] = string(r.After)
	}
	if r.Err != nil {
		ev["error"] = r.Err.Error()
	}
	return report.Finding{ID: r.Kind.FindingID(), Severity: sev, Summary: r.Summary, Evidence: ev, Steps: steps(r), DeviceKey: r.DeviceKey}
}
