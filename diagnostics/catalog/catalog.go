// Package catalog holds the fix-step catalogue (assets/steps/catalog.json):
// the six steps' titles, summaries, instructions per OS and warnings, the
// "see a professional" text, recovery-mode buttons per model family, and the
// fix texts of findings that have no step, and the ways to back up before a
// restore (assets/steps/backup.json). The text is data, not code: go
// generate writes the JSON files into catalog_gen.go as Go values (a test
// fails while they disagree), so the program parses no JSON at run time.
//
// The JSON files are the one English source. go generate also writes every
// text into the translation bundle assets/lang/steps.en.json under an ID
// derived from where it sits ("steps.1.title", "steps.1.instructions.0",
// "steps.5.by_os.windows.0", "steps.recovery.iphone-7.1",
// "steps.backup.icloud.0"); the translations are steps.<language>.json
// beside it. Every accessor returns the text in internal/i18n's current
// language, so the window, the reports and the command line show the
// catalogue in the user's language; a text that differs from the bundle's
// English (a document given to Parse) is shown as written.
//
// It imports only device/model (the recovery-button families), its internal
// catfile (the file's form), internal/i18n and diagnostics/report (for the
// Guide interface it implements); it must not import diagnostics/rules or
// app/.
package catalog

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog/internal/catfile"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Path is where the catalogue lives inside assets.FS.
const Path = "steps/catalog.json"

// BackupPath is where the ways to back up live inside assets.FS.
const BackupPath = "steps/backup.json"

// BundlePath is the English translation bundle go generate writes from the
// catalogue, inside assets.FS.
const BundlePath = "lang/steps.en.json"

//go:generate go run gen.go

// Operating-system keys of StepInfo.InstructionsByOS.
const (
	OSWindows = "windows"
	OSMacOS   = "macos"
	OSLinux   = "linux"
)

// Recovery-button families (the report's devices[].model.recovery_buttons)
// are device/model's: the model table assigns them, the catalogue describes them.
const (
	FamilyFaceIDOr8Later   = string(model.FaceIDOr8Later)
	FamilyIPhone7          = string(model.IPhone7)
	FamilyHomeButton       = string(model.HomeButton)
	FamilyIPadNoHomeButton = string(model.IPadNoHomeButton)
	FamilyUnknown          = string(model.Unknown)
)

// Families lists every recovery-button family the catalogue must describe
// (model.Families, Unknown last).
var Families = func() []string {
	var out []string
	for _, f := range model.Families() {
		out = append(out, string(f))
	}
	return out
}()

// StepInfo is the text of one step (Number 1–6) or of "See a professional" (Number 0).
type StepInfo struct {
	Number       int
	Title        string
	Summary      string
	Instructions []string
	// InstructionsByOS holds extra instructions for "windows", "macos" and
	// "linux", shown after Instructions on that OS.
	InstructionsByOS map[string][]string
	// Warning is shown before the instructions ("" when none).
	Warning string
	// WarningMustAcknowledge: the user must confirm the warning before the
	// instructions are shown (step 5: a restore erases all data).
	WarningMustAcknowledge bool
	// Finally are the last instructions, after the OS-specific ones (step 4:
	// plug in again and retry only once both have restarted).
	Finally []string
	// DetailsByOS holds technical extras (commands, service names) for
	// "windows", "macos" and "linux": kept out of the everyday instructions,
	// shown behind "Details" and in the report.
	DetailsByOS map[string][]string
	// InstructionsInRecovery replace Instructions when the phone is already
	// in recovery or DFU mode (step 5).
	InstructionsInRecovery []string
}

// InstructionsFor returns the generic instructions followed by those for
// hostOS (any spelling NormalizeOS understands; unknown OS: generic only).
func (s StepInfo) InstructionsFor(hostOS string) []string {
	out := slices.Clone(s.Instructions)
	out = append(out, s.InstructionsByOS[NormalizeOS(hostOS)]...)
	return append(out, s.Finally...)
}

// DetailsFor returns the technical extras for hostOS (may be empty).
func (s StepInfo) DetailsFor(hostOS string) []string {
	return slices.Clone(s.DetailsByOS[NormalizeOS(hostOS)])
}

// RecoveryInstructions says how to put a phone of one family into recovery mode.
type RecoveryInstructions struct {
	Family    string
	AppliesTo string
	Steps     []string
	// Alternatives is set for the "unknown" family: every family's
	// instructions, for the user to pick the one matching their phone.
	Alternatives []RecoveryInstructions
}

