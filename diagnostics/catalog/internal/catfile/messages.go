package catfile

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Backup is the JSON form of assets/steps/backup.json: how to back up an
// iPhone now, per operating system ("darwin", "windows", "other").
type Backup struct {
	Comment  string                 `json:"_comment"`
	NeedsIOS string                 `json:"needs_ios"`
	Ways     map[string][]BackupWay `json:"ways"`
}

// BackupWay is one way to back up (an app or iCloud) with its steps.
type BackupWay struct {
	App   string   `json:"app"`
	Steps []string `json:"steps"`
}

// DecodeBackup decodes backup.json: known fields only, nothing after it.
func DecodeBackup(data []byte) (Backup, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Backup
	if err := dec.Decode(&b); err != nil {
		return Backup{}, fmt.Errorf("%w: backup: %w", ErrDecode, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Backup{}, fmt.Errorf("%w: backup: data after the document", ErrDecode)
	}
	return b, nil
}

// Prefix starts every message ID of the steps bundle.
const Prefix = "steps."

// Message is one text of the catalogue as the translation bundle
// assets/lang/steps.en.json holds it.
type Message struct {
	// ID is derived from where the text sits: "steps.1.title",
	// "steps.5.by_os.windows.0", "steps.recovery.iphone-7.1",
	// "steps.backup.icloud.0", "steps.label.technical_details".
	ID string
	// English is the text in catalog.json or backup.json.
	English string
	// Description tells the translator where the text is shown.
	Description string
}

// Hash is the fingerprint of an English text that the bundles keep beside
// every steps message ("hash", a go-i18n field): a translation carries the
// hash of the English it was made from, so a test finds translations whose
// English has changed since (or moved: a line inserted shifts the IDs after
// it).
func Hash(english string) string {
	sum := sha1.Sum([]byte(english))
	return "sha1-" + hex.EncodeToString(sum[:8])
}

// visitor is called with every user-visible text of the catalogue: its
// message ID ("" for a literal text), a description for the translator and
// a pointer to the text.
type visitor func(id, desc string, text *string)

// Walk calls visit for every user-visible text of f and b, in a stable
// order. Literal texts (f.Literal) are visited with the ID "".
func walk(f *File, b *Backup, visit visitor) {
	v := func(id, desc string, text *string) {
		if slices.Contains(f.Literal, *text) {
			visit("", desc, text)
			return
		}
		visit(id, desc, text)
	}
	for i := range f.Steps {
		s := &f.Steps[i]
		walkStep(Prefix+strconv.Itoa(s.Number), "step "+strconv.Itoa(s.Number), s, v)
	}
	walkStep(Prefix+"professional", `the "see a professional" entry`, &f.Professional, v)
	for _, fam := range sortedKeys(f.RecoveryButtons) {
		r := f.RecoveryButtons[fam]
		id := Prefix + "recovery." + fam
		v(id+".applies_to", "Which phones the recovery-mode buttons of family "+fam+" apply to (after \"Recovery-mode buttons (\"). Model names as Apple writes them.", &r.AppliesTo)
		r.Steps = slices.Clone(r.Steps)
		for j := range r.Steps {
			v(fmt.Sprintf("%s.%d", id, j), fmt.Sprintf("Recovery-mode button sequence for %s, step %d of %d. Use exactly the button names and the recovery-mode term of Apple's localized support article (see the glossary).", r.AppliesTo, j+1, len(r.Steps)), &r.Steps[j])
		}
		f.RecoveryButtons[fam] = r
	}
	for _, id := range sortedKeys(f.FixTexts) {
		t := f.FixTexts[id]
		v(Prefix+"fix."+id, "What to do about the finding "+id+" (it has no step of its own).", &t)
		f.FixTexts[id] = t
	}
	for _, id := range sortedKeys(f.Labels) {
		t := f.Labels[id]
		v(Prefix+"label."+id, labelDescriptions[id], &t)
		f.Labels[id] = t
	}
	if b == nil {
		return
	}
	v(Prefix+"backup.needs_ios", "Shown before step 5 when the phone is in recovery or DFU mode and has no backup.", &b.NeedsIOS)
	for _, goos := range sortedKeys(b.Ways) {
		for _, w := range b.Ways[goos] {
			for j := range w.Steps {
				v(fmt.Sprintf("%sbackup.%s.%d", Prefix, Slug(w.App), j), fmt.Sprintf("How to back up now with %s, step %d of %d.", w.App, j+1, len(w.Steps)), &w.Steps[j])
			}
		}
	}
}

// labelDescriptions explain the labels to the translator.
var labelDescriptions = map[string]string{
	"technical_details": "Heading of the technical extras (commands, service names) under a step's instructions in the report.",
	"recovery_buttons":  "Heading of the recovery-mode buttons under step 5 in the report; Models says which phones they apply to.",
	"alternative":       "One line per model family when the model is unknown: Models is the family's phones, Steps its button sequence.",
}

func walkStep(id, name string, s *Step, v visitor) {
	title := s.Title
	v(id+".title", "Title of "+name+" (a short heading).", &s.Title)
	v(id+".summary", "Summary of "+name+" ("+title+"): why it helps.", &s.Summary)
	if s.Warning != "" {
		desc := "Warning shown before the instructions of " + name + " (" + title + ")."
		if s.WarningMustAcknowledge {
			desc += " This is the data-loss warning the user must confirm: it must be unmistakable."
		}
		v(id+".warning", desc, &s.Warning)
	}
	list := func(key, what string, lines []string) {
		for j := range lines {
			v(fmt.Sprintf("%s.%s.%d", id, key, j), fmt.Sprintf("%s of %s (%s), %d of %d.", what, name, title, j+1, len(lines)), &lines[j])
		}
	}
	list("instructions", "Instruction", s.Instructions)
	for _, o := range sortedKeys(s.InstructionsByOS) {
		list("by_os."+o, "Instruction for "+o+" only", s.InstructionsByOS[o])
	}
	list("finally", "Last instruction", s.Finally)
	for _, o := range sortedKeys(s.DetailsByOS) {
		list("details."+o, "Technical detail for "+o+" (commands and paths stay as written)", s.DetailsByOS[o])
	}
	list("in_recovery", "Instruction when the phone is already in recovery mode", s.InstructionsInRecovery)
}

// Slug turns an app name into an ID part: "Apple Devices" → "apple_devices".
func Slug(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Messages lists every translatable text of f and b (b may be nil) with
// its message ID, in a stable order. It fails when one ID would carry two
// different English texts (the same app's steps differ between systems).
func Messages(f File, b *Backup) ([]Message, error) {
	f = cloneFile(f)
	if b != nil {
		c := cloneBackup(*b)
		b = &c
	}
	var out []Message
	seen := map[string]string{}
	var err error
	walk(&f, b, func(id, desc string, text *string) {
		if id == "" {
			return
		}
		if prev, ok := seen[id]; ok {
			if prev != *text && err == nil {
				err = fmt.Errorf("%w: message %s has two texts: %q and %q", ErrDecode, id, prev, *text)
			}
			return
		}
		seen[id] = *text
		out = append(out, Message{ID: id, English: *text, Description: desc})
	})
	return out, err
}

// IDs returns a copy of f and b in which every text is replaced by its
// message ID: the same shape, for looking up the translation of a text by
// where it sits. A literal text stays as written (it has no ID).
func IDs(f File, b Backup) (File, Backup) {
	f, b = cloneFile(f), cloneBackup(b)
	walk(&f, &b, func(id, _ string, text *string) {
		if id != "" {
			*text = id
		}
	})
	return f, b
}

func cloneFile(f File) File {
	f.Steps = slices.Clone(f.Steps)
	for i := range f.Steps {
		f.Steps[i] = cloneStep(f.Steps[i])
	}
	f.Professional = cloneStep(f.Professional)
	if f.RecoveryButtons != nil {
		m := make(map[string]Recovery, len(f.RecoveryButtons))
		for k, r := range f.RecoveryButtons {
			r.Steps = slices.Clone(r.Steps)
			r.Alternatives = slices.Clone(r.Alternatives)
			m[k] = r
		}
		f.RecoveryButtons = m
	}
	f.FixTexts = cloneMap(f.FixTexts)
	f.Labels = cloneMap(f.Labels)
	f.Literal = slices.Clone(f.Literal)
	return f
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneStep(s Step) Step {
	s.Instructions = slices.Clone(s.Instructions)
	s.InstructionsByOS = cloneLines(s.InstructionsByOS)
	s.Finally = slices.Clone(s.Finally)
	s.DetailsByOS = cloneLines(s.DetailsByOS)
	s.InstructionsInRecovery = slices.Clone(s.InstructionsInRecovery)
	return s
}

func cloneLines(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

func cloneBackup(b Backup) Backup {
	if b.Ways == nil {
		return b
	}
	m := make(map[string][]BackupWay, len(b.Ways))
	for k, ways := range b.Ways {
		ws := slices.Clone(ways)
		for i := range ws {
			ws[i].Steps = slices.Clone(ws[i].Steps)
		}
		m[k] = ws
	}
	b.Ways = m
	return b
}
