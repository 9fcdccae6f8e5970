package i18n

import (
	"os"
	"strings"

	"github.com/jeandeaual/go-locale"
	"golang.org/x/text/language"
)

// Source says where a picked language came from.
type Source string

// The places a language is taken from, strongest first.
const (
	FromFlag       Source = "flag"       // --lang
	FromPreference Source = "preference" // the window's saved choice
	FromOS         Source = "os"         // the user's OS languages
	FromFallback   Source = "fallback"   // nothing matched: English
)

// Pick chooses the language: the first of override (the --lang flag or a
// saved preference; "" means none) and the OS's preferred languages that
// Restore Doctor speaks, else English. An override that names no supported
// language is an error, so a typo in --lang is reported, not ignored.
func Pick(override string, from Source) (Language, Source, error) {
	if o := strings.TrimSpace(override); o != "" {
		if o == PseudoCode {
			return Language{Code: PseudoCode, Name: "Pseudo", Tag: language.English}, from, nil
		}
		if l, ok := Lookup(o); ok {
			return l, from, nil
		}
		// A regional or script variant of a language we speak ("de-AT",
		// "zh-TW", "pt-PT") is that language; the matcher's closest guess
		// for one we do not speak ("tlh" → English) is not what was asked.
		if m, ok := Match([]string{o}); ok && sameBase(o, m) {
			return m, from, nil
		}
		return Language{}, from, &UnknownLanguageError{Code: o}
	}
	if l, ok := Match(osLocales()); ok {
		return l, FromOS, nil
	}
	return English(), FromFallback, nil
}

// UnknownLanguageError is returned for a --lang Restore Doctor does not
// speak.
type UnknownLanguageError struct{ Code string }

func (e *UnknownLanguageError) Error() string {
	return "unknown language \"" + e.Code + "\": use one of " + Codes()
}

// osLocales returns the user's preferred languages the way Fyne reads them
// (github.com/jeandeaual/go-locale: LANGUAGE, LC_ALL, LC_MESSAGES and LANG
// on Linux; the user's UI languages on Windows and macOS).
func osLocales() []string {
	all, err := locale.GetLocales()
	if err != nil {
		return nil
	}
	return all
}

// Match returns the supported language closest to the first of locales
// that Restore Doctor speaks ("de-AT" → de, "zh-TW" → zh-Hant, "pt-PT" →
// pt-BR), or false when none is close. "C" and "POSIX" match nothing.
func Match(locales []string) (Language, bool) {
	var tags []language.Tag
	for _, l := range locales {
		l = strings.TrimSpace(l)
		if l == "" || l == "C" || l == "POSIX" || strings.HasPrefix(l, "C.") {
			continue
		}
		if i := strings.IndexAny(l, ".@"); i > 0 {
			l = l[:i] // "de_DE.UTF-8" → "de_DE"
		}
		t, err := language.Parse(strings.ReplaceAll(l, "_", "-"))
		if err != nil {
			continue
		}
		tags = append(tags, t)
	}
	if len(tags) == 0 {
		return Language{}, false
	}
	supported := make([]language.Tag, len(languages))
	for i, l := range languages {
		supported[i] = l.Tag
	}
	_, idx, conf := language.NewMatcher(supported).Match(tags...)
	if conf == language.No {
		return Language{}, false
	}
	return languages[idx], true
}

// EnvOverride is the environment variable that, like --lang, overrides the
// OS language (for scripts and tests): RESTOREDOCTOR_LANG=de.
const EnvOverride = "RESTOREDOCTOR_LANG"

// EnvLanguage returns RESTOREDOCTOR_LANG, "" when unset.
func EnvLanguage() string { return strings.TrimSpace(os.Getenv(EnvOverride)) }

// sameBase reports whether code asks for l's base language.
func sameBase(code string, l Language) bool {
	t, err := language.Parse(strings.ReplaceAll(code, "_", "-"))
	if err != nil {
		return false
	}
	asked, _ := t.Base()
	got, _ := l.Tag.Base()
	return asked == got
}
