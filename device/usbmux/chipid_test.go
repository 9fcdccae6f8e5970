package usbmux

import (
	"errors"
	"testing"
)

func TestChipIDText(t *testing.T) {
	tests := []struct {
		v    any
		want string
		err  bool
	}{
		{uint64(0x001A2B3C4D5E6F70), "001A2B3C4D5E6F70", false},
		{int64(0xABCDE), "00000000000ABCDE", false},
		{uint64(0), "", true},
		{int64(-1), "", true},
		{"001A2B3C4D5E6F70", "", true},
		{nil, "", true},
	}
	for _, tc := range tests {
		got, err := chipIDText(tc.v)
		if got != tc.want || (err != nil) != tc.err || (err != nil && !errors.Is(err, ErrNoChipID)) {
			t.Errorf("chipIDText(%#v) = %q, %v; want %q (error %v)", tc.v, got, err, tc.want, tc.err)
		}
	}
}
