// Package catfile owns the file form of the step catalogue,
// assets/steps/catalog.json: its JSON types and the strict decoder. The
// types are also those of diagnostics/catalog's catalog_gen.go (written by
// catgen), which holds the decoded file as a Go value so that the program
// parses no JSON at run time. The rules a catalogue must follow (six steps,
// every family, …) stay in diagnostics/catalog, which checks both the
// generated value and any document given to its Parse.
//
// It imports nothing of the project: the generator must run when the
// catalog package's generated file is stale.
package catfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// File is the JSON form of the catalogue.
type File struct {
	Version         int                 `json:"version"`
	Steps           []Step              `json:"steps"`
	Professional    Step                `json:"professional"`
	RecoveryButtons map[string]Recovery `json:"recovery_buttons"`
	FixTexts        map[string]string   `json:"fix_texts"`
	// Labels are the catalogue's own sentence frames (the "Technical
	// details:" heading, the recovery-buttons heading, an alternative's
	// line), go-i18n templates with {{.Name}} placeholders.
	Labels map[string]string `json:"labels"`
	// Literal lists texts shown as written in every language (commands
	// such as "idevicerestore --erase --latest"): they get no message ID.
	Literal []string `json:"literal"`
}

// Step is one step (or "see a professional") as the file writes it. Its
// fields are those of catalog.StepInfo, which is converted from it.
type Step struct {
	Number                 int                 `json:"number"`
	Title                  string              `json:"title"`
	Summary                string              `json:"summary"`
	Instructions           []string            `json:"instructions"`
	InstructionsByOS       map[string][]string `json:"instructions_by_os"`
	Warning                string              `json:"warning"`
	WarningMustAcknowledge bool                `json:"warning_must_acknowledge"`
	Finally                []string            `json:"finally"`
	DetailsByOS            map[string][]string `json:"details_by_os"`
	InstructionsInRecovery []string            `json:"instructions_in_recovery"`
}

// Recovery is one family's recovery-mode buttons as the file writes them.
type Recovery struct {
	AppliesTo    string   `json:"applies_to"`
	Steps        []string `json:"steps"`
	Alternatives []string `json:"alternatives"`
}

// ErrDecode is wrapped by every error of Decode.
var ErrDecode = errors.New("catalog: parse")

// Decode decodes one catalogue document: known fields only, nothing after it.
func Decode(data []byte) (File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return File{}, fmt.Errorf("%w: data after the catalogue", ErrDecode)
	}
	return f, nil
}
