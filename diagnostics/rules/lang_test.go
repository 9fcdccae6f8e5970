package rules

import (
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestVerdictInOtherLanguages evaluates the same findings in English,
// German and Japanese: the reasons and the summary come out in that language
// with the evidence's numbers in its format (German decimal comma), no
// English sentence is left, and the ranking (primary step, order,
// professional advice) is the same as in English. Not parallel: it switches
// the process's language.
func TestVerdictInOtherLanguages(t *testing.T) {
	cat := catalog.MustDefault()
	slowUnstable := fnd(unstableID, crit, map[string]any{"detaches": 3, "flaps": 3, "window_s": 2.5})
	cases := []struct {
		name string
		in   Input
		// per language: substrings of the reasons of the primary step and
		// of the summary.
		want map[string][]string
	}{
		{"unstable over 2.5 s", Input{Findings: fs(slowUnstable), Mode: "normal"}, map[string][]string{
			"en": {"the iPhone dropped off USB 3 times in 2.5 s", "Try step 1 first (high confidence)"},
			"de": {"das iPhone hat sich in 2,5 s 3-mal von USB getrennt", "Probiere zuerst Schritt 1 (Sicherheit: hoch)", ", denn das iPhone"},
			"ja": {"2.5 秒間にiPhoneがUSBから 3 回切断されました", "まずステップ 1 を試してください（信頼度: 高）"},
		}},
		{"slow answers", Input{Findings: fs(ldSlow), Mode: "normal"}, map[string][]string{
			"en": {"it often took up to 612 ms, where under 250 ms is normal"},
			"de": {"Es brauchte oft bis zu 612 ms, normal sind unter 250 ms"},
			"ja": {"しばしば最大 612 ms かかりました（通常は 250 ms 未満）"},
		}},
		{"full speed", Input{Findings: fs(fullSpeed), Mode: "normal"}, map[string][]string{
			"en": {"(12 Mbit/s) instead of high speed (480)"},
			"de": {"(12 Mbit/s) statt High Speed (480) ausgehandelt"},
			"ja": {"High Speed（480）ではなく"},
		}},
		{"link fault after cable and computer", Input{Findings: fs(ctrlTO), Mode: "recovery", Tried: Tried{Cable: true, Computer: true}}, map[string][]string{
			"en": {"4 of 10 USB control transfers timed out or failed", "See a professional"},
			"de": {"4 von 10 USB-Steuerübertragungen", "Apple Autorisierten Service-Partner"},
			"ja": {"USBコントロール転送 10 件中 4 件", "Apple正規サービスプロバイダ"},
		}},
		{"escalation after cable and port", Input{Findings: fs(unstable), Mode: "normal", Tried: Tried{Cable: true, Port: true}}, map[string][]string{
			"en": {"the fault persists although you already tried another cable and another USB port"},
			"de": {"obwohl du schon ein anderes Kabel und einen anderen USB-Anschluss ausprobiert hast"},
			"ja": {"別のケーブルと別のUSBポートを試しても問題が続いています"},
		}},
		{"no fault", Input{Mode: "normal"}, map[string][]string{
			"en": {"No fault found: try the restore again"},
			"de": {"Kein Fehler gefunden", "Fehler 1002"},
			"ja": {"問題は見つかりませんでした", "エラー 1002"},
		}},
	}
	defer func() { _ = i18n.Use("en") }()
	for _, tc := range cases {
		var english Verdict
		for _, lang := range []string{"en", "de", "ja"} {
			if err := i18n.Use(lang); err != nil {
				t.Fatal(err)
			}
			v := Evaluate(cat, tc.in)
			if lang == "en" {
				english = v
			}
			text := v.Summary + "\n" + strings.Join(allReasons(v), "\n")
			for _, w := range tc.want[lang] {
				if !strings.Contains(text, w) {
					t.Errorf("%s, %s: no %q in\n%s", tc.name, lang, w, text)
				}
			}
			if lang != "en" {
				for _, english := range []string{"Try step", "because", "dropped off", "No fault found", "even with another cable", "you already tried"} {
					if strings.Contains(text, english) {
						t.Errorf("%s, %s: English %q left in\n%s", tc.name, lang, english, text)
					}
				}
				if lang == "de" && strings.Contains(text, "2.5") {
					t.Errorf("%s, de: a point as decimal separator in\n%s", tc.name, text)
				}
			}
			if got, want := primary(v), primary(english); got != want {
				t.Errorf("%s, %s: primary step %d, English %d", tc.name, lang, got, want)
			}
			if got, want := ranked(v), ranked(english); got != want {
				t.Errorf("%s, %s: order %s, English %s", tc.name, lang, got, want)
			}
			if v.Professional.Recommended != english.Professional.Recommended || len(v.Professional.Reasons) != len(english.Professional.Reasons) {
				t.Errorf("%s, %s: professional %+v, English %+v", tc.name, lang, v.Professional, english.Professional)
			}
		}
	}
}

// TestNoFaultIsLanguageFree: NoFault reads the report's structure, so a
// verdict written in Japanese is still recognised after switching to
// German (the window may switch language between check and display).
func TestNoFaultIsLanguageFree(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	for _, tc := range []struct {
		name string
		in   Input
		want bool
	}{
		{"healthy", Input{Mode: "normal"}, true},
		{"unstable", Input{Findings: fs(unstable), Mode: "normal"}, false},
		{"untrusted (fix text, no step)", Input{Findings: fs(untrusted), Mode: "normal"}, false},
		{"restoring", Input{Mode: "restore"}, false},
	} {
		if err := i18n.Use("ja"); err != nil {
			t.Fatal(err)
		}
		r := reportFor(tc.in)
		Evaluate(nil, tc.in).Apply(r)
		if err := i18n.Use("de"); err != nil {
			t.Fatal(err)
		}
		if got := NoFault(r); got != tc.want {
			t.Errorf("%s: NoFault %v, want %v (summary %q)", tc.name, got, tc.want, r.Summary)
		}
	}
}

const unstableID = report.FindingUSBUnstable

func allReasons(v Verdict) []string {
	var out []string
	for _, s := range v.Steps {
		out = append(out, s.Reasons...)
	}
	return append(out, v.Professional.Reasons...)
}

func primary(v Verdict) int {
	if v.PrimaryStep == nil {
		return 0
	}
	return *v.PrimaryStep
}

func ranked(v Verdict) string {
	var b strings.Builder
	for _, s := range v.Steps {
		if s.Rank != nil {
			b.WriteString(string(rune('0' + s.Number)))
			b.WriteString(string(rune('a' + *s.Rank)))
			b.WriteString(*s.Confidence)
		}
	}
	return b.String()
}

// reportFor is a report with in's findings and one device in in's mode.
func reportFor(in Input) *report.Report {
	return &report.Report{Findings: in.Findings, Devices: []report.Device{{Mode: in.Mode}}}
}

// TestReasonsGoThroughI18n evaluates every finding with evidence, and every
// escalation, in the pseudo-locale: each reason, each professional reason
// and the summary must come out wrapped in its markers, so no sentence of
// the rules bypasses the translation layer.
func TestReasonsGoThroughI18n(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	if err := i18n.Use(i18n.PseudoCode); err != nil {
		t.Fatal(err)
	}
	marked := func(s string) bool {
		return strings.HasPrefix(s, i18n.PseudoOpen) && strings.HasSuffix(s, i18n.PseudoClose)
	}
	all := fs(unstable, fullSpeed, hub, noDevice, ctrlTO, ldTO, ldSlow, recovery, dfu, muxDown, muxHung, muxMiss,
		noLibusb, servers, redirect, security, outdated)
	for _, tried := range []Tried{{}, {Cable: true}, {Port: true}, {Cable: true, Port: true, Computer: true, Restart: true}, {Restart: true}} {
		for _, checked := range []*Tried{nil, {}} {
			v := Evaluate(nil, Input{Findings: all, Mode: "normal", Tried: tried, Checked: checked})
			for _, r := range allReasons(v) {
				if !marked(r) {
					t.Errorf("tried %+v: reason %q does not go through i18n", tried, r)
				}
			}
			if !marked(v.Summary) {
				t.Errorf("tried %+v: summary %q does not start with a translated sentence", tried, v.Summary)
			}
		}
	}
	if v := Evaluate(nil, Input{Mode: "normal"}); !marked(v.Summary) {
		t.Errorf("no-fault summary %q does not go through i18n", v.Summary)
	}
}

func TestJoinSentences(t *testing.T) {
	for _, tc := range []struct {
		parts []string
		want  string
	}{
		{[]string{"Try step 1 first.", "See a professional."}, "Try step 1 first. See a professional."},
		{[]string{"まずステップ 1 を試してください。", "Apple正規サービスプロバイダにご相談ください。"}, "まずステップ 1 を試してください。Apple正規サービスプロバイダにご相談ください。"},
		{[]string{"检查不完整：…。", "", "目前：…"}, "检查不完整：…。目前：…"},
		{[]string{"", "One."}, "One."},
	} {
		if got := JoinSentences(tc.parts...); got != tc.want {
			t.Errorf("JoinSentences(%q) = %q, want %q", tc.parts, got, tc.want)
		}
	}
}

func TestLowerFirstByLanguage(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	for _, tc := range []struct{ lang, in, want string }{
		{"en", "The iPhone answers slowly", "the iPhone answers slowly"},
		{"en", "USB access is not usable", "USB access is not usable"},
		{"de", "Das iPhone antwortet langsam", "das iPhone antwortet langsam"},
		{"de", "Kabel und Anschluss sind nicht prüfbar", "Kabel und Anschluss sind nicht prüfbar"},
		{"fr", "L’iPhone répond lentement", "l’iPhone répond lentement"},
		{"ja", "iPhoneの応答が遅い", "iPhoneの応答が遅い"},
	} {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		if got := lowerFirst(tc.in); got != tc.want {
			t.Errorf("%s: lowerFirst(%q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}
