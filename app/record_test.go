package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/restorewatch"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
)

// fakeRecorder replays a trace's events at once (all but its record.stop)
// and ends as the window's cancel cause says, like restorewatch.Run.
type fakeRecorder struct {
	*fakeBackend
	trace *restoretrace.Trace
}

func (f *fakeRecorder) RecordRestore(ctx context.Context, started func(RecordInfo), emit func(restoretrace.Event)) error {
	started(RecordInfo{Header: f.trace.Header, TracePath: "/tmp/trace.jsonl"})
	last := int64(0)
	for _, e := range f.trace.Events {
		if e.Kind == restoretrace.RecordStop {
			break
		}
		emit(e)
		last = e.TimeMS
	}
	<-ctx.Done()
	why := restorewatch.StopInterrupted
	if errors.Is(context.Cause(ctx), restorewatch.ErrDone) {
		why = restorewatch.StopDone
	}
	emit(restoretrace.Event{TimeMS: last + 1000, Kind: restoretrace.RecordStop, Reason: why})
	return nil
}

func recordDemo(t *testing.T, name string) *harness {
	t.Helper()
	return recordDemoIn(t, name, "")
}

// recordDemoIn is recordDemo in a window of the given language ("": the
// default).
func recordDemoIn(t *testing.T, name, language string) *harness {
	t.Helper()
	tr, err := restore.DemoTrace(name)
	if err != nil {
		t.Fatal(err)
	}
	fb := newFake(t)
	h := newHarnessOver(t, &fakeRecorder{fakeBackend: fb, trace: tr}, fb, Options{NoAutoCheck: true, Language: language})
	h.u.ToggleRecording()
	want := 0
	for _, e := range tr.Events {
		if e.Kind != restoretrace.RecordStop {
			want++
		}
	}
	h.pump(func() bool { return h.u.st.Recording.Events == want })
	if !strings.Contains(h.u.bar.record.Text, "Stop") || h.u.record.box.Hidden {
		t.Fatalf("while recording: button %q, pane hidden %v", h.u.bar.record.Text, h.u.record.box.Hidden)
	}
	h.u.ToggleRecording() // Stop
	h.pump(func() bool { return h.u.st.Recording.Ended })
	return h
}

// TestRecordingWindowAgreesWithExport: for every demo trace, the recorder
// pane shows the verdict, the step and the evidence that the JSON export's
// restore_timeline and the Markdown export carry, and the Markdown's picture
// is a file beside it.
func TestRecordingWindowAgreesWithExport(t *testing.T) {
	for _, name := range restore.DemoNames() {
		t.Run(name, func(t *testing.T) {
			h := recordDemo(t, name)
			r := h.u.st.Recording
			v := r.Verdict
			if v == nil || !r.Stopped() {
				t.Fatalf("no verdict, or not stopped done: %+v", r)
			}
			p := h.u.record
			if p.verdict.Text != v.Summary {
				t.Errorf("pane verdict %q, verdict %q", p.verdict.Text, v.Summary)
			}
			if len(v.Steps) > 0 {
				if !strings.HasPrefix(p.step.Text, fmt.Sprintf("Step %d", v.Steps[0])) || p.stepCard.Visible() == false {
					t.Errorf("pane step %q (shown %v), verdict steps %v", p.step.Text, p.stepCard.Visible(), v.Steps)
				}
			} else if p.stepCard.Visible() {
				t.Errorf("a step card for a verdict without steps: %q", p.step.Text)
			}
			for _, e := range v.Evidence {
				if !strings.Contains(p.evidence.Text, e) {
					t.Errorf("pane evidence lacks %q", e)
				}
			}
			dir := t.TempDir()
			js := filepath.Join(dir, "r.json")
			if err := h.u.ExportTo(js, FormatJSON); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(js)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Summary         string `json:"summary"`
				RestoreTimeline struct {
					Verdict struct {
						ID      string   `json:"id"`
						Summary string   `json:"summary"`
						Steps   []int    `json:"steps"`
						Evid    []string `json:"evidence"`
					} `json:"verdict"`
					Stages []json.RawMessage `json:"stages"`
				} `json:"restore_timeline"`
			}
			if err := json.Unmarshal(data, &out); err != nil {
				t.Fatal(err)
			}
			jv := out.RestoreTimeline.Verdict
			if jv.ID != string(v.ID) || jv.Summary != v.Summary || fmt.Sprint(jv.Steps) != fmt.Sprint(v.Steps) || out.Summary != v.Summary {
				t.Errorf("JSON verdict %+v (summary %q), window %+v", jv, out.Summary, v)
			}
			if stages, _ := r.Timeline.Stages(); len(out.RestoreTimeline.Stages) != len(stages) {
				t.Errorf("JSON has %d stages, the timeline %d", len(out.RestoreTimeline.Stages), len(stages))
			}
			md := filepath.Join(dir, "r.md")
			if err := h.u.ExportTo(md, FormatMarkdown); err != nil {
				t.Fatal(err)
			}
			mdText, err := os.ReadFile(md)
			if err != nil {
				t.Fatal(err)
			}
			pic := restore.PicturePath(md)
			if !bytes.Contains(mdText, []byte("]("+filepath.Base(pic)+")")) {
				t.Errorf("the Markdown does not link %s:\n%s", filepath.Base(pic), mdText)
			}
			f, err := os.Open(pic)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("picture: %v", err)
			}
			if b := img.Bounds(); b.Dx() < 480 || b.Dy() < 200 {
				t.Errorf("picture %v", b)
			}
			if !bytes.Contains(mdText, []byte(firstWords(v.Summary))) {
				t.Errorf("the Markdown lacks the verdict %q", v.Summary)
			}
		})
	}
}

