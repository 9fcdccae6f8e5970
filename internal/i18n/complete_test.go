package i18n

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"

	"github.com/restoredoctor/restoredoctor/assets"
)

// pluralSamples are the counts every plural message is rendered with.
var pluralSamples = []int{0, 1, 2, 3, 4, 5, 7, 11, 12, 21, 22, 25, 100, 101, 1000, 1000000}

// neededForms are the plural forms a language needs for whole numbers,
// from CLDR's rules (golang.org/x/text/feature/plural).
func neededForms(l Language) map[string]bool {
	names := map[plural.Form]string{plural.Other: "other", plural.Zero: "zero", plural.One: "one",
		plural.Two: "two", plural.Few: "few", plural.Many: "many"}
	out := map[string]bool{"other": true}
	for _, n := range pluralSamples {
		out[names[plural.Cardinal.MatchPlural(l.Tag, n, 0, 0, 0, 0)]] = true
		// go-i18n, which renders the messages, follows a newer CLDR:
		// es/fr/it/pt use "many" for a million. Its forms are needed too.
		out[goi18nForm(l, n)] = true
	}
	return out
}

// goi18nForm is the plural form go-i18n picks for n in l: a probe message
// whose every form says its own name.
func goi18nForm(l Language, n int) string {
	b := goi18n.NewBundle(l.Tag)
	probe := &goi18n.Message{ID: "probe", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	if err := b.AddMessages(l.Tag, probe); err != nil {
		return "other"
	}
	form, err := goi18n.NewLocalizer(b, l.Code).Localize(&goi18n.LocalizeConfig{MessageID: "probe", PluralCount: n})
	if err != nil {
		return "other"
	}
	return form
}

// keepWords are words that stay the same in every language: product,
// program and service names, technical abbreviations. A translation equal
// to its English text is accepted only when the English consists of these,
// numbers, placeholders and punctuation.
var keepWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`iPhone iPad iPod iTunes Finder Apple Devices Windows macOS Linux
		DFU USB usbmuxd lockdownd ECID UDID CPID IMEI iOS iBoot iCloud Mac PC OK Wi Fi Lightning USB-C
		Mbit s ms min h MB GB KB Hz JSON Markdown PNG URL TLS DNS IP IPv4 IPv6 ID CPU RAM SSD
		Restore Doctor RestoreDoctor AppleMobileDeviceService exe Service Mobile Device Support Driver
		Gbit SuperSpeed High Full Low Speed Hub Hubs MFi Face Touch Home hosts gs apple com albert
		ipsw Apple's N A x v vs`) {
		keepWords[w] = true
	}
}

// sameOnPurpose lists "<code> <English text>" pairs whose translation is
// really spelled like the English: German "Name", Spanish "No".
var sameOnPurpose = map[string]bool{}

func init() {
	for _, p := range []string{"de Name", "es Error", "es No", "fr Parent", "it File", "it No",
		"fr Version", "de Version", "fr Mode", "de Status", "es Normal", "de Normal", "fr Normal", "it Normal", "pt-BR Normal",
		"de Details", "fr Source", "de Model", "fr Port", "de Port", "it Hub", "de Hub"} {
		sameOnPurpose[p] = true
	}
}

var wordRE = regexp.MustCompile(`\p{L}+`)

// onlyKeepWords reports whether text has no word a translator should
// translate.
func onlyKeepWords(text string) bool {
	text = placeholderRE.ReplaceAllString(text, " ")
	for _, w := range wordRE.FindAllString(text, -1) {
		if !keepWords[w] {
			return false
		}
	}
	return true
}

func TestEveryBundleIsComplete(t *testing.T) {
	areas, err := Areas(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) == 0 {
		t.Fatal("no English bundle under assets/lang")
	}
	for _, area := range areas {
		en, err := ReadFile(assets.FS, area+".en.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range languages[1:] {
			name := area + "." + l.Code + ".json"
			tr, err := ReadFile(assets.FS, name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			for _, p := range translationProblems(name, l, en, tr) {
				t.Error(p)
			}
		}
	}
}

// translationProblems lists what is wrong with the translation tr of the
// English bundle en into l.
func translationProblems(name string, l Language, en, tr map[string]Message) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	needed := neededForms(l)
	for _, id := range sortedIDs(en) {
		e := en[id]
		m, ok := tr[id]
		if !ok {
			add("%s: message %q is missing", name, id)
			continue
		}
		isPlural := len(e.Forms) > 1
		for form, text := range m.Forms {
			if !slices.Contains(pluralKeys, form) {
				add("%s: %q has unknown key %q", name, id, form)
			}
			if isPlural && !needed[form] {
				add("%s: %q has plural form %q, which %s does not use", name, id, form, l.Code)
			}
			if strings.TrimSpace(text) == "" && strings.TrimSpace(e.Forms["other"]) != "" {
				add("%s: %q form %q is empty", name, id, form)
			}
		}
		if _, ok := m.Forms["other"]; !ok {
			add("%s: %q has no \"other\" form", name, id)
		}
		if isPlural {
			for form := range needed {
				if _, ok := m.Forms[form]; !ok {
					add("%s: plural %q lacks form %q, which %s needs", name, id, form, l.Code)
				}
			}
		}
		want := withoutCount(allPlaceholders(e))
		got := withoutCount(allPlaceholders(m))
		if !slices.Equal(want, got) {
			add("%s: %q has placeholders %v, English has %v", name, id, got, want)
		}
		if slices.Contains(Placeholders(e.Forms["other"]), "{{.Count}}") &&
			!slices.Contains(Placeholders(m.Forms["other"]), "{{.Count}}") {
			add("%s: %q: the \"other\" form must show {{.Count}} as English does", name, id)
		}
		if m.Forms["other"] == e.Forms["other"] && !onlyKeepWords(e.Forms["other"]) && !sameOnPurpose[l.Code+" "+e.Forms["other"]] {
			add("%s: %q is still English: %q", name, id, e.Forms["other"])
		}
	}
	for id := range tr {
		if _, ok := en[id]; !ok {
			add("%s: message %q is not in the English bundle (renamed or removed?)", name, id)
		}
	}
	return out
}

