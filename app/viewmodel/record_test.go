package viewmodel

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
)

func TestBuildRecordView(t *testing.T) {
	cat := Catalog{Steps: []StepText{{Number: 1, Title: "Check USB Connection and Cable", Summary: "A worn cable."}}}
	for _, tc := range []struct {
		name string
		in   RecordInput
		want func(v RecordView) bool
	}{
		{"not yet", RecordInput{}, func(v RecordView) bool { return !v.Shown }},
		{"starting", RecordInput{Running: true}, func(v RecordView) bool {
			return v.Shown && v.Stage == "Starting the recorder…" && strings.HasPrefix(v.Hint, "Start the restore in Finder")
		}},
		{"waiting for a phone", RecordInput{Running: true, Started: true, Status: restore.Status{Timer: restore.TimerNone}},
			func(v RecordView) bool { return strings.Contains(v.Stage, "Waiting") && v.Next == "" }},
		{"a stage, what comes next", RecordInput{Running: true, Started: true, Status: restore.Status{Stage: restore.Restore, SinceMS: 130_000, Timer: restore.TimerOK, Next: "next: normal mode, after the restore", Expect: "normal mode, after the restore"}},
			func(v RecordView) bool {
				return v.Stage == "Now: restore mode, for 2 min 10 s." && v.Next == "Expected next: normal mode, after the restore." && v.Alarm == ""
			}},
		{"stalled", RecordInput{Running: true, Started: true, Status: restore.Status{Stage: restore.Recovery, SinceMS: 400_000, LimitMS: 300_000, Timer: restore.TimerStalled}},
			func(v RecordView) bool { return v.Alarm == "Stalled: no progress for over 5 min." }},
		{"lost", RecordInput{Running: true, Started: true, Status: restore.Status{Stage: restore.Gone, SinceMS: 70_000, LimitMS: 60_000, Timer: restore.TimerLost}},
			func(v RecordView) bool {
				return strings.HasPrefix(v.Alarm, "Lost:") && strings.Contains(v.Alarm, "1 min")
			}},
		{"service down", RecordInput{Running: true, Started: true, MuxDown: true, Status: restore.Status{Stage: restore.Restore, Timer: restore.TimerOK}},
			func(v RecordView) bool { return strings.Contains(v.Service, "is not answering right now") }},
		{"ended: verdict, step, evidence", RecordInput{Ended: true, Started: true, TracePath: "/t.jsonl",
			Status:  restore.Status{Stage: restore.Gone, SinceMS: 200_000, Timer: restore.TimerLost, LimitMS: 120_000, Next: "back on USB", Expect: "back on USB"},
			Verdict: &restore.Verdict{ID: restore.Lost, Summary: "Left USB (step 1).", Steps: []int{1}, Evidence: []string{"e1"}, Complete: true}},
			func(v RecordView) bool {
				return !v.Running && v.Title == "Your restore, as Restore Doctor saw it" && v.Next == "" && strings.HasPrefix(v.Stage, "At the end: off USB") &&
					v.Verdict == "Left USB (step 1)." && v.Step == 1 && v.StepTitle == "Step 1: Check USB Connection and Cable" &&
					v.StepSummary == "A worn cable." && len(v.Evidence) == 1 && v.Incomplete == "" && strings.Contains(v.Hint, "/t.jsonl")
			}},
		{"ended interrupted, with an error", RecordInput{Ended: true, Started: true, Err: errors.New("boom"),
			Status:  restore.Status{Stage: restore.Recovery, Timer: restore.TimerOK},
			Verdict: &restore.Verdict{ID: restore.Incomplete, Summary: "Incomplete.", IncompleteReasons: []string{"interrupted"}}},
			func(v RecordView) bool {
				return v.Step == 0 && v.Incomplete == "Incomplete recording: interrupted." && strings.Contains(v.Error, "boom")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v := BuildRecordView(tc.in, cat); !tc.want(v) {
				t.Fatalf("%+v", v)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[int64]string{0: "0 s", 45: "45 s", 60: "1 min", 130: "2 min 10 s", 3900: "1 h 5 min"} {
		if got := Duration(timeSeconds(d)); got != want {
			t.Errorf("Duration(%d s) = %q, want %q", d, got, want)
		}
	}
}

func timeSeconds(s int64) time.Duration { return time.Duration(s) * time.Second }
