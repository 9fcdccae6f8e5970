package restore

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/render"
	gtfont "github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/image/font"
	"golang.org/x/image/font/inconsolata"
	"golang.org/x/image/math/fixed"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// The picture draws its labels with Inconsolata (ASCII and Latin-1, built
// in). Japanese, Korean and Chinese labels need a font with CJK glyphs,
// which Restore Doctor does not ship: the picture takes one from the
// operating system (Microsoft YaHei, Yu Gothic, Malgun Gothic … on Windows;
// PingFang, Hiragino, Apple SD Gothic Neo on macOS; WenQuanYi, Noto CJK,
// Source Han … under the usual font directories elsewhere), the first whose
// glyphs cover every label. Without one it draws its labels in English and
// says so in its title, never boxes.

// translator is i18n.T's shape: the picture's labels come from one.
type translator func(id string, args ...i18n.Args) string

// pictureText is how one picture draws words: where the labels come from,
// a note for the title when they fall back to English, and the face: the
// built-in Inconsolata (builtin) or a system CJK font drawn with go-text
// (cjk). Not safe for concurrent use: one per picture.
type pictureText struct {
	tr      translator
	note    string
	builtin font.Face
	cjk     *gtfont.Face
	r       render.Renderer
	seg     shaping.Segmenter
	shaper  shaping.HarfbuzzShaper
}

// cjkSize is the CJK labels' size in pixels (Inconsolata's cells are 8×16).
const cjkSize = 14

// draw writes s with its baseline at (x, y).
func (p *pictureText) draw(img *image.RGBA, x, y int, c color.Color, s string) {
	if p.cjk == nil {
		d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: p.builtin, Dot: fixed.P(x, y)}
		d.DrawString(s)
		return
	}
	// The rasterizer works over its whole destination: draw into a small
	// transparent patch around the text, then lay the patch on the picture.
	const above, below = cjkSize + 4, 6
	patch := image.NewRGBA(image.Rect(0, 0, p.width(s)+4, above+below))
	p.r.FontSize, p.r.Color = cjkSize, c
	p.r.DrawStringAt(s, patch, 2, above, p.cjk)
	at := image.Pt(x-2, y-above)
	draw.Draw(img, patch.Bounds().Add(at), patch, image.Point{}, draw.Over)
}

// width is how many pixels s takes.
func (p *pictureText) width(s string) int {
	if p.cjk == nil {
		return font.MeasureString(p.builtin, s).Ceil()
	}
	text := []rune(s)
	in := shaping.Input{Text: text, RunEnd: len(text), Face: p.cjk, Size: fixed.I(cjkSize)}
	var w fixed.Int26_6
	for _, run := range p.seg.Split(in, oneFace{p.cjk}) {
		w += p.shaper.Shape(run).Advance
	}
	return w.Ceil()
}

// oneFace is a shaping.Fontmap of one face.
type oneFace struct{ f *gtfont.Face }

func (o oneFace) ResolveFace(rune) *gtfont.Face { return o.f }

// pictureLabelIDs are the messages the picture may draw; their current
// translations decide the face.
var pictureLabelIDs = []string{"restore.picture.title", "restore.picture.incomplete", "restore.picture.lost",
	"restore.picture.stalled", "restore.picture.now", "restore.picture.drop", "restore.picture.alarm",
	"restore.picture.no_data", "restore.picture.step", "restore.picture.steps", "restore.picture.omitted"}

// noCJKFontNote is added to the title when the labels fall back to English
// (in English: there is no font to say it in the user's language).
const noCJKFontNote = "labels in English: no CJK font found on this computer"

// choosePictureText picks the face for the current language's labels.
func choosePictureText() *pictureText {
	var all strings.Builder
	for _, id := range pictureLabelIDs {
		all.WriteString(i18n.T(id))
	}
	for _, k := range Kinds {
		all.WriteString(k.label(i18n.T))
	}
	for _, id := range VerdictIDs {
		all.WriteString(i18n.T("restore.verdict_name." + string(id)))
	}
	text := all.String()
	if coveredByBuiltin(text) {
		return &pictureText{builtin: inconsolata.Regular8x16, tr: i18n.T}
	}
	if f := systemFont(text); f != nil {
		return &pictureText{cjk: gtfont.NewFace(f), tr: i18n.T}
	}
	return &pictureText{builtin: inconsolata.Regular8x16, tr: englishT, note: noCJKFontNote}
}

