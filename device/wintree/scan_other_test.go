//go:build !windows

package wintree

import (
	"context"
	"errors"
	"testing"
)

func TestScanOutsideWindows(t *testing.T) {
	if _, err := Scan(context.Background()); !errors.Is(err, ErrNotWindows) {
		t.Errorf("Scan err = %v, want ErrNotWindows", err)
	}
}
