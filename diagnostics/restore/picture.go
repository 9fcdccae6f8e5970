package restore

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// PictureOptions sets the size of the picture and the "now" line.
type PictureOptions struct {
	// Width and Height in pixels (0: 960 × 220; at least 480 × 200).
	Width, Height int
	// NowMS is where the "now" line goes (0: the newest event); the time
	// axis runs to it.
	NowMS int64
	// Verdict, when set, is named in the title.
	Verdict *Verdict
}

// The picture draws on its own opaque card, so it reads the same on a light
// and a dark page: neutral light grey, dark text, saturated bands.
var (
	cardBG     = color.RGBA{0xF1, 0xF3, 0xF5, 0xFF}
	cardBorder = color.RGBA{0x8A, 0x91, 0x99, 0xFF}
	ink        = color.RGBA{0x1E, 0x23, 0x28, 0xFF}
	faint      = color.RGBA{0x5F, 0x66, 0x6D, 0xFF}
	alarm      = color.RGBA{0xC6, 0x28, 0x28, 0xFF}
	stageColor = map[Kind]color.RGBA{
		Normal:          {0x3E, 0x8E, 0x41, 0xFF},
		Recovery:        {0xD9, 0x9A, 0x00, 0xFF},
		BootStage:       {0xE0, 0x6C, 0x00, 0xFF},
		DFU:             {0x7B, 0x3F, 0xA0, 0xFF},
		Restore:         {0x1F, 0x6F, 0xB2, 0xFF},
		NormalOrRestore: {0x4A, 0x8C, 0x9E, 0xFF},
		Gone:            {0xD3, 0xD7, 0xDC, 0xFF},
		Unknown:         {0x90, 0x90, 0x90, 0xFF},
	}
)

// WritePNG encodes Image as PNG.
func (t *Timeline) WritePNG(w io.Writer, o PictureOptions) error {
	return png.Encode(w, t.Image(o))
}

// Image draws the timeline (the window shows it as it is): one band per
// stage (its colour, its name when it fits), drops as red marks, the link
// speed of each stage under its band (red below high speed), a time axis,
// the "now" line and a legend.
func (t *Timeline) Image(o PictureOptions) *image.RGBA {
	if o.Width == 0 {
		o.Width = 960
	}
	if o.Height == 0 {
		o.Height = 220
	}
	o.Width, o.Height = max(o.Width, 480), max(o.Height, 200)
	now := max(o.NowMS, t.lastMS, 1)
	img := image.NewRGBA(image.Rect(0, 0, o.Width, o.Height))
	fill(img, img.Bounds(), cardBorder)
	fill(img, image.Rect(1, 1, o.Width-1, o.Height-1), cardBG)

	pt := choosePictureText()
	tr := pt.tr
	text := func(x, y int, c color.Color, s string) { pt.draw(img, x, y, c, s) }
	width := pt.width

	// title
	title := tr("restore.picture.title")
	if v := o.Verdict; v != nil {
		title += " - " + tr("restore.verdict_name."+string(v.ID))
		switch len(v.Steps) {
		case 0:
		case 1:
			title += " " + tr("restore.picture.step", i18n.Args{"Step": v.Steps[0]})
		default:
			title += " " + tr("restore.picture.steps", i18n.Args{"Steps": joinInts(v.Steps, tr)})
		}
		if !v.Complete && v.ID != Incomplete {
			title += " - " + tr("restore.picture.incomplete")
		}
	}
	if pt.note != "" {
		title += " (" + pt.note + ")"
	}
	text(12, 20, ink, title)

	left, right := 12, o.Width-12
	bandTop, bandBot := 44, 92
	xAt := func(ms int64) int {
		return left + int(float64(right-left)*float64(ms)/float64(now))
	}

	// bands
	for i, s := range t.stages {
		end := s.EndMS
		if s.Open {
			end = now
		}
		r := image.Rect(xAt(s.StartMS), bandTop, max(xAt(end), xAt(s.StartMS)+1), bandBot)
		fill(img, r, stageColor[s.Kind])
		if s.Kind == Gone {
			hatch(img, r, cardBorder)
		}
		if s.Wrong {
			outline(img, r, alarm, 3)
		}
		label := s.Kind.label(tr)
		if i == len(t.stages)-1 && s.Open {
			switch t.Status(now).Timer {
			case TimerLost:
				label += " - " + tr("restore.picture.lost")
				outline(img, r, alarm, 3)
			case TimerStalled:
				label += " - " + tr("restore.picture.stalled")
				outline(img, r, alarm, 3)
			}
		}
		if width(label)+6 > r.Dx() {
			label = s.Kind.label(tr)
		}
		if width(label)+6 <= r.Dx() {
			c := color.Color(color.White)
			if s.Kind == Gone || s.Kind == Recovery {
				c = ink
			}
			text(r.Min.X+4, bandTop+20, c, label)
		}
		// speed under the band
		if n := len(s.SpeedsMbps); n > 0 {
			sp := s.SpeedsMbps[n-1]
			c := faint
			if sp < 480 {
				c = alarm
			}
			for _, lbl := range []string{tr("restore.picture.mbps", i18n.Args{"Mbps": fmtNum(sp)}), fmtNum(sp)} {
				if width(lbl)+2 <= r.Dx() {
					text(r.Min.X+2, bandBot+16, c, lbl)
					break
				}
			}
		}
	}
	if t.stagesOmitted > 0 {
		text(left, bandBot+34, faint, tr("restore.picture.omitted", i18n.Args{"N": i18n.Int(t.stagesOmitted)}))
	}
	// gaps: nothing was observed there
	for _, m := range t.marks {
		if m.Kind == MarkGap && m.DurationMS > 0 {
			r := image.Rect(xAt(m.TimeMS-m.DurationMS), bandTop, max(xAt(m.TimeMS), xAt(m.TimeMS-m.DurationMS)+1), bandBot)
			hatch(img, r, ink)
		}
	}
	// drops and wrong-mode returns
	for _, m := range t.marks {
		if m.Kind != MarkDrop && m.Kind != MarkWrong && m.Kind != MarkGap {
			continue
		}
		x := xAt(m.TimeMS)
		c := alarm
		if m.Kind == MarkGap {
			c = faint
		}
		fill(img, image.Rect(x-1, bandTop-8, x+1, bandBot+2), c)
		for i := range 6 { // a small triangle above the band
			fill(img, image.Rect(x-6+i, bandTop-14+i, x+6-i, bandTop-13+i), c)
		}
	}
	// axis
	axisY := bandBot + 28
	fill(img, image.Rect(left, axisY, right, axisY+1), faint)
	step := tickStep(now)
	for ms := int64(0); ms <= now; ms += step {
		x := xAt(ms)
		fill(img, image.Rect(x, axisY-3, x+1, axisY+4), faint)
		lbl := clock(ms)
		if x+width(lbl) <= right {
			text(x+2, axisY+18, faint, lbl)
		}
	}
	// now
	xn := xAt(now) - 2
	fill(img, image.Rect(xn, bandTop-18, xn+2, axisY+4), ink)
	nowLbl := tr("restore.picture.now")
	text(max(xn-width(nowLbl)-3, left), bandTop-6, ink, nowLbl)

	// legend: stage colours, then the marks; wrapped onto a second row
	// when the picture is narrow
	type entry struct {
		lbl  string
		c    color.Color
		kind int // 0 a colour box, 1 a mark line, 2 an outline, 3 a hatch
	}
	var legend []entry
	for _, k := range Kinds {
		if k != Unknown {
			legend = append(legend, entry{k.label(tr), stageColor[k], 0})
		}
	}
	legend = append(legend, entry{tr("restore.picture.drop"), alarm, 1},
		entry{tr("restore.picture.alarm"), alarm, 2}, entry{tr("restore.picture.no_data"), ink, 3})
	rows, lx := 1, left
	for _, e := range legend {
		if lx+15+width(e.lbl) > right {
			rows, lx = rows+1, left
		}
		lx += 15 + width(e.lbl) + 9
	}
	lx, ly := left, o.Height-16-18*(rows-1)
	for _, e := range legend {
		if lx+15+width(e.lbl) > right {
			lx, ly = left, ly+18
		}
		box := image.Rect(lx, ly-11, lx+12, ly+1)
		switch e.kind {
		case 0:
			fill(img, box, e.c)
			if e.lbl == Gone.label(tr) {
				hatch(img, box, cardBorder)
			}
		case 1:
			fill(img, image.Rect(lx+5, ly-12, lx+7, ly+2), e.c)
		case 2:
			outline(img, box, e.c, 2)
		case 3:
			hatch(img, box, e.c)
		}
		text(lx+15, ly, ink, e.lbl)
		lx += 15 + width(e.lbl) + 9
	}
	return img
}

