package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestValidateRestoreTimeline(t *testing.T) {
	tests := []struct {
		name string
		edit func(rt *report.RestoreTimeline)
		want string // "" valid
	}{
		{"valid", func(*report.RestoreTimeline) {}, ""},
		{"incomplete success", func(rt *report.RestoreTimeline) {
			rt.Complete, rt.IncompleteReasons, rt.Verdict.ID = false, []string{"the recording was interrupted"}, "success"
		}, "never a success"},
		{"complete with reasons", func(rt *report.RestoreTimeline) { rt.IncompleteReasons = []string{"x"} }, "complete recording lists"},
		{"unknown stage", func(rt *report.RestoreTimeline) { rt.Stages[0].Stage = "ibec" }, "stages[0].stage"},
		{"unknown verdict", func(rt *report.RestoreTimeline) { rt.Verdict.ID = "fine" }, "verdict.id"},
		{"step 7", func(rt *report.RestoreTimeline) { rt.Verdict.Steps = []int{7} }, "want 1..6"},
		{"ends before it starts", func(rt *report.RestoreTimeline) { rt.Stages[1].EndS = 1 }, "ends before it starts"},
		{"null stages", func(rt *report.RestoreTimeline) { rt.Stages = nil }, "want array"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := restoreLostReport()
			tc.edit(r.RestoreTimeline)
			var b bytes.Buffer
			if err := r.JSON(&b); err != nil {
				t.Fatal(err)
			}
			err := report.Validate(b.Bytes())
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("valid timeline rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestRedactRestoreTimeline(t *testing.T) {
	r := restoreLostReport()
	red := report.Redact(r)
	var b bytes.Buffer
	if err := red.JSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{ecidA, strings.ToLower(ecidA), "1a2b3c4d5e6f70"} {
		if bytes.Contains(bytes.ToLower(b.Bytes()), []byte(strings.ToLower(id))) {
			t.Errorf("redacted JSON still holds %q", id)
		}
	}
	if !report.IsRedacted(red.RestoreTimeline.DeviceKey) {
		t.Errorf("device key %q not redacted", red.RestoreTimeline.DeviceKey)
	}
	// the original is untouched
	if r.RestoreTimeline.DeviceKey != "ecid:"+ecidA || r.RestoreTimeline.Verdict.Evidence[1] != "phone ECID "+ecidA {
		t.Error("Redact changed its input")
	}
	red.RestoreTimeline.Stages[0].SpeedsMbps[0] = 1
	*red.RestoreTimeline.Stages[0].UsbmuxListed = false
	if r.RestoreTimeline.Stages[0].SpeedsMbps[0] != 480 || !*r.RestoreTimeline.Stages[0].UsbmuxListed {
		t.Error("the redacted copy shares memory with the input")
	}
}
