package report_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/width"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestRenderInLanguages renders a fixture in German and Japanese: the
// renderers' own words are translated, numbers follow the locale, and the
// data (keys, IDs, model names, addresses, USB IDs) is unchanged. Not
// parallel: it switches the process's language.
func TestRenderInLanguages(t *testing.T) {
	defer i18n.Use("en")
	r := report.Redact(fixtures()["flapping-hub"])
	tests := []struct {
		lang     string
		text, md []string
	}{
		{"de", []string{"ERGEBNIS:", "GERÄTE (usbmuxd OK unter unix:///var/run/usbmuxd)", "Bus 1 Port 1.3, über einen Hub",
			"p95 40,2 ms bei 20 Anfragen", "3 Abbrüche, 3 Wiederverbindungen innerhalb von 10 s", "[Warnung] usb.full_speed:",
			"id-bab98e82", "iPhone 8 (iPhone10,4)", "05ac:12a8", "BEFUNDE", "PRÜFUNGEN", "Normalmodus"},
			[]string{"# Restore-Doctor-Bericht", "## Ergebnis", "| Gerät | Modell | Modus |", "## Befunde", "### `usb.unstable` (kritisch)",
				"- stützt Schritte: 1, 4", "| `lockdown.rtt` | fehlgeschlagen |"}},
		{"ja", []string{"結論：Try step 1", "デバイス（usbmuxd：unix:///var/run/usbmuxd で正常）", "バス 1 ポート 1.3, ハブ経由",
			"切断 3 回、復帰 3 回", "id-bab98e82", "iPhone 8 (iPhone10,4)", "[警告] usb.full_speed:", "通常モード"},
			[]string{"# Restore Doctor レポート", "## 結論", "## 検出結果", "| デバイス | モデル | モード |", "### `usb.unstable` (重大)"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			if err := i18n.Use(tt.lang); err != nil {
				t.Fatal(err)
			}
			defer i18n.Use("en")
			var txt, md bytes.Buffer
			if err := report.Text(&txt, &r); err != nil {
				t.Fatal(err)
			}
			if err := report.Markdown(&md, &r, catalog.MustDefault()); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(txt.String(), "\n") {
				if n := termColumns(line); n > report.TextWidth {
					t.Errorf("%s line takes %d columns, over %d: %q", tt.lang, n, report.TextWidth, line)
				}
			}
			// Wrapping may break a phrase: compare with spaces normalised.
			flat := strings.Join(strings.Fields(txt.String()), " ")
			for _, w := range tt.text {
				if !strings.Contains(flat, w) {
					t.Errorf("text lacks %q:\n%s", w, txt.String())
				}
			}
			for _, w := range tt.md {
				if !strings.Contains(md.String(), w) {
					t.Errorf("Markdown lacks %q:\n%s", w, md.String())
				}
			}
			for _, english := range []string{"VERDICT:", "DEVICES", "FINDINGS", "behind a hub", "3 drops", "## Findings"} {
				if strings.Contains(txt.String()+md.String(), english) {
					t.Errorf("%s output still says %q:\n%s", tt.lang, english, txt.String()+md.String())
				}
			}
		})
	}
}

// TestLanguageField: the JSON carries the report's language, which
// Validate accepts; the English summary prefix of an incomplete report is
// required in English only.
func TestLanguageField(t *testing.T) {
	r := fixtures()["interrupted"]
	if r.Complete || len(r.IncompleteReasons) == 0 {
		t.Fatal("the interrupted fixture should be incomplete")
	}
	for _, tt := range []struct {
		lang, summary string
		valid         bool
	}{
		{"", "Incomplete check: cut short", true},
		{"en", "Incomplete check: cut short", true},
		{"en", "Unvollständige Prüfung: abgebrochen", false},
		{"de", "Unvollständige Prüfung: abgebrochen", true},
		{"ja", "不完全な確認: 中断されました。", true},
		{"ja", "Incomplete check: cut short", false},
	} {
		r.Language, r.Summary = tt.lang, tt.summary
		var buf bytes.Buffer
		if err := r.JSON(&buf); err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(buf.String(), `"language": "`+tt.lang+`"`); has != (tt.lang != "") {
			t.Errorf("language %q: JSON has the field: %v\n%s", tt.lang, has, buf.String())
		}
		if err := report.Validate(buf.Bytes()); (err == nil) != tt.valid {
			t.Errorf("language %q summary %q: Validate %v, want valid %v", tt.lang, tt.summary, err, tt.valid)
		}
	}
	var buf bytes.Buffer
	r.Language = ""
	_ = r.JSON(&buf)
	bad := strings.Replace(buf.String(), `"schema"`, `"language": 7, "schema"`, 1)
	if err := report.Validate([]byte(bad)); err == nil || !strings.Contains(err.Error(), "language") {
		t.Errorf("a numeric language validates: %v", err)
	}
}

// TestTextWrapsWideCharacters: Japanese and Chinese take two columns per
// character and have no spaces; the text report still fits TextWidth and
// loses no character.
func TestTextWrapsWideCharacters(t *testing.T) {
	summary := strings.Repeat("リカバリモードのiPhoneを復元してください。", 8) + " 恢复模式 " + strings.Repeat("한국어", 30)
	r := report.Report{Schema: report.Schema, Summary: summary, Complete: true}
	var out bytes.Buffer
	if err := report.Text(&out, &r); err != nil {
		t.Fatal(err)
	}
	var joined strings.Builder
	for i, line := range strings.Split(out.String(), "\n") {
		if n := termColumns(line); n > report.TextWidth {
			t.Errorf("line %d takes %d columns: %q", i, n, line)
		}
		if i >= 2 && i < 12 {
			joined.WriteString(strings.TrimPrefix(strings.TrimSpace(line), "VERDICT:"))
		}
	}
	if got := strings.ReplaceAll(joined.String(), " ", ""); !strings.Contains(got, strings.ReplaceAll(summary, " ", "")) {
		t.Errorf("the summary lost characters:\n%s", out.String())
	}
}

// termColumns measures s as a terminal shows it, independently of the
// renderer: East Asian wide and full-width characters take two columns.
func termColumns(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
