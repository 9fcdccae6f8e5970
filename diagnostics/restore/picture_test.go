package restore

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"

	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// TestPicture draws every demo trace; with RESTORE_PICTURES=dir it also
// keeps the PNGs there to look at.
func TestPicture(t *testing.T) {
	keep := os.Getenv("RESTORE_PICTURES")
	for _, name := range []string{"success", "lost-after-handover", "wrong-mode", "not-listed-restore", "link-drops", "link-full-speed", "stuck-recovery", "interrupted"} {
		t.Run(name, func(t *testing.T) {
			tl := loadDemo(t, name)
			v := tl.Decide(Inputs{})
			var b bytes.Buffer
			if err := tl.WritePNG(&b, PictureOptions{Verdict: &v}); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != image.Rect(0, 0, 960, 220) {
				t.Fatalf("size %v", img.Bounds())
			}
			// the first stage's band has its colour where it starts
			st, _ := tl.Stages()
			x := 12 + int(float64(960-24)*float64(st[0].StartMS)/float64(tl.LastMS())) + 2
			if got := rgba(img.At(x, 80)); got != rgbaOf(stageColor[st[0].Kind]) {
				t.Errorf("band colour at x=%d: %v, want %v (%s)", x, got, stageColor[st[0].Kind], st[0].Kind)
			}
			if keep != "" {
				if err := os.WriteFile(filepath.Join(keep, name+".png"), b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func rgbaOf(c interface{ RGBA() (r, g, b, a uint32) }) [4]uint8 { return rgba(c) }

func rgba(c interface{ RGBA() (r, g, b, a uint32) }) [4]uint8 {
	r, g, b, a := c.RGBA()
	return [4]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func TestDropsMarked(t *testing.T) {
	tl := loadDemo(t, "link-drops")
	var b bytes.Buffer
	if err := tl.WritePNG(&b, PictureOptions{Width: 1000}); err != nil {
		t.Fatal(err)
	}
	img, _ := png.Decode(&b)
	marks, _ := tl.Marks()
	n := 0
	for _, m := range marks {
		if m.Kind != MarkDrop {
			continue
		}
		n++
		x := 12 + int(float64(1000-24)*float64(m.TimeMS)/float64(tl.LastMS()))
		if got := rgba(img.At(x, 60)); got != rgbaOf(alarm) {
			t.Errorf("drop at %d ms not marked at x=%d: %v", m.TimeMS, x, got)
		}
	}
	if n != 2 {
		t.Fatalf("%d drops", n)
	}
}

func TestWritePictureBeside(t *testing.T) {
	dir := testtmp.Dir(t)
	md := filepath.Join(dir, "report.md")
	name, err := loadDemo(t, "success").WritePictureBeside(md, PictureOptions{})
	if err != nil || name != "report-timeline.png" {
		t.Fatalf("%q, %v", name, err)
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatal(err)
	}
	// a directory where the file should go: a clear error, not a panic
	if err := os.Mkdir(filepath.Join(dir, "x-timeline.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := loadDemo(t, "success").WritePictureBeside(filepath.Join(dir, "x.md"), PictureOptions{}); err == nil {
		t.Fatal("wrote over a directory")
	}
}

// TestMarkdownExportWithPicture: the export writes the picture beside the
// .md and the Markdown links to it.
func TestMarkdownExportWithPicture(t *testing.T) {
	dir := testtmp.Dir(t)
	md := filepath.Join(dir, "restore.md")
	tl := loadDemo(t, "link-drops")
	v := tl.Decide(Inputs{})
	rt := tl.ToReport(v, 0)
	name, err := tl.WritePictureBeside(md, PictureOptions{Verdict: &v})
	if err != nil {
		t.Fatal(err)
	}
	rt.PictureFile = name
	r := report.Report{Schema: report.Schema, RestoreTimeline: rt}
	var b bytes.Buffer
	if err := report.Markdown(&b, &r, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "](restore-timeline.png)") || !strings.Contains(b.String(), "## Restore timeline") {
		t.Fatalf("markdown lacks the picture:\n%s", b.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "restore-timeline.png")); err != nil {
		t.Fatal(err)
	}
}
