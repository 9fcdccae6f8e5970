package restore

import (
	"regexp"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestStallVerdictsTranslated: the stall verdicts ("where it stalled") and
// the live line in German and Japanese, with the recording's data (stage,
// durations, steps) still in them. Not parallel: it switches the process's
// language.
func TestStallVerdictsTranslated(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	stuckEnd := run().on(100, "recovery").stop(400_000)                                     // still waiting in recovery
	stuckLeft := run().on(100, "recovery").off(400_000).on(405_000, "normal").stop(420_000) // left it, no restore
	lost := toBoot().evs2(340_000, 640_000)                                                 // lost from the boot stage
	tests := []struct {
		lang  string
		s     *script
		id    VerdictID
		stage Kind
		want  []string
	}{
		{"de", stuckEnd, StuckWaiting, Recovery, []string{
			"Das iPhone wartete 6 min 40 s im Wiederherstellungsmodus ohne Fortschritt und wartete noch",
			"Versuche die Wiederherstellung an einem anderen Computer (Schritt 6).",
			"(Schritt 3)"}},
		{"de", stuckLeft, StuckWaiting, Recovery, []string{"verließ diese Phase dann ohne Wiederherstellung", "(Schritt 6)"}},
		{"de", lost, Lost, BootStage, []string{"kam nicht innerhalb von 5 min zurück", "Fehler 1002", "(Schritt 1)"}},
		{"ja", stuckEnd, StuckWaiting, Recovery, []string{
			"iPhoneはリカバリモードで6 分 40 秒進行のないまま待機し、記録終了時もまだ待機していました",
			"別のコンピュータで復元を試してください（手順6）。",
			"（手順3）"}},
		{"ja", stuckLeft, StuckWaiting, Recovery, []string{"その後復元されずにその段階を離れました", "（手順6）"}},
		{"ja", lost, Lost, BootStage, []string{"5 分以内に戻りませんでした", "エラー 1002", "（手順1）"}},
	}
	for _, tt := range tests {
		if err := i18n.Use(tt.lang); err != nil {
			t.Fatal(err)
		}
		v := tt.s.timeline(Config{}).Decide(Inputs{Tried: rules.Tried{}})
		if v.ID != tt.id || v.Stage != tt.stage {
			t.Errorf("%s: verdict %s at %s, want %s at %s", tt.lang, v.ID, v.Stage, tt.id, tt.stage)
		}
		for _, w := range tt.want {
			if !strings.Contains(v.Summary, w) {
				t.Errorf("%s %s: summary %q lacks %q", tt.lang, tt.id, v.Summary, w)
			}
		}
		if tt.lang == "ja" && strings.Contains(v.Summary, "。 ") {
			t.Errorf("ja %s: a space between sentences in %q", tt.id, v.Summary)
		}
		if strings.Contains(v.Summary, "recovery mode") || strings.Contains(v.Summary, "step ") {
			t.Errorf("%s %s: English left in %q", tt.lang, tt.id, v.Summary)
		}
	}
	// the live line when the stage's timer fires
	// and the expectation without its label, for the window
	for _, tc := range []struct{ lang, want, expect string }{
		{"en", "recovery mode for 5 min: STALLED, no progress for over 5 min; next: the boot stage (iBEC), shown as recovery mode",
			"the boot stage (iBEC), shown as recovery mode"},
		{"de", "Wiederherstellungsmodus seit 5 min: HÄNGT, seit über 5 min kein Fortschritt; als Nächstes: die Bootphase (iBEC), als Wiederherstellungsmodus angezeigt",
			"die Bootphase (iBEC), als Wiederherstellungsmodus angezeigt"},
		{"ja", "リカバリモード：5 分経過：停止中、5 分以上進行なし；次：ブート段階（iBEC）、リカバリモードとして表示",
			"ブート段階（iBEC）、リカバリモードとして表示"},
	} {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		st := run().on(0, "recovery").timeline(Config{}).Status(300_000)
		if got := st.String(); got != tc.want {
			t.Errorf("%s: live line %q, want %q", tc.lang, got, tc.want)
		}
		if st.Expect != tc.expect {
			t.Errorf("%s: expect %q, want %q", tc.lang, st.Expect, tc.expect)
		}
	}
}

// TestEveryWordTranslated: in the pseudo-locale, every sentence the package
// makes for people (verdicts, evidence, reasons, inferred stages, wrong-mode
// returns, marks, the live line) is inside the translation markers for
// every demo trace; outside them only numbers and punctuation are left.
func TestEveryWordTranslated(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	if err := i18n.Use(i18n.PseudoCode); err != nil {
		t.Fatal(err)
	}
	bare := regexp.MustCompile(`^[\s\d.,:;()/+·-]*$`)
	check := func(demo, what, s string) {
		if s == "" {
			return
		}
		if rest := i18n.Unmarked(s); !bare.MatchString(rest) {
			t.Errorf("%s %s: untranslated %q in %q", demo, what, rest, s)
		}
	}
	for _, name := range DemoNames() {
		tl := loadDemo(t, name)
		for _, tried := range []rules.Tried{{}, {Computer: true}} {
			v := tl.Decide(Inputs{Tried: tried})
			check(name, "summary", v.Summary)
			for _, e := range v.Evidence {
				check(name, "evidence", e)
			}
			for _, r := range v.IncompleteReasons {
				check(name, "reason", r)
			}
		}
		st, _ := tl.Stages()
		for _, s := range st {
			check(name, "inferred", s.Inferred)
			check(name, "wrong", s.WrongWhy)
		}
		marks, _ := tl.Marks()
		for _, m := range marks {
			if m.Kind != MarkGap { // a gap's detail is the recorder's own reason
				check(name, "mark "+string(m.Kind), m.Detail)
			}
		}
		for _, at := range []int64{0, tl.LastMS() / 2, tl.LastMS(), tl.LastMS() + 3_600_000} {
			check(name, "status", tl.Status(at).String())
		}
	}
}
