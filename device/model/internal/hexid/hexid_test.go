package hexid

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"8110", 0x8110, true},
		{"0x0E", 0x0E, true},
		{"0X8003", 0x8003, true},
		{" e\n", 0x0E, true},
		{"FFFFFFFF", 0xFFFFFFFF, true},
		{"00008015", 0x8015, true},
		{"", 0, false},
		{"0x", 0, false},
		{"100000000", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"8_110", 0, false},
		{"zz", 0, false},
		{"0x0x1", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %#x, %v; want %#x, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
