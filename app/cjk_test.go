package app

import (
	"encoding/json"
	"io"
	"io/fs"
	"log"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestCJKTextHasGlyphs: Fyne's bundled font has no CJK characters; for
// every other character Fyne asks the OS's fonts through go-text's
// fontscan (fyne.io/fyne/v2/internal/painter). This test asks the same
// font map for every character of the Japanese, Korean and Chinese
// bundles: each must be in Fyne's font or in an OS font, or the window
// would draw boxes. On Linux that needs a CJK font package
// (scripts/install-deps.sh installs fonts-wqy-microhei); Windows and macOS
// ship CJK fonts (Yu Gothic, Malgun Gothic, Microsoft YaHei/JhengHei;
// Hiragino, Apple SD Gothic Neo, PingFang).
func TestCJKTextHasGlyphs(t *testing.T) {
	bundled, err := font.ParseTTF(strings.NewReader(string(theme.DefaultTextFont().Content())))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := bundled.NominalGlyph('日'); ok {
		t.Log("Fyne's bundled font now has CJK glyphs: the OS fallback below is no longer needed")
	}
	fm := fontscan.NewFontMap(log.New(io.Discard, "", 0))
	if err := fm.UseSystemFonts(t.TempDir()); err != nil {
		t.Fatalf("no system fonts to fall back to: %v", err)
	}
	fm.SetQuery(fontscan.Query{Families: []string{fontscan.SansSerif}})
	for _, code := range []string{"ja", "ko", "zh-Hans", "zh-Hant"} {
		runes := bundleRunes(t, code)
		if len(runes) == 0 {
			t.Errorf("%s: no translated text found", code)
			continue
		}
		var missing []rune
		for _, r := range runes {
			if _, ok := bundled.NominalGlyph(r); ok {
				continue
			}
			f := fm.ResolveFace(r)
			if f == nil {
				missing = append(missing, r)
				continue
			}
			if _, ok := f.NominalGlyph(r); !ok {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: %d of %d characters have no glyph in Fyne's font or any OS font (e.g. %q): install a CJK font (fonts-wqy-microhei)",
				code, len(missing), len(runes), string(missing[:min(10, len(missing))]))
		}
	}
}

// bundleRunes returns the distinct non-ASCII printable characters of every
// bundle of language code.
func bundleRunes(t *testing.T, code string) []rune {
	t.Helper()
	files, err := i18n.BundleFiles(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[rune]bool{}
	var out []rune
	for _, f := range files {
		if _, c, ok := i18n.SplitName(f); !ok || c != code {
			continue
		}
		data, err := fs.ReadFile(assets.FS, i18n.BundleDir+"/"+f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walkStrings(v, func(s string) {
			for _, r := range s {
				if r > unicode.MaxASCII && unicode.IsPrint(r) && !unicode.IsSpace(r) && !seen[r] {
					seen[r] = true
					out = append(out, r)
				}
			}
		})
	}
	return out
}

func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case map[string]any:
		for _, x := range v {
			walkStrings(x, f)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, f)
		}
	}
}
