package devlist

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
)

func TestPrint(t *testing.T) {
	phone := usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 9, PortPath: []int{2}, Serial: "SERIAL123456"}
	denied := phone
	denied.Serial = ""
	denied.OpenErr = &usb.AccessDeniedError{Location: "1-2", VendorID: 0x05AC, ProductID: 0x12A8, Err: errors.New("permission denied")}
	tests := []struct {
		name       string
		devs       []usb.Device
		snapErr    error
		includeIDs bool
		wantErr    bool
		stdout     string // contained in stdout
		noStdout   string // not in stdout
		stderr     string // contained in stderr
	}{
		{name: "none", stdout: "No Apple device on the USB bus."},
		{name: "redacted", devs: []usb.Device{phone}, stdout: "serial id-", noStdout: "SERIAL123456"},
		{name: "identifiers", devs: []usb.Device{phone}, includeIDs: true, stdout: "SERIAL123456"},
		{name: "access denied", devs: []usb.Device{denied}, wantErr: true, stdout: "serial not read", stderr: "x: "},
		{name: "snapshot fails", snapErr: errors.New("bus gone"), wantErr: true, stderr: "x: listing USB devices failed: bus gone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := usb.FuncSource(func(context.Context) ([]usb.Device, error) { return tc.devs, tc.snapErr })
			var out, errb bytes.Buffer
			err := Print(context.Background(), src, &out, &errb, "x: ", false, tc.includeIDs)
			if tc.wantErr != errors.Is(err, ErrPrint) || (!tc.wantErr && err != nil) {
				t.Fatalf("err %v, want ErrPrint %v", err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.stdout) || (tc.noStdout != "" && strings.Contains(out.String(), tc.noStdout)) {
				t.Errorf("stdout %q: want %q, not %q", out.String(), tc.stdout, tc.noStdout)
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q: want %q", errb.String(), tc.stderr)
			}
		})
	}
}
