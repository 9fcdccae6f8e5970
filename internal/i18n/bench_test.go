package i18n

import (
	"testing"

	"github.com/restoredoctor/restoredoctor/assets"
)

// BenchmarkLoadBundle: what the first translated string of a process costs
// (every bundle file parsed).
func BenchmarkLoadBundle(b *testing.B) {
	for b.Loop() {
		if _, err := LoadBundle(assets.FS); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkT: one message with a placeholder, in German.
func BenchmarkT(b *testing.B) {
	if err := Use("de"); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = Use("en") }()
	for b.Loop() {
		_ = T("lang.unknown", Args{"Code": "xx", "Codes": "en, de"})
	}
}

// BenchmarkLoadEnglishAndGerman: what a process that speaks German parses
// (the bundles of English, the fallback, and German).
func BenchmarkLoadEnglishAndGerman(b *testing.B) {
	for b.Loop() {
		if _, err := loadBundle(assets.FS, []string{"en", "de"}); err != nil {
			b.Fatal(err)
		}
	}
}
