package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/restoredoctor/restoredoctor/assets"
)

// tablePath is the table's path in assets.FS.
const tablePath = "models/models.json"

// tableSchema is the value the table's "schema" field must have.
const tableSchema = "restoredoctor.models/v1"

// ErrInvalidTable is wrapped by every error about a malformed model table.
// The embedded table is checked by the tests; at run time a malformed table
// is logged and every lookup reports an unknown device.
var ErrInvalidTable = errors.New("invalid model table")

// fileTable is the JSON form of assets/models/models.json.
type fileTable struct {
	Schema string      `json:"schema"`
	About  string      `json:"about"`
	Models []fileModel `json:"models"`
}

type fileModel struct {
	ProductType string     `json:"product_type"`
	Name        string     `json:"name"`
	Family      Family     `json:"family"`
	Chips       []fileChip `json:"chips"` // the first one is the primary chip
}

type fileChip struct {
	HardwareModel string `json:"hardware_model"`
	CPID          string `json:"cpid"` // hexadecimal, "0x8110"
	BDID          string `json:"bdid"` // hexadecimal, "0x0E"
}

// chip is one parsed chip variant of a model.
type chip struct {
	hardwareModel string
	cpid, bdid    uint32
}

type chipKey struct{ cpid, bdid uint32 }

// entry is one parsed model.
type entry struct {
	productType, name string
	family            Family
	chips             []chip
}

func (e *entry) info(i int) Info {
	c := e.chips[i]
	return Info{
		ProductType:   e.productType,
		Name:          e.name,
		HardwareModel: c.hardwareModel,
		CPID:          c.cpid,
		BDID:          c.bdid,
		Family:        e.family,
		Known:         true,
	}
}

type chipRef struct{ model, chip int }

// modelTable is the parsed, indexed table. It is never modified after parse.
type modelTable struct {
	models []entry
	byPT   map[string]int // lower-case ProductType → index in models
	byCh   map[chipKey]chipRef
}

func (t *modelTable) byProductType(pt string) (Info, bool) {
	i, ok := t.byPT[strings.ToLower(strings.TrimSpace(pt))]
	if !ok {
		return Info{}, false
	}
	return t.models[i].info(0), true
}

func (t *modelTable) byChip(cpid, bdid uint32) (Info, bool) {
	r, ok := t.byCh[chipKey{cpid, bdid}]
	if !ok {
		return Info{}, false
	}
	return t.models[r.model].info(r.chip), true
}

var (
	loadOnce sync.Once
	loaded   *modelTable
)

// table returns the embedded table, parsed on first use. It never returns
// nil: a missing or malformed table is logged and yields an empty table.
func table() *modelTable {
	loadOnce.Do(func() {
		t, err := loadEmbedded()
		if err != nil {
			slog.Error("model: embedded model table unusable; every device will be reported as unknown",
				"path", tablePath, "err", err)
			t = &modelTable{byPT: map[string]int{}, byCh: map[chipKey]chipRef{}}
		}
		loaded = t
	})
	return loaded
}

func loadEmbedded() (*modelTable, error) {
	data, err := assets.FS.ReadFile(tablePath)
	if err != nil {
		return nil, fmt.Errorf("model: read %s: %w", tablePath, err)
	}
	t, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", tablePath, err)
	}
	return t, nil
}

// parse decodes and validates a model table: known fields only, the right
// schema, at least one model, every model with a ProductType, a name, a
// family other than Unknown and at least one chip with a board config and
// hexadecimal CPID and BDID; no ProductType (ignoring case) and no
// (CPID, BDID) pair twice.
func parse(data []byte) (*modelTable, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fileTable
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrInvalidTable, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the table", ErrInvalidTable)
	}
	if f.Schema != tableSchema {
		return nil, fmt.Errorf("%w: schema %q, want %q", ErrInvalidTable, f.Schema, tableSchema)
	}
	if len(f.Models) == 0 {
		return nil, fmt.Errorf("%w: no models", ErrInvalidTable)
	}
	t := &modelTable{
		models: make([]entry, 0, len(f.Models)),
		byPT:   make(map[string]int, len(f.Models)),
		byCh:   make(map[chipKey]chipRef, len(f.Models)+8),
	}
	for i, m := range f.Models {
		where := fmt.Sprintf("model %d (%q)", i, m.ProductType)
		switch {
		case m.ProductType == "" || strings.TrimSpace(m.ProductType) != m.ProductType:
			return nil, fmt.Errorf("%w: %s: empty or padded product_type", ErrInvalidTable, where)
		case strings.TrimSpace(m.Name) == "":
			return nil, fmt.Errorf("%w: %s: empty name", ErrInvalidTable, where)
		case !m.Family.Valid() || m.Family == Unknown:
			return nil, fmt.Errorf("%w: %s: family %q is not a known recovery-button family", ErrInvalidTable, where, m.Family)
		case len(m.Chips) == 0:
			return nil, fmt.Errorf("%w: %s: no chips", ErrInvalidTable, where)
		}
		key := strings.ToLower(m.ProductType)
		if j, dup := t.byPT[key]; dup {
			return nil, fmt.Errorf("%w: %s: product_type already used by model %d", ErrInvalidTable, where, j)
		}
		e := entry{productType: m.ProductType, name: m.Name, family: m.Family, chips: make([]chip, 0, len(m.Chips))}
		for k, c := range m.Chips {
			cwhere := fmt.Sprintf("%s chip %d", where, k)
			if strings.TrimSpace(c.HardwareModel) == "" {
				return nil, fmt.Errorf("%w: %s: empty hardware_model", ErrInvalidTable, cwhere)
			}
			cpid, err := parseHex(c.CPID)
			if err != nil || cpid == 0 {
				return nil, fmt.Errorf("%w: %s: cpid %q is not a non-zero hexadecimal number", ErrInvalidTable, cwhere, c.CPID)
			}
			bdid, err := parseHex(c.BDID)
			if err != nil || bdid > 0xFF {
				return nil, fmt.Errorf("%w: %s: bdid %q is not a hexadecimal byte", ErrInvalidTable, cwhere, c.BDID)
			}
			ck := chipKey{cpid, bdid}
			if r, dup := t.byCh[ck]; dup {
				other := m.ProductType // a repeat within this model, not yet in t.models
				if r.model < len(t.models) {
					other = t.models[r.model].productType
				}
				return nil, fmt.Errorf("%w: %s: CPID 0x%04X BDID 0x%02X already used by %q",
					ErrInvalidTable, cwhere, cpid, bdid, other)
			}
			t.byCh[ck] = chipRef{model: i, chip: k}
			e.chips = append(e.chips, chip{hardwareModel: strings.ToLower(c.HardwareModel), cpid: cpid, bdid: bdid})
		}
		t.byPT[key] = i
		t.models = append(t.models, e)
	}
	return t, nil
}
