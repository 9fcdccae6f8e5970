package software

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"howett.net/plist"
)

// macOS files read instead of spawning programs. Paths are relative to the
// root of the file system given to ReadMacInventory (fs.FS paths have no
// leading slash).
const (
	// MacSystemVersionPlist is what sw_vers prints from (sw_vers(1), FILES):
	// keys ProductName, ProductVersion and ProductBuildVersion.
	MacSystemVersionPlist = "System/Library/CoreServices/SystemVersion.plist"
	// MacMobileDeviceUpdated is where device-support updates install Apple's
	// MobileDevice framework (the one Finder talks to phones through) on
	// macOS 10.15 and later: the macOS 15 system template holds
	// Library/Apple/System/Library/PrivateFrameworks/MobileDevice.framework
	// (blacktop/ipsw-diffs, 15_4 vs 15_5, MACHOS/MobileDevice.md).
	MacMobileDeviceUpdated = "Library/Apple/System/Library/PrivateFrameworks/MobileDevice.framework"
	// MacMobileDeviceSystem is the framework's place inside the system
	// (older macOS, and where tools such as VirtualBuddy read its bundle
	// version from: its CFBundleVersion).
	MacMobileDeviceSystem = "System/Library/PrivateFrameworks/MobileDevice.framework"
	// MacITunesApp is iTunes, which does restores up to macOS 10.14; from
	// 10.15 on Finder does (Apple's "Restore iPhone" support article: "On a
	// Mac with macOS Catalina or later, open Finder. On a Mac with macOS
	// Mojave or earlier, or on a PC, open iTunes").
	MacITunesApp = "Applications/iTunes.app"
)

// MobileDevice is the component name of Apple's MobileDevice framework.
const MobileDevice = "MobileDevice"

// maxPlistFile caps one plist read from disk. Real ones are a few KiB; the
// cap bounds memory (howett.net/plist parses each object of a binary plist
// once and shares it, so memory is linear in the file).
const maxPlistFile = 1 << 20

// ErrPlistTooBig means a plist file is over maxPlistFile.
var ErrPlistTooBig = errors.New("software: plist file too big")

// MacInventory is what the macOS files say.
type MacInventory struct {
	OS MacOS
	// OSSource is where OS came from ("/System/Library/CoreServices/SystemVersion.plist").
	OSSource string
	// OSErr is why the macOS version could not be read (nil when it was).
	OSErr error
	// MobileDevice is the framework (Installed false when found in neither
	// place); MobileDeviceErr says why a framework that is there has no
	// readable version.
	MobileDevice    Component
	MobileDeviceErr error
	// ITunes is iTunes.app (Installed false when absent).
	ITunes Component
}

// ReadMacInventory reads the macOS version, the MobileDevice framework's
// version (the newer of the updated and the system copy) and iTunes' from
// fsys, the file system's root (os.DirFS("/") in production; a testdata
// tree in tests). Every read is capped; a missing, unreadable, corrupt or
// oversized file is reported in the inventory, never taken as a version.
func ReadMacInventory(fsys fs.FS) MacInventory {
	inv := MacInventory{
		MobileDevice: Component{Name: MobileDevice},
		ITunes:       Component{Name: ITunes},
	}
	if b, err := readPlistFile(fsys, MacSystemVersionPlist); err != nil {
		inv.OSErr = err
	} else {
		inv.OS, inv.OSErr = ParseSystemVersion(b)
		inv.OSSource = "/" + MacSystemVersionPlist
	}

	var errs []error
	for _, dir := range []string{MacMobileDeviceUpdated, MacMobileDeviceSystem} {
		if _, err := fs.Stat(fsys, dir); err != nil {
			continue
		}
		v, err := bundleVersion(fsys, dir)
		if err != nil {
			errs = append(errs, err)
			inv.MobileDevice.Installed = true
			continue
		}
		if !inv.MobileDevice.Installed || inv.MobileDevice.Version == "" || CompareVersions(v, inv.MobileDevice.Version) > 0 {
			inv.MobileDevice = Component{Name: MobileDevice, Installed: true, Version: v, Source: "/" + dir}
		}
	}
	if inv.MobileDevice.Installed && inv.MobileDevice.Version == "" {
		inv.MobileDeviceErr = errors.Join(errs...)
	}

	if _, err := fs.Stat(fsys, MacITunesApp); err == nil {
		inv.ITunes.Installed = true
		if v, err := bundleVersion(fsys, MacITunesApp); err == nil {
			inv.ITunes.Version, inv.ITunes.Source = v, "/"+MacITunesApp
		}
	}
	return inv
}

