package restore

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"

	"image/color"

	gtfont "github.com/go-text/typesetting/font"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// withFontFiles makes the picture look for CJK fonts with files, for the
// test's duration.
func withFontFiles(t *testing.T, files func() []string) {
	t.Helper()
	reset := func() {
		fontCache.Lock()
		fontCache.fonts, fontCache.files, fontCache.found = map[string][]*gtfont.Font{}, nil, false
		fontCache.Unlock()
	}
	old := findFontFiles
	findFontFiles = files
	reset()
	t.Cleanup(func() { findFontFiles = old; reset() })
}

// glyphMask draws r alone the way the picture does and returns the pixels.
func glyphMask(pt *pictureText, r rune) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	pt.draw(img, 4, 30, color.Black, string(r))
	return img.Pix
}

// boxProblems reports runes of s that face draws as nothing or as the same
// picture as another rune (the missing-glyph box is one picture for all).
func boxProblems(pt *pictureText, s string) []string {
	var out []string
	seen := map[string]rune{}
	for _, r := range s {
		if r == ' ' || r < 0x80 {
			continue
		}
		m := glyphMask(pt, r)
		if !bytes.ContainsFunc(m, func(r rune) bool { return r != 0 }) {
			out = append(out, string(r)+": blank")
			continue
		}
		if o, ok := seen[string(m)]; ok && o != r {
			out = append(out, string(r)+" looks like "+string(o)+" (a box?)")
		}
		seen[string(m)] = r
	}
	return out
}

// TestPictureCJKGlyphs: in Japanese, Korean and Chinese the picture draws
// its labels with a system CJK font (fonts-wqy-microhei on Linux CI), and
// every character is a real, distinct glyph, not a box.
func TestPictureCJKGlyphs(t *testing.T) {
	if len(systemCJKFontFiles()) == 0 {
		t.Skip("no CJK font on this computer (install fonts-wqy-microhei)")
	}
	defer func() { _ = i18n.Use("en") }()
	keep := os.Getenv("RESTORE_PICTURES")
	for _, lang := range []string{"ja", "ko", "zh-Hans", "zh-Hant"} {
		if err := i18n.Use(lang); err != nil {
			t.Fatal(err)
		}
		pt := choosePictureText()
		if pt.note != "" || pt.cjk == nil {
			t.Fatalf("%s: no CJK face (note %q)", lang, pt.note)
		}
		var all string
		for _, id := range pictureLabelIDs {
			all += pt.tr(id)
		}
		for _, k := range Kinds {
			all += k.label(pt.tr)
		}
		for _, id := range VerdictIDs {
			all += pt.tr("restore.verdict_name." + string(id))
		}
		if p := boxProblems(pt, all); len(p) > 0 {
			t.Errorf("%s: %v", lang, p)
		}
		tl := loadDemo(t, "stuck-recovery")
		v := tl.Decide(Inputs{})
		var b bytes.Buffer
		if err := tl.WritePNG(&b, PictureOptions{Verdict: &v}); err != nil {
			t.Fatal(err)
		}
		if keep != "" {
			if err := os.WriteFile(filepath.Join(keep, "stuck-recovery."+lang+".png"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// the check finds boxes: private-use characters have no glyph in any
	// CJK font, and the face draws them all as the same box
	_ = i18n.Use("ja")
	if p := boxProblems(choosePictureText(), "\ue000\ue001"); len(p) == 0 {
		t.Error("two missing glyphs passed as distinct characters")
	}
}

// TestPictureWithoutCJKFont: with no CJK font the Japanese picture's labels
// are English, with a note saying why, never boxes.
func TestPictureWithoutCJKFont(t *testing.T) {
	withFontFiles(t, func() []string { return nil })
	defer func() { _ = i18n.Use("en") }()
	if err := i18n.Use("ja"); err != nil {
		t.Fatal(err)
	}
	pt := choosePictureText()
	if pt.note != noCJKFontNote || pt.tr("restore.picture.title") != "Restore timeline" || Recovery.label(pt.tr) != "recovery" {
		t.Errorf("fallback: note %q, title %q", pt.note, pt.tr("restore.picture.title"))
	}
	if p := boxProblems(pt, pt.tr("restore.picture.alarm")+pt.note); len(p) > 0 {
		t.Errorf("fallback labels: %v", p)
	}
	tl := loadDemo(t, "success")
	if img := tl.Image(PictureOptions{}); img.Bounds().Dx() != 960 {
		t.Errorf("size %v", img.Bounds())
	}
	// Latin languages keep the built-in face, whatever fonts there are
	if err := i18n.Use("fr"); err != nil {
		t.Fatal(err)
	}
	if pt := choosePictureText(); pt.cjk != nil || pt.note != "" {
		t.Errorf("French: CJK face %v, note %q", pt.cjk != nil, pt.note)
	}
}

// TestPictureCJKConcurrent: the window and an export may draw at once; the
// font is shared, each picture has its own face (go test -race).
func TestPictureCJKConcurrent(t *testing.T) {
	if len(systemCJKFontFiles()) == 0 {
		t.Skip("no CJK font on this computer (install fonts-wqy-microhei)")
	}
	defer func() { _ = i18n.Use("en") }()
	if err := i18n.Use("zh-Hans"); err != nil {
		t.Fatal(err)
	}
	withFontFiles(t, systemCJKFontFiles) // start with an empty cache: the first use races too
	tl := loadDemo(t, "link-drops")
	done := make(chan *image.RGBA, 3)
	for range 3 {
		go func() { done <- tl.Image(PictureOptions{}) }()
	}
	first := <-done
	for range 2 {
		if img := <-done; !bytes.Equal(img.Pix, first.Pix) {
			t.Error("the same picture drawn at once came out different")
		}
	}
}

func TestFontHints(t *testing.T) {
	for _, tc := range []struct {
		name, lang string
		want       bool
	}{
		{"Noto Sans CJK SC", "zh-Hans", true},
		{"Noto Sans CJK SC", "ja", false},
		{"Noto Sans CJK JP", "ja", true},
		{"NotoSansCJKjp-Regular.otf", "ja", true},
		{"NotoSansTC-Regular.otf", "zh-Hant", true},
		{"Microsoft YaHei", "zh-Hans", true},
		{"Microsoft YaHei", "zh-Hant", false},
		{"msjh.ttc", "zh-Hant", true},
		{"Malgun Gothic", "ko", true},
		{"WenQuanYi Micro Hei", "zh-Hans", true},
		{"WenQuanYi Micro Hei", "ja", false},
		{"Microsoft Sans Serif", "zh-Hans", false}, // "sc" is not a word of it
		{"Hiragino Sans W3", "ja", true},
	} {
		if got := hinted(tc.name, tc.lang); got != tc.want {
			t.Errorf("hinted(%q, %s) = %v, want %v", tc.name, tc.lang, got, tc.want)
		}
	}
}
