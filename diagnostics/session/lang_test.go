package session

import (
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestProgressLineInLanguages: the progress line's own words in German and
// Japanese, and a Japanese line cut at 78 terminal columns, not 78
// characters. Not parallel: it switches the process's language.
func TestProgressLineInLanguages(t *testing.T) {
	defer i18n.Use("en")
	soFar := &report.Report{Summary: "S.", IncompleteReasons: []string{"in progress: x"}, InProgress: &report.InProgress{WindowS: 10, ElapsedS: 3.5}}
	tests := []struct {
		lang string
		p    diagnostics.Progress
		want string
	}{
		{"de", diagnostics.Progress{Done: 13, Total: 13}, "[13/13] fertig"},
		{"ja", diagnostics.Progress{Done: 13, Total: 13}, "[13/13] 完了"},
		{"de", diagnostics.Progress{Done: 9, Total: 13, Current: "usb.stability", Report: soFar}, "[9/13] Bisher (noch 7 s): "},
		{"ja", diagnostics.Progress{Done: 0, Total: 1, Current: "x", Label: strings.Repeat("接", 60)}, "[0/1] " + strings.Repeat("接", 35) + "…"},
	}
	for _, tc := range tests {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		if got := ProgressLine(tc.p); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: ProgressLine = %q, want %q", tc.lang, got, tc.want)
		}
	}
}

// TestRenderSaysItsLanguage: an export of a report made without a language
// (a recording's) says the current one, and one made in another language
// keeps its own; the caller's report is not changed.
func TestRenderSaysItsLanguage(t *testing.T) {
	defer i18n.Use("en")
	if err := i18n.Use("ko"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, want string }{{"", "ko"}, {"de", "de"}} {
		r := &report.Report{Schema: report.Schema, Complete: true, Language: tc.lang}
		for _, ids := range []bool{true, false} {
			data, err := Render(r, FormatJSON, ids, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), `"language": "`+tc.want+`"`) {
				t.Errorf("language %q, identifiers %v: export lacks %q:\n%s", tc.lang, ids, tc.want, data)
			}
			if r.Language != tc.lang {
				t.Errorf("Render changed the caller's report's language to %q", r.Language)
			}
		}
	}
}
