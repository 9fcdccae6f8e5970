package software

import (
	"errors"
	"os"
	"path/filepath"
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

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.1.1", "1.1.1", 0},
		{"1.1.1-2+deb12u1", "1.1.1", 0},
		{"1.1.0", "1.1.1", -1},
		{"1.10", "1.9", 1},
		{"1:1.3.0-6", "1.3.0", 0},
		{"1.3.0+git20250228.ed9703d-1", "1.3.0", 0},
		{"12.13.2.3", "12.12.0", 1},
		{"12.10.11.2", "12.12.0", -1},
		{"13.0.0.38", "14.0", -1},
		{"v2.0", "2", 0},
		{"", "1", -1},
		{"garbage", "0", 0},
		{"99999999999999999999999", "1", 1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d (antisymmetry)", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestParseWindowsInventory(t *testing.T) {
	type comp struct {
		installed, outdated bool
		version             string
	}
	tests := []struct {
		file                 string
		build                string
		itunes, devices, amd comp
		store                bool
	}{
		{"windows_itunes_current.json", "22631", comp{true, false, "12.13.2.3"}, comp{}, comp{true, false, "17.1.0.2"}, false},
		{"windows_itunes_old.json", "19045", comp{true, true, "12.10.11.2"}, comp{}, comp{true, true, "13.0.0.38"}, false},
		{"windows_apple_devices.json", "26100", comp{}, comp{true, false, "1.0.4.0"}, comp{}, false},
		{"windows_itunes_no_amds.json", "19045", comp{true, false, "12.13.1.3"}, comp{}, comp{}, false},
		{"windows_nothing.json", "22631", comp{}, comp{}, comp{}, false},
		{"windows_store_itunes_ps51.json", "19045", comp{true, false, "12132.10001.2.0"}, comp{}, comp{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			inv, err := ParseWindowsInventory(read(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if inv.OSBuild != tt.build || inv.ITunesFromStore != tt.store {
				t.Errorf("build %q store %v", inv.OSBuild, inv.ITunesFromStore)
			}
			for _, c := range []struct {
				got  Component
				want comp
			}{{inv.ITunes, tt.itunes}, {inv.AppleDevices, tt.devices}, {inv.AMDS, tt.amd}} {
				if c.got.Installed != c.want.installed || c.got.Outdated != c.want.outdated || c.got.Version != c.want.version {
					t.Errorf("%s = %+v, want %+v", c.got.Name, c.got, c.want)
				}
			}
		})
	}
	for _, empty := range []string{"", " \r\n", "\xEF\xBB\xBF"} {
		if _, err := ParseWindowsInventory([]byte(empty)); !errors.Is(err, ErrEmptyOutput) {
			t.Errorf("ParseWindowsInventory(%q) err = %v, want ErrEmptyOutput", empty, err)
		}
	}
	for _, bad := range []string{"", "null", "[]", "{", `{"uninstall":"x"}`, "Get-CimInstance : Access denied"} {
		if _, err := ParseWindowsInventory([]byte(bad)); err == nil {
			t.Errorf("ParseWindowsInventory(%q) succeeded", bad)
		}
	}
}

func TestParseSwVers(t *testing.T) {
	tests := []struct{ file, name, version, build string }{
		{"macos_sw_vers_14.txt", "macOS", "14.5", "23F79"},
		{"macos_sw_vers_10_14.txt", "Mac OS X", "10.14.6", "18G9323"},
		{"macos_sw_vers_12.txt", "macOS", "12.7.6", "21H1320"},
	}
	for _, tt := range tests {
		m, err := ParseSwVers(read(t, tt.file))
		if err != nil || m.ProductName != tt.name || m.ProductVersion != tt.version || m.BuildVersion != tt.build {
			t.Errorf("%s: %+v %v", tt.file, m, err)
		}
	}
	for _, bad := range []string{"", "ProductVersion:\n", "ProductVersion: abc", "sw_vers: command not found"} {
		if _, err := ParseSwVers([]byte(bad)); err == nil {
			t.Errorf("ParseSwVers(%q) succeeded", bad)
		}
	}
}

func TestMacOSMinimum(t *testing.T) {
	tests := []struct{ ios, min, rule string }{
		{"", "10.15", "floor"},
		{"16.7.8", "10.15", "floor"},
		{"17.5.1", "12.0", "iOS 17"},
		{"18.0", "13.0", "iOS 18"},
		{"19.1", "13.0", "iOS 18"}, // no row for 19: nearest lower
		{"26.0", "14.0", "iOS 26"},
		{"junk", "10.15", "floor"},
	}
	for _, tt := range tests {
		if min, rule := MacOSMinimum(tt.ios); min != tt.min || rule != tt.rule {
			t.Errorf("MacOSMinimum(%q) = %q, %q; want %q, %q", tt.ios, min, rule, tt.min, tt.rule)
		}
	}
}

func TestParseToolVersion(t *testing.T) {
	tests := []struct{ file, tool, want string }{
		{"linux_usbmuxd_version.txt", "usbmuxd", "1.1.1"},
		{"linux_usbmuxd_old.txt", "usbmuxd", "1.1.0"},
		{"linux_ideviceinfo_version.txt", "ideviceinfo", "1.3.0"},
		{"linux_ideviceinfo_old.txt", "ideviceinfo", "1.2.1-rc1"},
	}
	for _, tt := range tests {
		if v, err := ParseToolVersion(read(t, tt.file), tt.tool); err != nil || v != tt.want {
			t.Errorf("%s: %q %v", tt.file, v, err)
		}
	}
	for _, bad := range []string{"", "usbmuxd\n", "ideviceinfo 1.3.0", "Usage: usbmuxd [OPTIONS]", "usbmuxd: unrecognized option"} {
		if v, err := ParseToolVersion([]byte(bad), "usbmuxd"); err == nil {
			t.Errorf("ParseToolVersion(%q) = %q", bad, v)
		}
	}
}

func TestParseDpkgQuery(t *testing.T) {
	ps := ParseDpkgQuery(read(t, "linux_dpkg_bookworm.txt"))
	if len(ps) != 4 || LibimobiledeviceFromDpkg(ps) != "1.3.0-6+b3" || !ps[3].Installed || ps[3].Name != "usbmuxd" {
		t.Errorf("bookworm: %+v", ps)
	}
	ps = ParseDpkgQuery(read(t, "linux_dpkg_trixie_usbmuxd_removed.txt"))
	if len(ps) != 3 || ps[2].Installed || LibimobiledeviceFromDpkg(ps) != "1.3.0+git20250228.ed9703d-1" {
		t.Errorf("trixie: %+v", ps)
	}
	if ps := ParseDpkgQuery(read(t, "linux_dpkg_stderr.txt")); len(ps) != 0 {
		t.Errorf("stderr: %+v", ps)
	}
}

func seeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			continue // the macOS file trees
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseWindowsInventory(f *testing.F) {
	seeds(f)
	f.Add([]byte(`{"appx":{"Name":"AppleInc.AppleDevices","Version":{"Major":-1}},"uninstall":{"DisplayName":"iTunes","DisplayVersion":"99999999999999999999999.1"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := ParseWindowsInventory(b)
		if err == nil && inv.ITunes.Outdated && !inv.ITunes.Installed {
			t.Fatal("outdated but not installed")
		}
	})
}

func FuzzParseSwVers(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := ParseSwVers(b); err == nil && !ValidVersion(m.ProductVersion) {
			t.Fatalf("accepted %q", m.ProductVersion)
		}
	})
}

func FuzzParseToolVersion(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := ParseToolVersion(b, "usbmuxd"); err == nil && !ValidVersion(v) {
			t.Fatalf("accepted %q", v)
		}
	})
}

func FuzzParseDpkgQuery(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range ParseDpkgQuery(b) {
			if p.Name == "" {
				t.Fatal("empty package name")
			}
		}
	})
}

func FuzzCompareVersions(f *testing.F) {
	f.Add("1.1.1-2+deb12u1", "1.1.1")
	f.Add("1:2.0", "v3")
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareVersions(a, b) != -CompareVersions(b, a) {
			t.Fatalf("not antisymmetric: %q %q", a, b)
		}
		if CompareVersions(a, a) != 0 {
			t.Fatalf("not reflexive: %q", a)
		}
	})
}
