// Package tablegen turns the model table, assets/models/models.json, into
// the Go source of device/model's table (table_gen.go), so that the program
// parses no JSON at run time and the JSON file stays the one place a model
// is written down. It owns the file's format and its rules: known fields
// only, the right schema, complete entries, no ProductType and no chip twice.
//
// It is used by device/model's generator (gen.go, run by go generate) and by
// its test that fails when table_gen.go is out of date. It must not import
// device/model: the generator has to run when that package's generated file
// is stale.
package tablegen

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"io"
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/model/internal/hexid"
)

// Schema is the value the table's "schema" field must have.
const Schema = "restoredoctor.models/v1"

// ErrInvalid is wrapped by every error about a malformed model table.
var ErrInvalid = errors.New("invalid model table")

// Table is a parsed, checked model table.
type Table struct {
	Models []Model // in the file's order
}

// Model is one entry of the table.
type Model struct {
	ProductType string // as the file writes it ("iPhone14,3")
	Name        string
	Family      string
	Chips       []Chip // at least one; the first is the primary chip
}

// Chip is one chip variant of a model.
type Chip struct {
	HardwareModel string // lower case ("d64ap")
	CPID, BDID    uint32
}

// file is the JSON form of the table.
type file struct {
	Schema string      `json:"schema"`
	About  string      `json:"about"`
	Models []fileModel `json:"models"`
}

type fileModel struct {
	ProductType string     `json:"product_type"`
	Name        string     `json:"name"`
	Family      string     `json:"family"`
	Chips       []fileChip `json:"chips"`
}

type fileChip struct {
	HardwareModel string `json:"hardware_model"`
	CPID          string `json:"cpid"` // hexadecimal, "0x8110"
	BDID          string `json:"bdid"` // hexadecimal, "0x0E"
}

type chipKey struct{ cpid, bdid uint32 }

// Parse decodes and checks a model table: known fields only, the schema
// Schema, at least one model, every model with a ProductType, a name, a
// family from families and at least one chip with a board config and
// hexadecimal CPID and BDID; no ProductType (ignoring case) and no
// (CPID, BDID) pair twice.
func Parse(data []byte, families []string) (*Table, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the table", ErrInvalid)
	}
	if f.Schema != Schema {
		return nil, fmt.Errorf("%w: schema %q, want %q", ErrInvalid, f.Schema, Schema)
	}
	if len(f.Models) == 0 {
		return nil, fmt.Errorf("%w: no models", ErrInvalid)
	}
	t := &Table{Models: make([]Model, 0, len(f.Models))}
	pts := make(map[string]int, len(f.Models))
	chips := make(map[chipKey]string, len(f.Models)+8)
	for i, m := range f.Models {
		where := fmt.Sprintf("model %d (%q)", i, m.ProductType)
		switch {
		case m.ProductType == "" || strings.TrimSpace(m.ProductType) != m.ProductType:
			return nil, fmt.Errorf("%w: %s: empty or padded product_type", ErrInvalid, where)
		case strings.TrimSpace(m.Name) == "":
			return nil, fmt.Errorf("%w: %s: empty name", ErrInvalid, where)
		case !slices.Contains(families, m.Family):
			return nil, fmt.Errorf("%w: %s: family %q is not a known recovery-button family (%s)",
				ErrInvalid, where, m.Family, strings.Join(families, ", "))
		case len(m.Chips) == 0:
			return nil, fmt.Errorf("%w: %s: no chips", ErrInvalid, where)
		}
		key := strings.ToLower(m.ProductType)
		if j, dup := pts[key]; dup {
			return nil, fmt.Errorf("%w: %s: product_type already used by model %d", ErrInvalid, where, j)
		}
		pts[key] = i
		e := Model{ProductType: m.ProductType, Name: m.Name, Family: m.Family, Chips: make([]Chip, 0, len(m.Chips))}
		for k, c := range m.Chips {
			cwhere := fmt.Sprintf("%s chip %d", where, k)
			if strings.TrimSpace(c.HardwareModel) == "" {
				return nil, fmt.Errorf("%w: %s: empty hardware_model", ErrInvalid, cwhere)
			}
			cpid, err := hexid.Parse(c.CPID)
			if err != nil || cpid == 0 {
				return nil, fmt.Errorf("%w: %s: cpid %q is not a non-zero hexadecimal number", ErrInvalid, cwhere, c.CPID)
			}
			bdid, err := hexid.Parse(c.BDID)
			if err != nil || bdid > 0xFF {
				return nil, fmt.Errorf("%w: %s: bdid %q is not a hexadecimal byte", ErrInvalid, cwhere, c.BDID)
			}
			ck := chipKey{cpid, bdid}
			if other, dup := chips[ck]; dup {
				return nil, fmt.Errorf("%w: %s: CPID 0x%04X BDID 0x%02X already used by %q",
					ErrInvalid, cwhere, cpid, bdid, other)
			}
			chips[ck] = m.ProductType
			e.Chips = append(e.Chips, Chip{HardwareModel: strings.ToLower(c.HardwareModel), CPID: cpid, BDID: bdid})
		}
		t.Models = append(t.Models, e)
	}
	return t, nil
}

