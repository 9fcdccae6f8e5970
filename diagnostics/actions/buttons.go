package actions

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// ForceRestartFile is the data file with every family's force-restart buttons.
const ForceRestartFile = "actions/force_restart.json"

type forceRestartFile struct {
	Version      int                 `json:"version"`
	Source       string              `json:"source"`
	ForceRestart map[string][]string `json:"force_restart"`
}

var (
	frOnce sync.Once
	frData map[string][]string
	frErr  error
)

// ParseForceRestart parses the force-restart file: every family of
// model.Families needs non-empty steps.
func ParseForceRestart(b []byte) (map[string][]string, error) {
	var f forceRestartFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("actions: %s: %w", ForceRestartFile, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("actions: %s: version %d, want 1", ForceRestartFile, f.Version)
	}
	for fam := range f.ForceRestart {
		if !model.Family(fam).Valid() {
			return nil, fmt.Errorf("actions: %s: unknown family %q", ForceRestartFile, fam)
		}
	}
	for _, fam := range model.Families() {
		st := f.ForceRestart[string(fam)]
		if len(st) == 0 || slices.Contains(st, "") {
			return nil, fmt.Errorf("actions: %s: family %q has no steps", ForceRestartFile, fam)
		}
	}
	return f.ForceRestart, nil
}

func forceRestartTable() (map[string][]string, error) {
	frOnce.Do(func() {
		b, err := fs.ReadFile(assets.FS, ForceRestartFile)
		if err != nil {
			frErr = fmt.Errorf("actions: %w", err)
			return
		}
		frData, frErr = ParseForceRestart(b)
	})
	return frData, frErr
}

func forceRestartButtons(f model.Family) (hint string, buttons []string) {
	t, err := forceRestartTable()
	if err != nil {
		return "", []string{err.Error()}
	}
	fam := string(f)
	st, ok := t[fam]
	if !ok {
		fam = string(model.Unknown)
		st = t[fam]
	}
	out := slices.Clone(st)
	for i := range out {
		// The file holds the English; each line's translation is
		// actions.force_restart.<family>.<n>, n from 1.
		if id := fmt.Sprintf("actions.force_restart.%s.%d", fam, i+1); i18n.Has(id) {
			out[i] = i18n.T(id)
		}
	}
	return i18n.T("actions.hint.force_restart"), out
}

func recoveryButtons(f model.Family) (hint string, buttons []string) {
	c, err := catalog.Load()
	if err != nil {
		return "", []string{err.Error()}
	}
	return i18n.T("actions.hint.recovery"), c.RecoveryButtons(string(f)).Lines()
}
