// Package model owns the Apple device model table: it maps a ProductType
// (lockdownd's "iPhone14,3") or an iBoot CPID/BDID pair (the recovery/DFU USB
// serial string) to the marketing name, the board config (hardware model) and
// the recovery-button family that tells the user which buttons put this model
// into recovery mode.
//
// The table is data, not code: it lives in assets/models/models.json, and
// adding a device means editing that file and running go generate, which
// writes it into table_gen.go (a test fails while the two disagree), so no
// JSON is parsed at run time. The package imports nothing of the project
// outside its own internal packages (never diagnostics or app), does no I/O,
// and never panics on input: anything it does not know is reported as an
// unknown device.
package model

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/device/model/internal/hexid"
)

// Family is the recovery-button family of a device: which buttons put it into
// recovery mode. The string values are those of the report contract's
// `devices[].model.recovery_buttons` field.
type Family string

// The recovery-button families.
const (
	// FaceIDOr8Later: iPhone 8/8 Plus/X and later, including iPhone SE (2nd and
	// 3rd generation) and the 16e/17e: press and release Volume Up, press and
	// release Volume Down, then press and hold the Side button.
	FaceIDOr8Later Family = "face-id-or-8-later"
	// IPhone7: iPhone 7/7 Plus and iPod touch (7th generation): press and hold
	// Volume Down and the Side (Top) button together.
	IPhone7 Family = "iphone-7"
	// HomeButton: iPhone 6s and earlier, iPhone SE (1st generation), iPod touch
	// up to the 6th generation and iPads with a Home button: press and hold the
	// Home button and the Top (or Side) button together.
	HomeButton Family = "home-button"
	// IPadNoHomeButton: iPads with Face ID or Touch ID in the top button: press
	// and release the volume button nearest the Top button, press and release
	// the other volume button, then press and hold the Top button.
	IPadNoHomeButton Family = "ipad-no-home-button"
	// Unknown: the model is not in the table.
	Unknown Family = "unknown"
)

// Families lists every family, Unknown last, for callers that key their own
// data (instructions, pictures) by family and want to check it is complete.
func Families() []Family {
	return []Family{FaceIDOr8Later, IPhone7, HomeButton, IPadNoHomeButton, Unknown}
}

// Valid reports whether f is one of the families listed by Families.
func (f Family) Valid() bool {
	switch f {
	case FaceIDOr8Later, IPhone7, HomeButton, IPadNoHomeButton, Unknown:
		return true
	}
	return false
}

// Info describes one device model as the table knows it.
type Info struct {
	// ProductType is the model identifier, e.g. "iPhone14,3". For an unknown
	// product type it is the string asked about; for an unknown chip it is "".
	ProductType string
	// Name is the marketing name ("iPhone 13 Pro Max"), or "Unknown Apple
	// device (…)" naming what was asked about when Known is false.
	Name string
	// HardwareModel is the board config in lower case as iBoot and restore
	// manifests write it ("d64ap"); lockdownd reports it upper case ("D64AP"),
	// so compare with strings.EqualFold.
	HardwareModel string
	// CPID and BDID are the chip id and board id of the iBoot serial string.
	// ByProductType reports the model's primary chip (some models shipped
	// with two, e.g. the iPhone 6s with Samsung 0x8000 and TSMC 0x8003).
	CPID, BDID uint32
	// Family is the recovery-button family; Unknown when Known is false.
	Family Family
	// Known is true when the device was found in the table.
	Known bool
}

// maxShown bounds how much of an outside string goes into an unknown device's
// Name, which is displayed and written to reports.
const maxShown = 48

// UnknownName is the English Name of a model not in the table, alone or
// followed by what was asked about in parentheses; it is data in the JSON
// report, and the renderers say it in the user's language.
const UnknownName = "Unknown Apple device"

// ByProductType looks a model up by its ProductType ("iPhone14,3"), ignoring
// surrounding space and letter case. An unknown or empty product type gives
// Info{ProductType: pt, Name: "Unknown Apple device (pt)", Family: Unknown}.
func ByProductType(pt string) Info {
	if info, ok := lookupProductType(pt); ok {
		return info
	}
	name := UnknownName
	if shown := displayable(pt); shown != "" {
		name += " (" + shown + ")"
	}
	return Info{ProductType: pt, Name: name, Family: Unknown}
}

// ByChip looks a model up by the CPID and BDID that iBoot reports in recovery
// and DFU mode. Models that shipped with two chips are found under either.
// An unknown pair gives Name "Unknown Apple device (CPID 0x8110, BDID 0x0E)".
func ByChip(cpid, bdid uint32) Info {
	if info, ok := lookupChip(cpid, bdid); ok {
		return info
	}
	return Info{
		Name:   fmt.Sprintf("%s (CPID 0x%04X, BDID 0x%02X)", UnknownName, cpid, bdid),
		CPID:   cpid,
		BDID:   bdid,
		Family: Unknown,
	}
}

// ByChipHex is ByChip for the hexadecimal strings of a parsed iBoot serial
// ("8110", "0E"; a "0x" prefix and any letter case are accepted). Strings that
// are not hexadecimal 32-bit numbers give an unknown device whose Name quotes
// them (shortened and stripped of control characters).
func ByChipHex(cpid, bdid string) Info {
	c, errC := hexid.Parse(cpid)
	b, errB := hexid.Parse(bdid)
	if errC != nil || errB != nil {
		return Info{
			Name:   fmt.Sprintf("%s (CPID %q, BDID %q)", UnknownName, displayable(cpid), displayable(bdid)),
			Family: Unknown,
		}
	}
	return ByChip(c, b)
}

// displayable makes an outside string safe to show in a name: trimmed, invalid
// UTF-8 and control or format characters dropped, at most maxShown runes.
func displayable(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			continue
		}
		if n == maxShown {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
