package viewmodel

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// viewModels renders real view models (from the testdata reports) to text,
// in whatever language is current when each is called.
func viewModels(t *testing.T) map[string]func() string {
	flap, healthy, rec := load(t, "report-flapping.json"), load(t, "report-healthy.json"), load(t, "report-recovery.json")
	at := time.Date(2026, 12, 6, 14, 3, 7, 0, time.Local)
	phone := Device{Key: "k1", Name: "iPhone 13 Pro Max", Mode: mode.Recovery, OnUSB: true, SpeedMbps: 480}
	host := Host{Known: true, UsbmuxdStatus: report.UsbmuxdNotResponding, USBStatus: USBDenied}
	return map[string]func() string{
		"heading":    func() string { return BuildDeviceCard(nil, "", host).Heading },
		"mode":       func() string { return BuildDeviceCard([]Device{phone}, "", host).ModeName },
		"trust":      func() string { return BuildDeviceCard([]Device{phone}, "", host).Lines[2].Value },
		"connection": func() string { return BuildDeviceCard([]Device{phone}, "", host).Lines[1].Value },
		"service":    func() string { return BuildDeviceCard([]Device{phone}, "", host).Host[0].Value },
		"choices":    func() string { return ChoiceLabels([]Device{phone, {Key: "k2", Name: "iPhone 8"}})[0] },
		"verdict":    func() string { return BuildVerdict(flap, testCatalog, false, true, nil).Text },
		"error":      func() string { return BuildVerdict(nil, testCatalog, false, true, os.ErrDeadlineExceeded).Text },
		"step 5":     func() string { return BuildVerdict(rec, testCatalog, false, true, nil).Text },
		"changes":    func() string { return BuildChanges(flap, healthy, "", Tried{}, Tried{Cable: true})[0].Text },
		"progress":   func() string { return BuildProgress(4*time.Second, 10*time.Second, 0, 5, "").Text },
		"stability":  func() string { return StabilitySummary(flap, "") },
		"last check": func() string { return LastCheck(at) },
		"badge":      func() string { return BuildSteps(StepsInput{Report: flap, Catalog: testCatalog})[0].Badge },
		"confirm":    func() string { return ConfirmText("recovery_exit", ConfirmName([]Device{phone}, phone)) },
		"ago":        func() string { return ago(3 * 24 * time.Hour) },
		"duration":   func() string { return Duration(130 * time.Second) },
	}
}

// TestViewModelsInThePseudoLocale: in the pseudo-locale every view model
// above comes out marked, so none of its words bypass the translation layer.
func TestViewModelsInThePseudoLocale(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	render := viewModels(t)
	if err := i18n.Use(i18n.PseudoCode); err != nil {
		t.Fatal(err)
	}
	for name, f := range render {
		if got := f(); !strings.HasPrefix(got, i18n.PseudoOpen) || !strings.HasSuffix(got, i18n.PseudoClose) {
			t.Errorf("%s: %q is not (wholly) from the translation layer", name, got)
		}
	}
}

