package restore

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

func loadDemo(t *testing.T, name string) *Timeline {
	t.Helper()
	tr, err := DemoTrace(name)
	if err != nil || tr.Truncated {
		t.Fatalf("%s: %v (truncated %v)", name, err, tr != nil && tr.Truncated)
	}
	return FromTrace(tr, Config{})
}

// TestDemoTraces replays every demo trace through the Timeline and asserts
// its verdict, step and the words of its summary.
func TestDemoTraces(t *testing.T) {
	tests := []struct {
		name         string
		tried        rules.Tried
		id           VerdictID
		stage        Kind
		steps        []int
		professional bool
		complete     bool
		says         []string
	}{
		{name: "success", id: Success, stage: Normal, steps: []int{}, complete: true,
			says: []string{"Restore finished in 11 min 3 s; the link held."}},
		{name: "lost-after-handover", id: Lost, stage: Restore, steps: []int{1}, complete: true,
			says: []string{"left USB 4 min 40 s into the restore, right after entering restore mode", "did not come back within 2 min 5 s", "error 1002", "(step 1)"}},
		{name: "lost-after-handover", tried: rules.Tried{Computer: true}, id: Lost, stage: Restore, steps: []int{1}, professional: true, complete: true,
			says: []string{"professional"}},
		{name: "wrong-mode", id: WrongMode, stage: Recovery, steps: []int{5}, complete: true,
			says: []string{"came back in recovery mode again instead of entering restore mode", "(step 5)"}},
		{name: "not-listed-restore", id: NotListed, stage: Restore, steps: []int{2, 4}, complete: true,
			says: []string{"never listed it", "(step 2)", "(step 4)"}},
		{name: "link-drops", id: LinkTrouble, stage: Restore, steps: []int{1}, complete: true,
			says: []string{"dropped twice", "(step 1)"}},
		{name: "link-full-speed", id: LinkTrouble, stage: BootStage, steps: []int{1}, complete: true,
			says: []string{"full speed (12 Mbit/s)", "(step 1)"}},
		{name: "stuck-recovery", id: StuckWaiting, stage: Recovery, steps: []int{6, 3}, complete: true,
			says: []string{"waited in recovery mode for 15 min", "left it without a restore", "(step 6)", "(step 3)"}},
		{name: "interrupted", id: Incomplete, stage: Restore, steps: nil, complete: false,
			says: []string{"incomplete", "interrupted", "suspended 42 s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := loadDemo(t, tc.name)
			if !strings.Contains(tl.Header().Note, "https://") {
				t.Errorf("header note does not say where the pattern comes from: %q", tl.Header().Note)
			}
			v := tl.Decide(Inputs{Tried: tc.tried})
			if v.ID != tc.id || v.Stage != tc.stage || !slices.Equal(v.Steps, tc.steps) || v.Professional != tc.professional || v.Complete != tc.complete {
				t.Fatalf("verdict = %s in %s, steps %v, professional %v, complete %v; want %s in %s, %v, %v, %v\n%s",
					v.ID, v.Stage, v.Steps, v.Professional, v.Complete, tc.id, tc.stage, tc.steps, tc.professional, tc.complete, v.Summary)
			}
			for _, s := range tc.says {
				if !strings.Contains(v.Summary, s) {
					t.Errorf("summary lacks %q:\n%s", s, v.Summary)
				}
			}
			if v.ID != Success && strings.Contains(v.Summary, "finished") && !strings.Contains(v.Summary, "not finished") {
				t.Errorf("a %s verdict reads like a success: %s", v.ID, v.Summary)
			}
		})
	}
}

// TestDemoTracesListed: the embedded traces are the ones tested above.
func TestDemoTracesListed(t *testing.T) {
	want := []string{"interrupted", "link-drops", "link-full-speed", "lost-after-handover", "not-listed-restore", "stuck-recovery", "success", "wrong-mode"}
	if got := DemoNames(); !slices.Equal(got, want) {
		t.Fatalf("demo traces %v, want %v", got, want)
	}
	if _, err := DemoTrace("nope"); err == nil || !strings.Contains(err.Error(), "success") {
		t.Fatalf("unknown demo: %v", err)
	}
}

// TestDemoReports: each demo trace's restore_timeline passes report.Validate,
// carries the verdict of Decide, and survives redaction.
func TestDemoReports(t *testing.T) {
	names, _ := fs.Glob(assets.FS, "traces/*.jsonl")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "traces/"), ".jsonl")
		t.Run(name, func(t *testing.T) {
			tl := loadDemo(t, name)
			v := tl.Decide(Inputs{})
			r := report.Report{Schema: report.Schema, Host: report.Host{OS: "darwin", Usbmuxd: report.UsbmuxdRef{Status: report.UsbmuxdOK}}, Devices: []report.Device{}, Checks: []report.Check{}, Findings: []report.Finding{},
				Steps: []report.Step{}, Professional: report.Professional{Reasons: []string{}}, Complete: true, IncompleteReasons: []string{}}
			r.RestoreTimeline = tl.ToReport(v, 0)
			red := report.Redact(r)
			var b bytes.Buffer
			if err := red.JSON(&b); err != nil {
				t.Fatal(err)
			}
			if err := report.Validate(b.Bytes()); err != nil {
				t.Fatalf("%v\n%s", err, b.String())
			}
			var back struct {
				RT report.RestoreTimeline `json:"restore_timeline"`
			}
			if err := json.Unmarshal(b.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			if back.RT.Verdict.ID != string(v.ID) || back.RT.Complete != v.Complete || len(back.RT.Stages) == 0 {
				t.Errorf("restore_timeline verdict %q complete %v, want %q %v", back.RT.Verdict.ID, back.RT.Complete, v.ID, v.Complete)
			}
			last := back.RT.Stages[len(back.RT.Stages)-1]
			if !last.Open || last.EndS != back.RT.DurationS {
				t.Errorf("last stage %+v does not run to the end (%v s)", last, back.RT.DurationS)
			}
		})
	}
}

// TestEnumsMatchReport: the report's enums are this package's kinds and ids.
func TestEnumsMatchReport(t *testing.T) {
	var kinds, ids []string
	for _, k := range Kinds {
		kinds = append(kinds, string(k))
	}
	for _, id := range VerdictIDs {
		ids = append(ids, string(id))
	}
	if !slices.Equal(kinds, report.RestoreStages) || !slices.Equal(ids, report.RestoreVerdicts) {
		t.Errorf("report enums %v / %v differ from %v / %v", report.RestoreStages, report.RestoreVerdicts, kinds, ids)
	}
}

// TestCutTrace: a trace cut mid-line (the recorder was killed) is
// incomplete, never a success, and says where it was cut.
func TestCutTrace(t *testing.T) {
	data, err := fs.ReadFile(assets.FS, "traces/success.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	cut := data[:len(data)-20] // inside the record.stop line
	tr, err := restoretrace.Read(bytes.NewReader(cut))
	if err != nil || !tr.Truncated {
		t.Fatalf("read: %v, truncated %v", err, tr != nil && tr.Truncated)
	}
	v := FromTrace(tr, Config{}).Decide(Inputs{})
	if v.ID != Incomplete || v.Complete || !strings.Contains(v.Summary, "cut at line") {
		t.Fatalf("%s complete=%v: %s", v.ID, v.Complete, v.Summary)
	}
}
