package idhash

import "testing"

func TestHash(t *testing.T) {
	tests := []struct{ a, b string }{
		{"00008110-001A2B3C4D5E6F70", "00008110001a2b3c4d5e6f70"},
		{"0x001A2B3C4D5E6F70", "1a2b3c4d5e6f70"},
		{" [00:AB] ", "ab"},
	}
	for _, tt := range tests {
		ha, hb := Hash(tt.a), Hash(tt.b)
		if ha != hb {
			t.Errorf("Hash(%q)=%s, Hash(%q)=%s: want equal", tt.a, ha, tt.b, hb)
		}
		if !IsRedacted(ha) || Hash(ha) != ha {
			t.Errorf("Hash(%q)=%s: not idempotent or not redacted", tt.a, ha)
		}
	}
	if Hash("a") == Hash("b") {
		t.Error("different identifiers hash alike")
	}
	for _, s := range []string{"id-1234567", "id-123456789", "id-ABCDEF12", "xx-12345678", ""} {
		if IsRedacted(s) {
			t.Errorf("IsRedacted(%q) = true", s)
		}
	}
}
