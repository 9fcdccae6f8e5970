package model

import (
	"cmp"
	"slices"
	"strings"
)

//go:generate go run gen.go

// The table itself is generated from assets/models/models.json into
// table_gen.go (models, byProductType, byChipID) by gen.go, so no JSON is
// parsed at run time; TestGeneratedTableCurrent fails when the two disagree.

// entry is one model of the table.
type entry struct {
	productType, name string
	family            Family
	chips             []chip // the first one is the primary chip
}

// chip is one chip variant of a model.
type chip struct {
	hardwareModel string // lower case
	cpid, bdid    uint32
}

// ptIndex is a row of byProductType: a lower-case ProductType and the index
// of its model in models.
type ptIndex struct {
	productType string
	model       int
}

// chipIndex is a row of byChipID: a chip id and where it is in models.
type chipIndex struct {
	cpid, bdid  uint32
	model, chip int
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

// lookupProductType finds pt, ignoring surrounding space and letter case.
func lookupProductType(pt string) (Info, bool) {
	key := strings.ToLower(strings.TrimSpace(pt))
	i, ok := slices.BinarySearchFunc(byProductType[:], key, func(r ptIndex, k string) int {
		return strings.Compare(r.productType, k)
	})
	if !ok {
		return Info{}, false
	}
	return models[byProductType[i].model].info(0), true
}

// lookupChip finds the model with the chip (cpid, bdid).
func lookupChip(cpid, bdid uint32) (Info, bool) {
	i, ok := slices.BinarySearchFunc(byChipID[:], chipIndex{cpid: cpid, bdid: bdid}, func(r, k chipIndex) int {
		if c := cmp.Compare(r.cpid, k.cpid); c != 0 {
			return c
		}
		return cmp.Compare(r.bdid, k.bdid)
	})
	if !ok {
		return Info{}, false
	}
	r := byChipID[i]
	return models[r.model].info(r.chip), true
}
