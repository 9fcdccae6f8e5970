package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/probecache"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/software"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// SoftwareOptions configure CheckSoftwareVersions.
type SoftwareOptions struct {
	CommandOptions
	// IOSVersion is the phone's iOS version when known ("17.5.1"). On macOS
	// it raises the minimum macOS version (software.MacOSMinimum).
	IOSVersion string
	// DpkgStatus is dpkg's status file, read directly instead of spawning
	// dpkg-query ("": software.DpkgStatusPath). When it cannot be opened
	// (not a Debian system) dpkg-query is asked instead.
	DpkgStatus string
	// Registry is the Windows registry the inventory is read from; nil
	// means this computer's (none outside Windows, where PowerShell's
	// answer, or a recorded one in tests, is used instead).
	Registry software.WindowsRegistry
	// Root is the file system the macOS plist files are read from; nil
	// means os.DirFS("/"). Tests give a testdata tree.
	Root fs.FS
	// Cache, when not nil, keeps the answers that depend only on one file
	// (a program's --version output, the packages in dpkg's status file),
	// keyed by that file's path, size and times: a check then spawns and
	// parses nothing unless something was upgraded. Commands are cached
	// only when the Runner is a Locator (ExecRunner is). nil: no cache.
	Cache *probecache.Cache
}

// Fixed commands for host.software_versions.
var (
	// WindowsInventoryCommand prints the Windows version and Apple's software as JSON.
	WindowsInventoryCommand = Command{
		Name:      "powershell.exe",
		Fallbacks: []string{windowsPowerShell},
		Args:      []string{"-NoProfile", "-NonInteractive", "-Command", software.WindowsScript},
	}
	// MacSwVersCommand prints the macOS version.
	MacSwVersCommand = Command{Name: "sw_vers", Fallbacks: []string{"/usr/bin/sw_vers"}}
	// LinuxUsbmuxdCommand prints usbmuxd's version; usbmuxd lives in sbin,
	// often outside a user's PATH.
	LinuxUsbmuxdCommand = Command{
		Name: "usbmuxd", Args: []string{"--version"}, Stable: true,
		Fallbacks: []string{"/usr/sbin/usbmuxd", "/usr/local/sbin/usbmuxd", "/sbin/usbmuxd"},
	}
	// LinuxIdeviceinfoCommand prints libimobiledevice's version (1.3.0 and later).
	LinuxIdeviceinfoCommand = Command{
		Name: "ideviceinfo", Args: []string{"--version"}, Stable: true,
		Fallbacks: []string{"/usr/bin/ideviceinfo", "/usr/local/bin/ideviceinfo"},
	}
	// LinuxDpkgCommand lists the Debian packages of usbmuxd and libimobiledevice.
	LinuxDpkgCommand = Command{
		Name: "dpkg-query",
		Args: append([]string{"-W", "--showformat=" + software.DpkgFormat}, software.DpkgPackages...),
	}
)

// CheckSoftwareVersions reports host.software_versions: on Windows iTunes,
// Apple Devices and Apple Mobile Device Support plus the Windows version; on
// macOS the macOS version (Finder does restores); on Linux usbmuxd and
// libimobiledevice. Minimum versions are data (software/minimums.json).
//
// Policy: anything missing that a restore needs, or older than its minimum →
// warn and one warning host.software_outdated finding supporting step 2,
// listing every problem; otherwise pass. Evidence: os, components (name,
// installed, version, minimum, outdated, source) and problems.
func CheckSoftwareVersions(ctx context.Context, opts SoftwareOptions) Result {
	start := time.Now()
	var r Result
	switch opts.goos() {
	case "windows":
		r = checkWindowsSoftware(ctx, opts)
	case "darwin":
		r = checkMacSoftware(ctx, opts)
	case "linux":
		r = checkLinuxSoftware(ctx, opts)
	default:
		r = Result{ID: report.CheckHostSoftwareVersions, Status: report.StatusUnsupported,
			Detail: i18n.T("host.software.unsupported", i18n.Args{"OS": opts.goos()})}
	}
	r.Duration = time.Since(start)
	return r
}

