package software

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"howett.net/plist"
)

func TestReadMacInventory(t *testing.T) {
	tests := []struct {
		root             string
		os, build        string
		osErr            bool
		md, mdSource     string
		mdInstalled      bool
		mdErr            bool
		itunes, itSource string
		itInstalled      bool
	}{
		{root: "macroot-15", os: "15.4", build: "24E248",
			// The updated copy in /Library/Apple is newer than the system's: it wins.
			md: "1784.101.1", mdSource: "/" + MacMobileDeviceUpdated, mdInstalled: true},
		{root: "macroot-mojave", os: "10.14.6", build: "18G9323",
			md: "1206.2.1", mdSource: "/" + MacMobileDeviceSystem, mdInstalled: true,
			itunes: "12.9.5", itSource: "/" + MacITunesApp, itInstalled: true},
		{root: "macroot-nomd", os: "14.5", build: "23F79"},
		{root: "macroot-corrupt", osErr: true, mdInstalled: true, mdErr: true},
		{root: "no-such-root", osErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			inv := ReadMacInventory(os.DirFS(filepath.Join("testdata", tt.root)))
			if (inv.OSErr != nil) != tt.osErr || inv.OS.ProductVersion != tt.os || inv.OS.BuildVersion != tt.build {
				t.Errorf("OS %+v, err %v", inv.OS, inv.OSErr)
			}
			md := inv.MobileDevice
			if md.Installed != tt.mdInstalled || md.Version != tt.md || md.Source != tt.mdSource || (inv.MobileDeviceErr != nil) != tt.mdErr {
				t.Errorf("MobileDevice %+v, err %v", md, inv.MobileDeviceErr)
			}
			it := inv.ITunes
			if it.Installed != tt.itInstalled || it.Version != tt.itunes || it.Source != tt.itSource {
				t.Errorf("iTunes %+v", it)
			}
		})
	}
}

// Binary plists (what Xcode writes into many bundles) read the same; a huge
// file is refused before it is decoded; an empty one is not a version.
func TestReadMacInventoryEdges(t *testing.T) {
	sysver, err := plist.Marshal(map[string]string{"ProductName": "macOS", "ProductVersion": "13.6.7", "ProductBuildVersion": "22G720"}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	info, err := plist.Marshal(map[string]string{"CFBundleVersion": "1643.140.2"}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	huge := append([]byte(`<?xml version="1.0"?><plist><dict><key>ProductVersion</key><string>`), bytes.Repeat([]byte("9"), maxPlistFile)...)
	fsys := fstest.MapFS{
		MacSystemVersionPlist:                            {Data: sysver},
		MacMobileDeviceSystem + "/Resources/Info.plist":  {Data: info},
		MacMobileDeviceUpdated + "/Resources/Info.plist": {Data: huge},
		MacITunesApp + "/Contents/Info.plist":            {Data: nil},
	}
	inv := ReadMacInventory(fsys)
	if inv.OSErr != nil || inv.OS.ProductVersion != "13.6.7" || inv.OS.BuildVersion != "22G720" {
		t.Errorf("binary SystemVersion.plist: %+v, %v", inv.OS, inv.OSErr)
	}
	// The oversized updated copy is skipped; the system copy's version stands.
	if inv.MobileDevice.Version != "1643.140.2" || inv.MobileDeviceErr != nil {
		t.Errorf("MobileDevice %+v, %v", inv.MobileDevice, inv.MobileDeviceErr)
	}
	if !inv.ITunes.Installed || inv.ITunes.Version != "" {
		t.Errorf("iTunes with an empty Info.plist: %+v", inv.ITunes)
	}

	// Only the huge copy: installed, version unreadable, and the error says why.
	delete(fsys, MacMobileDeviceSystem+"/Resources/Info.plist")
	inv = ReadMacInventory(fsys)
	if !inv.MobileDevice.Installed || inv.MobileDevice.Version != "" || !errors.Is(inv.MobileDeviceErr, ErrPlistTooBig) {
		t.Errorf("huge only: %+v, %v", inv.MobileDevice, inv.MobileDeviceErr)
	}
	// A huge SystemVersion.plist is refused too.
	fsys[MacSystemVersionPlist] = &fstest.MapFile{Data: huge}
	if inv = ReadMacInventory(fsys); !errors.Is(inv.OSErr, ErrPlistTooBig) {
		t.Errorf("huge SystemVersion.plist: %v", inv.OSErr)
	}
	// A directory where a plist should be is not read as one.
	fsys[MacSystemVersionPlist] = &fstest.MapFile{Mode: fs.ModeDir}
	if inv = ReadMacInventory(fsys); inv.OSErr == nil {
		t.Error("a directory read as SystemVersion.plist")
	}
}

func TestParseBundleVersion(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
		err            bool
	}{
		{"short wins", `<plist><dict><key>CFBundleShortVersionString</key><string>12.9.5</string><key>CFBundleVersion</key><string>12.9.5.5</string></dict></plist>`, "12.9.5", false},
		{"build only", `<plist><dict><key>CFBundleVersion</key><string>1784.101.1</string></dict></plist>`, "1784.101.1", false},
		{"short not a version", `<plist><dict><key>CFBundleShortVersionString</key><string>beta</string><key>CFBundleVersion</key><string>2.0</string></dict></plist>`, "2.0", false},
		{"no keys", `<plist><dict><key>Other</key><string>1.0</string></dict></plist>`, "", true},
		{"array root", `<plist><array><string>1.0</string></array></plist>`, "", true},
		{"wrong type", `<plist><dict><key>CFBundleVersion</key><integer>5</integer></dict></plist>`, "", true},
		{"garbage", "\x00\x01bplist", "", true},
		{"empty", "", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseBundleVersion([]byte(tt.in))
			if v != tt.want || (err != nil) != tt.err {
				t.Errorf("= %q, %v", v, err)
			}
			if err != nil && !errors.Is(err, ErrBadPlist) {
				t.Errorf("error %v is not ErrBadPlist", err)
			}
		})
	}
}

func FuzzParseSystemVersion(f *testing.F) {
	f.Add(read(f, "macroot-15/System/Library/CoreServices/SystemVersion.plist"))
	f.Add([]byte("bplist00"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseSystemVersion(b)
		if err == nil && !ValidVersion(m.ProductVersion) {
			t.Fatalf("accepted %+v", m)
		}
	})
}

func FuzzParseBundleVersion(f *testing.F) {
	f.Add(read(f, "macroot-mojave/Applications/iTunes.app/Contents/Info.plist"))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseBundleVersion(b)
		if err == nil && (!ValidVersion(v) || len(v) > 45) {
			t.Fatalf("accepted %q", v)
		}
	})
}