// Lines renders the instructions as plain lines, alternatives included,
// in the current language.
func (r RecoveryInstructions) Lines() []string {
	var out []string
	out = append(out, r.Steps...)
	for _, a := range r.Alternatives {
		out = append(out, i18n.T(catfile.Prefix+"label.alternative", i18n.Args{"Models": a.AppliesTo, "Steps": strings.Join(a.Steps, " ")}))
	}
	return out
}

// BackupWay is one way to back up an iPhone now (an app or iCloud) with
// its steps.
type BackupWay struct {
	App   string
	Steps []string
}

// Catalog is the loaded step catalogue. It is immutable; every accessor
// returns copies in the current language, so it is safe for concurrent use.
type Catalog struct {
	// The English texts and, in the same shape, their message IDs.
	steps, stepIDs               [6]StepInfo
	professional, professionalID StepInfo
	recovery, recoveryIDs        map[string]RecoveryInstructions
	fixTexts, fixIDs             map[string]string
	labels, labelIDs             map[string]string
	backup, backupIDs            catfile.Backup
}

var (
	loadOnce sync.Once
	loaded   *Catalog
	loadErr  error
)

// Load returns the embedded catalogue, checked once (the same value on
// every call). The catalogue is assets/steps/catalog.json, turned into Go by
// go generate (catalog_gen.go), so no JSON is parsed at run time;
// TestGeneratedCatalogCurrent fails when the two disagree.
func Load() (*Catalog, error) {
	loadOnce.Do(func() {
		loaded, loadErr = build(embedded(), embeddedBackup())
	})
	return loaded, loadErr
}

// MustDefault returns Load's catalogue and panics if the embedded file is
// broken (a build defect, caught by this package's tests). For tests and
// program start-up only.
func MustDefault() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Parse decodes and validates a catalogue document: exactly the steps 1–6,
// each with a title, summary and instructions, a professional entry,
// recovery buttons for every family in Families, no unknown fields and
// nothing after the document.
func Parse(data []byte) (*Catalog, error) {
	f, err := catfile.Decode(data)
	if err != nil {
		return nil, err
	}
	return build(f, embeddedBackup())
}

// Check validates a catalogue document together with a backup.json
// document, as Load will see them once go generate has turned them into Go
// (the generator runs it first, so it never writes what Load would refuse).
func Check(catalogJSON, backupJSON []byte) error {
	f, err := catfile.Decode(catalogJSON)
	if err != nil {
		return err
	}
	bk, err := catfile.DecodeBackup(backupJSON)
	if err != nil {
		return err
	}
	_, err = build(f, bk)
	return err
}

// labelKeys are the labels a catalogue must have.
var labelKeys = []string{"alternative", "recovery_buttons", "technical_details"}

// backupSystems are the keys of backup.json's ways.
var backupSystems = []string{"darwin", "windows", "other"}

// build checks a decoded catalogue (see Parse) and the ways to back up,
// and makes the Catalog.
func build(f catfile.File, bk catfile.Backup) (*Catalog, error) {
	c, err := buildText(f, bk)
	if err != nil {
		return nil, err
	}
	if _, err := catfile.Messages(f, &bk); err != nil {
		return nil, err
	}
	idf, idb := catfile.IDs(f, bk)
	ids, err := buildText(idf, idb)
	if err != nil {
		return nil, fmt.Errorf("catalog: parse: message IDs: %w", err)
	}
	c.stepIDs, c.professionalID, c.recoveryIDs, c.fixIDs, c.labelIDs, c.backupIDs =
		ids.steps, ids.professional, ids.recovery, ids.fixTexts, ids.labels, ids.backup
	return c, nil
}

