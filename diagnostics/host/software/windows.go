package software

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// WindowsScript is the fixed PowerShell script whose output
// ParseWindowsInventory reads: the Windows version, Apple's entries in the
// three Uninstall registry hives, and Apple's Store packages.
const WindowsScript = `$ErrorActionPreference='SilentlyContinue';` +
	`[Console]::OutputEncoding=[Text.Encoding]::UTF8;` +
	`$os=Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object Caption,Version,BuildNumber;` +
	`$k='HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*','HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*','HKCU:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*';` +
	`$u=@(Get-ItemProperty -Path $k | Where-Object { $_.Publisher -like 'Apple*' } | Select-Object DisplayName,DisplayVersion,Publisher);` +
	`$a=@(Get-AppxPackage -Name 'AppleInc.*' | Select-Object Name,Version);` +
	`ConvertTo-Json -Compress -Depth 4 -InputObject @{os=$os;uninstall=$u;appx=$a}`

// Windows component names (the keys of minimums.json "windows").
const (
	ITunes                   = "iTunes"
	AppleDevices             = "Apple Devices"
	AppleMobileDeviceSupport = "Apple Mobile Device Support"
)

// Store package names of Apple's Windows apps.
const (
	appxAppleDevices = "AppleInc.AppleDevices"
	appxITunes       = "AppleInc.iTunes"
)

// WindowsInventory is what WindowsScript found.
type WindowsInventory struct {
	OSCaption string // "Microsoft Windows 11 Pro"
	OSVersion string // "10.0.22631"
	OSBuild   string // "22631"
	// ITunes, AppleDevices and AMDS are always set; Installed says whether found.
	ITunes, AppleDevices, AMDS Component
	// ITunesFromStore is true when iTunes is the Microsoft Store package (which
	// updates itself and bundles its own device support).
	ITunesFromStore bool
}

type winDoc struct {
	OS *struct {
		Caption     string          `json:"Caption"`
		Version     string          `json:"Version"`
		BuildNumber json.RawMessage `json:"BuildNumber"`
	} `json:"os"`
	Uninstall json.RawMessage `json:"uninstall"`
	Appx      json.RawMessage `json:"appx"`
}

type appxRow struct {
	Name    string          `json:"Name"`
	Version json.RawMessage `json:"Version"`
}

// ErrEmptyOutput means PowerShell printed nothing where WindowsScript always
// prints a JSON object: it did not run (blocked by policy, killed).
var ErrEmptyOutput = errors.New("software: PowerShell printed nothing (blocked by policy or an endpoint-protection tool?)")

// ParseWindowsInventory parses WindowsScript's output and checks the versions
// against Table().
func ParseWindowsInventory(out []byte) (WindowsInventory, error) {
	inv := WindowsInventory{
		ITunes:       Component{Name: ITunes},
		AppleDevices: Component{Name: AppleDevices},
		AMDS:         Component{Name: AppleMobileDeviceSupport},
	}
	out = bytes.TrimSpace(bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF")))
	if len(out) == 0 {
		return inv, ErrEmptyOutput
	}
	if out[0] != '{' {
		return inv, fmt.Errorf("software: Windows inventory is not a JSON object (starts %q)", capString(string(out), 40))
	}
	var doc winDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		return inv, fmt.Errorf("software: Windows inventory JSON: %w", err)
	}
	if doc.OS != nil {
		inv.OSCaption = capString(doc.OS.Caption, 80)
		inv.OSVersion = capString(doc.OS.Version, 40)
		inv.OSBuild = capString(strings.Trim(string(doc.OS.BuildNumber), `"`), 20)
	}
	var rows []UninstallEntry
	if err := oneOrMany(doc.Uninstall, &rows); err != nil {
		return inv, fmt.Errorf("software: Windows inventory uninstall: %w", err)
	}
	var apps []appxRow
	if err := oneOrMany(doc.Appx, &apps); err != nil {
		return inv, fmt.Errorf("software: Windows inventory appx: %w", err)
	}
	pkgs := make([]StorePackage, 0, len(apps))
	for _, a := range apps {
		pkgs = append(pkgs, StorePackage{Name: a.Name, Version: appxVersion(a.Version)})
	}
	inv.judge(rows, pkgs)
	return inv, nil
}

// UninstallEntry is one program of an Uninstall registry key (a row of
// WindowsScript's "uninstall" array, or one subkey read from the registry).
type UninstallEntry struct {
	DisplayName    string `json:"DisplayName"`
	DisplayVersion string `json:"DisplayVersion"`
}

// StorePackage is one installed Microsoft Store package.
type StorePackage struct {
	Name, Version string // "AppleInc.AppleDevices", "1.0.4.0"
}

// judge fills the components from Apple's uninstall entries and Store
// packages and checks the versions against Table: the one policy for both
// sources (PowerShell's JSON and the registry).
func (inv *WindowsInventory) judge(rows []UninstallEntry, apps []StorePackage) {
	for _, r := range rows {
		name := strings.TrimSpace(r.DisplayName)
		var c *Component
		switch {
		case strings.EqualFold(name, ITunes):
			c = &inv.ITunes
		case strings.HasPrefix(strings.ToLower(name), strings.ToLower(AppleMobileDeviceSupport)):
			c = &inv.AMDS
		default:
			continue
		}
		v := capString(r.DisplayVersion, 40)
		// Several hives can list the same product; keep the newest.
		if !c.Installed || CompareVersions(v, c.Version) > 0 {
			c.Installed, c.Version, c.Source = true, v, "uninstall registry"
		}
	}
	for _, a := range apps {
		v := capString(a.Version, 40)
		switch {
		case strings.EqualFold(a.Name, appxAppleDevices):
			inv.AppleDevices = Component{Name: AppleDevices, Installed: true, Version: v, Source: "store package"}
		case strings.EqualFold(a.Name, appxITunes) && !inv.ITunes.Installed:
			inv.ITunes = Component{Name: ITunes, Installed: true, Version: v, Source: "store package"}
			inv.ITunesFromStore = true
		}
	}
	// Store packages update themselves and use their own version scheme:
	// only desktop installs are compared with the table.
	if !inv.ITunesFromStore {
		inv.ITunes.Check(Table().Windows[ITunes])
	}
	inv.AMDS.Check(Table().Windows[AppleMobileDeviceSupport])
}

// appxVersion reads a Store package version: a string, or the
// System.Version object ({"Major":1,"Minor":0,…}) older PowerShell emits.
func appxVersion(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return capString(s, 40)
	}
	var v struct{ Major, Minor, Build, Revision int }
	if json.Unmarshal(raw, &v) == nil {
		return fmt.Sprintf("%d.%d.%d.%d", v.Major, v.Minor, v.Build, v.Revision)
	}
	return ""
}

// oneOrMany decodes a JSON array, a single object or null into *[]T.
func oneOrMany[T any](raw json.RawMessage, dst *[]T) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '{' {
		var one T
		if err := json.Unmarshal(raw, &one); err != nil {
			return err
		}
		*dst = []T{one}
		return nil
	}
	return json.Unmarshal(raw, dst)
}