// bundleVersion is a bundle's version: Contents/Info.plist (apps) or
// Resources/Info.plist (frameworks), then Resources/version.plist;
// CFBundleShortVersionString, else CFBundleVersion.
func bundleVersion(fsys fs.FS, dir string) (string, error) {
	var errs []error
	for _, name := range []string{"Contents/Info.plist", "Resources/Info.plist", "Versions/A/Resources/Info.plist", "Resources/version.plist", "Versions/A/Resources/version.plist"} {
		b, err := readPlistFile(fsys, dir+"/"+name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			var v string
			if v, err = ParseBundleVersion(b); err == nil {
				return v, nil
			}
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return "", fmt.Errorf("software: /%s: no Info.plist or version.plist: %w", dir, fs.ErrNotExist)
	}
	return "", errors.Join(errs...)
}

// readPlistFile reads name from fsys, refusing anything but a regular file
// of at most maxPlistFile bytes. It stats before opening, as the hosts-file
// check does: opening a FIFO for reading would wait for a writer forever.
func readPlistFile(fsys fs.FS, name string) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("software: /%s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("software: /%s: not a regular file", name)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("software: /%s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPlistFile+1))
	if err != nil {
		return nil, fmt.Errorf("software: /%s: %w", name, err)
	}
	if len(b) > maxPlistFile {
		return nil, fmt.Errorf("software: /%s: %w (over %d bytes)", name, ErrPlistTooBig, maxPlistFile)
	}
	return b, nil
}

// ErrBadPlist means a plist did not decode or lacks the version keys.
var ErrBadPlist = errors.New("software: not a usable plist")

// ParseSystemVersion reads SystemVersion.plist (XML or binary).
func ParseSystemVersion(b []byte) (MacOS, error) {
	var doc struct {
		ProductName         string `plist:"ProductName"`
		ProductVersion      string `plist:"ProductVersion"`
		ProductBuildVersion string `plist:"ProductBuildVersion"`
	}
	if _, err := plist.Unmarshal(b, &doc); err != nil {
		return MacOS{}, fmt.Errorf("%w: SystemVersion.plist: %v", ErrBadPlist, err)
	}
	m := MacOS{ProductName: capString(doc.ProductName, 40), ProductVersion: capString(doc.ProductVersion, 40), BuildVersion: capString(doc.ProductBuildVersion, 40)}
	if !ValidVersion(m.ProductVersion) {
		return m, fmt.Errorf("%w: SystemVersion.plist has no ProductVersion", ErrBadPlist)
	}
	return m, nil
}

// ParseBundleVersion reads a bundle's Info.plist or version.plist:
// CFBundleShortVersionString, else CFBundleVersion.
func ParseBundleVersion(b []byte) (string, error) {
	var doc struct {
		Short string `plist:"CFBundleShortVersionString"`
		Build string `plist:"CFBundleVersion"`
	}
	if _, err := plist.Unmarshal(b, &doc); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadPlist, err)
	}
	for _, v := range []string{doc.Short, doc.Build} {
		if ValidVersion(v) {
			return capString(v, 40), nil
		}
	}
	return "", fmt.Errorf("%w: no CFBundleShortVersionString or CFBundleVersion", ErrBadPlist)
}