// buildText makes the Catalog's English half; its rules apply to the IDs
// too, since every text has an ID (literal texts keep one: see IDs).
func buildText(f catfile.File, bk catfile.Backup) (*Catalog, error) {
	if f.Version != 1 {
		return nil, fmt.Errorf("catalog: parse: unsupported version %d (want 1)", f.Version)
	}
	c := &Catalog{recovery: map[string]RecoveryInstructions{}, fixTexts: map[string]string{}, labels: map[string]string{}, backup: bk}
	seen := [7]bool{}
	for _, s := range f.Steps {
		if s.Number < 1 || s.Number > 6 {
			return nil, fmt.Errorf("catalog: parse: step number %d out of range 1..6", s.Number)
		}
		if seen[s.Number] {
			return nil, fmt.Errorf("catalog: parse: step %d listed twice", s.Number)
		}
		seen[s.Number] = true
		info, err := info(s)
		if err != nil {
			return nil, err
		}
		c.steps[s.Number-1] = info
	}
	for n := 1; n <= 6; n++ {
		if !seen[n] {
			return nil, fmt.Errorf("catalog: parse: step %d missing", n)
		}
	}
	pro, err := info(f.Professional)
	if err != nil {
		return nil, fmt.Errorf("catalog: parse: professional: %w", err)
	}
	c.professional = pro

	for fam, r := range f.RecoveryButtons {
		if !slices.Contains(Families, fam) {
			return nil, fmt.Errorf("catalog: parse: unknown recovery-button family %q", fam)
		}
		if r.AppliesTo == "" || len(r.Steps) == 0 || slices.Contains(r.Steps, "") {
			return nil, fmt.Errorf("catalog: parse: recovery buttons %q: applies_to and steps must not be empty", fam)
		}
	}
	for _, fam := range Families {
		r, ok := f.RecoveryButtons[fam]
		if !ok {
			return nil, fmt.Errorf("catalog: parse: recovery buttons for family %q missing", fam)
		}
		ri := RecoveryInstructions{Family: fam, AppliesTo: r.AppliesTo, Steps: r.Steps}
		for _, alt := range r.Alternatives {
			a, ok := f.RecoveryButtons[alt]
			if !ok || alt == fam || len(a.Alternatives) > 0 {
				return nil, fmt.Errorf("catalog: parse: recovery buttons %q: bad alternative %q", fam, alt)
			}
			ri.Alternatives = append(ri.Alternatives, RecoveryInstructions{Family: alt, AppliesTo: a.AppliesTo, Steps: a.Steps})
		}
		c.recovery[fam] = ri
	}
	for id, text := range f.FixTexts {
		if strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("catalog: parse: fix text for %q is empty", id)
		}
		c.fixTexts[id] = text
	}
	for _, k := range labelKeys {
		if strings.TrimSpace(f.Labels[k]) == "" {
			return nil, fmt.Errorf("catalog: parse: label %q missing", k)
		}
	}
	c.labels = f.Labels
	if strings.TrimSpace(bk.NeedsIOS) == "" {
		return nil, fmt.Errorf("catalog: parse: backup: needs_ios is empty")
	}
	for _, sys := range backupSystems {
		if len(bk.Ways[sys]) == 0 {
			return nil, fmt.Errorf("catalog: parse: backup: no ways for %q", sys)
		}
		for _, w := range bk.Ways[sys] {
			if w.App == "" || len(w.Steps) == 0 || slices.Contains(w.Steps, "") {
				return nil, fmt.Errorf("catalog: parse: backup: %s: app and steps must not be empty", sys)
			}
		}
	}
	return c, nil
}

func info(s catfile.Step) (StepInfo, error) {
	if strings.TrimSpace(s.Title) == "" || strings.TrimSpace(s.Summary) == "" || len(s.Instructions) == 0 {
		return StepInfo{}, fmt.Errorf("catalog: parse: step %d: title, summary and instructions must not be empty", s.Number)
	}
	if slices.Contains(s.Instructions, "") {
		return StepInfo{}, fmt.Errorf("catalog: parse: step %d: empty instruction", s.Number)
	}
	if s.WarningMustAcknowledge && s.Warning == "" {
		return StepInfo{}, fmt.Errorf("catalog: parse: step %d: warning_must_acknowledge without a warning", s.Number)
	}
	for _, byOS := range []map[string][]string{s.InstructionsByOS, s.DetailsByOS} {
		for osKey, lines := range byOS {
			if osKey != OSWindows && osKey != OSMacOS && osKey != OSLinux {
				return StepInfo{}, fmt.Errorf("catalog: parse: step %d: unknown OS %q", s.Number, osKey)
			}
			if len(lines) == 0 || slices.Contains(lines, "") {
				return StepInfo{}, fmt.Errorf("catalog: parse: step %d: empty instructions for %s", s.Number, osKey)
			}
		}
	}
	if slices.Contains(s.Finally, "") || slices.Contains(s.InstructionsInRecovery, "") {
		return StepInfo{}, fmt.Errorf("catalog: parse: step %d: empty instruction", s.Number)
	}
	return StepInfo(s), nil
}

// Step returns step n (1–6) in the current language; the zero StepInfo
// for any other n.
func (c *Catalog) Step(n int) StepInfo {
	if n < 1 || n > 6 {
		return StepInfo{}
	}
	return localize(c.steps[n-1], c.stepIDs[n-1])
}

