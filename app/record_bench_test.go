package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
)

// benchRecorder is a backend whose recorder starts and waits: the
// benchmark feeds the window the recorder's events itself.
type benchRecorder struct{ header restoretrace.Header }

func (benchRecorder) Watch(ctx context.Context, _ func(DeviceEvent)) error { <-ctx.Done(); return nil }
func (benchRecorder) HostStatus(context.Context) viewmodel.Host            { return viewmodel.Host{} }
func (benchRecorder) Check(context.Context, CheckOptions, func(Progress)) (*report.Report, error) {
	return nil, context.Canceled
}
func (b benchRecorder) RecordRestore(ctx context.Context, started func(RecordInfo), _ func(restoretrace.Event)) error {
	started(RecordInfo{Header: b.header})
	<-ctx.Done()
	return nil
}

// BenchmarkRecordEventToScreen is the event-to-screen latency of "Watch my
// restore" in the window: one recorder event (the phone leaves USB, or comes
// back in recovery mode) through the reducer, the frame and every pane until
// the recorder pane's stage text says the new stage. The picture is redrawn
// at most every 500 ms, so it is not in this path (BenchmarkRecordPicture).
func BenchmarkRecordEventToScreen(b *testing.B) {
	a := test.NewApp()
	defer a.Quit()
	tr, err := restore.DemoTrace("success")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	u := New(a, benchRecorder{header: tr.Header}, Options{Do: func(fn func()) { fn() }, NoAutoCheck: true, Now: func() time.Time { return now }})
	u.Window().Resize(fyne.NewSize(1180, 780))
	defer u.quit()
	u.ToggleRecording()
	deadline := time.Now().Add(10 * time.Second)
	for u.st.Recording.Timeline == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	seq := u.st.Recording.Seq
	facts := &restoretrace.USBFacts{VendorID: 0x05AC, ProductID: 0x1281, Mode: "recovery", Bus: 1, Address: 5, PortPath: []int{1, 2}, SpeedMbps: 480,
		IBoot: map[string]string{"CPID": "8110", "ECID": "id-1"}}
	ms := int64(0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		ms += 10_000 // 10 s apart: handovers, not drops
		kind := restoretrace.USBAttach
		if i%2 == 0 {
			kind = restoretrace.USBDetach
		}
		u.dispatch(state.RecordEvent{Seq: seq, Event: restoretrace.Event{TimeMS: ms, Kind: kind, Key: "id-1", USB: facts}})
		if u.record.stage.Text == "" {
			b.Fatal("no stage on screen")
		}
	}
}

// BenchmarkRecordPicture is one redraw of the timeline picture at the
// window's width (what the pane does at most twice a second).
func BenchmarkRecordPicture(b *testing.B) {
	tr, err := restore.DemoTrace("link-drops")
	if err != nil {
		b.Fatal(err)
	}
	tl := restore.FromTrace(tr, restore.DefaultConfig())
	b.ReportAllocs()
	for b.Loop() {
		_ = tl.Image(restore.PictureOptions{Width: 1500, Height: pictureHeight, NowMS: tl.LastMS()})
	}
}
