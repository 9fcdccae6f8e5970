// Package i18n is Restore Doctor's translation layer: every sentence the
// user reads, in the window, the terminal and the reports, is looked up here
// by a stable message ID.
//
// The messages are go-i18n JSON bundles embedded from assets/lang, the same
// files and the same engine (github.com/nicksnyder/go-i18n/v2) that Fyne's
// own fyne.io/fyne/v2/lang uses: the window registers them with Fyne too, so
// Fyne's dialogs and file chooser speak the same language. This package links
// no window toolkit, so the command line (built with -tags nowindow) uses it
// directly.
//
// One language is current per process (Use). It starts as English, so tests
// and libraries that never choose see the English text; programs choose once
// at start from --lang, the saved preference or the OS (Pick). A message
// missing from a bundle falls back to English, never to its ID.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/restoredoctor/restoredoctor/assets"
)

// Args holds the named values a message's template refers to, as
// {{.Name}}.
type Args = map[string]any

// Language is one language Restore Doctor speaks.
type Language struct {
	// Code is the BCP 47 tag used in file names, --lang and preferences:
	// "en", "de", "pt-BR", "zh-Hans".
	Code string
	// Name is the language's own name for itself ("Deutsch", "日本語"),
	// the way a language menu shows it.
	Name string
	// Tag is Code parsed.
	Tag language.Tag
}

// PseudoCode selects the pseudo-locale: English with every translated
// string wrapped in PseudoOpen and PseudoClose. Tests use it to find text
// that does not go through this package.
const PseudoCode = "pseudo"

// The pseudo-locale's markers.
const (
	PseudoOpen  = "⟦"
	PseudoClose = "⟧"
)

// languages lists every language with a complete set of bundles, English
// first (the fallback).
var languages = []Language{
	{Code: "en", Name: "English"},
	{Code: "de", Name: "Deutsch"},
	{Code: "es", Name: "Español"},
	{Code: "fr", Name: "Français"},
	{Code: "it", Name: "Italiano"},
	{Code: "pt-BR", Name: "Português (Brasil)"},
	{Code: "ja", Name: "日本語"},
	{Code: "ko", Name: "한국어"},
	{Code: "zh-Hans", Name: "简体中文"},
	{Code: "zh-Hant", Name: "繁體中文"},
}

func init() {
	for i := range languages {
		languages[i].Tag = language.MustParse(languages[i].Code)
	}
}

// Supported returns the languages Restore Doctor speaks, English first.
func Supported() []Language {
	return append([]Language(nil), languages...)
}

// English is the fallback language.
func English() Language { return languages[0] }

// Lookup returns the supported language with this code (case-insensitive,
// "_" or "-"), or false.
func Lookup(code string) (Language, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), "_", "-")
	for _, l := range languages {
		if strings.EqualFold(l.Code, code) {
			return l, true
		}
	}
	return Language{}, false
}

// BundleDir is the directory of assets.FS that holds the bundles.
const BundleDir = "lang"

var (
	bundleMu sync.Mutex
	bundles        = map[string]*goi18n.Bundle{} // by language code, each with English
	bundleFS fs.FS = assets.FS
	current  atomic.Pointer[state]
)

// state is the current language with its localizer.
type state struct {
	lang      Language
	pseudo    bool
	localizer *goi18n.Localizer
	english   *goi18n.Localizer
}

// bundle returns the bundle of English and the language with this code,
// parsed once per process: a process reads only the two languages it
// speaks (parsing all ten takes about 60 ms, see BenchmarkLoadBundle).
func bundle(code string) (*goi18n.Bundle, error) {
	bundleMu.Lock()
	defer bundleMu.Unlock()
	if b, ok := bundles[code]; ok {
		return b, nil
	}
	codes := []string{"en"}
	if code != "en" {
		codes = append(codes, code)
	}
	b, err := loadBundle(bundleFS, codes)
	if err != nil {
		return nil, err
	}
	bundles[code] = b
	return b, nil
}

// LoadBundle parses every <area>.<language>.json file under lang/ of fsys
// into one go-i18n bundle with English as its default language.
func LoadBundle(fsys fs.FS) (*goi18n.Bundle, error) {
	return loadBundle(fsys, nil)
}