func checkWindowsSoftware(ctx context.Context, opts SoftwareOptions) Result {
	reg := opts.Registry
	if reg == nil {
		reg = systemRegistry()
	}
	var regErr error
	if reg != nil {
		inv, err := software.ReadWindowsRegistry(reg)
		if err == nil {
			return WindowsSoftwareResult(inv)
		}
		regErr = err
	}
	// No registry (not on Windows) or its Uninstall keys unreadable: ask
	// PowerShell, which reads the same keys and the Store's own list.
	out, err := opts.runner().Run(ctx, WindowsInventoryCommand)
	if err != nil && len(out.Stdout) == 0 {
		return Result{ID: report.CheckHostSoftwareVersions, Status: report.StatusError, Detail: i18n.T("host.software.windows_unknown", i18n.Args{"Err": joinDetail(regErr, err)})}
	}
	inv, perr := software.ParseWindowsInventory(out.Stdout)
	if errors.Is(perr, software.ErrEmptyOutput) && regErr == nil {
		return Result{ID: report.CheckHostSoftwareVersions, Status: report.StatusError, Detail: i18n.T("host.security.empty_output")}
	}
	if perr != nil {
		return Result{ID: report.CheckHostSoftwareVersions, Status: report.StatusError, Detail: i18n.T("host.software.windows_unknown", i18n.Args{"Err": joinDetail(regErr, perr)})}
	}
	return WindowsSoftwareResult(inv)
}

// joinDetail is the error detail of a check whose sources all failed.
func joinDetail(errs ...error) string {
	var parts []string
	for _, err := range errs {
		if err != nil {
			parts = append(parts, err.Error())
		}
	}
	return strings.Join(parts, "; ")
}

// WindowsSoftwareResult applies the policy to a Windows inventory (pure).
func WindowsSoftwareResult(inv software.WindowsInventory) Result {
	var problems []string
	if !inv.ITunes.Installed && !inv.AppleDevices.Installed {
		problems = append(problems, i18n.T("host.software.no_itunes_or_apple_devices"))
	}
	if inv.ITunes.Outdated {
		problems = append(problems, older("iTunes", inv.ITunes.Version, inv.ITunes.Minimum))
	}
	if inv.ITunes.Installed && !inv.ITunesFromStore && !inv.AMDS.Installed {
		problems = append(problems, i18n.T("host.software.amds_missing"))
	}
	if inv.AMDS.Outdated {
		problems = append(problems, older("Apple Mobile Device Support", inv.AMDS.Version, inv.AMDS.Minimum))
	}
	osName := strings.TrimSpace(fmt.Sprintf("%s %s", inv.OSCaption, inv.OSVersion))
	return softwareResult(osName, problems, inv.ITunes, inv.AppleDevices, inv.AMDS)
}

func checkMacSoftware(ctx context.Context, opts SoftwareOptions) Result {
	root := opts.Root
	if root == nil {
		root = os.DirFS("/")
	}
	inv := software.ReadMacInventory(root)
	if inv.OSErr != nil {
		// SystemVersion.plist unreadable: ask sw_vers (it reads the same
		// file through CoreFoundation, which may know a way we do not).
		out, err := opts.runner().Run(ctx, MacSwVersCommand)
		var m software.MacOS
		if err == nil {
			m, err = software.ParseSwVers(out.Stdout)
		}
		if err != nil {
			return Result{ID: report.CheckHostSoftwareVersions, Status: report.StatusError,
				Detail: i18n.T("host.software.macos_unknown", i18n.Args{"Err": fmt.Sprintf("%v; %v", inv.OSErr, err)})}
		}
		inv.OS, inv.OSErr, inv.OSSource = m, nil, "sw_vers"
	}
	return MacSoftwareResult(inv, opts.IOSVersion)
}

