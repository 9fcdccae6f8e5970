package model

import (
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/device/model/internal/tablegen"
	"github.com/restoredoctor/restoredoctor/internal/gentest"
)

// TestGeneratedTableCurrent fails when table_gen.go is not what the generator
// makes of assets/models/models.json (or the JSON breaks the table's rules):
// the JSON is the source of truth, and the program reads only the Go table.
func TestGeneratedTableCurrent(t *testing.T) {
	data, err := assets.FS.ReadFile("models/models.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := tablegen.Generate(data, tablegen.Allowed(Families(), Unknown))
	if err != nil {
		t.Fatalf("assets/models/models.json: %v", err)
	}
	gentest.Current(t, "table_gen.go", want, "assets/models/models.json", "go generate ./device/model")
}

// TestIndexes checks both generated indexes are strictly sorted (binary
// search needs it) and point at every model and every chip exactly once,
// under the model's own ProductType and chip ids.
func TestIndexes(t *testing.T) {
	if len(byProductType) != len(models) {
		t.Errorf("byProductType has %d rows for %d models", len(byProductType), len(models))
	}
	seen := map[int]bool{}
	for i, r := range byProductType {
		if i > 0 && byProductType[i-1].productType >= r.productType {
			t.Errorf("byProductType[%d] %q is not after %q", i, r.productType, byProductType[i-1].productType)
		}
		if r.model < 0 || r.model >= len(models) || seen[r.model] {
			t.Errorf("byProductType[%d]: model %d out of range or repeated", i, r.model)
			continue
		}
		seen[r.model] = true
		if want := strings.ToLower(models[r.model].productType); r.productType != want {
			t.Errorf("byProductType[%d] = %q, model says %q", i, r.productType, want)
		}
	}

	type ref struct{ model, chip int }
	nChips := 0
	for _, m := range models {
		nChips += len(m.chips)
	}
	if len(byChipID) != nChips {
		t.Errorf("byChipID has %d rows for %d chips", len(byChipID), nChips)
	}
	seenChip := map[ref]bool{}
	for i, r := range byChipID {
		if i > 0 {
			p := byChipID[i-1]
			if p.cpid > r.cpid || (p.cpid == r.cpid && p.bdid >= r.bdid) {
				t.Errorf("byChipID[%d] %#x/%#x is not after %#x/%#x", i, r.cpid, r.bdid, p.cpid, p.bdid)
			}
		}
		k := ref{r.model, r.chip}
		if r.model < 0 || r.model >= len(models) || r.chip < 0 || r.chip >= len(models[r.model].chips) || seenChip[k] {
			t.Errorf("byChipID[%d]: model %d chip %d out of range or repeated", i, r.model, r.chip)
			continue
		}
		seenChip[k] = true
		if c := models[r.model].chips[r.chip]; c.cpid != r.cpid || c.bdid != r.bdid {
			t.Errorf("byChipID[%d] = %#x/%#x, model %q chip %d says %#x/%#x",
				i, r.cpid, r.bdid, models[r.model].productType, r.chip, c.cpid, c.bdid)
		}
	}
}
