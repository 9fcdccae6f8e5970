package host

import (
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Result is the outcome of one host check: its status (report.Status…), a
// one-line detail for the report, the findings it produced and how long it took.
type Result struct {
	// ID is the check id (report.CheckHost…).
	ID string
	// Status is one of report.StatusPass, StatusWarn, StatusFail,
	// StatusSkipped, StatusUnsupported, StatusError.
	Status   string
	Detail   string
	Findings []report.Finding
	Duration time.Duration
}

// Check converts r into the report's check entry.
func (r Result) Check() report.Check {
	return report.Check{
		ID:         r.ID,
		Status:     r.Status,
		DurationMs: msFloat(r.Duration),
		Detail:     r.Detail,
	}
}

// Skipped returns the Result for a check the caller chose not to run (for
// example host.apple_servers under --no-network), with reason as detail.
func Skipped(id, reason string) Result {
	return Result{ID: id, Status: report.StatusSkipped, Detail: reason}
}

// msFloat is d in milliseconds rounded to 0.1 ms, the precision the report uses.
func msFloat(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}
