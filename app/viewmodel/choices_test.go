package viewmodel

import (
	"slices"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestChoiceLabels(t *testing.T) {
	pro := func(key, own string, m mode.Mode) Device {
		return Device{Key: key, Name: "iPhone 13 Pro Max", OwnName: own, Mode: m}
	}
	tests := []struct {
		name string
		devs []Device
		want []string
	}{
		{"owner names", []Device{pro("ecid:01", "Anna's iPhone", mode.Normal), pro("ecid:02", "Ben's iPhone", mode.Normal)},
			[]string{"1. Anna's iPhone (Normal)", "2. Ben's iPhone (Normal)"}},
		{"same model gets key suffix", []Device{pro("ecid:001A2B3C4D5E0002", "", mode.Normal), pro("usb:1-2.1", "", mode.Recovery), {Key: "x", Name: "iPhone 8", Mode: mode.Normal}},
			[]string{"1. iPhone 13 Pro Max ·0002 (Normal)", "2. iPhone 13 Pro Max ·121 (Recovery mode)", "3. iPhone 8 (Normal)"}},
		{"owner name and model mixed", []Device{pro("ecid:0001", "Anna's iPhone", mode.Normal), pro("ecid:0002", "", mode.Normal)},
			[]string{"1. Anna's iPhone (Normal)", "2. iPhone 13 Pro Max (Normal)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ChoiceLabels(tc.devs); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPickDeviceNeverAnother: among several phones an unknown key matches
// none, so a phone's numbers are never compared with another phone's.
func TestPickDeviceNeverAnother(t *testing.T) {
	two := &report.Report{Devices: []report.Device{{Key: "a"}, {Key: "b"}}}
	one := &report.Report{Devices: []report.Device{{Key: "a"}}}
	tests := []struct {
		name    string
		r       *report.Report
		key     string
		wantKey string
		wantOK  bool
	}{
		{"match", two, "b", "b", true},
		{"unknown among several", two, "c", "", false},
		{"empty key takes first", two, "", "a", true},
		{"single phone", one, "c", "a", true},
		{"nil", nil, "a", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := pickDevice(tc.r, tc.key)
			if ok != tc.wantOK || d.Key != tc.wantKey {
				t.Errorf("got %q %v, want %q %v", d.Key, ok, tc.wantKey, tc.wantOK)
			}
		})
	}
}

func TestDeviceCardSortsByShownName(t *testing.T) {
	devs := []Device{
		{Key: "a", Name: "iPhone 8", OwnName: "Second iPhone", Mode: mode.Normal},
		{Key: "b", Name: "iPhone 13 Pro Max", OwnName: "Test iPhone", Mode: mode.Normal},
		{Key: "c", Name: "iPhone 13 Pro Max", OwnName: "Anna's iPhone", Mode: mode.Normal},
	}
	card := BuildDeviceCard(devs, "a", Host{})
	want := []string{"1. Anna's iPhone (Normal)", "2. Second iPhone (Normal)", "3. Test iPhone (Normal)"}
	if !slices.Equal(card.Choices, want) || card.Selected != 1 {
		t.Errorf("choices %q selected %d, want %q selected 1", card.Choices, card.Selected, want)
	}
}