// loadBundle parses the bundle files of the languages codes (all when nil).
func loadBundle(fsys fs.FS, codes []string) (*goi18n.Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := BundleFiles(fsys)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, code, ok := SplitName(f); ok && codes != nil && !slices.Contains(codes, code) {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(BundleDir, f))
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(data, f); err != nil {
			return nil, fmt.Errorf("translations %s: %w", f, err)
		}
	}
	return b, nil
}

// BundleFiles lists the bundle file names under lang/ of fsys, sorted.
func BundleFiles(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, BundleDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Use makes l the current language of this process. An unknown code is
// an error and changes nothing.
func Use(code string) error {
	st, err := newState(code)
	if err != nil {
		return err
	}
	current.Store(st)
	return nil
}

func newState(code string) (*state, error) {
	bcode := code
	if l, ok := Lookup(code); ok {
		bcode = l.Code
	} else {
		bcode = "en" // the pseudo-locale is English; an unknown code fails below
	}
	b, err := bundle(bcode)
	if err != nil {
		return nil, err
	}
	st := &state{english: goi18n.NewLocalizer(b, "en")}
	if code == PseudoCode {
		st.lang = Language{Code: PseudoCode, Name: "Pseudo", Tag: language.English}
		st.pseudo = true
		st.localizer = st.english
		return st, nil
	}
	l, ok := Lookup(code)
	if !ok {
		return nil, fmt.Errorf("unknown language %q (Restore Doctor speaks %s)", code, Codes())
	}
	st.lang = l
	st.localizer = goi18n.NewLocalizer(b, l.Code, "en")
	return st, nil
}

// Codes lists the supported codes for messages, "en, de, …".
func Codes() string {
	var c []string
	for _, l := range languages {
		c = append(c, l.Code)
	}
	return strings.Join(c, ", ")
}

// load returns the current state, English until Use is called.
func load() *state {
	if st := current.Load(); st != nil {
		return st
	}
	st, err := newState("en")
	if err != nil {
		// The bundles are embedded and tested; a broken build still
		// speaks: T falls back to the message ID's English default below.
		st = &state{lang: English()}
	}
	current.CompareAndSwap(nil, st)
	return current.Load()
}

// Current returns the current language (Code "pseudo" in the pseudo-locale).
func Current() Language { return load().lang }

// IsPseudo reports whether the pseudo-locale is current.
func IsPseudo() bool { return load().pseudo }

// T returns the message id in the current language, its template filled
// from args.
func T(id string, args ...Args) string {
	return load().render(id, -1, args)
}

// N returns the plural message id for count in the current language; its
// template sees the count as {{.Count}} beside args.
func N(id string, count int, args ...Args) string {
	return load().render(id, count, args)
}

func (st *state) render(id string, count int, args []Args) string {
	data := Args{}
	for _, a := range args {
		for k, v := range a {
			data[k] = v
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if count >= 0 {
		data["Count"] = count
		cfg.PluralCount = count
	}
	out, err := st.localize(st.localizer, cfg)
	if err != nil && st.english != nil && st.localizer != st.english {
		out, err = st.localize(st.english, cfg)
	}
	if err != nil {
		// A message missing from the English bundle is a bug the
		// completeness tests catch; the user still gets a readable line.
		out = missing(id)
	}
	if st.pseudo {
		return PseudoOpen + out + PseudoClose
	}
	return out
}

func (st *state) localize(l *goi18n.Localizer, cfg *goi18n.LocalizeConfig) (string, error) {
	if l == nil {
		return "", fmt.Errorf("no bundle")
	}
	return l.Localize(cfg)
}

// missing turns a message ID nobody translated into words, never the raw
// key: "finding.usb.slow" → "usb slow".
func missing(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.ReplaceAll(strings.Join(parts, " "), "_", " ")
}

// Unmarked returns s without its pseudo-locale spans (⟦…⟧, nested ones
// too): what is left was shown without going through this package. Line
// breaks inside a span are kept, so a text can still be checked line by
// line.
func Unmarked(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case string(r) == PseudoOpen:
			depth++
		case string(r) == PseudoClose && depth > 0:
			depth--
		case depth == 0 || r == '\n':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Has reports whether the English bundle defines id.
func Has(id string) bool {
	b, err := bundle("en")
	if err != nil {
		return false
	}
	_, err = goi18n.NewLocalizer(b, "en").Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}
