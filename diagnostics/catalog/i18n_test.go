package catalog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// use switches the process to code for one test and back to English after.
func use(t *testing.T, code string) {
	t.Helper()
	if err := i18n.Use(code); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = i18n.Use("en") })
}

// TestCatalogueSpeaksTheCurrentLanguage: every accessor gives the text of
// the current language, with the glossary's button names, and the data
// (model names, commands, paths, error numbers) kept. Not parallel: it
// switches the process's language.
func TestCatalogueSpeaksTheCurrentLanguage(t *testing.T) {
	c := MustDefault()
	tests := []struct {
		lang string
		// what must appear in each output
		title1, title5, warning5, fix string
		recovery                      map[string][]string
		detail5                       []string
		backup                        string
	}{
		{
			lang: "de", title1: "USB-Verbindung und Kabel prüfen", title5: "Wiederherstellungsmodus",
			warning5: "LÖSCHT ALLE DATEN", fix: "Diesem Computer vertrauen?",
			recovery: map[string][]string{
				FamilyFaceIDOr8Later:   {"Lauter-Taste", "Leiser-Taste", "Seitentaste", "iPhone SE (2. Generation)"},
				FamilyIPhone7:          {"Leiser-Taste und die Seitentaste", "iPhone 7 Plus"},
				FamilyHomeButton:       {"Home-Taste", "obere Taste"},
				FamilyIPadNoHomeButton: {"oberen Taste", "Lautstärketaste"},
				FamilyUnknown:          {"Lauter-Taste", "Leiser-Taste und die Seitentaste", "Home-Taste und die obere Taste"},
			},
			detail5: []string{"Tasten für den Wiederherstellungsmodus (iPhone 7 und iPhone 7 Plus):", "Finder", "Leiser-Taste"},
			backup:  "iCloud-Backup",
		},
		{
			lang: "ja", title1: "USB接続とケーブルを確認する", title5: "リカバリモード",
			warning5: "すべてのデータが消去されます", fix: "このコンピュータを信頼しますか?",
			recovery: map[string][]string{
				FamilyFaceIDOr8Later:   {"音量を上げるボタン", "音量を下げるボタン", "サイドボタン", "iPhone SE（第2世代）"},
				FamilyIPhone7:          {"音量を下げるボタンとサイドボタン", "iPhone 7 Plus"},
				FamilyHomeButton:       {"ホームボタンとトップボタン"},
				FamilyIPadNoHomeButton: {"トップボタン", "音量ボタン"},
				FamilyUnknown:          {"音量を上げるボタン", "音量を下げるボタンとサイドボタン", "ホームボタンとトップボタン"},
			},
			detail5: []string{"リカバリモードのボタン操作（iPhone 7およびiPhone 7 Plus）：", "Finder", "音量を下げるボタン"},
			backup:  "iCloudバックアップ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			use(t, tt.lang)
			if got := c.Title(1); got != tt.title1 {
				t.Errorf("Title(1) = %q, want %q", got, tt.title1)
			}
			s5 := c.Step(5)
			if !strings.Contains(s5.Title, tt.title5) || !strings.Contains(s5.Warning, tt.warning5) || !s5.WarningMustAcknowledge {
				t.Errorf("step 5: title %q, warning %q", s5.Title, s5.Warning)
			}
			for _, s := range append(c.Steps(), c.Professional()) {
				for _, line := range append([]string{s.Title, s.Summary}, s.InstructionsFor("linux")...) {
					if english(line) {
						t.Errorf("step %d: %q is still English", s.Number, line)
					}
				}
			}
			// The Linux command stays as written: it is a literal.
			if d := c.Step(5).DetailsFor("linux"); len(d) != 1 || d[0] != "idevicerestore --erase --latest" {
				t.Errorf("step 5 Linux details = %q", d)
			}
			if fix, ok := c.FixText("lockdown.untrusted"); !ok || !strings.Contains(fix, tt.fix) {
				t.Errorf("lockdown.untrusted fix = %q", fix)
			}
			for fam, want := range tt.recovery {
				text := strings.Join(append(c.RecoveryButtons(fam).Lines(), c.RecoveryButtons(fam).AppliesTo), "\n")
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("%s: %q missing from %q", fam, w, text)
					}
				}
				if english(text) {
					t.Errorf("%s: English left in %q", fam, text)
				}
			}
			d := strings.Join(c.StepDetail(5, "darwin", FamilyIPhone7).Instructions, "\n")
			for _, w := range tt.detail5 {
				if !strings.Contains(d, w) {
					t.Errorf("StepDetail(5, darwin, iphone-7) lacks %q:\n%s", w, d)
				}
			}
			var ways []string
			for _, w := range c.BackupWays("windows") {
				ways = append(ways, w.App+": "+strings.Join(w.Steps, " "))
			}
			if all := strings.Join(ways, "\n"); !strings.Contains(all, tt.backup) || !strings.Contains(all, "Apple Devices: ") || english(all) {
				t.Errorf("backup ways on Windows:\n%s", all)
			}
			if english(c.BackupNeedsIOS()) {
				t.Errorf("BackupNeedsIOS = %q", c.BackupNeedsIOS())
			}
		})
	}
	// Back in English, the same catalogue is English again.
	if got := c.Title(1); got != "Check USB Connection and Cable" {
		t.Errorf("after the switch back: Title(1) = %q", got)
	}
}

