package devlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics"
)

func TestReportConversion(t *testing.T) {
	d := usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 9, PortPath: []int{1, 3},
		HubDepth: 1, BehindHub: true, SpeedMbps: 480, USBVersion: "2.00", Serial: "abc", OpenErr: errors.New("x")}
	j := JSON(d)
	b, _ := json.Marshal(j)
	want := `{"mode":"normal","usb":{"present":true,"vendor_id":"05ac","product_id":"12a8","speed_mbps":480,"bus":1,"port_path":[1,3],"behind_hub":true},"address":9,"hub_depth":1,"usb_version":"2.00","serial":"abc","error":"x"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if u := diagnostics.ReportUSB(usb.Device{}); u.PortPath == nil {
		t.Error("nil port path must become []")
	}
	if diagnostics.ReportRecovery(nil) != nil {
		t.Error("diagnostics.ReportRecovery(nil) != nil")
	}
	r := diagnostics.ReportRecovery(&usb.RecoveryInfo{SDOM: "01", CPID: "8110", NONC: "AB", SNON: "CD", SRNM: "S", IMEI: "I"})
	if r.SDOM != "01" || r.CPID != "8110" || r.NONC != "AB" || r.SNON != "CD" || r.SRNM != "S" || r.IMEI != "I" {
		t.Errorf("diagnostics.ReportRecovery = %+v", r)
	}
}

func TestWrite(t *testing.T) {
	normal := usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, PortPath: []int{2}, SpeedMbps: 480, Serial: "00008110001A2B3C4D5E6F70"}
	rec := usb.Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: mode.Recovery, Bus: 1, PortPath: []int{1, 3}, BehindHub: true, HubDepth: 1,
		Recovery: &usb.RecoveryInfo{ECID: "001A2B3C4D5E6F70", CPID: "8110"}}
	denied := usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 2, OpenErr: &usb.AccessDeniedError{Err: usb.ErrAccessDenied}}
	tests := []struct {
		name   string
		devs   []usb.Device
		asJSON bool
		want   []string
	}{
		{"none text", nil, false, []string{"No Apple device on the USB bus.\n"}},
		{"none JSON", nil, true, []string{"[]\n"}},
		{"text", []usb.Device{normal, rec}, false, []string{"normal    05ac:12a8  480 Mbit/s", "bus 1 port 2", "serial 00008110001A2B3C4D5E6F70",
			"recovery", "port 1.3", "behind hub (depth 1)", "ECID 001A2B3C4D5E6F70 CPID 8110"}},
		{"denied", []usb.Device{denied}, false, []string{"serial not read: permission denied"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.devs, tc.asJSON); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
	if n := len(AccessDenied([]usb.Device{normal, denied})); n != 1 {
		t.Errorf("AccessDenied found %d, want 1", n)
	}
}
