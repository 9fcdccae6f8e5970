package app

import (
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// pictureEvery bounds how often the timeline picture is redrawn while a
// recording runs (at most twice a second), so the window stays responsive
// over an hour-long restore; the texts follow every event.
const pictureEvery = 500 * time.Millisecond

// pictureHeight is the timeline picture's height in pixels (its text is a
// bitmap font: it is drawn at the screen's pixels, never scaled).
const pictureHeight = 220

// recordPane is "Watch my restore": the live stage, time in it, what comes
// next and the timers' warnings, the timeline picture, Stop, and at the end
// the verdict with its step.
type recordPane struct {
	box   *fyne.Container
	title *widget.Label
	hint  *widget.Label
	stage *widget.Label
	next  *widget.Label
	alarm *widget.Label
	svc   *widget.Label
	stop  *widget.Button
	pic   *canvas.Image

	verdict    *widget.Label
	stepBox    *fyne.Container
	stepCard   fyne.CanvasObject
	step       *widget.Label
	stepSum    *widget.Label
	evidence   *widget.Label
	incomplete *widget.Label
	errLabel   *widget.Label

	// What the picture on screen was drawn from, and when.
	drawnTL      *restore.Timeline
	drawnEvents  int
	drawnNow     int64
	drawnWidth   int
	drawnEnded   bool
	drawnAt      time.Time
	now          func() time.Time
	scale        func() float32
	lastImage    *image.RGBA
	pictureDraws int // for tests: how often the picture was drawn
}

func newRecordPane(u *UI) *recordPane {
	p := &recordPane{now: u.opts.Now}
	p.scale = func() float32 {
		if c := u.win.Canvas(); c != nil && c.Scale() > 0 {
			return c.Scale()
		}
		return 1
	}
	p.title = widget.NewLabel("")
	p.title.TextStyle = fyne.TextStyle{Bold: true}
	p.title.SizeName = theme.SizeNameSubHeadingText
	p.hint = wrapped("")
	p.stage = wrapped("")
	p.stage.TextStyle = fyne.TextStyle{Bold: true}
	p.next = wrapped("")
	p.alarm = wrapped("")
	p.alarm.TextStyle = fyne.TextStyle{Bold: true}
	p.alarm.Importance = widget.DangerImportance
	p.svc = wrapped("")
	p.svc.Importance = widget.WarningImportance
	p.stop = widget.NewButtonWithIcon(viewmodel.StopRecordLabel(), theme.MediaStopIcon(), func() { u.dispatch(state.RecordStopRequested{}) })
	p.pic = canvas.NewImageFromImage(nil)
	p.pic.FillMode = canvas.ImageFillStretch
	p.pic.ScaleMode = canvas.ImageScalePixels
	p.pic.SetMinSize(fyne.NewSize(300, pictureHeight))
	p.verdict = wrapped("")
	p.verdict.TextStyle = fyne.TextStyle{Bold: true}
	p.step = wrapped("")
	p.step.TextStyle = fyne.TextStyle{Bold: true}
	p.stepSum = wrapped("")
	p.stepBox = container.NewVBox(p.step, p.stepSum)
	p.evidence = wrapped("")
	p.evidence.SizeName = theme.SizeNameCaptionText
	p.incomplete = wrapped("")
	p.incomplete.Importance = widget.WarningImportance
	p.errLabel = wrapped("")
	p.errLabel.Importance = widget.DangerImportance
	p.stepCard = card(p.stepBox, 0x40, theme.ColorNamePrimary)
	p.box = container.NewVBox(p.title, p.hint, p.stage, p.next, p.alarm, p.svc,
		container.NewHBox(p.stop), p.pic, p.verdict, p.incomplete, p.stepCard, p.evidence, p.errLabel, widget.NewSeparator())
	p.box.Hide()
	return p
}

func (p *recordPane) render(s state.State, f frame) {
	v := f.record
	if !v.Shown {
		p.box.Hide()
		return
	}
	p.box.Show()
	setText(p.title, v.Title)
	setText(p.hint, v.Hint)
	setText(p.stage, v.Stage)
	setText(p.next, v.Next)
	setText(p.alarm, v.Alarm)
	setText(p.svc, v.Service)
	showIf(p.hint, v.Hint != "")
	showIf(p.next, v.Next != "")
	showIf(p.alarm, v.Alarm != "")
	showIf(p.svc, v.Service != "")
	showIf(p.stop, v.Running)
	if f.recordEnabled && v.Running {
		p.stop.Enable()
	} else {
		p.stop.Disable()
	}
	setText(p.verdict, v.Verdict)
	showIf(p.verdict, v.Verdict != "")
	setText(p.incomplete, v.Incomplete)
	showIf(p.incomplete, v.Incomplete != "")
	setText(p.step, v.StepTitle)
	setText(p.stepSum, v.StepSummary)
	showIf(p.stepSum, v.StepSummary != "")
	showIf(p.stepCard, v.Step > 0)
	ev := ""
	if len(v.Evidence) > 0 {
		ev = i18n.T("app.record.evidence", i18n.Args{"List": bullets(v.Evidence, "")})
	}
	setText(p.evidence, ev)
	showIf(p.evidence, ev != "")
	setText(p.errLabel, v.Error)
	showIf(p.errLabel, v.Error != "")
	p.drawPicture(s.Recording)
}

// drawPicture redraws the timeline picture when the recording changed,
// at most every pictureEvery while it runs.
func (p *recordPane) drawPicture(r state.Recording) {
	tl := r.Timeline
	if tl == nil {
		p.pic.Hide()
		return
	}
	p.pic.Show()
	width := max(480, int(p.pic.Size().Width*p.scale()))
	changed := tl != p.drawnTL || r.Events != p.drawnEvents || r.NowMS != p.drawnNow || width != p.drawnWidth || r.Ended != p.drawnEnded
	if !changed {
		return
	}
	now := p.now()
	if tl == p.drawnTL && !r.Ended && width == p.drawnWidth && now.Sub(p.drawnAt) < pictureEvery {
		return // the next tick draws it
	}
	p.drawnTL, p.drawnEvents, p.drawnNow, p.drawnWidth, p.drawnEnded, p.drawnAt = tl, r.Events, r.NowMS, width, r.Ended, now
	p.lastImage = tl.Image(restore.PictureOptions{Width: width, Height: pictureHeight, NowMS: r.NowMS, Verdict: r.Verdict})
	p.pictureDraws++
	p.pic.Image = p.lastImage
	p.pic.SetMinSize(fyne.NewSize(300, pictureHeight/p.scale()))
	p.pic.Refresh()
}
