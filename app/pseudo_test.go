package app

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// This file is the check that every text the window shows goes through the
// translation layer: the window is built in the pseudo-locale, where every
// translated string is wrapped in ⟦…⟧, and any word outside the markers
// that is not data (a model name, a number, a hex ID, a product name) is
// text that a user of another language would read in English.

// dataWords are words that are data, never translated: product, program
// and service names and technical abbreviations.
var dataWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`iPhone iPad iPod iTunes Finder Apple Devices Windows macOS Linux
		DFU USB usbmuxd lockdownd ECID UDID CPID iOS iCloud Mac PC Restore Doctor RestoreDoctor restoredoctor
		Mbit ms MB GB JSON Markdown Lightning C`) {
		dataWords[w] = true
	}
	// The languages' own names (the language selector).
	for _, l := range i18n.Supported() {
		for _, w := range wordsOf(l.Name) {
			dataWords[w] = true
		}
	}
	// Every model name in the model table.
	data, err := assets.FS.ReadFile("models/models.json")
	if err != nil {
		panic(err)
	}
	var models struct {
		Models []struct {
			Name string `json:"name"`
		} `json:"models"`
	}
	if err := json.Unmarshal(data, &models); err != nil {
		panic(err)
	}
	for _, m := range models.Models {
		for _, w := range wordsOf(m.Name) {
			dataWords[w] = true
		}
	}
}

var tokenRE = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func wordsOf(s string) []string { return tokenRE.FindAllString(s, -1) }

var hexRE = regexp.MustCompile(`^[0-9a-fA-F]{6,}$`)

// isData reports whether a word outside the markers is data.
func isData(w string, extra map[string]bool) bool {
	if dataWords[w] || extra[w] || hexRE.MatchString(w) {
		return true
	}
	return strings.IndexFunc(w, unicode.IsDigit) >= 0 // "iPhone14", "0002", "17"
}

var markedRE = regexp.MustCompile(i18n.PseudoOpen + `[^` + i18n.PseudoOpen + i18n.PseudoClose + `]*` + i18n.PseudoClose)

// unmarked is s with every ⟦…⟧ (nested ones too) taken out.
func unmarked(s string) string {
	for {
		t := markedRE.ReplaceAllString(s, " ")
		if t == s {
			return t
		}
		s = t
	}
}

// shownTexts collects every text under o that is on screen: labels,
// buttons, rich texts, check boxes, radio and select options, bare
// canvas texts.
func shownTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.RichText:
			out = append(out, w.String())
		case *widget.Check:
			out = append(out, w.Text)
		case *focusCheck:
			out = append(out, w.Text)
		case *widget.RadioGroup:
			out = append(out, w.Options...)
		case *widget.Select:
			out = append(out, w.Selected, w.PlaceHolder)
			out = append(out, w.Options...)
		case *widget.Hyperlink:
			out = append(out, w.Text)
		case *canvas.Text:
			out = append(out, w.Text)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// fyneTexts are Fyne's own widget texts in English (assets/lang/fyne.en.json):
// Fyne translates them itself, so a dialog's "OK" is not marked.
func fyneTexts(t *testing.T) map[string]bool {
	msgs, err := i18n.ReadFile(assets.FS, "fyne.en.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range msgs {
		out[m.Forms["other"]] = true
	}
	return out
}

