package live

import (
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// USBListOnly is the window's "USB access" line on Windows: libusb lists
// Apple's devices there but cannot open them (Apple's driver owns them), so
// "ok" would claim more than was seen.
func USBListOnly() string { return i18n.T("app.usb.list_only") }

// usbAccessStatus is the "USB access" line for a libusb scan that worked on goos.
func usbAccessStatus(goos string) string {
	if goos == "windows" {
		return USBListOnly()
	}
	return viewmodel.USBOK
}
