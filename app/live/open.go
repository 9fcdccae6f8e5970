package live

import (
	"fmt"
	"log/slog"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// Parts are the real parts the window's backend is built over.
type Parts struct {
	// USB is the live view's source (nil without libusb).
	USB usb.Source
	// EngineUSB is the checks' source (it says why when USB is not usable).
	EngineUSB usb.Source
	// USBErr is why USB is nil (nil when it is usable).
	USBErr error
	// UsbmuxdAddress is usbmuxd's address ("" = the default).
	UsbmuxdAddress string
	// NoNetwork skips the Apple-server check.
	NoNetwork bool
	// ToolVersion goes into the reports.
	ToolVersion string
	// Logger receives the logs (nil: discarded).
	Logger *slog.Logger
}

// Open builds the diagnostics engine (with this computer's host checks), the
// session and the backend over p; close releases the engine.
func Open(p Parts) (b *Backend, close func(), err error) {
	addr, err := usbmux.ResolveAddress(p.UsbmuxdAddress)
	if err != nil {
		return nil, nil, fmt.Errorf("usbmuxd address: %w", err)
	}
	log := p.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	engine := diagnostics.NewEngine(diagnostics.Config{USB: p.EngineUSB, Logger: log, ToolVersion: p.ToolVersion, Host: diagnostics.SystemHostChecks()})
	sess := session.New(session.Config{Engine: engine, USB: p.USB, Usbmux: usbmux.NewClient(addr, usbmux.Options{Logger: log}), Logger: log})
	b = New(Config{Session: sess, USBErr: p.USBErr, UsbmuxdAddress: p.UsbmuxdAddress, NoNetwork: p.NoNetwork, Logger: log})
	return b, func() { engine.Close() }, nil
}