func firstWords(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// TestRecordingPictureBoundedRate: ticks and events faster than
// pictureEvery redraw the texts every time but the picture at most once per
// pictureEvery of the window's clock.
func TestRecordingPictureBoundedRate(t *testing.T) {
	tr, err := restore.DemoTrace("success")
	if err != nil {
		t.Fatal(err)
	}
	fb := newFake(t)
	h := newHarnessOver(t, &blockingRecorder{fakeBackend: fb, header: tr.Header}, fb, Options{NoAutoCheck: true})
	h.u.ToggleRecording()
	h.pump(func() bool { return h.u.st.Recording.Timeline != nil })
	seq := h.u.st.Recording.Seq
	draws0 := h.u.record.pictureDraws
	// 100 events and ticks within one instant of the window's clock.
	for i, e := range tr.Events[:len(tr.Events)-1] {
		h.u.dispatch(recEvent(seq, e))
		h.u.dispatch(recTick(seq, e.TimeMS+int64(i)))
	}
	if n := h.u.record.pictureDraws - draws0; n > 1 {
		t.Fatalf("the picture was drawn %d times in one instant", n)
	}
	if got := h.u.record.stage.Text; !strings.Contains(got, "normal mode") {
		t.Fatalf("the stage text did not follow the events: %q", got)
	}
	h.at = h.at.Add(pictureEvery)
	h.u.dispatch(recTick(seq, 800000))
	if n := h.u.record.pictureDraws - draws0; n != 2 && n != 1 {
		t.Fatalf("draws after %s: %d", pictureEvery, n)
	}
	before := h.u.record.pictureDraws
	h.at = h.at.Add(pictureEvery)
	h.u.dispatch(recTick(seq, 800500))
	if h.u.record.pictureDraws != before+1 {
		t.Fatal("the picture did not follow the clock after pictureEvery")
	}
}

// blockingRecorder starts and waits for the window's end.
type blockingRecorder struct {
	*fakeBackend
	header restoretrace.Header
}

func (b *blockingRecorder) RecordRestore(ctx context.Context, started func(RecordInfo), emit func(restoretrace.Event)) error {
	started(RecordInfo{Header: b.header})
	<-ctx.Done()
	return nil
}

func recEvent(seq int, e restoretrace.Event) state.Event {
	return state.RecordEvent{Seq: seq, Event: e}
}
func recTick(seq int, ms int64) state.Event { return state.RecordTick{Seq: seq, NowMS: ms} }
