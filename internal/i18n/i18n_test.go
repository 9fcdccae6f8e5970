package i18n

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// with runs f with code as the current language and restores English.
func with(t *testing.T, code string, f func()) {
	t.Helper()
	if err := Use(code); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = Use("en") }()
	f()
}

func TestMatch(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"de_DE.UTF-8"}, "de"},
		{[]string{"de-AT"}, "de"},
		{[]string{"zh-TW"}, "zh-Hant"},
		{[]string{"zh-HK"}, "zh-Hant"},
		{[]string{"zh-CN"}, "zh-Hans"},
		{[]string{"zh"}, "zh-Hans"},
		{[]string{"pt-PT"}, "pt-BR"},
		{[]string{"ja_JP"}, "ja"},
		{[]string{"ko-KR"}, "ko"},
		{[]string{"ru", "fr-CA"}, "fr"},
		{[]string{"en-US"}, "en"},
		{[]string{"C"}, ""},
		{[]string{"sv"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		l, ok := Match(tt.in)
		if got := l.Code; !ok && got != "" || got != tt.want {
			t.Errorf("Match(%v) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestPick(t *testing.T) {
	l, src, err := Pick("ja", FromFlag)
	if err != nil || l.Code != "ja" || src != FromFlag {
		t.Errorf("Pick(ja) = %v %v %v", l.Code, src, err)
	}
	l, _, err = Pick("pt_br", FromFlag)
	if err != nil || l.Code != "pt-BR" {
		t.Errorf("Pick(pt_br) = %v %v", l.Code, err)
	}
	for _, variant := range []struct{ in, want string }{{"de-AT", "de"}, {"zh_TW", "zh-Hant"}, {"pt-PT", "pt-BR"}} {
		if l, _, err := Pick(variant.in, FromFlag); err != nil || l.Code != variant.want {
			t.Errorf("Pick(%s) = %v %v, want %s", variant.in, l.Code, err, variant.want)
		}
	}
	if l, _, err := Pick("tlh", FromFlag); err == nil {
		t.Errorf("Pick(tlh) = %s, want an error: the closest match of a language we do not speak is not it", l.Code)
	}
	_, _, err = Pick("klingon", FromFlag)
	var unknown *UnknownLanguageError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "zh-Hant") {
		t.Errorf("Pick(klingon) error = %v, want one listing the languages", err)
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return // the OS's languages come from its API there, not the environment
	}
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "ko_KR.UTF-8")
	if l, src, _ := Pick("", ""); l.Code != "ko" || src != FromOS {
		t.Errorf("Pick from LC_ALL=ko_KR = %v %v", l.Code, src)
	}
	t.Setenv("LC_ALL", "sv_SE.UTF-8")
	if l, src, _ := Pick("", ""); l.Code != "en" || src != FromFallback {
		t.Errorf("Pick from Swedish = %v %v, want English fallback", l.Code, src)
	}
}

func TestUseUnknownKeepsTheLanguage(t *testing.T) {
	with(t, "de", func() {
		if err := Use("xx"); err == nil {
			t.Error("Use(xx) accepted")
		}
		if Current().Code != "de" {
			t.Errorf("current %q after a failed Use, want de", Current().Code)
		}
	})
}

func TestFormats(t *testing.T) {
	tests := []struct {
		code           string
		num, dur, date string
	}{
		{"en", "1,234.5", "2 min 10 s", "2026-12-06"},
		{"de", "1.234,5", "2 min 10 s", "06.12.2026"},
		{"fr", "1\u00a0234,5", "2 min 10 s", "06/12/2026"},
		{"ja", "1,234.5", "2 分 10 秒", "2026/12/06"},
		{"ko", "1,234.5", "2분 10초", "2026. 12. 06."},
	}
	day := time.Date(2026, 12, 6, 14, 3, 0, 0, time.UTC)
	for _, tt := range tests {
		with(t, tt.code, func() {
			if got := Num(1234.5, 1); got != tt.num && strings.ReplaceAll(got, "\u202f", "\u00a0") != tt.num {
				t.Errorf("%s Num = %q, want %q", tt.code, got, tt.num)
			}
			if got := Duration(130 * time.Second); got != tt.dur {
				t.Errorf("%s Duration = %q, want %q", tt.code, got, tt.dur)
			}
			if got := Date(day); got != tt.date {
				t.Errorf("%s Date = %q, want %q", tt.code, got, tt.date)
			}
			if got := Clock(day); got != "14:03" {
				t.Errorf("%s Clock = %q", tt.code, got)
			}
		})
	}
	with(t, "de", func() {
		if got := Num(3.0, 1); got != "3" {
			t.Errorf("Num(3.0) = %q, want 3", got)
		}
		if got := Duration(2500 * time.Millisecond); got != "2,5 s" {
			t.Errorf("Duration(2.5s) = %q", got)
		}
	})
}

func TestFallbacks(t *testing.T) {
	with(t, "de", func() {
		if got := T("no.such.message_id"); got != "such message id" {
			t.Errorf("missing message = %q, want words, not the key", got)
		}
		if got := T("Cancel"); got != "Abbrechen" {
			t.Errorf("T(Cancel) = %q", got)
		}
	})
	with(t, PseudoCode, func() {
		if got := T("Cancel"); got != PseudoOpen+"Cancel"+PseudoClose {
			t.Errorf("pseudo T(Cancel) = %q", got)
		}
	})
	if got := T("unit.duration.s", Args{"S": "4"}); got != "4 s" {
		t.Errorf("English by default: %q", got)
	}
}

func TestUnmarked(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"⟦Try step 1⟧: ⟦cable⟧", ": "},
		{"⟦outer ⟦inner⟧ text⟧ left", " left"},
		{"⟦two\nlines⟧ after", "\n after"},
		{"plain English", "plain English"},
		{"stray ⟧ close", "stray ⟧ close"}, // a close without an open is shown text
	} {
		if got := Unmarked(tt.in); got != tt.want {
			t.Errorf("Unmarked(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