// Allowed lists the families a model of the table may have: all of them
// (device/model's Families) except the catch-all for devices not in it.
func Allowed[F ~string](all []F, except F) []string {
	out := make([]string, 0, len(all))
	for _, f := range all {
		if f != except {
			out = append(out, string(f))
		}
	}
	return out
}

// Generate parses the table in data (see Parse) and returns the Go source
// of device/model's table_gen.go for it.
func Generate(data []byte, families []string) ([]byte, error) {
	t, err := Parse(data, families)
	if err != nil {
		return nil, err
	}
	return t.Source()
}

// Source returns the gofmt-ed Go source of device/model's table_gen.go: the
// models in file order and two sorted indexes for binary search, one by
// lower-case ProductType and one by (CPID, BDID). The types it fills
// (entry, chip, ptIndex, chipIndex) are declared in device/model/table.go.
func (t *Table) Source() ([]byte, error) {
	type ptRow struct {
		key   string
		model int
	}
	type chipRow struct {
		cpid, bdid  uint32
		model, chip int
	}
	var pts []ptRow
	var chips []chipRow
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// models is the table, in the order of models.json.\nvar models = [...]entry{\n")
	for i, m := range t.Models {
		fmt.Fprintf(&b, "\t{%q, %q, %q, []chip{", m.ProductType, m.Name, m.Family)
		for k, c := range m.Chips {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{%q, 0x%04X, 0x%02X}", c.HardwareModel, c.CPID, c.BDID)
			chips = append(chips, chipRow{c.CPID, c.BDID, i, k})
		}
		b.WriteString("}},\n")
		pts = append(pts, ptRow{strings.ToLower(m.ProductType), i})
	}
	b.WriteString("}\n\n")

	slices.SortFunc(pts, func(a, b ptRow) int { return strings.Compare(a.key, b.key) })
	b.WriteString("// byProductType indexes models by lower-case ProductType, sorted by it.\nvar byProductType = [...]ptIndex{\n")
	for _, p := range pts {
		fmt.Fprintf(&b, "\t{%q, %d},\n", p.key, p.model)
	}
	b.WriteString("}\n\n")

	slices.SortFunc(chips, func(a, b chipRow) int {
		if a.cpid != b.cpid {
			return cmp.Compare(a.cpid, b.cpid)
		}
		return cmp.Compare(a.bdid, b.bdid)
	})
	b.WriteString("// byChipID indexes every chip of models by (CPID, BDID), sorted by it.\nvar byChipID = [...]chipIndex{\n")
	for _, c := range chips {
		fmt.Fprintf(&b, "\t{0x%04X, 0x%02X, %d, %d},\n", c.cpid, c.bdid, c.model, c.chip)
	}
	b.WriteString("}\n")

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("tablegen: format the generated source: %w", err)
	}
	return src, nil
}

const header = `// Code generated by "go generate ./device/model" from assets/models/models.json; DO NOT EDIT.

package model

`
