package software

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// mapRegistry is a registry in a map: "ROOT\path" → value name → value.
type mapRegistry struct {
	keys   map[string]map[string]string
	denied map[string]bool // keys that fail with access denied
}

var errDenied = errors.New("access is denied")

func (m mapRegistry) SubKeys(root, path string, max int) ([]string, error) {
	full := root + `\` + path
	if m.denied[full] {
		return nil, errDenied
	}
	var names []string
	found := false
	for k := range m.keys {
		if k == full {
			found = true
		}
		if rest, ok := strings.CutPrefix(k, full+`\`); ok {
			found = true
			if !strings.Contains(rest, `\`) && !slices.Contains(names, rest) {
				names = append(names, rest)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("%s: %w", full, fs.ErrNotExist)
	}
	slices.Sort(names)
	if len(names) > max {
		names = names[:max]
	}
	return names, nil
}

func (m mapRegistry) Values(root, path string, names ...string) (map[string]string, error) {
	full := root + `\` + path
	if m.denied[full] {
		return nil, errDenied
	}
	k, ok := m.keys[full]
	if !ok {
		return nil, fmt.Errorf("%s: %w", full, fs.ErrNotExist)
	}
	out := map[string]string{}
	for _, n := range names {
		if v, ok := k[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

const (
	hklmUninstall   = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
	hklmUninstall32 = `HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall`
	hkcuUninstall   = `HKCU\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
	hkcuPackages    = `HKCU\` + regStorePackages
	hklmVersion     = `HKLM\` + regCurrentVersion
)

func win11() map[string]string {
	return map[string]string{"ProductName": "Windows 10 Pro", "CurrentMajorVersionNumber": "10", "CurrentMinorVersionNumber": "0", "CurrentBuildNumber": "22631"}
}

func TestReadWindowsRegistry(t *testing.T) {
	tests := []struct {
		name    string
		reg     mapRegistry
		caption string
		itunes  Component
		devices Component
		amds    Component
		store   bool
		err     error
	}{
		{
			name: "desktop iTunes and AMDS, Windows 11",
			reg: mapRegistry{keys: map[string]map[string]string{
				hklmVersion:                 win11(),
				hklmUninstall + `\{A1B2}`:   {"DisplayName": "Apple Mobile Device Support", "DisplayVersion": "17.1.0.2", "Publisher": "Apple Inc."},
				hklmUninstall + `\{C3D4}`:   {"DisplayName": "Mozilla Firefox", "DisplayVersion": "128.0", "Publisher": "Mozilla"},
				hklmUninstall32 + `\{E5}`:   {"DisplayName": "iTunes", "DisplayVersion": "12.13.2.3", "Publisher": "Apple Inc."},
				hklmUninstall32 + `\{F6}`:   {"DisplayName": "iTunes", "DisplayVersion": "12.10.11.2", "Publisher": "Apple Inc."}, // older duplicate
				hkcuUninstall + `\NoValues`: {},
			}},
			caption: "Microsoft Windows 11 Pro",
			itunes:  Component{Name: ITunes, Installed: true, Version: "12.13.2.3", Source: "uninstall registry", Minimum: Table().Windows[ITunes]},
			devices: Component{Name: AppleDevices},
			amds:    Component{Name: AppleMobileDeviceSupport, Installed: true, Version: "17.1.0.2", Source: "uninstall registry", Minimum: Table().Windows[AppleMobileDeviceSupport]},
		},
		{
			name: "Apple Devices from the Store, AMDS outdated",
			reg: mapRegistry{keys: map[string]map[string]string{
				hklmUninstall + `\{A1B2}`: {"DisplayName": "Apple Mobile Device Support", "DisplayVersion": "13.0.0.38", "Publisher": "Apple Inc."},
				hkcuPackages + `\AppleInc.AppleDevices_1.0.4.0_x64__nzyj5cx40ttqa`:           {},
				hkcuPackages + `\Microsoft.WindowsCalculator_11.2405.2.0_x64__8wekyb3d8bbwe`: {},
				hkcuPackages + `\AppleInc.broken`:                                            {},
			}},
			itunes:  Component{Name: ITunes, Minimum: Table().Windows[ITunes]},
			devices: Component{Name: AppleDevices, Installed: true, Version: "1.0.4.0", Source: "store package"},
			amds:    Component{Name: AppleMobileDeviceSupport, Installed: true, Version: "13.0.0.38", Source: "uninstall registry", Minimum: Table().Windows[AppleMobileDeviceSupport], Outdated: true},
		},
		{
			name: "Store iTunes",
			reg: mapRegistry{keys: map[string]map[string]string{
				hkcuUninstall + `\x`: {"DisplayName": "Something", "Publisher": "Other"},
				hkcuPackages + `\AppleInc.iTunes_12132.10001.2.0_x64__nzyj5cx40ttqa`: {},
			}},
			itunes:  Component{Name: ITunes, Installed: true, Version: "12132.10001.2.0", Source: "store package"},
			devices: Component{Name: AppleDevices},
			amds:    Component{Name: AppleMobileDeviceSupport, Minimum: Table().Windows[AppleMobileDeviceSupport]},
			store:   true,
		},
		{
			name: "one Uninstall key denied, the others read",
			reg: mapRegistry{keys: map[string]map[string]string{
				hklmUninstall32 + `\{E5}`: {"DisplayName": "iTunes", "DisplayVersion": "12.13.2.3", "Publisher": "Apple Inc."},
			}, denied: map[string]bool{hklmUninstall: true}},
			itunes:  Component{Name: ITunes, Installed: true, Version: "12.13.2.3", Source: "uninstall registry", Minimum: Table().Windows[ITunes]},
			devices: Component{Name: AppleDevices},
			amds:    Component{Name: AppleMobileDeviceSupport, Minimum: Table().Windows[AppleMobileDeviceSupport]},
		},
		{
			name: "every Uninstall key denied",
			reg:  mapRegistry{denied: map[string]bool{hklmUninstall: true, hklmUninstall32: true, hkcuUninstall: true}},
			err:  ErrRegistryUnreadable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := ReadWindowsRegistry(tt.reg)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if inv.OSCaption != tt.caption {
				t.Errorf("caption %q, want %q", inv.OSCaption, tt.caption)
			}
			if inv.ITunes != tt.itunes || inv.AppleDevices != tt.devices || inv.AMDS != tt.amds || inv.ITunesFromStore != tt.store {
				t.Errorf("got\n iTunes %+v\n Devices %+v\n AMDS %+v store %v", inv.ITunes, inv.AppleDevices, inv.AMDS, inv.ITunesFromStore)
			}
		})
	}
}

// The registry and PowerShell's JSON are two sources of the same facts:
// the same machine must give the same inventory.
func TestReadWindowsRegistryMatchesPowerShell(t *testing.T) {
	fromJSON, err := ParseWindowsInventory(read(t, "windows_itunes_current.json"))
	if err != nil {
		t.Fatal(err)
	}
	reg := mapRegistry{keys: map[string]map[string]string{hklmVersion: {}}}
	i := 0
	add := func(c Component) {
		if c.Installed {
			reg.keys[fmt.Sprintf(`%s\{%d}`, hklmUninstall, i)] = map[string]string{"DisplayName": c.Name, "DisplayVersion": c.Version, "Publisher": "Apple Inc."}
			i++
		}
	}
	add(fromJSON.ITunes)
	add(fromJSON.AMDS)
	fromReg, err := ReadWindowsRegistry(reg)
	if err != nil {
		t.Fatal(err)
	}
	if fromReg.ITunes != fromJSON.ITunes || fromReg.AMDS != fromJSON.AMDS || fromReg.AppleDevices != fromJSON.AppleDevices {
		t.Errorf("registry %+v\nPowerShell %+v", fromReg, fromJSON)
	}
}

func TestWindowsVersion(t *testing.T) {
	for _, tt := range []struct {
		in                      map[string]string
		caption, version, build string
	}{
		{win11(), "Microsoft Windows 11 Pro", "10.0.22631", "22631"},
		{map[string]string{"ProductName": "Windows 10 Home", "CurrentMajorVersionNumber": "10", "CurrentMinorVersionNumber": "0", "CurrentBuildNumber": "19045"}, "Microsoft Windows 10 Home", "10.0.19045", "19045"},
		{map[string]string{"ProductName": "Windows 8.1 Pro", "CurrentBuildNumber": "9600"}, "Microsoft Windows 8.1 Pro", "", "9600"},
		{map[string]string{"ProductName": "Windows 7 Professional", "CurrentVersion": "6.1", "CurrentBuildNumber": "7601"}, "Microsoft Windows 7 Professional", "6.1.7601", "7601"},
		{map[string]string{}, "", "", ""},
	} {
		c, v, b := windowsVersion(tt.in)
		if c != tt.caption || v != tt.version || b != tt.build {
			t.Errorf("windowsVersion(%v) = %q %q %q", tt.in, c, v, b)
		}
	}
}

func FuzzParsePackageFullName(f *testing.F) {
	f.Add("AppleInc.AppleDevices_1.0.4.0_x64__nzyj5cx40ttqa")
	f.Add("a_b_c_d")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := ParsePackageFullName(s)
		if ok && (p.Name == "" || !ValidVersion(p.Version)) {
			t.Fatalf("accepted %+v", p)
		}
	})
}
