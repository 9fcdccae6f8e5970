package model

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestByProductType(t *testing.T) {
	tests := []struct {
		pt        string
		name      string
		hw        string
		cpid      uint32
		bdid      uint32
		family    Family
		wantKnown bool
	}{
		{"iPhone4,1", "iPhone 4S", "n94ap", 0x8940, 0x08, HomeButton, true},
		{"iPhone8,1", "iPhone 6s", "n71ap", 0x8000, 0x04, HomeButton, true},
		{"iPhone8,4", "iPhone SE (1st generation)", "n69ap", 0x8003, 0x02, HomeButton, true},
		{"iPhone9,1", "iPhone 7", "d10ap", 0x8010, 0x08, IPhone7, true},
		{"iPhone9,4", "iPhone 7 Plus", "d111ap", 0x8010, 0x0E, IPhone7, true},
		{"iPhone10,4", "iPhone 8", "d201ap", 0x8015, 0x0A, FaceIDOr8Later, true},
		{"iPhone10,6", "iPhone X", "d221ap", 0x8015, 0x0E, FaceIDOr8Later, true},
		{"iPhone12,8", "iPhone SE (2nd generation)", "d79ap", 0x8030, 0x10, FaceIDOr8Later, true},
		{"iPhone14,3", "iPhone 13 Pro Max", "d64ap", 0x8110, 0x0E, FaceIDOr8Later, true},
		{"iPhone14,5", "iPhone 13", "d17ap", 0x8110, 0x0A, FaceIDOr8Later, true},
		{"iPhone14,6", "iPhone SE (3rd generation)", "d49ap", 0x8110, 0x10, FaceIDOr8Later, true},
		{"iPhone17,5", "iPhone 16e", "v59ap", 0x8140, 0x04, FaceIDOr8Later, true},
		{"iPhone18,3", "iPhone 17", "v57ap", 0x8150, 0x08, FaceIDOr8Later, true},
		{"iPhone18,4", "iPhone Air", "d23ap", 0x8150, 0x0A, FaceIDOr8Later, true},
		{"iPad7,5", "iPad (6th generation)", "j71bap", 0x8010, 0x18, HomeButton, true},
		{"iPad13,18", "iPad (10th generation)", "j271ap", 0x8101, 0x14, IPadNoHomeButton, true},
		{"iPad8,1", "iPad Pro 11-inch (1st generation)", "j317ap", 0x8027, 0x0C, IPadNoHomeButton, true},
		{"iPod7,1", "iPod touch (6th generation)", "n102ap", 0x7000, 0x10, HomeButton, true},
		{"iPod9,1", "iPod touch (7th generation)", "n112ap", 0x8010, 0x16, IPhone7, true},
		// Lookups forgive case and surrounding space, and report the table's spelling.
		{" iphone14,3\n", "iPhone 13 Pro Max", "d64ap", 0x8110, 0x0E, FaceIDOr8Later, true},
	}
	for _, tt := range tests {
		t.Run(tt.pt, func(t *testing.T) {
			got := ByProductType(tt.pt)
			want := Info{
				ProductType:   strings.TrimSpace(tt.pt),
				Name:          tt.name,
				HardwareModel: tt.hw,
				CPID:          tt.cpid,
				BDID:          tt.bdid,
				Family:        tt.family,
				Known:         tt.wantKnown,
			}
			if strings.EqualFold(want.ProductType, got.ProductType) {
				want.ProductType = got.ProductType
			}
			if got != want {
				t.Errorf("ByProductType(%q) =\n  %+v\nwant\n  %+v", tt.pt, got, want)
			}
		})
	}
}

