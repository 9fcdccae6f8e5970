package diagnostics

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
)

func TestBindFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string // the flag named in the error; "" = no error
		is      error  // the error wraps it (nil: not checked)
	}{
		{"defaults", nil, Options{Window: DefaultWindow, LockdownRequests: DefaultLockdownRequests}, "", nil},
		{"all", []string{"--window", "0", "--usbmuxd", "UNIX:/tmp/x", "--no-network", "--apple-hosts", "a:443, b:443",
			"--apple-ca", "flags_test.go", "--hosts-file", "/dev/null", "--tried", "cable,Computer", "--include-identifiers",
			"--lockdown-requests", "3"},
			Options{UsbmuxdAddress: "UNIX:/tmp/x", NoNetwork: true, AppleHosts: []string{"a:443", "b:443"}, AppleCAFile: "flags_test.go",
				HostsFile: "/dev/null", Tried: rules.Tried{Cable: true, Computer: true}, IncludeIdentifiers: true, LockdownRequests: 3}, "", nil},
		{"single dash", []string{"-window=3s"}, Options{Window: 3 * time.Second, LockdownRequests: DefaultLockdownRequests}, "", nil},
		{"usbmuxd tcp", []string{"--usbmuxd", "tcp://127.0.0.1:27015"},
			Options{Window: DefaultWindow, UsbmuxdAddress: "tcp://127.0.0.1:27015", LockdownRequests: DefaultLockdownRequests}, "", nil},
		{"bad duration", []string{"--window", "10"}, Options{}, "-window", nil},
		{"window too long", []string{"--window", "25h"}, Options{}, "--window", ErrBadOption},
		{"bad tried", []string{"--tried", "cable,prayer"}, Options{}, "--tried", nil},
		{"empty apple host", []string{"--apple-hosts", "a:1,,b:2"}, Options{}, "--apple-hosts", ErrBadOption},
		{"bad apple host", []string{"--apple-hosts", "a:1,b"}, Options{}, "--apple-hosts", ErrBadOption},
		{"bad usbmuxd", []string{"--usbmuxd", "ftp://x"}, Options{}, "--usbmuxd", nil},
		{"bad request count", []string{"--lockdown-requests", "-1"}, Options{}, "--lockdown-requests", ErrBadOption},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := cliflags.NewFlagSet("check")
			var o Options
			f := BindFlags(fs, &o)
			err := cliflags.Parse(fs, tc.args)
			if err == nil {
				err = f.Finish()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("err = %v, want it to wrap %v", err, tc.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o, tc.want) {
				t.Errorf("Options = %+v\nwant      %+v", o, tc.want)
			}
		})
	}
}

func TestBindFlagsWrapsAddressError(t *testing.T) {
	fs := cliflags.NewFlagSet("check")
	var o Options
	f := BindFlags(fs, &o)
	if err := cliflags.Parse(fs, []string{"--usbmuxd", "ftp://x"}); err != nil {
		t.Fatal(err)
	}
	var ae *usbmux.AddressError
	if err := f.Finish(); !errors.As(err, &ae) {
		t.Errorf("err = %v, want a *usbmux.AddressError", err)
	}
}

func TestParseAppleHosts(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"gs.apple.com:443", []string{"gs.apple.com:443"}, false},
		{" a:1 ,b:2,  [::1]:3 ", []string{"a:1", "b:2", "[::1]:3"}, false},
		{"a:1,", nil, true},
		{",", nil, true},
		{" ", nil, true},
	}
	for _, tc := range tests {
		got, err := ParseAppleHosts(tc.in)
		if tc.err {
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Option != "--apple-hosts" || oe.Value != tc.in || !errors.Is(err, ErrBadOption) {
				t.Errorf("ParseAppleHosts(%q) err = %v, want an --apple-hosts OptionError", tc.in, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseAppleHosts(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