// TestViewModelsInOtherLanguages renders real view models (from the
// testdata reports) in German and Japanese: each is in that language, not
// English, and still carries its data (model names, counts, times, step
// titles from the catalogue). Not parallel: it switches the language.
func TestViewModelsInOtherLanguages(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	render := viewModels(t)
	cases := []struct {
		lang string
		// want holds, per view model, text that must be in it: the
		// language's words and the data.
		want map[string][]string
	}{
		{"de", map[string][]string{
			"heading":    {"Schließe dein iPhone"},
			"mode":       {"Wiederherstellungsmodus"},
			"trust":      {"im Wiederherstellungsmodus nicht nötig"},
			"connection": {"USB 2 High Speed (480 Mbit/s)", "direkt am Computer"},
			"service":    {"läuft, antwortet aber nicht"},
			"choices":    {"1. iPhone 13 Pro Max (Wiederherstellungsmodus)"},
			"verdict":    {"Versuche zuerst Schritt 1: Check USB Connection and Cable."},
			"error":      {"Die Prüfung konnte nicht laufen", "nicht rechtzeitig"},
			"step 5":     {"Schritt 5", "Wiederherstellungsmodus", "iPhone wiederherstellen"},
			"changes":    {"Abbrüche: 3 → 0 nach dem Kabelwechsel"},
			"progress":   {"noch 6 s"},
			"stability":  {"Letzte Prüfung: 3 Abbrüche in 10 s"},
			"last check": {"Letzte Prüfung: 14:03:07"},
			"badge":      {"Zuerst versuchen"},
			"confirm":    {"iPhone 13 Pro Max verlässt den Wiederherstellungsmodus", "Nichts wird gelöscht"},
			"ago":        {"vor 3 Tagen"},
			"duration":   {"2 min 10 s"},
		}},
		{"ja", map[string][]string{
			"heading":    {"USBケーブルでiPhoneを接続"},
			"mode":       {"リカバリモード"},
			"trust":      {"リカバリモードでは不要"},
			"connection": {"USB 2 ハイスピード(480 Mbit/s)", "コンピュータに直接"},
			"service":    {"動作中ですが応答しません"},
			"choices":    {"1. iPhone 13 Pro Max(リカバリモード)"},
			"verdict":    {"まずステップ1を試してください：Check USB Connection and Cable。"},
			"error":      {"チェックを実行できませんでした", "時間内に応答しませんでした"},
			"step 5":     {"ステップ5", "リカバリモード", "iPhoneを復元"},
			"changes":    {"切断：3 → 0(ケーブル交換後)"},
			"progress":   {"残り 6 秒"},
			"stability":  {"10 秒間に 3 回切断"},
			"last check": {"前回のチェック：14:03:07"},
			"badge":      {"まず試す"},
			"confirm":    {"iPhone 13 Pro Maxはリカバリモードを終了", "何も消去されません"},
			"ago":        {"3日前"},
			"duration":   {"2 分 10 秒"},
		}},
	}
	english := map[string]string{}
	for name, f := range render {
		english[name] = f()
	}
	for _, tc := range cases {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		for name, f := range render {
			got := f()
			if got == english[name] && name != "duration" {
				t.Errorf("%s %s: still English: %q", tc.lang, name, got)
			}
			for _, w := range tc.want[name] {
				if !strings.Contains(got, w) {
					t.Errorf("%s %s: %q does not contain %q", tc.lang, name, got, w)
				}
			}
		}
	}
	if err := i18n.Use("en"); err != nil {
		t.Fatal(err)
	}
	if got := render["verdict"](); got != english["verdict"] {
		t.Errorf("back in English: %q, want %q", got, english["verdict"])
	}
}

// TestSplitClause: the first clause of a catalogue or finding text is found
// at the colon as each language writes it.
func TestSplitClause(t *testing.T) {
	for _, tt := range []struct{ in, head, rest string }{
		{"A restore is in progress: leave it connected.", "A restore is in progress", "leave it connected."},
		{"Une restauration est en cours\u00a0: laissez-le connecté.", "Une restauration est en cours\u00a0", "laissez-le connecté."},
		{"正在恢复：请保持连接。", "正在恢复", "请保持连接。"},
		{"复原：Step 1: x", "复原", "Step 1: x"},
		{"No colon here.", "No colon here.", ""},
	} {
		head, rest, _ := splitClause(tt.in)
		if head != tt.head || rest != tt.rest {
			t.Errorf("splitClause(%q) = %q, %q; want %q, %q", tt.in, head, rest, tt.head, tt.rest)
		}
	}
	if got := firstClause("Une restauration est en cours\u00a0: x"); got != "Une restauration est en cours" {
		t.Errorf("firstClause = %q", got)
	}
}

// TestUnknownModelNameTranslated: a phone the report names "Unknown Apple
// device (…)" (English data) is shown in the current language.
func TestUnknownModelNameTranslated(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	if err := i18n.Use("de"); err != nil {
		t.Fatal(err)
	}
	d := DeviceFromReport(Device{Key: "k1"}, report.Device{Model: report.Model{Name: "Unknown Apple device (iPhone99,1)", ProductType: "iPhone99,1"}})
	if got, want := d.DisplayName(), "Unbekanntes Apple-Gerät (iPhone99,1)"; got != want {
		t.Errorf("DisplayName %q, want %q", got, want)
	}
}

// While a restore runs the headline is "A restore is running on this
// iPhone: <the catalogue's fix without its own 'A restore is in
// progress:'>": in every language the fix has that clause to drop (in
// Japanese it ended with "。", so the headline said it twice).
func TestRestoringFixHasItsClause(t *testing.T) {
	defer i18n.Use("en")
	for _, l := range i18n.Supported() {
		i18n.Use(l.Code)
		fix, ok := catalog.MustDefault().FixText(report.FindingDeviceRestoreMode)
		if !ok {
			t.Fatalf("%s: no fix text for %s", l.Code, report.FindingDeviceRestoreMode)
		}
		if _, rest, ok := splitClause(fix); !ok || rest == "" {
			t.Errorf("%s: %q has no leading clause before a colon", l.Code, fix)
		}
	}
}
