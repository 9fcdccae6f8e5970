package catalog

import (
	"strings"
	"sync"
	"text/template"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catfile"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// bundled maps every message ID of the embedded catalogue to its English
// text: what assets/lang/steps.en.json holds (TestGeneratedCatalogCurrent).
var bundled = sync.OnceValue(func() map[string]string {
	bk := embeddedBackup()
	msgs, _ := catfile.Messages(embedded(), &bk)
	m := make(map[string]string, len(msgs))
	for _, msg := range msgs {
		m[msg.ID] = msg.English
	}
	return m
})

// tr returns the English text en, which sits at message id, in the current
// language: the bundle's translation when the bundle's English is en, else
// en itself (a literal, or a text the bundle does not know) with args filled.
func tr(id, en string, args ...i18n.Args) string {
	if id != "" && bundled()[id] == en {
		return i18n.T(id, args...)
	}
	if len(args) > 0 && strings.Contains(en, "{{") {
		if t, err := template.New("").Option("missingkey=zero").Parse(en); err == nil {
			var b strings.Builder
			if t.Execute(&b, args[0]) == nil {
				en = b.String()
			}
		}
	}
	if i18n.IsPseudo() {
		return i18n.PseudoOpen + en + i18n.PseudoClose
	}
	return en
}

func trAll(ids, en []string) []string {
	if en == nil {
		return nil
	}
	out := make([]string, len(en))
	for i := range en {
		id := ""
		if i < len(ids) {
			id = ids[i]
		}
		out[i] = tr(id, en[i])
	}
	return out
}

func trByOS(ids, en map[string][]string) map[string][]string {
	if en == nil {
		return nil
	}
	out := make(map[string][]string, len(en))
	for k, v := range en {
		out[k] = trAll(ids[k], v)
	}
	return out
}

// localize returns s (English) in the current language; ids is s with
// every text replaced by its message ID. The result shares nothing with s.
func localize(s, ids StepInfo) StepInfo {
	s.Title = tr(ids.Title, s.Title)
	s.Summary = tr(ids.Summary, s.Summary)
	if s.Warning != "" {
		s.Warning = tr(ids.Warning, s.Warning)
	}
	s.Instructions = trAll(ids.Instructions, s.Instructions)
	s.InstructionsByOS = trByOS(ids.InstructionsByOS, s.InstructionsByOS)
	s.Finally = trAll(ids.Finally, s.Finally)
	s.DetailsByOS = trByOS(ids.DetailsByOS, s.DetailsByOS)
	s.InstructionsInRecovery = trAll(ids.InstructionsInRecovery, s.InstructionsInRecovery)
	return s
}

func localizeRecovery(r, ids RecoveryInstructions) RecoveryInstructions {
	r.AppliesTo = tr(ids.AppliesTo, r.AppliesTo)
	r.Steps = trAll(ids.Steps, r.Steps)
	alts := make([]RecoveryInstructions, len(r.Alternatives))
	for i, a := range r.Alternatives {
		alts[i] = localizeRecovery(a, ids.Alternatives[i])
	}
	if r.Alternatives == nil {
		alts = nil
	}
	r.Alternatives = alts
	return r
}