func allPlaceholders(m Message) []string {
	var all []string
	for _, text := range m.Forms {
		all = append(all, Placeholders(text)...)
	}
	sort.Strings(all)
	return slices.Compact(all)
}

func withoutCount(p []string) []string {
	return slices.DeleteFunc(slices.Clone(p), func(s string) bool { return s == "{{.Count}}" })
}

func sortedIDs(m map[string]Message) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// TestEveryMessageRendersInEveryLanguage renders every message of every
// bundle through go-i18n, plural ones with many counts, with every
// placeholder filled: a template error or a missing plural form fails.
func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	b, err := LoadBundle(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	areas, _ := Areas(assets.FS)
	for _, area := range areas {
		en, _ := ReadFile(assets.FS, area+".en.json")
		for _, l := range languages {
			loc := goi18n.NewLocalizer(b, l.Code)
			for _, id := range sortedIDs(en) {
				data := map[string]any{}
				for _, p := range allPlaceholders(en[id]) {
					if k := strings.TrimPrefix(strings.Trim(p, "{}"), "."); k != "" && !strings.ContainsAny(k, " |") {
						data[k] = "X"
					}
				}
				counts := []int{-1}
				if len(en[id].Forms) > 1 {
					counts = pluralSamples
				}
				for _, n := range counts {
					cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
					if n >= 0 {
						data["Count"] = n
						cfg.PluralCount = n
					}
					out, err := loc.Localize(cfg)
					if err != nil {
						t.Errorf("%s %s %q (count %d): %v", area, l.Code, id, n, err)
						break
					}
					if strings.Contains(out, "<no value>") {
						t.Errorf("%s %s %q: %q has an unfilled placeholder", area, l.Code, id, out)
					}
				}
			}
		}
	}
}

// TestBundleFileNames: every file under assets/lang is <area>.<code>.json
// for a supported language, so Fyne and go-i18n read its language from
// its name.
func TestBundleFileNames(t *testing.T) {
	entries, err := fs.ReadDir(assets.FS, BundleDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		area, code, ok := SplitName(e.Name())
		if !ok || e.IsDir() {
			t.Errorf("assets/lang/%s: want <area>.<language>.json", e.Name())
			continue
		}
		if _, ok := Lookup(code); !ok {
			t.Errorf("assets/lang/%s: %q is not a supported language (%s)", e.Name(), code, Codes())
		}
		if _, err := fs.Stat(assets.FS, BundleDir+"/"+area+".en.json"); err != nil {
			t.Errorf("assets/lang/%s has no English source %s.en.json", e.Name(), area)
		}
	}
}

// TestTranslationProblemsCanFail feeds the checker bad translations.
func TestTranslationProblemsCanFail(t *testing.T) {
	de, _ := Lookup("de")
	ja, _ := Lookup("ja")
	msg := func(forms map[string]string) Message { return Message{Forms: forms} }
	en := map[string]Message{
		"a":    msg(map[string]string{"other": "The iPhone dropped off {{.N}} times"}),
		"p":    msg(map[string]string{"one": "once", "other": "{{.Count}} times"}),
		"keep": msg(map[string]string{"other": "Finder"}),
	}
	tests := []struct {
		name string
		l    Language
		tr   map[string]Message
		want string
	}{
		{"missing", de, map[string]Message{"p": en["p"], "keep": en["keep"]}, `"a" is missing`},
		{"placeholder", de, map[string]Message{"a": msg(map[string]string{"other": "{{.M}} mal"}), "p": msg(map[string]string{"one": "einmal", "other": "{{.Count}} mal"}), "keep": en["keep"]}, "placeholders"},
		{"english", de, map[string]Message{"a": en["a"], "p": msg(map[string]string{"one": "einmal", "other": "{{.Count}} mal"}), "keep": en["keep"]}, "still English"},
		{"plural form ja", ja, map[string]Message{"a": msg(map[string]string{"other": "{{.N}} 回"}), "p": msg(map[string]string{"one": "1 回", "other": "{{.Count}} 回"}), "keep": en["keep"]}, `form "one"`},
		{"lacks one", de, map[string]Message{"a": msg(map[string]string{"other": "{{.N}} mal"}), "p": msg(map[string]string{"other": "{{.Count}} mal"}), "keep": en["keep"]}, `lacks form "one"`},
		{"extra", de, map[string]Message{"a": msg(map[string]string{"other": "{{.N}} mal"}), "p": msg(map[string]string{"one": "einmal", "other": "{{.Count}} mal"}), "keep": en["keep"], "z": en["keep"]}, "not in the English"},
	}
	for _, tt := range tests {
		got := strings.Join(translationProblems("x", tt.l, en, tt.tr), "\n")
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: problems %q, want one with %q", tt.name, got, tt.want)
		}
	}
	good := map[string]Message{"a": msg(map[string]string{"other": "Das iPhone fiel {{.N}} Mal aus"}), "p": msg(map[string]string{"one": "einmal", "other": "{{.Count}} Mal"}), "keep": en["keep"]}
	if p := translationProblems("x", de, en, good); len(p) > 0 {
		t.Errorf("a good translation has problems: %v", p)
	}
}
