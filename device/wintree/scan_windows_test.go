//go:build windows

package wintree

import (
	"context"
	"testing"
	"time"
)

// TestScanRuns walks the real device tree (under Wine: no USB devices) and
// checks that what comes back is well formed.
func TestScanRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	devs, err := Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if d.VendorID != 0x05AC || d.InstanceID == "" {
			t.Errorf("device %+v", d)
		}
	}
	t.Logf("%d Apple devices in the device tree", len(devs))
}
