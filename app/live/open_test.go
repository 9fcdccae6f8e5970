package live

import (
	"errors"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/usb"
)

func TestOpen(t *testing.T) {
	usbErr := errors.New("no libusb here")
	tests := []struct {
		name    string
		parts   Parts
		wantErr bool
	}{
		{"default address", Parts{EngineUSB: usb.Unavailable(usbErr), USBErr: usbErr}, false},
		{"unix path", Parts{UsbmuxdAddress: "/tmp/usbmuxd-test", NoNetwork: true, ToolVersion: "test"}, false},
		{"bad address", Parts{UsbmuxdAddress: "tcp://"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, closeFn, err := Open(tc.parts)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Open: err %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			defer closeFn()
			if b == nil || b.sess == nil || b.noNetwork != tc.parts.NoNetwork || !errors.Is(b.usbErr, tc.parts.USBErr) {
				t.Fatalf("Open = %+v", b)
			}
			if b.sess.USB() != tc.parts.USB {
				t.Errorf("live view USB = %v, want %v", b.sess.USB(), tc.parts.USB)
			}
		})
	}
}
