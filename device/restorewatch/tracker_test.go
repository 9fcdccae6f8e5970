package restorewatch

import (
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/usb"
)

const ecidA = "001A2B3C4D5E6F70"

func normal(addr int) usb.Device {
	return usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: addr, PortPath: []int{2},
		SpeedMbps: 480, Serial: "00008110" + ecidA, Configurations: 4}
}

func recovery(addr int, ecid string) usb.Device {
	return usb.Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: mode.Recovery, Bus: 1, Address: addr, PortPath: []int{2},
		SpeedMbps: 480, Configurations: 1, Recovery: &usb.RecoveryInfo{CPID: "8110", ECID: ecid, IBFL: "3C", SRTG: "[iBoot-1]"}}
}

func TestTrackerStep(t *testing.T) {
	keyboard := usb.Device{VendorID: 0x05AC, ProductID: 0x0250, Mode: mode.Unknown, Bus: 1, Address: 2, PortPath: []int{1}}
	unread := normal(5)
	unread.Serial = ""
	fullSpeed := normal(5)
	fullSpeed.SpeedMbps = 12
	otherPort := normal(5)
	otherPort.PortPath = []int{3}
	type step struct {
		devs []usb.Device
		want []restoretrace.Kind
		key  string // key of the last event, "" = not checked
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"attach, nothing, detach", []step{
			{[]usb.Device{normal(5)}, []restoretrace.Kind{restoretrace.USBAttach}, "ecid:" + ecidA},
			{[]usb.Device{normal(5)}, nil, ""},
			{nil, []restoretrace.Kind{restoretrace.USBDetach}, "ecid:" + ecidA},
		}},
		{"re-enumeration shorter than the poll is an address change", []step{
			{[]usb.Device{normal(5)}, []restoretrace.Kind{restoretrace.USBAttach}, ""},
			{[]usb.Device{normal(6)}, []restoretrace.Kind{restoretrace.USBChange}, "ecid:" + ecidA},
		}},
		{"normal to recovery between two polls, same chip: a change", []step{
			{[]usb.Device{normal(5)}, []restoretrace.Kind{restoretrace.USBAttach}, ""},
			{[]usb.Device{recovery(6, ecidA)}, []restoretrace.Kind{restoretrace.USBChange}, "ecid:" + ecidA},
		}},
		{"another phone on the same port: detach and attach", []step{
			{[]usb.Device{recovery(5, ecidA)}, []restoretrace.Kind{restoretrace.USBAttach}, ""},
			{[]usb.Device{recovery(6, "00000000DEADBEEF")}, []restoretrace.Kind{restoretrace.USBDetach, restoretrace.USBAttach}, "ecid:00000000DEADBEEF"},
		}},
		{"fall to full speed", []step{
			{[]usb.Device{normal(5)}, []restoretrace.Kind{restoretrace.USBAttach}, ""},
			{[]usb.Device{fullSpeed}, []restoretrace.Kind{restoretrace.USBChange}, ""},
		}},
		{"serial read later: a change of key at the same port", []step{
			{[]usb.Device{unread}, []restoretrace.Kind{restoretrace.USBAttach}, "usb:1-2"},
			{[]usb.Device{normal(5)}, []restoretrace.Kind{restoretrace.USBChange}, "ecid:" + ecidA},
		}},
		{"moved to another port: detach and attach", []step{
			{[]usb.Device{normal(5)}, []restoretrace.Kind{restoretrace.USBAttach}, ""},
			{[]usb.Device{otherPort}, []restoretrace.Kind{restoretrace.USBDetach, restoretrace.USBAttach}, ""},
		}},
		{"an Apple keyboard is not recorded", []step{
			{[]usb.Device{keyboard}, nil, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTracker()
			for i, s := range tt.steps {
				got := tr.step(int64(i*500), s.devs)
				if len(got) != len(s.want) {
					t.Fatalf("step %d: %d events %+v, want %v", i, len(got), got, s.want)
				}
				for j, e := range got {
					if e.Kind != s.want[j] || e.USB == nil || e.TimeMS != int64(i*500) {
						t.Fatalf("step %d event %d: %+v, want %s", i, j, e, s.want[j])
					}
				}
				if s.key != "" && got[len(got)-1].Key != s.key {
					t.Errorf("step %d: key %q, want %q", i, got[len(got)-1].Key, s.key)
				}
			}
		})
	}
}

func TestFacts(t *testing.T) {
	d := recovery(7, ecidA)
	d.Recovery.Extra = map[string]string{"PWND": "[checkm8]"}
	f := Facts(d)
	if f.Mode != "recovery" || f.ProductID != 0x1281 || f.Address != 7 || f.Configurations != 1 ||
		f.IBoot["ECID"] != ecidA || f.IBoot["SRTG"] != "[iBoot-1]" || f.IBoot["PWND"] != "[checkm8]" {
		t.Fatalf("Facts = %+v", f)
	}
	if _, ok := f.IBoot["IMEI"]; ok {
		t.Error("an absent field is recorded")
	}
}

func TestLateness(t *testing.T) {
	const poll, after = 500 * time.Millisecond, 2 * time.Second
	tests := []struct {
		name        string
		mono, wall  time.Duration
		slept, late time.Duration
	}{
		{"on time", 500 * time.Millisecond, 500 * time.Millisecond, 0, 0},
		{"suspended 42 s (Linux: the monotonic clock stopped)", 500 * time.Millisecond, 42*time.Second + 500*time.Millisecond, 42 * time.Second, 42 * time.Second},
		{"stopped process (both clocks ran)", 10 * time.Second, 10 * time.Second, 0, 9500 * time.Millisecond},
		{"NTP step of a second", 500 * time.Millisecond, 1500 * time.Millisecond, 0, time.Second},
		{"wall clock set back", 500 * time.Millisecond, -time.Hour, 0, 0},
	}
	for _, tt := range tests {
		slept, late := lateness(tt.mono, tt.wall, poll, after)
		if slept != tt.slept || late != tt.late {
			t.Errorf("%s: slept %v late %v, want %v %v", tt.name, slept, late, tt.slept, tt.late)
		}
	}
}