// PicturePath is where the picture of a Markdown export at mdPath goes:
// beside it, "<name>-timeline.png".
func PicturePath(mdPath string) string {
	return strings.TrimSuffix(mdPath, filepath.Ext(mdPath)) + "-timeline.png"
}

// WritePictureBeside writes the timeline's picture next to the Markdown
// export at mdPath (PicturePath), the way the report files are written
// (internal/safefile: atomic, never through a symlink or onto a device), and
// returns the file's base name for the Markdown image link
// (report.RestoreTimeline.PictureFile).
func (t *Timeline) WritePictureBeside(mdPath string, o PictureOptions) (string, error) {
	var b bytes.Buffer
	if err := t.WritePNG(&b, o); err != nil {
		return "", fmt.Errorf("%s: %w", i18n.T("restore.picture.draw_failed"), err)
	}
	p := PicturePath(mdPath)
	if err := safefile.Write(p, b.Bytes(), safefile.Options{}); err != nil {
		return "", fmt.Errorf("%s: %w", i18n.T("restore.picture.write_failed"), err)
	}
	return filepath.Base(p), nil
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r.Intersect(img.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

func outline(img *image.RGBA, r image.Rectangle, c color.Color, w int) {
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
	fill(img, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), c)
	fill(img, image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), c)
}

// hatch draws diagonal lines over r (the "off USB" bands).
func hatch(img *image.RGBA, r image.Rectangle, c color.Color) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if (x+y)%8 == 0 {
				img.Set(x, y, c)
			}
		}
	}
}

// tickStep picks an axis step giving at most about 10 ticks.
func tickStep(totalMS int64) int64 {
	for _, s := range []int64{10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000} {
		if totalMS/s <= 10 {
			return s
		}
	}
	return 7_200_000
}

// clock writes ms as m:ss (h:mm:ss past an hour).
func clock(ms int64) string {
	s := ms / 1000
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// joinInts lists step numbers the language's way: "6, 3", "6、3".
func joinInts(n []int, tr translator) string {
	out := ""
	for i, v := range n {
		if i == 0 {
			out = fmt.Sprint(v)
			continue
		}
		out = tr("restore.picture.steps_join", i18n.Args{"List": out, "Next": v})
	}
	return out
}
