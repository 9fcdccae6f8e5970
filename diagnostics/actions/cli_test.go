package actions_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
)

func TestPick(t *testing.T) {
	a := device.Device{Key: "ecid:001A2B3C4D5E6F70", UDID: "00008110-001A2B3C4D5E6F70", Mode: mode.Normal}
	b := device.Device{Key: "usb:1-2", Mode: mode.Recovery, USB: &usb.Device{Bus: 1, PortPath: []int{2}}}
	tests := []struct {
		name    string
		devs    []device.Device
		want    string
		wantKey string
		wantErr bool
	}{
		{"none", nil, "", "", true},
		{"the only one", []device.Device{a}, "", a.Key, false},
		{"two need --device", []device.Device{a, b}, "", "", true},
		{"by key", []device.Device{a, b}, b.Key, b.Key, false},
		{"by UDID without dash", []device.Device{a, b}, "00008110001a2b3c4d5e6f70", a.Key, false},
		{"by USB location", []device.Device{a, b}, b.USB.Location(), b.Key, false},
		{"unknown", []device.Device{a, b}, "nope", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := actions.Pick(tc.devs, tc.want)
			if (err != nil) != tc.wantErr || d.Key != tc.wantKey {
				t.Errorf("Pick = %q, %v; want %q (error %v)", d.Key, err, tc.wantKey, tc.wantErr)
			}
		})
	}
}

func TestParseCommandLine(t *testing.T) {
	tests := []struct {
		args    []string
		kind    actions.Kind
		rest    []string
		help    bool
		wantErr string // "" = no error
	}{
		{[]string{"restart"}, actions.Restart, []string{}, false, ""},
		{[]string{"restart", "--yes", "--device", "1-2"}, actions.Restart, []string{"--yes", "--device", "1-2"}, false, ""},
		{[]string{"recovery", "exit"}, actions.ExitRecovery, []string{}, false, ""},
		{[]string{"recovery", "enter", "--json"}, actions.EnterRecovery, []string{"--json"}, false, ""},
		{[]string{"recovery", "--help"}, "", nil, true, ""},
		{[]string{"recovery", "-h"}, "", nil, true, ""},
		{[]string{"recovery", "leave"}, "", nil, false, `recovery "leave": want "recovery exit" or "recovery enter"`},
		{[]string{"recovery"}, "", nil, false, `recovery: want "recovery exit" or "recovery enter"`},
		{nil, "", nil, false, `recovery: want "recovery exit" or "recovery enter"`},
	}
	for _, tc := range tests {
		k, rest, err := actions.ParseCommandLine(tc.args)
		switch {
		case tc.help:
			if !errors.Is(err, cliflags.ErrHelp) {
				t.Errorf("%q: err = %v, want cliflags.ErrHelp", tc.args, err)
			}
		case tc.wantErr != "":
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%q: err = %v, want %q", tc.args, err, tc.wantErr)
			}
		case err != nil || k != tc.kind || !slices.Equal(rest, tc.rest):
			t.Errorf("%q = %q, %q, %v; want %q, %q", tc.args, k, rest, err, tc.kind, tc.rest)
		}
	}
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		kind  actions.Kind
		input string
		want  bool
	}{
		{actions.Restart, "y\n", true},
		{actions.Restart, "YES\n", true},
		{actions.Restart, "\n", false},
		{actions.Restart, "", false},
		{actions.EnterRecovery, "y\n", false},
		{actions.EnterRecovery, "i have a backup\n", true},
	}
	for _, tc := range tests {
		var prompt bytes.Buffer
		if got := actions.Confirm(strings.NewReader(tc.input), &prompt, tc.kind, "iPhone 8", mode.Normal); got != tc.want {
			t.Errorf("%s with %q: %v, want %v (prompt %q)", tc.kind, tc.input, got, tc.want, prompt.String())
		}
	}
}

func TestWriteResult(t *testing.T) {
	var buf bytes.Buffer
	actions.WriteResult(&buf, actions.Result{Kind: actions.ExitRecovery, Summary: "the iPhone restarted", Before: mode.Recovery, After: mode.Normal})
	if got := buf.String(); !strings.Contains(got, ": the iPhone restarted\n") || !strings.Contains(got, "Before: recovery mode. After: normal mode.") {
		t.Errorf("result text %q", got)
	}
	if actions.CommandName(actions.ExitRecovery) != "recovery exit" {
		t.Error(errors.New("command name"))
	}
}
