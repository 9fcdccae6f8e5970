package security

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// summary renders products compactly: "kind:name:on|off[:builtin]".
func summary(ps []Product) string {
	var parts []string
	for _, p := range ps {
		s := p.Kind + ":" + p.Name + ":"
		if p.Enabled {
			s += "on"
		} else {
			s += "off"
		}
		if p.BuiltIn {
			s += ":builtin"
		}
		if p.Vendor != "" {
			s += ":" + p.Vendor
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func TestParseSecurityCenter(t *testing.T) {
	tests := []struct {
		file string
		want string
		err  error
	}{
		{"windows_defender_only.json", "antivirus:Windows Defender:on:builtin", nil},
		{"windows_norton_defender.json", "antivirus:Windows Defender:off:builtin, antivirus:Norton 360:on, firewall:Norton 360:on", nil},
		{"windows_mcafee_disabled.json", "antivirus:Windows Defender:off:builtin, antivirus:McAfee VirusScan:off, firewall:McAfee Firewall:off", nil},
		{"windows_pipeline_single.json", "antivirus:Bitdefender Antivirus Free:on", nil},
		{"windows_no_products.json", "", nil},
		{"windows_empty.json", "", ErrEmptyOutput}, // PowerShell blocked: never "no security software"
		{"windows_server_stderr.txt", "", ErrNoSecurityCenter},
		{"garbage.txt", "", errAny},
		{"macos_none.txt", "", errAny},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ps, err := ParseSecurityCenter(read(t, tt.file))
			switch {
			case tt.err == errAny && err == nil:
				t.Fatalf("want an error, got %v", summary(ps))
			case tt.err == nil && err != nil:
				t.Fatalf("err %v", err)
			case tt.err != nil && tt.err != errAny && !errors.Is(err, tt.err):
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if got := summary(ps); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestDecodeProductState(t *testing.T) {
	tests := []struct {
		state             uint32
		enabled, upToDate bool
	}{
		{397568, true, true},   // 0x061100 Defender on
		{393472, false, true},  // 0x060100 Defender off
		{266240, true, true},   // 0x041000 third party on
		{266256, true, false},  // 0x041010 on, outdated
		{262144, false, true},  // 0x040000 off
		{262160, false, false}, // 0x040010 off, outdated
		{401664, false, true},  // 0x062100 snoozed
		{405760, false, true},  // 0x063100 expired
	}
	for _, tt := range tests {
		if got := DecodeProductState(tt.state); got.Enabled != tt.enabled || got.UpToDate != tt.upToDate {
			t.Errorf("DecodeProductState(%#x) = %+v", tt.state, got)
		}
	}
}

func TestParseSystemExtensions(t *testing.T) {
	tests := []struct {
		file     string
		all      int
		security string
		err      bool
	}{
		{"macos_crowdstrike_active.txt", 4,
			"system_extension:Falcon Sensor:on:CrowdStrike Falcon, system_extension:com.crowdstrike.falcon.Agent:on:CrowdStrike Falcon, system_extension:Little Snitch Network Extension:off:Little Snitch (firewall)", false},
		{"macos_none.txt", 0, "", false},
		{"macos_lulu_waiting.txt", 2, "system_extension:LuLu:off:LuLu (firewall)", false},
		{"macos_spaces_sentinelone.txt", 1, "system_extension:SentinelOne Network Monitoring:on:SentinelOne", false},
		{"garbage.txt", 0, "", true},
		{"windows_empty.json", 0, "", true},
		{"windows_defender_only.json", 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			exts, err := ParseSystemExtensions(read(t, tt.file))
			if (err != nil) != tt.err {
				t.Fatalf("err %v", err)
			}
			if len(exts) != tt.all {
				t.Errorf("%d extensions, want %d: %+v", len(exts), tt.all, exts)
			}
			if got := summary(SecurityExtensions(exts)); got != tt.security {
				t.Errorf("got  %s\nwant %s", got, tt.security)
			}
		})
	}
	exts, _ := ParseSystemExtensions(read(t, "macos_crowdstrike_active.txt"))
	e := exts[1]
	if e.Category != "com.apple.system_extension.endpoint_security" || e.TeamID != "X9E956P446" || e.Version != "7.10/18305.0" || e.State != "activated enabled" {
		t.Errorf("row fields %+v", e)
	}
}

func TestMatchVendor(t *testing.T) {
	tests := []struct{ bundle, team, want string }{
		{"com.crowdstrike.falcon.Agent", "", "CrowdStrike Falcon"},
		{"COM.SOPHOS.endpoint.networkextension", "", "Sophos"},
		{"com.example.unknown", "X9E956P446", "CrowdStrike Falcon"},
		{"com.microsoft.wdav.epsext", "UBF8T346G9", "Microsoft Defender"},
		{"com.microsoft.teams.helper", "UBF8T346G9", ""},
		{"com.vmware.DriverKit.VMwareUSB", "EG7KH642X6", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		v, ok := MatchVendor(tt.bundle, tt.team)
		if ok != (tt.want != "") || v.Name != tt.want {
			t.Errorf("MatchVendor(%q, %q) = %q, %v", tt.bundle, tt.team, v.Name, ok)
		}
	}
	if len(Vendors()) < 15 {
		t.Errorf("vendor table has %d rows", len(Vendors()))
	}
	for _, v := range Vendors() {
		if v.Name == "" || len(v.BundlePrefixes) == 0 {
			t.Errorf("vendor row %+v incomplete", v)
		}
	}
}

func seeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"antivirus":{"displayName":"x","productState":"-1"}}`))
	f.Add([]byte(`[{"displayName":null,"productState":1e99}]`))
	f.Add([]byte("1 extension(s)\n*\t*\t-\tx (1)\tn\t[activated enabled]"))
}

func FuzzParseSecurityCenter(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ParseSecurityCenter(b)
		if err != nil && len(ps) != 0 {
			t.Fatal("products with an error")
		}
		if len(ps) > 2*MaxProducts {
			t.Fatalf("%d products", len(ps))
		}
		for _, p := range ps {
			if p.Name == "" || (p.Kind != KindAntivirus && p.Kind != KindFirewall) {
				t.Fatalf("bad product %+v", p)
			}
		}
	})
}

func FuzzParseSystemExtensions(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		exts, err := ParseSystemExtensions(b)
		if len(exts) > MaxExtensions {
			t.Fatalf("%d extensions", len(exts))
		}
		if err == nil {
			for _, p := range SecurityExtensions(exts) {
				if p.Vendor == "" {
					t.Fatalf("unmatched product %+v", p)
				}
			}
		}
	})
}