// untranslated returns the texts of the window and its dialogs with words
// that are neither marked nor data, each as `text  ← words`.
func untranslated(t *testing.T, u *UI, extra map[string]bool) []string {
	texts := append(shownTexts(u.Window().Content()), u.Window().Title())
	fyneOwn := fyneTexts(t)
	for _, o := range u.Window().Canvas().Overlays().List() {
		for _, s := range shownTexts(o) {
			if !fyneOwn[s] {
				texts = append(texts, s)
			}
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range texts {
		var bad []string
		for _, w := range wordsOf(unmarked(s)) {
			if !isData(w, extra) {
				bad = append(bad, w)
			}
		}
		if len(bad) > 0 && !seen[s] {
			seen[s] = true
			out = append(out, fmt.Sprintf("%q  ← %s", s, strings.Join(bad, " ")))
		}
	}
	sort.Strings(out)
	return out
}

// TestUnmarkedCanFail: the checker finds English outside the markers and
// accepts data and marked text.
func TestUnmarkedCanFail(t *testing.T) {
	for _, tt := range []struct {
		in  string
		bad bool
	}{
		{"⟦Check again⟧", false},
		{"⟦Why: ⟦the iPhone dropped off⟧⟧", false},
		{"iPhone 13 Pro Max ·0002 (⟦Normal⟧)", false},
		{"00008110-001A2B3C4D5E0001 a1b2c3d4e5f6", false},
		{"Deutsch", false},
		{"✓ ⟦now in recovery mode⟧", false},
		{"Check again", true},
		{"⟦Why:⟧ the iPhone dropped off", true},
		{"iPhone 13 Pro Max (Normal)", true},
	} {
		var bad []string
		for _, w := range wordsOf(unmarked(tt.in)) {
			if !isData(w, nil) {
				bad = append(bad, w)
			}
		}
		if (len(bad) > 0) != tt.bad {
			t.Errorf("%q: unmarked words %q, want some = %v", tt.in, bad, tt.bad)
		}
	}
}

// pseudoScenario is one state of the window, built in the pseudo-locale.
type pseudoScenario struct {
	name string
	open func(t *testing.T) *harness
}

func pseudoCheck(report string, demo string, phones ...viewmodel.Device) func(t *testing.T) *harness {
	return func(t *testing.T) *harness {
		var b *fakeBackend
		if report == "" {
			b = newFake(t)
		} else {
			b = newFake(t, report)
		}
		h := newHarness(t, b, Options{Demo: demo, Language: i18n.PseudoCode})
		for _, d := range phones {
			h.attach(d)
		}
		if len(phones) > 0 {
			h.waitVerdict()
		}
		return h
	}
}

func pseudoScenarios() []pseudoScenario {
	restoring := phoneA
	restoring.Mode = mode.Restore
	sc := []pseudoScenario{
		{"no phone", pseudoCheck("", "")},
		{"flapping", pseudoCheck("report-flapping.json", "flapping", phoneA)},
		{"healthy", pseudoCheck("report-healthy.json", "healthy", phoneA)},
		{"recovery", func(t *testing.T) *harness {
			h := pseudoCheck("report-recovery.json", "recovery", phoneARecovery)(t)
			test.Tap(h.u.steps.widgets[5].ack) // the instructions behind "I have a backup"
			return h
		}},
		{"restore", pseudoCheck("report-restore.json", "restore", restoring)},
		{"multi", pseudoCheck("report-multi.json", "multi", multiPhones...)},
		{"untrusted", pseudoCheck("report-untrusted.json", "untrusted", phoneA)},
		{"hung", pseudoCheck("report-hung.json", "hung", phoneA)},
		{"garbage", pseudoCheck("report-garbage.json", "garbage", phoneA)},
		{"no report", pseudoCheck("report-none.json", "", phoneA)},
		{"export before a check", func(t *testing.T) *harness {
			h := pseudoCheck("", "")(t)
			h.u.Export(FormatMarkdown) // an error dialog
			var shown []string
			for _, o := range h.u.Window().Canvas().Overlays().List() {
				shown = append(shown, shownTexts(o)...)
			}
			if !strings.Contains(strings.Join(shown, "\n"), i18n.PseudoOpen+"There is no report yet") {
				t.Fatalf("the dialog's texts %q lack the marked message", shown)
			}
			return h
		}},
	}
	for _, name := range restore.DemoNames() {
		sc = append(sc, pseudoScenario{"recording " + name, func(t *testing.T) *harness {
			return recordDemoIn(t, name, i18n.PseudoCode)
		}})
	}
	return sc
}

// TestEveryWindowTextIsTranslated builds the window in each demo scenario
// in the pseudo-locale and fails on every text with a word outside ⟦…⟧
// that is not data, listing them per scenario.
func TestEveryWindowTextIsTranslated(t *testing.T) {
	inEnglish(t)
	extra := map[string]bool{}
	for _, d := range append(append([]viewmodel.Device{phoneA, phoneB}, multiPhones...), phoneARecovery) {
		for _, s := range []string{d.Name, d.OwnName, d.ProductType, d.Key} {
			for _, w := range wordsOf(s) {
				extra[w] = true
			}
		}
	}
	for _, sc := range pseudoScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			h := sc.open(t)
			if !i18n.IsPseudo() {
				t.Fatal("the window did not switch to the pseudo-locale")
			}
			extra[h.u.opts.Demo] = true // the scenario's name is data
			if bad := untranslated(t, h.u, extra); len(bad) > 0 {
				t.Errorf("%d texts with words not through internal/i18n (scenario %s):\n%s", len(bad), sc.name, strings.Join(bad, "\n"))
			}
		})
	}
}