func TestByProductTypeUnknown(t *testing.T) {
	long := strings.Repeat("x", 1000)
	tests := []struct {
		pt, name string
	}{
		{"", "Unknown Apple device"},
		{"   ", "Unknown Apple device"},
		{"iPhone99,9", "Unknown Apple device (iPhone99,9)"},
		{"iPhone14", "Unknown Apple device (iPhone14)"},
		{"AppleTV14,1", "Unknown Apple device (AppleTV14,1)"}, // in libirecovery, not a phone: not in our table
		{"iPhone14,3\x00", "Unknown Apple device (iPhone14,3)"},
		{"Watch\x1b[31m7,1", "Unknown Apple device (Watch[31m7,1)"},
		{"\xff\xfeiPad", "Unknown Apple device (iPad)"},
		{long, "Unknown Apple device (" + long[:maxShown] + "…)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.20q", tt.pt), func(t *testing.T) {
			got := ByProductType(tt.pt)
			want := Info{ProductType: tt.pt, Name: tt.name, Family: Unknown}
			if got != want {
				t.Errorf("ByProductType(%q) = %+v, want %+v", tt.pt, got, want)
			}
		})
	}
}

func TestByChip(t *testing.T) {
	tests := []struct {
		cpid, bdid uint32
		pt, name   string
		hw         string
		family     Family
	}{
		{0x8110, 0x0E, "iPhone14,3", "iPhone 13 Pro Max", "d64ap", FaceIDOr8Later},
		{0x8015, 0x0A, "iPhone10,4", "iPhone 8", "d201ap", FaceIDOr8Later},
		{0x8940, 0x08, "iPhone4,1", "iPhone 4S", "n94ap", HomeButton},
		{0x8010, 0x08, "iPhone9,1", "iPhone 7", "d10ap", IPhone7},
		// Both chips of a dual-sourced model find it, each with its own board.
		{0x8000, 0x04, "iPhone8,1", "iPhone 6s", "n71ap", HomeButton},
		{0x8003, 0x04, "iPhone8,1", "iPhone 6s", "n71map", HomeButton},
		{0x8003, 0x10, "iPad6,11", "iPad (5th generation)", "j71tap", HomeButton},
		{0x8150, 0x16, "iPhone18,5", "iPhone 17e", "v159ap", FaceIDOr8Later},
		{0x8142, 0x0E, "iPad17,4", "iPad Pro 13-inch (M5)", "j821ap", IPadNoHomeButton},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%04X_%02X", tt.cpid, tt.bdid), func(t *testing.T) {
			got := ByChip(tt.cpid, tt.bdid)
			want := Info{ProductType: tt.pt, Name: tt.name, HardwareModel: tt.hw,
				CPID: tt.cpid, BDID: tt.bdid, Family: tt.family, Known: true}
			if got != want {
				t.Errorf("ByChip(%#x, %#x) =\n  %+v\nwant\n  %+v", tt.cpid, tt.bdid, got, want)
			}
		})
	}
}

func TestByChipUnknown(t *testing.T) {
	tests := []struct {
		cpid, bdid uint32
		name       string
	}{
		{0x8110, 0x0F, "Unknown Apple device (CPID 0x8110, BDID 0x0F)"},
		{0x8110, 0x7E, "Unknown Apple device (CPID 0x8110, BDID 0x7E)"},
		{0, 0, "Unknown Apple device (CPID 0x0000, BDID 0x00)"},
		{0x8930, 0x10, "Unknown Apple device (CPID 0x8930, BDID 0x10)"}, // Apple TV 2: not in our table
		{0xFFFFFFFF, 0xFFFFFFFF, "Unknown Apple device (CPID 0xFFFFFFFF, BDID 0xFFFFFFFF)"},
	}
	for _, tt := range tests {
		got := ByChip(tt.cpid, tt.bdid)
		want := Info{Name: tt.name, CPID: tt.cpid, BDID: tt.bdid, Family: Unknown}
		if got != want {
			t.Errorf("ByChip(%#x, %#x) = %+v, want %+v", tt.cpid, tt.bdid, got, want)
		}
	}
}

