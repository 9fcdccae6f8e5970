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
	st, ok := t[string(f)]
	if !ok {
		st = t[string(model.Unknown)]
	}
	return "Force-restart the iPhone with its buttons:", slices.Clone(st)
}

func recoveryButtons(f model.Family) (hint string, buttons []string) {
	c, err := catalog.Load()
	if err != nil {
		return "", []string{err.Error()}
	}
	return "Put the iPhone into recovery mode with its buttons (connected to this computer):", c.RecoveryButtons(string(f)).Lines()
}
