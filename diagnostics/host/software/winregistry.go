package software

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Registry roots WindowsRegistry is asked about.
const (
	HKLM = "HKLM"
	HKCU = "HKCU"
)

// Registry keys read instead of running PowerShell.
const (
	// regCurrentVersion holds the Windows version: ProductName,
	// CurrentMajorVersionNumber, CurrentMinorVersionNumber (DWORDs, Windows
	// 10 and later; before that the string CurrentVersion, "6.1") and
	// CurrentBuildNumber.
	regCurrentVersion = `SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	// regStorePackages has one subkey per Store package registered for the
	// user, named by the package full name
	// "Name_Version_Architecture_ResourceId_PublisherId"
	// ("AppleInc.AppleDevices_1.0.4.0_x64__nzyj5cx40ttqa"); many installers
	// and inventory tools enumerate it the same way.
	regStorePackages = `Software\Classes\Local Settings\Software\Microsoft\Windows\CurrentVersion\AppModel\Repository\Packages`
)

// uninstallKeys are the three Uninstall keys WindowsScript reads: 64-bit
// and 32-bit machine-wide installs and per-user installs.
var uninstallKeys = []struct{ root, path string }{
	{HKLM, `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`},
	{HKLM, `SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall`},
	{HKCU, `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`},
}

// MaxRegistrySubKeys caps the subkeys read from one key (a PC has a few
// hundred Uninstall entries and Store packages).
const MaxRegistrySubKeys = 4096

// win11Build is the first Windows 11 build (21H2): the registry's
// ProductName still says "Windows 10" on Windows 11, so the build decides.
const win11Build = 22000

// WindowsRegistry is the part of the Windows registry ReadWindowsRegistry
// reads. The Windows adapter is in diagnostics/host; tests use a map.
type WindowsRegistry interface {
	// SubKeys lists at most max subkey names of root\path. A key that does
	// not exist wraps fs.ErrNotExist.
	SubKeys(root, path string, max int) ([]string, error)
	// Values reads the named values of root\path as strings (integers in
	// decimal); values that are absent are missing from the map. A key that
	// does not exist wraps fs.ErrNotExist.
	Values(root, path string, names ...string) (map[string]string, error)
}

// ErrRegistryUnreadable means none of the Uninstall keys could be read.
var ErrRegistryUnreadable = errors.New("software: the Uninstall registry keys cannot be read")

// ReadWindowsRegistry reads what WindowsScript prints from the registry
// directly, without starting PowerShell: the Windows version, Apple's
// Uninstall entries in the three keys and Apple's Store packages; then the
// same policy as ParseWindowsInventory. It fails only when no Uninstall
// key could be read (a missing key is empty, not a failure).
func ReadWindowsRegistry(reg WindowsRegistry) (WindowsInventory, error) {
	inv := WindowsInventory{
		ITunes:       Component{Name: ITunes},
		AppleDevices: Component{Name: AppleDevices},
		AMDS:         Component{Name: AppleMobileDeviceSupport},
	}
	if v, err := reg.Values(HKLM, regCurrentVersion, "ProductName", "CurrentMajorVersionNumber", "CurrentMinorVersionNumber", "CurrentVersion", "CurrentBuildNumber"); err == nil {
		inv.OSCaption, inv.OSVersion, inv.OSBuild = windowsVersion(v)
	}

	var rows []UninstallEntry
	var errs []error
	readable := 0
	for _, k := range uninstallKeys {
		names, err := reg.SubKeys(k.root, k.path, MaxRegistrySubKeys)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf(`%s\%s: %w`, k.root, k.path, err))
			continue
		}
		readable++
		for _, n := range names {
			v, err := reg.Values(k.root, k.path+`\`+n, "DisplayName", "DisplayVersion", "Publisher")
			if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(v["Publisher"])), "apple") {
				continue
			}
			rows = append(rows, UninstallEntry{DisplayName: v["DisplayName"], DisplayVersion: v["DisplayVersion"]})
		}
	}
	if readable == 0 {
		return inv, fmt.Errorf("%w: %w", ErrRegistryUnreadable, errors.Join(errs...))
	}

	var pkgs []StorePackage
	names, _ := reg.SubKeys(HKCU, regStorePackages, MaxRegistrySubKeys) // none registered: no key
	for _, n := range names {
		if p, ok := ParsePackageFullName(n); ok && strings.HasPrefix(p.Name, "AppleInc.") {
			pkgs = append(pkgs, p)
		}
	}
	inv.judge(rows, pkgs)
	return inv, nil
}

// ParsePackageFullName splits a Store package full name
// ("AppleInc.iTunes_12132.10001.2.0_x64__nzyj5cx40ttqa") into its name and
// version.
func ParsePackageFullName(s string) (StorePackage, bool) {
	parts := strings.Split(s, "_")
	if len(parts) != 5 || parts[0] == "" || !ValidVersion(parts[1]) {
		return StorePackage{}, false
	}
	return StorePackage{Name: capString(parts[0], 80), Version: capString(parts[1], 40)}, true
}

// windowsVersion is the caption ("Microsoft Windows 11 Pro"), version
// ("10.0.22631") and build ("22631") from the CurrentVersion key's values.
func windowsVersion(v map[string]string) (caption, version, build string) {
	build = capString(v["CurrentBuildNumber"], 20)
	caption = capString(v["ProductName"], 80)
	if n, err := strconv.Atoi(build); err == nil && n >= win11Build {
		caption = strings.Replace(caption, "Windows 10", "Windows 11", 1)
	}
	if caption != "" && !strings.HasPrefix(caption, "Microsoft ") {
		caption = "Microsoft " + caption // as Win32_OperatingSystem.Caption words it
	}
	switch maj, min := v["CurrentMajorVersionNumber"], v["CurrentMinorVersionNumber"]; {
	case build == "":
	case maj != "":
		version = capString(maj+"."+cmp.Or(min, "0")+"."+build, 40)
	case v["CurrentVersion"] != "": // Windows 8.1 and earlier
		version = capString(v["CurrentVersion"]+"."+build, 40)
	}
	return caption, version, build
}