func TestByChipHex(t *testing.T) {
	tests := []struct {
		cpid, bdid string
		wantPT     string // "" for unknown
		wantName   string
	}{
		{"8110", "0E", "iPhone14,3", "iPhone 13 Pro Max"},
		{"8110", "0e", "iPhone14,3", "iPhone 13 Pro Max"},
		{"0x8110", "0x0E", "iPhone14,3", "iPhone 13 Pro Max"},
		{" 8110 ", "E", "iPhone14,3", "iPhone 13 Pro Max"},
		{"00008015", "0A", "iPhone10,4", "iPhone 8"},
		{"8110", "0F", "", "Unknown Apple device (CPID 0x8110, BDID 0x0F)"},
		{"", "", "", `Unknown Apple device (CPID "", BDID "")`},
		{"8110", "", "", `Unknown Apple device (CPID "8110", BDID "")`},
		{"0x", "0E", "", `Unknown Apple device (CPID "0x", BDID "0E")`},
		{"zz", "0E", "", `Unknown Apple device (CPID "zz", BDID "0E")`},
		{"-8110", "0E", "", `Unknown Apple device (CPID "-8110", BDID "0E")`},
		{"+8110", "0E", "", `Unknown Apple device (CPID "+8110", BDID "0E")`},
		{"8_110", "0E", "", `Unknown Apple device (CPID "8_110", BDID "0E")`},
		{"100000000", "0E", "", `Unknown Apple device (CPID "100000000", BDID "0E")`},
		{"8110\x00", "0E", "", `Unknown Apple device (CPID "8110", BDID "0E")`},
	}
	for _, tt := range tests {
		t.Run(tt.cpid+"_"+tt.bdid, func(t *testing.T) {
			got := ByChipHex(tt.cpid, tt.bdid)
			if got.ProductType != tt.wantPT || got.Name != tt.wantName || got.Known != (tt.wantPT != "") {
				t.Errorf("ByChipHex(%q, %q) = %+v, want ProductType %q Name %q", tt.cpid, tt.bdid, got, tt.wantPT, tt.wantName)
			}
			if !got.Known && got.Family != Unknown {
				t.Errorf("ByChipHex(%q, %q).Family = %q, want %q", tt.cpid, tt.bdid, got.Family, Unknown)
			}
		})
	}
}

// TestGarbage feeds odd strings to every lookup: none may panic, report a
// device as known, or put more than a bounded, printable text into Name.
func TestGarbage(t *testing.T) {
	inputs := []string{
		"", " ", "\x00", "\xff\xfe\xfd", ",", "iPhone,", ",1", "iPhone-1,1", "iPhone14,3,1",
		"0x", "0x0x8110", "８１１０", "iPhone１４,３", "\u202eiPhone14,3", "iPhone14,3\u200b",
		strings.Repeat("\x1b", 500), strings.Repeat("é", 10000), strings.Repeat("F", 9),
	}
	for _, in := range inputs {
		for _, got := range []Info{ByProductType(in), ByChipHex(in, in), ByChipHex("8110", in), ByChipHex(in, "0E")} {
			if got.Known || got.Family != Unknown {
				t.Errorf("input %q: got known device %+v", in, got)
			}
			if n := utf8.RuneCountInString(got.Name); n > 2*maxShown+64 {
				t.Errorf("input %q: Name has %d runes", in, n)
			}
			if !utf8.ValidString(got.Name) {
				t.Errorf("input %q: Name %q is not valid UTF-8", in, got.Name)
			}
			if strings.IndexFunc(got.Name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
				t.Errorf("input %q: Name %q keeps control or format characters", in, got.Name)
			}
		}
	}
}

// TestAllRoundTrip checks every entry is found again by its ProductType and,
// in recovery mode, by its primary chip.
func TestAllRoundTrip(t *testing.T) {
	all := All()
	if len(all) < 150 {
		t.Fatalf("All() has %d models, want at least 150", len(all))
	}
	for _, m := range all {
		if got := ByProductType(m.ProductType); got != m {
			t.Errorf("ByProductType(%q) = %+v, want %+v", m.ProductType, got, m)
		}
		if got := ByChip(m.CPID, m.BDID); got != m {
			t.Errorf("ByChip(%#x, %#x) = %+v, want %+v", m.CPID, m.BDID, got, m)
		}
	}
	all[0].Name = "changed"
	if All()[0].Name == "changed" {
		t.Error("All() returned the table's own slice")
	}
}

