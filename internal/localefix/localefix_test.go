package localefix

import "testing"

func TestEffectiveLocaleAndIsC(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LANG": "POSIX.utf8"}, true},
		{map[string]string{"LANG": "C"}, false}, // Fyne copes with the bare C locale
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LANG": "de_DE.UTF-8", "LC_ALL": "C.UTF-8"}, true},
		{map[string]string{"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{}, false},
	}
	for _, tc := range tests {
		got := isCLocale(effectiveLocale(func(k string) string { return tc.env[k] }))
		if got != tc.want {
			t.Errorf("%v: isCLocale = %v, want %v", tc.env, got, tc.want)
		}
	}
}