// MacSoftwareResult applies the policy to the macOS inventory (pure): the
// macOS version against the minimum for the phone's iOS version, Apple's
// MobileDevice framework present (Finder reaches phones through it), and
// iTunes present where it does restores (macOS 10.14 and earlier). A
// framework whose version cannot be read makes the status error, never
// pass, unless a problem already makes it warn.
func MacSoftwareResult(inv software.MacInventory, iosVersion string) Result {
	m := inv.OS
	c := software.Component{Name: "macOS", Installed: true, Version: m.ProductVersion, Source: inv.OSSource}
	min, rule := software.MacOSMinimum(iosVersion)
	c.Check(min)
	var problems []string
	if c.Outdated {
		if rule == "floor" {
			problems = append(problems, i18n.T("host.software.macos_floor", i18n.Args{"Version": c.Version, "Minimum": min}))
		} else {
			problems = append(problems, i18n.T("host.software.macos_for_ios", i18n.Args{"Version": c.Version, "Minimum": min, "IOS": iosVersion}))
		}
	}
	comps := []software.Component{c, inv.MobileDevice}
	if !inv.MobileDevice.Installed {
		problems = append(problems, i18n.T("host.software.mobiledevice_missing"))
	}
	itunesRestores := software.CompareVersions(m.ProductVersion, "10.15") < 0
	if inv.ITunes.Installed || itunesRestores {
		comps = append(comps, inv.ITunes)
	}
	if itunesRestores && !inv.ITunes.Installed {
		problems = append(problems, i18n.T("host.software.itunes_missing_mac", i18n.Args{"Version": m.ProductVersion}))
	}
	res := softwareResult(strings.TrimSpace(m.ProductName+" "+m.ProductVersion+" ("+m.BuildVersion+")"), problems, comps...)
	if len(problems) == 0 && inv.MobileDeviceErr != nil {
		res.Status = report.StatusError
		res.Detail = i18n.T("host.software.mobiledevice_unreadable", i18n.Args{"Found": res.Detail, "Err": inv.MobileDeviceErr.Error()})
	}
	return res
}

func checkLinuxSoftware(ctx context.Context, opts SoftwareOptions) Result {
	run := opts.runner()
	f := LinuxFacts{}
	// Three independent probes: run them side by side (on a cache miss the
	// two spawns cost a process start each).
	var wg sync.WaitGroup
	wg.Go(func() {
		out, err := runCached(ctx, run, opts.Cache, LinuxUsbmuxdCommand)
		f.UsbmuxdMissing = errors.Is(err, ErrNotInstalled)
		if err == nil {
			f.UsbmuxdVersion, _ = software.ParseToolVersion(out.Stdout, "usbmuxd")
		}
	})
	wg.Go(func() {
		out, err := runCached(ctx, run, opts.Cache, LinuxIdeviceinfoCommand)
		f.IdeviceinfoMissing = errors.Is(err, ErrNotInstalled)
		if err == nil {
			f.LibimobiledeviceVersion, _ = software.ParseToolVersion(out.Stdout, "ideviceinfo")
		}
	})
	wg.Go(func() { f.Dpkg = linuxPackages(ctx, run, opts.DpkgStatus, opts.Cache) })
	wg.Wait()
	flushCache(opts.Cache)
	return LinuxSoftwareResult(f)
}

// dpkgCacheKey names the status-file answer; it lists the wanted packages
// so a change of that list invalidates it.
var dpkgCacheKey = "dpkg-status " + strings.Join(software.DpkgPackages, ",")

// linuxPackages reads the wanted packages from dpkg's status file (or the
// cache's copy of them while the file is unchanged), falling back to
// dpkg-query where the file cannot be opened.
func linuxPackages(ctx context.Context, run Runner, path string, cache *probecache.Cache) []software.Package {
	if path == "" {
		path = software.DpkgStatusPath
	}
	st, stErr := probecache.StampOf(path)
	if cache != nil && stErr == nil {
		if v, ok := cache.Get(dpkgCacheKey, st); ok {
			return software.ParseDpkgQuery([]byte(v))
		}
	}
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		if ps, err := software.ParseDpkgStatus(f, software.DpkgPackages); err == nil {
			if cache != nil && stErr == nil {
				// Kept only when it reads back the same (a name or version
				// with a tab in it would not).
				if enc := software.FormatDpkgQuery(ps); slices.Equal(software.ParseDpkgQuery(enc), ps) {
					cache.Put(dpkgCacheKey, st, string(enc))
				}
			}
			return ps
		}
	}
	// dpkg-query exits 1 when some names are unknown but still lists the rest.
	out, _ := run.Run(ctx, LinuxDpkgCommand)
	return software.ParseDpkgQuery(out.Stdout)
}

