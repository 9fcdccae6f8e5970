package report

import (
	"slices"
	"testing"
)

func TestForDevice(t *testing.T) {
	two := &Report{
		Devices: []Device{{Key: "a", Mode: "normal"}, {Key: "b", Mode: "recovery"}},
		Findings: []Finding{
			{ID: "host.x"},
			{ID: "usb.behind_hub", DeviceKey: "a"},
			{ID: "usb.flapping", DeviceKey: "b"},
		},
	}
	one := &Report{Devices: []Device{{Key: "a"}}, Findings: []Finding{{ID: "usb.behind_hub", DeviceKey: "a"}}}
	tests := []struct {
		name         string
		r            *Report
		key          string
		wantDevices  []string
		wantFindings []string
		same         bool
	}{
		{"first phone", two, "a", []string{"a"}, []string{"host.x", "usb.behind_hub"}, false},
		{"second phone", two, "b", []string{"b"}, []string{"host.x", "usb.flapping"}, false},
		{"unknown key keeps all", two, "zz", []string{"a", "b"}, []string{"host.x", "usb.behind_hub", "usb.flapping"}, true},
		{"single phone unchanged", one, "other", []string{"a"}, []string{"usb.behind_hub"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ForDevice(tc.r, tc.key)
			if (got == tc.r) != tc.same {
				t.Fatalf("returned the input itself = %v, want %v", got == tc.r, tc.same)
			}
			var keys, ids []string
			for _, d := range got.Devices {
				keys = append(keys, d.Key)
			}
			for _, f := range got.Findings {
				ids = append(ids, f.ID)
			}
			if !slices.Equal(keys, tc.wantDevices) || !slices.Equal(ids, tc.wantFindings) {
				t.Errorf("devices %v findings %v, want %v %v", keys, ids, tc.wantDevices, tc.wantFindings)
			}
		})
	}
	if len(two.Devices) != 2 || len(two.Findings) != 3 {
		t.Error("ForDevice modified its input")
	}
	if ForDevice(nil, "a") != nil {
		t.Error("ForDevice(nil) is not nil")
	}
}
