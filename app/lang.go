package app

import (
	"io/fs"
	"log/slog"
	"runtime"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// PrefLanguage is the key of the Fyne app preference that remembers the
// language chosen in the window.
const PrefLanguage = "language"

// fyneLocales are the locales Fyne's language matcher can pick from the
// OS: the ones Fyne ships translations for and the ones Restore Doctor
// registers. The chosen language's widget texts are registered under each,
// so that whatever the OS says, Fyne's dialogs speak the window's language.
var fyneLocales = []string{
	"cs", "de", "el", "en", "es", "fr", "pl", "pt", "pt_BR", "ru", "sv", "ta", "uk", "zh_Hans",
	"it", "pt-BR", "ja", "ko", "zh-Hans", "zh-Hant",
}

var fyneBundles sync.Once

// pickLanguage chooses the window's language: Options.Language (--lang),
// else RESTOREDOCTOR_LANG, else the language saved in the preferences,
// else the OS's. An unknown flag is logged and skipped; an unknown saved
// value gives English.
func pickLanguage(a fyne.App, flag string, log *slog.Logger) string {
	for _, o := range []struct {
		code string
		from i18n.Source
	}{{flag, i18n.FromFlag}, {i18n.EnvLanguage(), i18n.FromFlag}} {
		if o.code == "" {
			continue
		}
		l, _, err := i18n.Pick(o.code, o.from)
		if err == nil {
			return l.Code
		}
		log.Warn("unknown language asked for; ignored", "lang", o.code)
	}
	if saved := a.Preferences().String(PrefLanguage); saved != "" {
		if l, ok := i18n.Lookup(saved); ok {
			return l.Code
		}
		log.Warn("unknown saved language; using English", "lang", saved)
		return i18n.English().Code
	}
	l, _, _ := i18n.Pick("", i18n.FromOS)
	return l.Code
}

// useLanguage makes code the process's language (internal/i18n) and
// Fyne's: our bundles are registered with Fyne once, and Fyne's widget
// texts (assets/lang/fyne.<code>.json) under every locale Fyne could
// match, since Fyne itself only follows the OS.
func useLanguage(code string, log *slog.Logger) {
	if err := i18n.Use(code); err != nil {
		log.Warn("language not available; using English", "lang", code, "err", err)
		code = i18n.English().Code
		_ = i18n.Use(code)
	}
	fyneBundles.Do(func() {
		if err := lang.AddTranslationsFS(assets.FS, i18n.BundleDir); err != nil {
			log.Warn("translations for Fyne's widgets", "err", err)
		}
	})
	if code == i18n.PseudoCode {
		code = i18n.English().Code
	}
	data, err := fs.ReadFile(assets.FS, i18n.BundleDir+"/fyne."+code+".json")
	if err != nil {
		log.Warn("no translation of Fyne's widgets", "lang", code, "err", err)
		return
	}
	for _, l := range fyneLocales {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			log.Warn("translations for Fyne's widgets", "locale", l, "err", err)
		}
	}
}

// Language is the window's language code ("de", "ja", …).
func (u *UI) Language() string { return u.lang }

// SetLanguage switches the window to the language with this code (the
// language selector): it is saved in the preferences, every pane is drawn
// again from the state in the new language, the computer's status is read
// again and, with a phone connected, a new check starts so that the
// report's sentences (written at check time) are in the new language too.
func (u *UI) SetLanguage(code string) error {
	l, ok := i18n.Lookup(code)
	if !ok {
		return &i18n.UnknownLanguageError{Code: code}
	}
	u.app.Preferences().SetString(PrefLanguage, l.Code)
	if l.Code == u.lang {
		return nil
	}
	u.log.Info("language chosen", "lang", l.Code)
	u.lang = l.Code
	useLanguage(l.Code, u.log)
	u.cat = CatalogView(u.opts.Catalog, runtime.GOOS)
	u.win.SetTitle(Title(u.opts.Demo))
	u.leftRows, u.rightRows, u.mainRows, u.bannerBG = nil, nil, nil, nil
	// The new content is laid out at the window's size and drawn before it
	// is shown: until then its wrapping labels ask for their unwrapped
	// width, and the window grew to that (past a 1024-px screen, the right
	// pane and the selector cut off) and stayed so.
	size := u.win.Canvas().Size()
	content := u.build()
	pad := theme.Padding()
	content.Resize(size.SubtractWidthHeight(2*pad, 2*pad))
	u.render()
	u.win.SetContent(content)
	u.win.Resize(size)
	// The keyboard focus stays on the selector (the old one is gone).
	u.win.Canvas().Focus(u.bar.lang)
	if u.started {
		u.probeHost()
	}
	if u.st.AnyConnected() {
		u.CheckAgain()
	}
	return nil
}