// Steps returns the six steps in order, in the current language.
func (c *Catalog) Steps() []StepInfo {
	out := make([]StepInfo, 0, 6)
	for n := 1; n <= 6; n++ {
		out = append(out, c.Step(n))
	}
	return out
}

// Title returns step n's title in the current language ("" outside 1–6).
func (c *Catalog) Title(n int) string {
	if n < 1 || n > 6 {
		return ""
	}
	return tr(c.stepIDs[n-1].Title, c.steps[n-1].Title)
}

// Professional returns the "See a professional" entry (Number 0) in the
// current language.
func (c *Catalog) Professional() StepInfo { return localize(c.professional, c.professionalID) }

// RecoveryButtons returns the recovery-mode instructions for a family in
// the current language; an unknown or empty family gets the generic
// "unknown" instructions, which list every family.
func (c *Catalog) RecoveryButtons(family string) RecoveryInstructions {
	if _, ok := c.recovery[family]; !ok {
		family = FamilyUnknown
	}
	return localizeRecovery(c.recovery[family], c.recoveryIDs[family])
}

// FixText returns the fix text of a finding that has no step of its own
// (usb.access_denied, lockdown.untrusted) in the current language; ok is
// false for other ids.
func (c *Catalog) FixText(findingID string) (string, bool) {
	t, ok := c.fixTexts[findingID]
	if !ok {
		return "", false
	}
	return tr(c.fixIDs[findingID], t), true
}

// BackupWays returns the ways to back up an iPhone now on goos (a
// runtime.GOOS value; other than "darwin" and "windows" gets the ways for
// other systems), in the current language.
func (c *Catalog) BackupWays(goos string) []BackupWay {
	if goos != "darwin" && goos != "windows" {
		goos = "other"
	}
	ids := c.backupIDs.Ways[goos]
	var out []BackupWay
	for i, w := range c.backup.Ways[goos] {
		out = append(out, BackupWay{App: w.App, Steps: trAll(ids[i].Steps, w.Steps)})
	}
	return out
}

// BackupNeedsIOS says, in the current language, that a backup needs the
// iPhone running iOS (shown for a phone in recovery or DFU mode).
func (c *Catalog) BackupNeedsIOS() string {
	return tr(c.backupIDs.NeedsIOS, c.backup.NeedsIOS)
}

// label returns the catalogue's label k in the current language.
func (c *Catalog) label(k string, args ...i18n.Args) string {
	return tr(c.labelIDs[k], c.labels[k], args...)
}

// StepDetail implements report.Guide: the step's summary, warning and
// instructions for hostOS in the current language; step 5 also gets the
// recovery-mode buttons of recoveryFamily. Number 0 is "See a professional".
func (c *Catalog) StepDetail(number int, hostOS, recoveryFamily string) report.StepDetail {
	var s StepInfo
	switch {
	case number == 0:
		s = c.Professional()
	case number >= 1 && number <= 6:
		s = c.Step(number)
	default:
		return report.StepDetail{}
	}
	d := report.StepDetail{
		Summary:                s.Summary,
		Warning:                s.Warning,
		WarningMustAcknowledge: s.WarningMustAcknowledge,
		Instructions:           s.InstructionsFor(hostOS),
	}
	if det := s.DetailsFor(hostOS); len(det) > 0 {
		d.Instructions = append(d.Instructions, c.label("technical_details"))
		for _, l := range det {
			d.Instructions = append(d.Instructions, "  "+l)
		}
	}
	if number == 5 {
		r := c.RecoveryButtons(recoveryFamily)
		d.Instructions = append(d.Instructions, c.label("recovery_buttons", i18n.Args{"Models": r.AppliesTo}))
		for _, l := range r.Lines() {
			d.Instructions = append(d.Instructions, "  "+l)
		}
	}
	return d
}

// NormalizeOS maps a runtime.GOOS value or a free-form OS description
// ("darwin", "macOS 14", "Windows 11", "linux/amd64") to OSWindows, OSMacOS
// or OSLinux, or "" when it is none of them.
func NormalizeOS(s string) string {
	s = strings.ToLower(s)
	switch {
	case strings.Contains(s, "windows"):
		return OSWindows
	case strings.Contains(s, "darwin"), strings.Contains(s, "mac"), strings.Contains(s, "os x"):
		return OSMacOS
	case strings.Contains(s, "linux"):
		return OSLinux
	}
	return ""
}
