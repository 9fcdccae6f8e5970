package sim

import (
	"context"
	"fmt"
	"slices"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
)

// USBSource returns a usb.Source whose Snapshot is the USB view of the phones
// attached right now, so a demo or test drives the USB and usbmuxd halves of
// the app from one simulator. A restore-mode phone shows as normal on USB (same
// product ids); recovery/DFU phones carry their iBoot serial, parsed.
// It is not a usb.Opener (the engine would probe it as libusb); code that
// holds only the source reaches the simulated iBoot through its USBOpener
// method, the same as Server.USBOpener.
func (s *Server) USBSource() usb.Source { return usbView{s} }

type usbView struct{ s *Server }

// USBOpener is Server.USBOpener.
func (v usbView) USBOpener() usb.Opener { return usbOpener(v) }

// Snapshot lists the attached phones as USB devices, sorted by bus, port path, address.
func (v usbView) Snapshot(ctx context.Context) ([]usb.Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sim: usb snapshot: %w", err)
	}
	phones := v.s.Phones()
	out := make([]usb.Device, 0, len(phones))
	for _, p := range phones {
		if !p.OffUSB {
			out = append(out, p.USBDevice())
		}
	}
	slices.SortFunc(out, func(a, b usb.Device) int {
		if a.Bus != b.Bus {
			return a.Bus - b.Bus
		}
		if c := slices.Compare(a.PortPath, b.PortPath); c != 0 {
			return c
		}
		return a.Address - b.Address
	})
	return out, nil
}

// USBDevice is how the phone (with defaults applied) looks on the USB bus.
func (p Phone) USBDevice() usb.Device {
	p = p.withDefaults()
	pid := uint16(p.ProductID)
	m := mode.FromProductID(pid)
	if p.Mode.IsLowLevel() {
		m = p.Mode
	}
	d := usb.Device{
		VendorID:   mode.AppleVendorID,
		ProductID:  pid,
		Mode:       m,
		Bus:        p.Bus,
		Address:    p.Address,
		PortPath:   slices.Clone(p.PortPath),
		HubDepth:   len(p.PortPath) - 1,
		BehindHub:  p.BehindHub,
		SpeedMbps:  p.SpeedMbps,
		USBVersion: "2.00",
		Serial:     p.usbSerial(),

		Configurations: p.Configurations,
		Interfaces:     slices.Clone(p.Interfaces),
		Product:        p.Product,
	}
	if p.Mode.IsLowLevel() {
		if info, err := usb.ParseRecoverySerial(d.Serial); err == nil {
			d.Recovery = &info
		}
	}
	return d
}
