package usbmux

import (
	"testing"
	"time"
)

func TestMacTime(t *testing.T) {
	want := time.Date(2022, 8, 1, 6, 42, 41, 0, time.UTC) // 978307200 + 681028961 Unix seconds
	tests := []struct {
		in   any
		want time.Time
	}{
		{uint64(681028961), want}, // ideviceinfo -q com.apple.mobile.backup, libimobiledevice issue #1344
		{int64(681028961), want},
		{float64(681028961), want},
		{want, want},
		{"681028961", time.Time{}},
		{int64(-5), time.Time{}},
		{uint64(1 << 62), time.Time{}},
		{nil, time.Time{}},
	}
	for _, tt := range tests {
		if got := macTime(tt.in); !got.Equal(tt.want) {
			t.Errorf("macTime(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
