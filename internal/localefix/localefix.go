// Package localefix keeps Fyne from logging "Error parsing user locale C" on
// every start under the C/POSIX locale (LANG=C.UTF-8, common on servers and
// in containers). Fyne reads the locale from the environment while its
// packages initialise, before main runs, and cannot parse "C". Importing this
// package (blank import from main) sets LANGUAGE=en for that case, which Fyne
// consults next; gettext ignores LANGUAGE under the C locale, so child
// processes behave exactly as before.
//
// It works because Go initialises packages in import-path order among those
// ready: this package needs only os and strings, and sorts before
// golang.org/x/text, which Fyne's lang package waits for.
package localefix

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	if isCLocale(effectiveLocale(os.Getenv)) {
		_ = os.Setenv("LANGUAGE", "en")
	}
}

// effectiveLocale is the message locale the way gettext picks it:
// LC_ALL, then LC_MESSAGES, then LANG.
func effectiveLocale(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// isCLocale reports whether loc is the C/POSIX locale with a codeset or
// modifier ("C.UTF-8", "POSIX@x"); the bare "C" and "POSIX" Fyne handles itself.
func isCLocale(loc string) bool {
	lang := loc
	if i := strings.IndexAny(lang, ".@"); i >= 0 {
		lang = lang[:i]
	}
	return (lang == "C" || lang == "POSIX") && loc != lang
}