// english reports whether text holds a run of common English words that no
// translation keeps.
func english(text string) bool {
	for _, w := range []string{" the ", " and the ", "Press and ", " until ", " your "} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// TestPseudoLocaleMarksEveryText: in the pseudo-locale every text the
// catalogue gives is wrapped in the markers, literals included, so the
// window's and the CLI's pseudo-locale runs see none unmarked.
func TestPseudoLocaleMarksEveryText(t *testing.T) {
	use(t, i18n.PseudoCode)
	c := MustDefault()
	marked := func(where, s string) {
		if !strings.HasPrefix(s, i18n.PseudoOpen) || !strings.HasSuffix(s, i18n.PseudoClose) {
			t.Errorf("%s: %q is not marked", where, s)
		}
	}
	for _, s := range append(c.Steps(), c.Professional()) {
		marked("title", s.Title)
		marked("summary", s.Summary)
		for _, o := range []string{OSWindows, OSMacOS, OSLinux} {
			for _, l := range append(s.InstructionsFor(o), s.DetailsFor(o)...) {
				marked("step", l)
			}
		}
		for _, l := range s.InstructionsInRecovery {
			marked("in recovery", l)
		}
	}
	for _, fam := range Families {
		for _, l := range c.RecoveryButtons(fam).Lines() {
			marked(fam, l)
		}
	}
	for _, l := range c.StepDetail(5, "linux", FamilyUnknown).Instructions {
		marked("detail", strings.TrimSpace(l))
	}
	for _, w := range c.BackupWays("linux") {
		for _, l := range w.Steps {
			marked("backup", l)
		}
	}
}

// TestParsedTextNotInTheBundle: a document given to Parse whose text
// differs from the bundle's English shows its own text in every language,
// never another sentence's translation.
func TestParsedTextNotInTheBundle(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("..", "..", "assets", "steps", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(orig, &m); err != nil {
		t.Fatal(err)
	}
	m["steps"].([]any)[0].(map[string]any)["title"] = "A title of my own"
	data, _ := json.Marshal(m)
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	use(t, "de")
	if got := c.Title(1); got != "A title of my own" {
		t.Errorf("changed title in German = %q", got)
	}
	if got := c.Title(2); got != "iTunes aktualisieren oder andere Software verwenden" {
		t.Errorf("unchanged title in German = %q", got)
	}
}

// BenchmarkStepDetail measures StepDetail, which looks every line up in
// the current language, in English and in German.
func BenchmarkStepDetail(b *testing.B) {
	c := MustDefault()
	for _, lang := range []string{"en", "de"} {
		b.Run(lang, func(b *testing.B) {
			if err := i18n.Use(lang); err != nil {
				b.Fatal(err)
			}
			defer func() { _ = i18n.Use("en") }()
			for b.Loop() {
				_ = c.StepDetail(5, "linux", FamilyUnknown)
			}
		})
	}
}

// TestGlossaryButtonNames: in every language the recovery-mode buttons
// use the glossary's terms (docs/translations/glossary/<code>.md: Apple's
// localized button names and recovery-mode term), so they match what the
// user reads in Apple's article and on the phone.
func TestGlossaryButtonNames(t *testing.T) {
	type terms struct{ recovery, up, down, side, home, top string }
	glossary := map[string]terms{
		"de":      {"Wiederherstellungsmodus", "Lauter-Taste", "Leiser-Taste", "Seitentaste", "Home-Taste", "obere"},
		"es":      {"modo de recuperación", "botón de subir volumen", "botón de bajar volumen", "botón lateral", "botón de inicio", "botón superior"},
		"fr":      {"mode de récupération", "bouton d’augmentation du volume", "bouton de diminution du volume", "bouton latéral", "bouton principal", "bouton supérieur"},
		"it":      {"modalità di recupero", "tasto di aumento del volume", "tasto di riduzione del volume", "tasto laterale", "tasto Home", "tasto superiore"},
		"pt-BR":   {"modo de recuperação", "botão de aumentar volume", "botão de diminuir volume", "botão lateral", "botão de Início", "botão superior"},
		"ja":      {"リカバリモード", "音量を上げるボタン", "音量を下げるボタン", "サイドボタン", "ホームボタン", "トップボタン"},
		"ko":      {"복구 모드", "음량 높이기 버튼", "음량 낮추기 버튼", "측면 버튼", "홈 버튼", "상단 버튼"},
		"zh-Hans": {"恢复模式", "调高音量按钮", "调低音量按钮", "侧边按钮", "主屏幕按钮", "顶部按钮"},
		"zh-Hant": {"復原模式", "調高音量按鈕", "調低音量按鈕", "側邊按鈕", "主畫面按鈕", "頂端按鈕"},
	}
	c := MustDefault()
	for _, l := range i18n.Supported()[1:] {
		g, ok := glossary[l.Code]
		if !ok {
			t.Errorf("%s: no glossary terms in this test", l.Code)
			continue
		}
		t.Run(l.Code, func(t *testing.T) {
			use(t, l.Code)
			want := map[string][]string{
				FamilyFaceIDOr8Later:   {g.up, g.down, g.side, g.recovery},
				FamilyIPhone7:          {g.down, g.side, g.recovery},
				FamilyHomeButton:       {g.home, g.top, g.recovery},
				FamilyIPadNoHomeButton: {g.top, g.recovery},
				FamilyUnknown:          {g.up, g.down, g.side, g.home, g.top, g.recovery},
			}
			for fam, words := range want {
				text := strings.Join(c.RecoveryButtons(fam).Lines(), "\n")
				for _, w := range words {
					if !strings.Contains(text, w) {
						t.Errorf("%s: glossary term %q missing from %q", fam, w, text)
					}
				}
			}
			// Step 4's force restart names the same buttons; step 5 the mode.
			if s := strings.Join(c.Step(4).Instructions, " "); !strings.Contains(s, g.up) || !strings.Contains(s, g.side) {
				t.Errorf("step 4 force restart lacks %q or %q: %q", g.up, g.side, s)
			}
			if s := c.Step(5); !strings.Contains(s.Title+strings.Join(s.Instructions, " "), g.recovery) {
				t.Errorf("step 5 lacks %q", g.recovery)
			}
		})
	}
}
