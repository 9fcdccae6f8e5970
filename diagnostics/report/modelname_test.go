package report

import (
	"testing"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestUnknownModelInLanguages: device/model's English name of a model not in
// its table (data in the JSON) is said in the current language, with the
// product type or chip ids it was asked about; a marketing name is as is.
func TestUnknownModelInLanguages(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	for _, tc := range []struct {
		lang string
		m    Model
		want string
	}{
		{"en", Model{Name: "Unknown Apple device"}, "Unknown Apple device"},
		{"en", Model{Name: "Unknown Apple device", ProductType: "iPhone99,1"}, "Unknown Apple device (iPhone99,1)"},
		{"en", Model{Name: "iPhone 13 Pro Max", ProductType: "iPhone14,3"}, "iPhone 13 Pro Max (iPhone14,3)"},
		{"de", Model{Name: "Unknown Apple device (iPhone99,1)", ProductType: "iPhone99,1"}, "Unbekanntes Apple-Gerät (iPhone99,1)"},
		{"de", Model{Name: "Unknown Apple device"}, "Unbekanntes Apple-Gerät"},
		{"ja", Model{Name: "Unknown Apple device (CPID 0x8110, BDID 0x0F)"}, "不明なAppleデバイス（CPID 0x8110, BDID 0x0F）"},
		{"ja", Model{Name: "iPhone 13 Pro Max", ProductType: "iPhone14,3"}, "iPhone 13 Pro Max (iPhone14,3)"},
	} {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		if got := modelName(tc.m); got != tc.want {
			t.Errorf("%s %+v: %q, want %q", tc.lang, tc.m, got, tc.want)
		}
	}
}