// LinuxFacts are the raw Linux observations LinuxSoftwareResult judges.
type LinuxFacts struct {
	UsbmuxdMissing          bool   // no usbmuxd binary
	UsbmuxdVersion          string // from usbmuxd --version ("" unknown)
	IdeviceinfoMissing      bool   // no ideviceinfo binary
	LibimobiledeviceVersion string // from ideviceinfo --version ("" unknown)
	Dpkg                    []software.Package
}

// LinuxSoftwareResult applies the policy to Linux facts (pure). Package
// versions fill in what the binaries did not say.
func LinuxSoftwareResult(f LinuxFacts) Result {
	mux := software.Component{Name: software.Usbmuxd, Installed: !f.UsbmuxdMissing, Version: f.UsbmuxdVersion, Source: "usbmuxd --version"}
	lib := software.Component{Name: software.Libimobiledevice, Installed: f.LibimobiledeviceVersion != "", Version: f.LibimobiledeviceVersion, Source: "ideviceinfo --version"}
	for _, p := range f.Dpkg {
		// The package database fills in a version, never a binary that the
		// file system does not show (a planted or stale answer must not
		// turn "not installed" into a pass).
		if p.Name == "usbmuxd" && p.Installed && mux.Version == "" && !f.UsbmuxdMissing {
			mux.Installed, mux.Version, mux.Source = true, p.Version, "dpkg"
		}
	}
	if v := software.LibimobiledeviceFromDpkg(f.Dpkg); v != "" && lib.Version == "" {
		lib.Installed, lib.Version, lib.Source = true, v, "dpkg"
	}
	mux.Check(software.Table().Linux[software.Usbmuxd])
	lib.Check(software.Table().Linux[software.Libimobiledevice])

	var problems []string
	switch {
	case !mux.Installed:
		problems = append(problems, i18n.T("host.software.usbmuxd_missing"))
	case mux.Outdated:
		problems = append(problems, older("usbmuxd", mux.Version, mux.Minimum))
	}
	if lib.Outdated {
		problems = append(problems, older("libimobiledevice", lib.Version, lib.Minimum))
	}
	return softwareResult("Linux", problems, mux, lib)
}

// older is the problem "<name> <version> is older than <minimum>".
func older(name, version, minimum string) string {
	return i18n.T("host.software.older", i18n.Args{"Name": name, "Version": version, "Minimum": minimum})
}

func softwareResult(osName string, problems []string, cs ...software.Component) Result {
	res := Result{ID: report.CheckHostSoftwareVersions}
	comps := make([]any, 0, len(cs))
	var found []string
	for _, c := range cs {
		comps = append(comps, map[string]any{
			"name":      c.Name,
			"installed": c.Installed,
			"version":   c.Version,
			"minimum":   c.Minimum,
			"outdated":  c.Outdated,
			"source":    c.Source,
		})
		switch {
		case c.Installed && c.Version != "":
			found = append(found, c.Name+" "+c.Version)
		case c.Installed:
			found = append(found, i18n.T("host.software.version_unknown", i18n.Args{"Name": c.Name}))
		default:
			found = append(found, i18n.T("host.software.not_installed", i18n.Args{"Name": c.Name}))
		}
	}
	if len(problems) == 0 {
		res.Status = report.StatusPass
		res.Detail = strings.Join(found, ", ")
		return res
	}
	res.Status = report.StatusWarn
	res.Detail = strings.Join(problems, "; ")
	res.Findings = []report.Finding{{
		ID:       report.FindingHostSoftwareOutdated,
		Severity: report.SeverityWarning,
		Summary:  strings.Join(problems, "; "),
		Evidence: map[string]any{
			"os":         osName,
			"components": comps,
			"problems":   toAny(problems),
		},
		Steps: []int{2},
	}}
	return res
}