// TestTableIntegrity checks the generated table directly: no duplicate
// ProductType or (CPID, BDID), every entry complete, and both indexes sorted
// and pointing at every model and chip exactly once.
func TestTableIntegrity(t *testing.T) {
	type chipKey struct{ cpid, bdid uint32 }
	pts := map[string]bool{}
	chips := map[chipKey]string{}
	ptRE := regexp.MustCompile(`^(iPhone|iPad|iPod)[1-9][0-9]?,[1-9][0-9]?$`)
	hwRE := regexp.MustCompile(`^[a-z][a-z0-9]+ap$`)
	for _, e := range models {
		if pts[e.productType] {
			t.Errorf("duplicate ProductType %q", e.productType)
		}
		pts[e.productType] = true
		if !ptRE.MatchString(e.productType) {
			t.Errorf("%q: ProductType does not look like an iPhone/iPad/iPod model id", e.productType)
		}
		if !e.family.Valid() || e.family == Unknown {
			t.Errorf("%q: family %q", e.productType, e.family)
		}
		if strings.TrimSpace(e.name) != e.name || e.name == "" {
			t.Errorf("%q: name %q", e.productType, e.name)
		}
		for _, c := range e.chips {
			k := chipKey{c.cpid, c.bdid}
			if other, dup := chips[k]; dup {
				t.Errorf("%q: CPID %#x BDID %#x also used by %q", e.productType, c.cpid, c.bdid, other)
			}
			chips[k] = e.productType
			if !hwRE.MatchString(c.hardwareModel) {
				t.Errorf("%q: hardware model %q", e.productType, c.hardwareModel)
			}
		}
	}
}

// TestFamilyRules re-derives each family from the ProductType's generation
// number, the way Apple's recovery-mode instructions split the devices, so a
// hand edit of the table that gets a family wrong is caught.
func TestFamilyRules(t *testing.T) {
	re := regexp.MustCompile(`^(iPhone|iPad|iPod)(\d+),\d+$`)
	for _, m := range All() {
		sm := re.FindStringSubmatch(m.ProductType)
		if sm == nil {
			t.Errorf("%q: unexpected ProductType", m.ProductType)
			continue
		}
		var major int
		fmt.Sscan(sm[2], &major)
		var want Family
		switch sm[1] {
		case "iPhone":
			switch {
			case major <= 8: // up to iPhone 6s/6s Plus and SE (1st generation)
				want = HomeButton
			case major == 9: // iPhone 7/7 Plus
				want = IPhone7
			default: // iPhone 8/X and later, SE (2nd, 3rd generation), 16e, 17e
				want = FaceIDOr8Later
			}
		case "iPod":
			want = HomeButton
			if major >= 9 { // iPod touch (7th generation)
				want = IPhone7
			}
		case "iPad":
			want = HomeButton
			if major == 8 || major >= 13 { // iPad Pro 11/12.9 (3rd+), Air 4+, mini 6+, iPad 10+
				want = IPadNoHomeButton
			}
		}
		if m.Family != want {
			t.Errorf("%s (%s): family %q, want %q", m.ProductType, m.Name, m.Family, want)
		}
	}
}

