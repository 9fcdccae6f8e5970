package catfile

import (
	"errors"
	"testing"
)

func TestDecode(t *testing.T) {
	f, err := Decode([]byte(`{"version":1,"steps":[{"number":2,"title":"t","instructions":[],"instructions_by_os":{}}],
		"recovery_buttons":{"x":{"applies_to":"a","steps":["s"]}},"fix_texts":{"k":"v"}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Steps[0]
	// Empty JSON arrays and objects stay non-nil, absent ones nil.
	if s.Number != 2 || s.Instructions == nil || s.InstructionsByOS == nil || s.Finally != nil || s.DetailsByOS != nil {
		t.Errorf("step = %#v", s)
	}
	if f.RecoveryButtons["x"].AppliesTo != "a" || f.FixTexts["k"] != "v" {
		t.Errorf("file = %#v", f)
	}
	for _, bad := range []string{"", "{", "[]", `{"version":1,"extra":2}`, `{"version":1} {}`, `{"version":"1"}`} {
		if _, err := Decode([]byte(bad)); !errors.Is(err, ErrDecode) {
			t.Errorf("Decode(%q) = %v, want ErrDecode", bad, err)
		}
	}
}
