package app

import (
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// inEnglish puts the process (internal/i18n and Fyne's widgets) back into
// English when the test ends: the language is one per process.
func inEnglish(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { useLanguage("en", slog.Default()) })
}

func TestPickLanguage(t *testing.T) {
	tests := []struct {
		name, flag, env, saved string
		os                     string // LANG
		want                   string
	}{
		{name: "flag wins", flag: "ja", env: "de", saved: "fr", os: "es_ES.UTF-8", want: "ja"},
		{name: "flag as a locale", flag: "de_AT", saved: "fr", want: "de"},
		{name: "environment over preference", env: "ko", saved: "fr", os: "es_ES.UTF-8", want: "ko"},
		{name: "unknown flag: the next source", flag: "xx", saved: "fr", os: "es_ES.UTF-8", want: "fr"},
		{name: "preference over the OS", saved: "zh-Hant", os: "es_ES.UTF-8", want: "zh-Hant"},
		{name: "the OS", os: "pt_BR.UTF-8", want: "pt-BR"},
		{name: "unknown saved value: English", saved: "klingon", os: "es_ES.UTF-8", want: "en"},
		{name: "OS language we do not speak: English", os: "sv_SE.UTF-8", want: "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			t.Setenv(i18n.EnvOverride, tt.env)
			t.Setenv("LANGUAGE", "")
			t.Setenv("LC_ALL", "")
			t.Setenv("LC_MESSAGES", "")
			t.Setenv("LANG", tt.os)
			if tt.saved != "" {
				a.Preferences().SetString(PrefLanguage, tt.saved)
			}
			if got := pickLanguage(a, tt.flag, slog.Default()); got != tt.want {
				t.Errorf("pickLanguage = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLanguageSwitch: choosing Deutsch in the bar's selector saves the
// choice, redraws the window in German (our texts and Fyne's), keeps the
// state (the phone, the verdict's step) and checks again so the report's
// sentences are German too. Back to English likewise.
func TestLanguageSwitch(t *testing.T) {
	inEnglish(t)
	h := newHarness(t, newFake(t, "report-flapping.json", "report-flapping.json", "report-flapping.json"), Options{Demo: "flapping", Language: "en"})
	h.attach(phoneA)
	h.waitVerdict()
	if h.u.Language() != "en" || !strings.Contains(h.u.Window().Title(), "Demo: flapping") {
		t.Fatalf("language %q, title %q", h.u.Language(), h.u.Window().Title())
	}
	step := h.u.headline.Step
	oldBar := h.u.bar

	sel := h.u.bar.lang
	idx := -1
	for i, o := range sel.Options {
		if o == "Deutsch" {
			idx = i
		}
	}
	if idx < 0 || sel.Selected != "English" || len(sel.Options) != len(i18n.Supported()) {
		t.Fatalf("selector options %q, selected %q", sel.Options, sel.Selected)
	}
	sel.SetSelectedIndex(idx) // what choosing it in the pop-up does
	h.waitVerdict()

	if got := fyne.CurrentApp().Preferences().String(PrefLanguage); got != "de" {
		t.Errorf("saved preference %q, want de", got)
	}
	if i18n.Current().Code != "de" || h.u.Language() != "de" {
		t.Errorf("language now %q / %q, want de", i18n.Current().Code, h.u.Language())
	}
	if h.u.bar == oldBar || h.u.bar.lang.Selected != "Deutsch" {
		t.Errorf("the bar was not redrawn in German (selected %q)", h.u.bar.lang.Selected)
	}
	if f := h.u.Window().Canvas().Focused(); f != h.u.bar.lang {
		t.Errorf("focus on %T after the switch, want the language selector", f)
	}
	if got, want := h.u.Window().Title(), "Restore Doctor — Vorführung: flapping"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if got := lang.L("Cancel"); got != "Abbrechen" {
		t.Errorf("Fyne's Cancel = %q, want Abbrechen (Fyne's dialogs follow the choice)", got)
	}
	if got := h.b.checkCount(); got != 2 {
		t.Errorf("checks = %d, want 2: switching the language checks again", got)
	}
	if h.u.headline.Step != step || h.u.st.Selected != phoneA.Key {
		t.Errorf("after the switch: step %d (was %d), selected %q", h.u.headline.Step, step, h.u.st.Selected)
	}

	// And back, through the new bar's selector.
	h.u.bar.lang.SetSelectedIndex(0)
	h.waitVerdict()
	if got := fyne.CurrentApp().Preferences().String(PrefLanguage); got != "en" {
		t.Errorf("saved preference %q, want en", got)
	}
	if got := h.u.Window().Title(); got != Title("flapping") || !strings.Contains(got, "Demo: flapping") {
		t.Errorf("title %q after switching back", got)
	}
	if got := lang.L("Cancel"); got != "Cancel" {
		t.Errorf("Fyne's Cancel = %q after switching back", got)
	}
	if err := h.u.SetLanguage("xx"); err == nil {
		t.Error("SetLanguage(xx) = nil, want an error")
	}
}

// TestSavedLanguageOpensTheWindow: a window opened after a choice was
// saved speaks that language from the start.
func TestSavedLanguageOpensTheWindow(t *testing.T) {
	inEnglish(t)
	t.Setenv(i18n.EnvOverride, "")
	a := test.NewTempApp(t)
	a.Preferences().SetString(PrefLanguage, "ja")
	u := New(a, newFake(t), Options{Demo: "flapping", Do: func(fn func()) { fn() }})
	t.Cleanup(u.quit)
	if u.Language() != "ja" || u.bar.lang.Selected != "日本語" {
		t.Fatalf("language %q, selector %q", u.Language(), u.bar.lang.Selected)
	}
	if got, want := u.Window().Title(), "Restore Doctor — デモ: flapping"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if got := lang.L("Cancel"); got != "キャンセル" {
		t.Errorf("Fyne's Cancel = %q, want キャンセル", got)
	}
}

// TestAppTextsTranslated: the window's own sentences in German and
// Japanese, with their data still in them.
func TestAppTextsTranslated(t *testing.T) {
	inEnglish(t)
	tests := []struct {
		code string
		got  func() string
		want string
	}{
		{"de", func() string { return Title("flapping") }, "Restore Doctor — Vorführung: flapping"},
		{"ja", func() string { return Title("recovery") }, "Restore Doctor — デモ: recovery"},
		{"de", func() string {
			return changeLine(viewmodel.Change{Text: "USB-Geschwindigkeit 12 → 480", Direction: viewmodel.Better})
		}, "▲ besser: USB-Geschwindigkeit 12 → 480"},
		{"ja", func() string { return changeLine(viewmodel.Change{Text: "USB 480", Direction: viewmodel.Worse}) }, "▼ 悪化：USB 480"},
		{"de", func() string { return ErrNoRecorder.Error() }, "Dieses Fenster kann keine Wiederherstellung aufzeichnen (kein Rekorder)."},
		{"zh-Hans", func() string { return i18n.T("app.professional.why", i18n.Args{"Reason": "USB 3"}) }, "原因：USB 3"},
	}
	for _, tt := range tests {
		useLanguage(tt.code, slog.Default())
		if got := tt.got(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.code, got, tt.want)
		}
	}
}