// TestEveryIPhoneGeneration checks every iPhone from the 4S to the 17 family
// is in the table under the ProductTypes Apple gave it.
func TestEveryIPhoneGeneration(t *testing.T) {
	want := map[string][]string{
		"iPhone 4S":                  {"iPhone4,1"},
		"iPhone 5":                   {"iPhone5,1", "iPhone5,2"},
		"iPhone 5c":                  {"iPhone5,3", "iPhone5,4"},
		"iPhone 5s":                  {"iPhone6,1", "iPhone6,2"},
		"iPhone 6":                   {"iPhone7,2"},
		"iPhone 6 Plus":              {"iPhone7,1"},
		"iPhone 6s":                  {"iPhone8,1"},
		"iPhone 6s Plus":             {"iPhone8,2"},
		"iPhone SE (1st generation)": {"iPhone8,4"},
		"iPhone 7":                   {"iPhone9,1", "iPhone9,3"},
		"iPhone 7 Plus":              {"iPhone9,2", "iPhone9,4"},
		"iPhone 8":                   {"iPhone10,1", "iPhone10,4"},
		"iPhone 8 Plus":              {"iPhone10,2", "iPhone10,5"},
		"iPhone X":                   {"iPhone10,3", "iPhone10,6"},
		"iPhone XS":                  {"iPhone11,2"},
		"iPhone XS Max":              {"iPhone11,4", "iPhone11,6"},
		"iPhone XR":                  {"iPhone11,8"},
		"iPhone 11":                  {"iPhone12,1"},
		"iPhone 11 Pro":              {"iPhone12,3"},
		"iPhone 11 Pro Max":          {"iPhone12,5"},
		"iPhone SE (2nd generation)": {"iPhone12,8"},
		"iPhone 12 mini":             {"iPhone13,1"},
		"iPhone 12":                  {"iPhone13,2"},
		"iPhone 12 Pro":              {"iPhone13,3"},
		"iPhone 12 Pro Max":          {"iPhone13,4"},
		"iPhone 13 Pro":              {"iPhone14,2"},
		"iPhone 13 Pro Max":          {"iPhone14,3"},
		"iPhone 13 mini":             {"iPhone14,4"},
		"iPhone 13":                  {"iPhone14,5"},
		"iPhone SE (3rd generation)": {"iPhone14,6"},
		"iPhone 14":                  {"iPhone14,7"},
		"iPhone 14 Plus":             {"iPhone14,8"},
		"iPhone 14 Pro":              {"iPhone15,2"},
		"iPhone 14 Pro Max":          {"iPhone15,3"},
		"iPhone 15":                  {"iPhone15,4"},
		"iPhone 15 Plus":             {"iPhone15,5"},
		"iPhone 15 Pro":              {"iPhone16,1"},
		"iPhone 15 Pro Max":          {"iPhone16,2"},
		"iPhone 16 Pro":              {"iPhone17,1"},
		"iPhone 16 Pro Max":          {"iPhone17,2"},
		"iPhone 16":                  {"iPhone17,3"},
		"iPhone 16 Plus":             {"iPhone17,4"},
		"iPhone 16e":                 {"iPhone17,5"},
		"iPhone 17 Pro":              {"iPhone18,1"},
		"iPhone 17 Pro Max":          {"iPhone18,2"},
		"iPhone 17":                  {"iPhone18,3"},
		"iPhone Air":                 {"iPhone18,4"},
	}
	for name, pts := range want {
		for _, pt := range pts {
			if got := ByProductType(pt); !got.Known || got.Name != name {
				t.Errorf("ByProductType(%q) = %q (known %v), want %q", pt, got.Name, got.Known, name)
			}
		}
	}
}

func TestFamilies(t *testing.T) {
	seen := map[Family]bool{}
	for _, f := range Families() {
		if !f.Valid() || seen[f] {
			t.Errorf("Families(): %q invalid or repeated", f)
		}
		seen[f] = true
	}
	if len(seen) != 5 {
		t.Errorf("Families() has %d families, want 5", len(seen))
	}
	for _, f := range []Family{"", "Unknown", "face-id", "home"} {
		if f.Valid() {
			t.Errorf("Family(%q).Valid() = true", f)
		}
	}
	// Every family except Unknown is used by at least one model.
	used := map[Family]int{}
	for _, m := range All() {
		used[m.Family]++
	}
	for _, f := range Families() {
		if f != Unknown && used[f] == 0 {
			t.Errorf("no model in family %q", f)
		}
	}
}

func BenchmarkByProductType(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ByProductType("iPhone14,3")
	}
}

func BenchmarkByChipHex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ByChipHex("8110", "0E")
	}
}

// Test helper.

// All returns every model of the table in table order, one Info per
// ProductType with its primary chip. The slice is the caller's own copy.
func All() []Info {
	out := make([]Info, 0, len(models))
	for _, m := range models {
		out = append(out, m.info(0))
	}
	return out
}
