package restorewatch

import (
	"context"
	"slices"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/wintree"
)

// TreeSource is the recorder's USB source on Windows: scan (wintree.Scan)
// reads the device tree through SetupAPI, which opens no device (the serial
// string and the iBoot fields are in the device instance ID the hub driver
// made at enumeration). The tree has no bus number, USB address or link
// speed: on Windows a re-enumeration shorter than the poll is not seen, and
// the speed is 0 (unknown).
func TreeSource(scan func(context.Context) ([]wintree.Device, error)) usb.Source {
	return usb.FuncSource(func(ctx context.Context) ([]usb.Device, error) {
		tree, err := scan(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]usb.Device, 0, len(tree))
		for _, t := range tree {
			d := usb.Device{
				VendorID: t.VendorID, ProductID: t.ProductID, Mode: t.Mode,
				PortPath: slices.Clone(t.PortPath), HubDepth: max(len(t.PortPath)-1, 0), BehindHub: t.BehindHub(),
				Serial: t.Serial, Recovery: t.Recovery,
			}
			if d.Mode == "" {
				d.Mode = mode.FromProductID(d.ProductID)
			}
			out = append(out, d)
		}
		return out, nil
	})
}
