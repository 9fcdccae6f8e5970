package mode

import "testing"

func TestFromProductID(t *testing.T) {
	tests := []struct {
		pid  uint16
		want Mode
	}{
		{0x1290, Normal}, {0x12A8, Normal}, {0x12AB, Normal}, {0x12AF, Normal},
		{0x128F, Unknown}, {0x12B0, Unknown},
		{0x1280, Recovery}, {0x1281, Recovery}, {0x1283, Recovery}, {0x1284, Unknown},
		{0x1227, DFU}, {0x1222, WTF}, {0xF014, PortDFU},
		{0x0000, Unknown}, {0x8600, Unknown}, {0xFFFF, Unknown},
	}
	for _, tt := range tests {
		if got := FromProductID(tt.pid); got != tt.want {
			t.Errorf("FromProductID(%#04x) = %q, want %q", tt.pid, got, tt.want)
		}
	}
}

func TestIsLowLevel(t *testing.T) {
	for m, want := range map[Mode]bool{
		Normal: false, Restore: false, Recovery: true, DFU: true, WTF: true, PortDFU: true, Unknown: false,
	} {
		if got := m.IsLowLevel(); got != want {
			t.Errorf("%q.IsLowLevel() = %v, want %v", m, got, want)
		}
	}
}

func TestDescribeNeverEmpty(t *testing.T) {
	for _, m := range []Mode{Normal, Restore, Recovery, DFU, WTF, PortDFU, Unknown, Mode("bogus")} {
		if m.Describe() == "" {
			t.Errorf("%q.Describe() is empty", m)
		}
	}
}