// coveredByBuiltin reports whether Inconsolata has a glyph for every rune.
func coveredByBuiltin(s string) bool {
	for _, r := range s {
		if _, ok := inconsolata.Regular8x16.GlyphAdvance(r); !ok {
			return false
		}
	}
	return true
}

// fontCache holds the system fonts parsed so far, by path (nil: unusable).
var fontCache = struct {
	sync.Mutex
	fonts map[string][]*gtfont.Font
	files []string
	found bool
}{fonts: map[string][]*gtfont.Font{}}

// findFontFiles lists candidate CJK font files, best first. Tests replace it.
var findFontFiles = systemCJKFontFiles

// maxFontFile bounds what is read of one font file.
const maxFontFile = 64 << 20

// systemFont returns a system font with a glyph for every rune of text,
// or nil. Han characters are drawn differently in Japan, Korea, mainland
// China and Taiwan: a font made for the current language is preferred
// (fontHints), in the file order and inside a collection.
func systemFont(text string) *gtfont.Font {
	fontCache.Lock()
	defer fontCache.Unlock()
	if !fontCache.found {
		fontCache.files, fontCache.found = findFontFiles(), true
	}
	lang := i18n.Current().Code
	files := slices.Clone(fontCache.files)
	slices.SortStableFunc(files, func(a, b string) int {
		return boolRank(hinted(filepath.Base(b), lang)) - boolRank(hinted(filepath.Base(a), lang))
	})
	for _, path := range files {
		fonts, ok := fontCache.fonts[path]
		if !ok {
			fonts = parseFontFile(path)
			fontCache.fonts[path] = fonts
		}
		var first *gtfont.Font
		for _, f := range fonts {
			if !covers(f, text) {
				continue
			}
			if hinted(f.Describe().Family, lang) {
				return f
			}
			if first == nil {
				first = f
			}
		}
		if first != nil {
			return first
		}
	}
	return nil
}

// fontHints are words of a font's family or file name that say it is made
// for a language's way of writing Han characters; short ones must be a
// whole word ("Noto Sans CJK SC", "NotoSansCJKsc-Regular.otf" does not count).
var fontHints = map[string][]string{
	"ja":      {"jp", "cjkjp", "sansjp", "serifjp", "japanese", "hiragino sans w", "ヒラギノ", "yu gothic", "yugoth", "meiryo", "ms gothic", "msgothic", "takao", "ipag", "ipaex", "vlgothic"},
	"ko":      {"kr", "cjkkr", "sanskr", "serifkr", "korean", "malgun", "gothic neo", "gothicneo", "nanum", "unbatang", "undotum"},
	"zh-Hans": {"sc", "gb", "cn", "cjksc", "sanssc", "serifsc", "yahei", "msyh", "simsun", "heiti", "wqy", "wenquanyi"},
	"zh-Hant": {"tc", "hk", "tw", "cjktc", "sanstc", "seriftc", "cjkhk", "sanshk", "jhenghei", "msjh", "mingliu", "uming", "ukai"},
}

