//go:build !cgo

package usb

import (
	"context"
	"errors"
	"testing"
)

// TestNoCgoScannerIsUnavailable: a build without libusb never pretends the
// bus is empty; every entry point says USB is unavailable.
func TestNoCgoScannerIsUnavailable(t *testing.T) {
	ctx := context.Background()
	if _, err := NewScanner(ScannerOptions{}); !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrNotBuiltIn) {
		t.Errorf("NewScanner error = %v, want ErrUnavailable wrapping ErrNotBuiltIn", err)
	}
	var s Scanner
	if devs, err := s.Snapshot(ctx); !errors.Is(err, ErrUnavailable) || devs != nil {
		t.Errorf("Snapshot = %v, %v, want nil and ErrUnavailable", devs, err)
	}
	if cd, err := s.Open(ctx, Device{}); !errors.Is(err, ErrUnavailable) || cd != nil {
		t.Errorf("Open = %v, %v, want nil and ErrUnavailable", cd, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Snapshot(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Snapshot(cancelled) = %v, want context.Canceled", err)
	}
}
