package diagnostics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestCheckInOtherLanguages runs the engine against the simulator in
// English, German and Japanese: the verdict, the findings' summaries, the
// check labels and details are in that language, the finding IDs and the
// primary step are the same as in English. Not parallel: it switches the
// process's language.
func TestCheckInOtherLanguages(t *testing.T) {
	cases := []struct {
		scenario string
		want     map[string][]string // substrings of summary + findings + labels
	}{
		{"full-speed", map[string][]string{
			"en": {"Try step 1 first", "USB full speed (12 Mbit/s)", "Looking for the iPhone on USB"},
			"de": {"Probiere zuerst Schritt 1", "USB Full Speed (12 Mbit/s)", "iPhone an USB suchen", "denn es hat USB"},
			"ja": {"まずステップ 1 を試してください", "USB Full Speed（12 Mbit/s）", "USB上のiPhoneを検索中"},
		}},
		{"recovery", map[string][]string{
			"en": {"Try step 5 first", "The iPhone is in recovery mode"},
			"de": {"Probiere zuerst Schritt 5", "Das iPhone ist im Wiederherstellungsmodus", "wartet auf eine Wiederherstellung"},
			"ja": {"まずステップ 5 を試してください", "iPhoneはリカバリモードです"},
		}},
		{"untrusted", map[string][]string{
			"en": {"Trust This Computer?"},
			"de": {"Das iPhone vertraut diesem Computer noch nicht", "„Diesem Computer vertrauen?“"},
			"ja": {"iPhoneはまだこのコンピュータを信頼していません", "「このコンピュータを信頼しますか?」"},
		}},
	}
	defer func() { _ = i18n.Use("en") }()
	for _, tc := range cases {
		srv := startSim(t, tc.scenario)
		e := NewEngine(Config{USB: srv.USBSource(), Host: fakeHost, ToolVersion: "test"})
		var english *report.Report
		for _, lang := range []string{"en", "de", "ja"} {
			if err := i18n.Use(lang); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			rep, err := e.Run(ctx, Options{UsbmuxdAddress: srv.Addr(), NoNetwork: true, LockdownRequests: 5}, nil)
			cancel()
			if err != nil {
				t.Fatalf("%s %s: %v", tc.scenario, lang, err)
			}
			if lang == "en" {
				english = rep
			}
			// The summary quotes the step catalogue's titles and fix texts
			// (translated in diagnostics/catalog): only the wants look at it.
			var b strings.Builder
			for _, f := range rep.Findings {
				b.WriteString(f.Summary + "\n")
			}
			for _, c := range rep.Checks {
				b.WriteString(Label(c.ID) + ": " + c.Detail + "\n")
			}
			text := b.String()
			for _, w := range tc.want[lang] {
				if !strings.Contains(rep.Summary+"\n"+text, w) {
					t.Errorf("%s, %s: no %q in\n%s\n%s", tc.scenario, lang, w, rep.Summary, text)
				}
			}
			if lang != "en" {
				if strings.Contains(rep.Summary, "Try step") || strings.Contains(rep.Summary, ", because") {
					t.Errorf("%s, %s: English verdict %q", tc.scenario, lang, rep.Summary)
				}
				for _, en := range []string{"The iPhone", "Looking for", "not configured", "were not contacted", "ended in error"} {
					if strings.Contains(text, en) {
						t.Errorf("%s, %s: English %q left in\n%s", tc.scenario, lang, en, text)
					}
				}
			}
			if got, want := stepOf(rep), stepOf(english); got != want {
				t.Errorf("%s, %s: primary step %d, English %d", tc.scenario, lang, got, want)
			}
			if got, want := ids(rep), ids(english); got != want {
				t.Errorf("%s, %s: findings %s, English %s", tc.scenario, lang, got, want)
			}
		}
		e.Close()
	}
}

func stepOf(r *report.Report) int {
	if r.PrimaryStep == nil {
		return 0
	}
	return *r.PrimaryStep
}

func ids(r *report.Report) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.ID)
	}
	return strings.Join(s, ",")
}

// TestIncompleteReportValidInEveryLanguage cuts a run short in each
// language: the report says it is incomplete in that language and still
// follows the JSON contract (report.Validate), as check --json writes it.
func TestIncompleteReportValidInEveryLanguage(t *testing.T) {
	srv := startSim(t, "healthy")
	e := NewEngine(Config{USB: srv.USBSource(), Host: fakeHost, ToolVersion: "test"})
	defer e.Close()
	defer func() { _ = i18n.Use("en") }()
	for _, l := range i18n.Supported() {
		if err := i18n.Use(l.Code); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeoutCause(context.Background(), 300*time.Millisecond, context.DeadlineExceeded)
		rep, err := e.Run(ctx, Options{UsbmuxdAddress: srv.Addr(), Window: 5 * time.Second, NoNetwork: true}, nil)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if rep.Complete || len(rep.IncompleteReasons) == 0 {
			t.Fatalf("%s: a cut-short run is complete: %+v", l.Code, rep.IncompleteReasons)
		}
		if l.Code != "en" && strings.HasPrefix(rep.Summary, "Incomplete check") {
			t.Errorf("%s: summary still English: %q", l.Code, rep.Summary)
		}
		var buf strings.Builder
		if err := rep.JSON(&buf); err != nil {
			t.Fatal(err)
		}
		if err := report.Validate([]byte(buf.String())); err != nil {
			t.Errorf("%s: %v\nsummary %q", l.Code, err, rep.Summary)
		}
	}
}