// hinted reports whether name (a family or a file name) carries one of
// lang's fontHints.
func hinted(name, lang string) bool {
	lower := strings.ToLower(name)
	words := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, h := range fontHints[lang] {
		if len(h) <= 3 && slices.Contains(words, h) || len(h) > 3 && strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseFontFile reads a .ttf/.otf or a .ttc/.otc collection.
func parseFontFile(path string) []*gtfont.Font {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxFontFile {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	faces, err := gtfont.ParseTTC(bytes.NewReader(data))
	if err != nil {
		slog.Debug("restore: font not usable", "path", path, "err", err)
		return nil
	}
	var out []*gtfont.Font
	for _, f := range faces[:min(len(faces), 8)] {
		out = append(out, f.Font)
	}
	return out
}

// covers reports whether f has a glyph for every rune of text but spaces.
func covers(f *gtfont.Font, text string) bool {
	for _, r := range text {
		if r == ' ' || r == '\u00a0' {
			continue
		}
		if g, ok := f.NominalGlyph(r); !ok || g == 0 {
			return false
		}
	}
	return true
}

// cjkFontNames are the file names of common CJK fonts, best first.
var cjkFontNames = map[string][]string{
	"windows": {"msyh.ttc", "msyh.ttf", "YuGothM.ttc", "meiryo.ttc", "msgothic.ttc", "malgun.ttf", "msjh.ttc", "msjh.ttf", "simsun.ttc", "mingliu.ttc"},
	"darwin": {"PingFang.ttc", "Hiragino Sans GB.ttc", "ヒラギノ角ゴシック W3.ttc", "AppleSDGothicNeo.ttc",
		"Arial Unicode.ttf", "STHeiti Light.ttc"},
}

// cjkFontWords pick CJK fonts out of a font directory by file name.
var cjkFontWords = []string{"wqy", "notosanscjk", "notoserifcjk", "sourcehansans", "sourcehanserif", "droidsansfallback",
	"notosanssc", "notosanstc", "notosansjp", "notosanskr", "notosanshk", "uming", "ukai", "takao", "ipag", "ipaex",
	"vlgothic", "nanum", "unbatang", "undotum", "arphic", "unifont"}

// systemCJKFontFiles lists the CJK font files of this computer, best first.
func systemCJKFontFiles() []string {
	var out []string
	switch runtime.GOOS {
	case "windows":
		dir := filepath.Join(os.Getenv("WINDIR"), "Fonts")
		if os.Getenv("WINDIR") == "" {
			dir = `C:\Windows\Fonts`
		}
		for _, n := range cjkFontNames["windows"] {
			out = append(out, filepath.Join(dir, n))
		}
		if local, err := os.UserConfigDir(); err == nil { // per-user fonts
			out = append(out, scanFontDir(filepath.Join(filepath.Dir(local), "Local", "Microsoft", "Windows", "Fonts"))...)
		}
	case "darwin":
		for _, dir := range []string{"/System/Library/Fonts", "/System/Library/Fonts/Supplemental", "/Library/Fonts"} {
			for _, n := range cjkFontNames["darwin"] {
				out = append(out, filepath.Join(dir, n))
			}
		}
	default:
		dirs := []string{"/usr/share/fonts", "/usr/local/share/fonts"}
		if home, err := os.UserHomeDir(); err == nil {
			dirs = append(dirs, filepath.Join(home, ".local", "share", "fonts"), filepath.Join(home, ".fonts"))
		}
		for _, d := range dirs {
			out = append(out, scanFontDir(d)...)
		}
	}
	return existing(out)
}

// scanFontDir walks dir (bounded) for font files named like a CJK font,
// ordered by cjkFontWords.
func scanFontDir(dir string) []string {
	type hit struct {
		rank int
		path string
	}
	var hits []hit
	seen := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if seen++; seen > 20000 {
			return fs.SkipAll
		}
		if d.IsDir() {
			return nil
		}
		name := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(d.Name()))
		switch filepath.Ext(name) {
		case ".ttf", ".ttc", ".otf", ".otc":
		default:
			return nil
		}
		for i, w := range cjkFontWords {
			if strings.Contains(name, w) {
				hits = append(hits, hit{i, p})
				break
			}
		}
		return nil
	})
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].rank < hits[j].rank })
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.path
	}
	return out
}

func existing(paths []string) []string {
	var out []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}

var (
	englishOnce sync.Once
	englishLoc  *goi18n.Localizer
)

// englishT is i18n.T in English whatever the current language: the
// picture's labels when no font can draw the current one.
func englishT(id string, args ...i18n.Args) string {
	englishOnce.Do(func() {
		if b, err := i18n.LoadBundle(assets.FS); err == nil {
			englishLoc = goi18n.NewLocalizer(b, "en")
		}
	})
	data := i18n.Args{}
	for _, a := range args {
		for k, v := range a {
			data[k] = v
		}
	}
	if englishLoc != nil {
		if s, err := englishLoc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data}); err == nil {
			return s
		}
	}
	return id
}
