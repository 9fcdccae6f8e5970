package diagnostics

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestOptionsValidate(t *testing.T) {
	dir := testtmp.Dir(t)
	ok := Options{Window: 10 * time.Second, LockdownRequests: DefaultLockdownRequests}
	for _, tc := range []struct {
		name   string
		mod    func(o *Options)
		option string // "" = valid
	}{
		{"defaults", func(o *Options) {}, ""},
		{"window 0", func(o *Options) { o.Window = 0 }, ""},
		{"window overflow", func(o *Options) { o.Window = 2562047 * time.Hour }, "--window"},
		{"window negative", func(o *Options) { o.Window = -time.Second }, "--window"},
		{"lockdown requests 0", func(o *Options) { o.LockdownRequests = 0 }, "--lockdown-requests"},
		{"lockdown requests 1001", func(o *Options) { o.LockdownRequests = 1001 }, "--lockdown-requests"},
		{"apple hosts ok", func(o *Options) { o.AppleHosts = []string{"gs.apple.com:443", "[::1]:8443"} }, ""},
		{"apple hosts garbage", func(o *Options) { o.AppleHosts = []string{"garbage"} }, "--apple-hosts"},
		{"apple hosts port 0", func(o *Options) { o.AppleHosts = []string{"gs.apple.com:0"} }, "--apple-hosts"},
		{"apple hosts no host", func(o *Options) { o.AppleHosts = []string{":443"} }, "--apple-hosts"},
		{"hosts file missing", func(o *Options) { o.HostsFile = filepath.Join(dir, "nonexistent") }, "--hosts-file"},
		{"hosts file dir", func(o *Options) { o.HostsFile = dir }, "--hosts-file"},
		{"hosts file /dev/zero", func(o *Options) { o.HostsFile = "/dev/zero" }, ""},
		{"ca missing", func(o *Options) { o.AppleCAFile = "/nonexistent.pem" }, "--apple-ca"},
		{"ca /dev/zero", func(o *Options) { o.AppleCAFile = "/dev/zero" }, "--apple-ca"},
		{"ca fifo", func(o *Options) { o.AppleCAFile = fifo(t, dir) }, "--apple-ca"},
		{"ca too big", func(o *Options) { o.AppleCAFile = sparse(t, dir, MaxCABundle+1) }, "--apple-ca"},
		{"ca dir", func(o *Options) { o.AppleCAFile = dir }, "--apple-ca"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.mod(&o)
			err := o.Validate()
			var oe *OptionError
			switch {
			case tc.option == "" && err != nil:
				t.Errorf("Validate = %v", err)
			case tc.option != "" && (!errors.Is(err, ErrBadOption) || !errors.As(err, &oe) || oe.Option != tc.option):
				t.Errorf("Validate = %v, want an OptionError for %s", err, tc.option)
			}
		})
	}
}

func TestRedactUSBDevice(t *testing.T) {
	d := usb.Device{Serial: "SDOM:01 CPID:8110 ECID:001A2B3C4D5E6F70 SRNM:[F2LXK0QJPLJM] IMEI:356789012345678",
		Recovery: &usb.RecoveryInfo{CPID: "8110", BDID: "0E", ECID: "001A2B3C4D5E6F70", SRNM: "F2LXK0QJPLJM", IMEI: "356789012345678", Extra: map[string]string{"XYZ": "secret"}}}
	r := RedactUSBDevice(d)
	for _, s := range []string{r.Serial, r.Recovery.ECID, r.Recovery.SRNM, r.Recovery.IMEI, r.Recovery.Extra["XYZ"]} {
		for _, id := range []string{"001A2B3C4D5E6F70", "F2LXK0QJPLJM", "356789012345678", "secret"} {
			if strings.Contains(s, id) {
				t.Errorf("%q still holds %s", s, id)
			}
		}
	}
	if r.Recovery.CPID != "8110" || d.Recovery.ECID != "001A2B3C4D5E6F70" {
		t.Errorf("chip id lost or the original changed: %+v / %+v", r.Recovery, d.Recovery)
	}
}

// sparse makes a file of size bytes in dir without writing them.
func sparse(t *testing.T, dir string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, "big.pem")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOptionErrorsInLanguages: a bad option is explained in the current
// language, with the option and its value as typed, and still wraps
// ErrBadOption. Not parallel: it switches the process's language.
func TestOptionErrorsInLanguages(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	for _, tc := range []struct {
		lang string
		o    Options
		want string
	}{
		{"en", Options{Window: -time.Second, LockdownRequests: DefaultLockdownRequests}, `--window "-1s": want 0 to 24h0m0s`},
		{"de", Options{Window: -time.Second, LockdownRequests: DefaultLockdownRequests}, `--window "-1s": erlaubt sind 0 bis 24h0m0s`},
		{"ja", Options{LockdownRequests: DefaultLockdownRequests, AppleHosts: []string{"gs.apple.com:0"}}, `--apple-hosts "gs.apple.com:0"：ポートは 1 から 65535 の範囲で指定してください`},
		{"fr", Options{LockdownRequests: DefaultLockdownRequests, HostsFile: testtmp.Dir(t)}, "\u00a0: est un dossier"},
	} {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		err := tc.o.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadOption) {
			t.Errorf("%s: %v, want %q in it", tc.lang, err, tc.want)
		}
	}
}

// TestFlagErrorsInLanguages: --tried and --usbmuxd problems are explained in
// the current language, the unknown word and the address as typed.
func TestFlagErrorsInLanguages(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	for _, tc := range []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"--tried", "cable,prayer"}, `--tried "cable,prayer": unknown item "prayer" (want a comma-separated list of cable, port, computer, restart)`},
		{"de", []string{"--tried", "cable,,port"}, `--tried "cable,,port": leerer Eintrag`},
		{"ja", []string{"--tried", "prayer"}, `不明な項目 "prayer"`},
		{"de", []string{"--usbmuxd", "ftp://x"}, `--usbmuxd "ftp://x": keine usbmuxd-Adresse`},
	} {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		fs := cliflags.NewFlagSet("check")
		var o Options
		f := BindFlags(fs, &o)
		err := cliflags.Parse(fs, tc.args)
		if err == nil {
			err = f.Finish()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadOption) {
			t.Errorf("%s %q: %v, want %q in it", tc.lang, tc.args, err, tc.want)
		}
	}
}
