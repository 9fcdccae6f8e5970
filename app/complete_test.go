package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// TestWindowAndExportFollowTheCompletenessRule: the window's headline and
// its export say "No fault found" exactly when the one completeness rule
// (diagnostics.NoFaultFound) does, and the export's "complete" is the
// rule's. An unsupported check on the phone is no reason (the headline names
// it under "not checked"); a check in error is.
func TestWindowAndExportFollowTheCompletenessRule(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check report.Check
		clean bool
	}{
		{"phone check unsupported", report.Check{ID: report.CheckUSBControl, Status: report.StatusUnsupported, Detail: "not on this platform"}, true},
		{"phone check in error", report.Check{ID: report.CheckLockdownQuery, Status: report.StatusError, Detail: "i/o timeout"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := loadReport(t, "report-healthy.json")
			r.Checks = append(r.Checks, tc.check)
			diagnostics.MarkCompleteness(r, nil, 0)
			if diagnostics.NoFaultFound(r) != tc.clean {
				t.Fatalf("rule: NoFaultFound %v, want %v", diagnostics.NoFaultFound(r), tc.clean)
			}
			f := newFake(t)
			f.reports = []*report.Report{r}
			h := newHarness(t, f, Options{NoAutoCheck: true})
			d := r.Devices[0]
			h.attach(viewmodel.DeviceFromReport(viewmodel.Device{Key: d.Key, Listed: d.Usbmux.Listed}, d))
			h.pump(func() bool { return len(h.u.st.Phones) == 1 })
			h.u.CheckAgain()
			h.waitVerdict()
			head := h.u.verdict.label.Text
			if strings.HasPrefix(head, "No fault found") != tc.clean {
				t.Errorf("headline %q, rule's NoFaultFound %v", head, tc.clean)
			}
			data, err := session.Render(exportReport(h.u.st, h.u.cat, h.u.opts.Now()), FormatJSON, true, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got report.Report
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if got.Complete != r.Complete || strings.HasPrefix(got.Summary, "No fault found") != tc.clean {
				t.Errorf("export: complete %v, summary %q; rule: complete %v, clean %v", got.Complete, got.Summary, r.Complete, tc.clean)
			}
		})
	}
}
