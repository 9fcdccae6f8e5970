package live

import (
	"testing"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
)

func TestUSBAccessStatus(t *testing.T) {
	if got := usbAccessStatus("windows"); got == viewmodel.USBOK {
		t.Errorf("Windows says %q: libusb cannot open Apple's devices there", got)
	}
	for _, goos := range []string{"linux", "darwin"} {
		if got := usbAccessStatus(goos); got != viewmodel.USBOK {
			t.Errorf("%s says %q", goos, got)
		}
	}
}
