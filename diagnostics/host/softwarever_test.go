package host

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/software"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/probecache"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestCheckSoftwareVersions(t *testing.T) {
	sw := func(name string) string { return fixture(t, "software", name) }
	tests := []struct {
		name   string
		goos   string
		ios    string
		runner recorded
		status string
		detail string // substring
		root   string // macOS files under software/testdata ("": macroot-swvers, no SystemVersion.plist)
	}{
		{"windows current itunes", "windows", "", recorded{"powershell.exe": {stdout: sw("windows_itunes_current.json")}},
			report.StatusPass, "iTunes 12.13.2.3, Apple Devices not installed, Apple Mobile Device Support 17.1.0.2", ""},
		{"windows old itunes", "windows", "", recorded{"powershell.exe": {stdout: sw("windows_itunes_old.json")}},
			report.StatusWarn, "iTunes 12.10.11.2 is older than 12.12.0; Apple Mobile Device Support 13.0.0.38 is older than 14.0", ""},
		{"windows apple devices", "windows", "", recorded{"powershell.exe": {stdout: sw("windows_apple_devices.json")}},
			report.StatusPass, "Apple Devices 1.0.4.0", ""},
		{"windows itunes without amds", "windows", "", recorded{"powershell.exe": {stdout: sw("windows_itunes_no_amds.json")}},
			report.StatusWarn, "Apple Mobile Device Support is missing", ""},
		{"windows nothing", "windows", "", recorded{"powershell.exe": {stdout: sw("windows_nothing.json")}},
			report.StatusWarn, "neither iTunes nor Apple Devices is installed", ""},
		{"windows store itunes", "windows", "", recorded{"powershell.exe": {stdout: sw("windows_store_itunes_ps51.json")}},
			report.StatusPass, "iTunes 12132.10001.2.0", ""},
		{"windows garbage", "windows", "", recorded{"powershell.exe": {stdout: "oops"}},
			report.StatusError, "not a JSON object", ""},
		{"windows powershell fails", "windows", "", recorded{"powershell.exe": {stderr: "Access denied", exit: 1}},
			report.StatusError, "Access denied", ""},
		{"mac 14 for iOS 17", "darwin", "17.5.1", recorded{"sw_vers": {stdout: sw("macos_sw_vers_14.txt")}},
			report.StatusPass, "macOS 14.5", ""},
		{"mac 12 for iOS 18", "darwin", "18.1", recorded{"sw_vers": {stdout: sw("macos_sw_vers_12.txt")}},
			report.StatusWarn, "macOS 12.7.6 is older than 13.0, needed for a phone on iOS 18.1", ""},
		{"mac 12 unknown iOS", "darwin", "", recorded{"sw_vers": {stdout: sw("macos_sw_vers_12.txt")}},
			report.StatusPass, "macOS 12.7.6", ""},
		{"mac mojave", "darwin", "", recorded{"sw_vers": {stdout: sw("macos_sw_vers_10_14.txt")}},
			report.StatusWarn, "macOS 10.14.6 is older than 10.15", ""},
		{"mac garbage", "darwin", "", recorded{"sw_vers": {stdout: ""}},
			report.StatusError, "no ProductVersion", ""},
		{"mac 15 from plist files", "darwin", "18.1", recorded{},
			report.StatusPass, "macOS 15.4, MobileDevice 1784.101.1", "macroot-15"},
		{"mac mojave from plist files", "darwin", "", recorded{},
			report.StatusWarn, "macOS 10.14.6 is older than 10.15", "macroot-mojave"},
		{"mac without MobileDevice", "darwin", "", recorded{},
			report.StatusWarn, "MobileDevice framework is missing", "macroot-nomd"},
		{"mac corrupt plists, sw_vers answers", "darwin", "", recorded{"sw_vers": {stdout: sw("macos_sw_vers_14.txt")}},
			report.StatusError, "MobileDevice framework version unreadable", "macroot-corrupt"},
		{"mac corrupt plists, no sw_vers", "darwin", "", recorded{},
			report.StatusError, "macOS version unknown", "macroot-corrupt"},
		{"linux bookworm", "linux", "", recorded{
			"usbmuxd":     {stdout: sw("linux_usbmuxd_version.txt")},
			"ideviceinfo": {stdout: sw("linux_ideviceinfo_version.txt")},
			"dpkg-query":  {stdout: sw("linux_dpkg_bookworm.txt")}},
			report.StatusPass, "usbmuxd 1.1.1, libimobiledevice 1.3.0", ""},
		{"linux old", "linux", "", recorded{
			"usbmuxd":     {stdout: sw("linux_usbmuxd_old.txt")},
			"ideviceinfo": {stdout: sw("linux_ideviceinfo_old.txt")},
			"dpkg-query":  {missing: true}},
			report.StatusWarn, "usbmuxd 1.1.0 is older than 1.1.1; libimobiledevice 1.2.1-rc1 is older than 1.3.0", ""},
		{"linux usbmuxd removed, lib from dpkg", "linux", "", recorded{
			"usbmuxd":     {missing: true},
			"ideviceinfo": {missing: true},
			"dpkg-query":  {stdout: sw("linux_dpkg_trixie_usbmuxd_removed.txt"), exit: 1, stderr: "dpkg-query: no packages found matching libimobiledevice6"}},
			report.StatusWarn, "usbmuxd is not installed", ""},
		{"linux nothing", "linux", "", recorded{},
			report.StatusWarn, "usbmuxd is not installed", ""},
		{"plan9", "plan9", "", recorded{}, report.StatusUnsupported, "plan9", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No status file: the recorded dpkg-query answers.
			noStatus := filepath.Join("testdata", "no-such-dpkg-status")
			root := cmp.Or(tt.root, "macroot-swvers")
			r := CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{Runner: tt.runner, GOOS: tt.goos}, IOSVersion: tt.ios, DpkgStatus: noStatus,
				Root: os.DirFS(filepath.Join("software", "testdata", root)),
				// The recorded PowerShell answers, not this computer's registry.
				Registry: oneAppRegistry{err: errors.New("no registry in this test")}})
			if r.ID != report.CheckHostSoftwareVersions || r.Status != tt.status {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Detail, tt.status)
			}
			if !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", r.Detail, tt.detail)
			}
			if tt.status != report.StatusWarn {
				if len(r.Findings) != 0 {
					t.Errorf("findings %+v", r.Findings)
				}
				return
			}
			if len(r.Findings) != 1 {
				t.Fatalf("findings %+v", r.Findings)
			}
			f := r.Findings[0]
			if f.ID != report.FindingHostSoftwareOutdated || f.Severity != report.SeverityWarning || len(f.Steps) != 1 || f.Steps[0] != 2 {
				t.Errorf("finding %+v", f)
			}
			if len(f.Evidence["components"].([]any)) == 0 || len(f.Evidence["problems"].([]any)) == 0 {
				t.Errorf("evidence %v", f.Evidence)
			}
		})
	}
}

// TestSoftwareVersionsDpkgStatusFile: with dpkg's status file readable,
// dpkg-query is never spawned.
func TestSoftwareVersionsDpkgStatusFile(t *testing.T) {
	run := recorded{
		"usbmuxd":     {stdout: fixture(t, "software", "linux_usbmuxd_version.txt")},
		"ideviceinfo": {stdout: fixture(t, "software", "linux_ideviceinfo_version.txt")},
		// no "dpkg-query": a call would fail as not installed
	}
	path := filepath.Join("software", "testdata", "dpkg_status_bookworm.txt")
	pkgs := linuxPackages(context.Background(), run, path, nil)
	if len(pkgs) != 4 || software.LibimobiledeviceFromDpkg(pkgs) != "1.3.0-7" {
		t.Fatalf("packages from the status file: %+v", pkgs)
	}
	r := CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{Runner: run, GOOS: "linux"}, DpkgStatus: path})
	if r.Status != report.StatusPass {
		t.Errorf("%s: %s", r.Status, r.Detail)
	}
}

// TestSoftwareVersionsExecRunner runs the Linux commands through the real
// ExecRunner against stand-in usbmuxd, ideviceinfo and dpkg-query programs
// first on PATH, so the result does not depend on what this machine has
// installed.
func TestSoftwareVersionsExecRunner(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs a POSIX shell")
	}
	for _, tt := range []struct {
		name, usbmuxd, ideviceinfo string
		want                       string
		status                     string
	}{
		{"current", "usbmuxd 1.1.1", "ideviceinfo 1.3.0", "usbmuxd 1.1.1, libimobiledevice 1.3.0", report.StatusPass},
		{"old usbmuxd", "usbmuxd 1.0.8", "ideviceinfo 1.3.0", "usbmuxd 1.0.8 is older than 1.1.1", report.StatusWarn},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := testtmp.Dir(t)
			tools := map[string]string{
				"usbmuxd":     "#!/bin/sh\n[ \"$1\" = --version ] && echo '" + tt.usbmuxd + "' && exit 0\nexit 64\n",
				"ideviceinfo": "#!/bin/sh\n[ \"$1\" = --version ] && echo '" + tt.ideviceinfo + "' && exit 0\nexit 64\n",
				"dpkg-query":  "#!/bin/sh\nexit 1\n",
			}
			for name, script := range tools {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", dir)
			r := CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{GOOS: "linux"}, DpkgStatus: filepath.Join(dir, "no-dpkg-status")})
			if r.Status != tt.status || r.Detail != tt.want {
				t.Fatalf("%s %q, want %s %q", r.Status, r.Detail, tt.status, tt.want)
			}
		})
	}
}

// TestSoftwareVersionsCached runs the Linux probe through the real
// ExecRunner with a probe cache: the second check spawns nothing and reads
// no status file, an upgraded program is asked again, and a corrupt cache
// file changes nothing but the speed.
func TestSoftwareVersionsCached(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs a POSIX shell")
	}
	dir := testtmp.Dir(t)
	calls := filepath.Join(dir, "calls")
	tool := func(name, version string) {
		t.Helper()
		script := "#!/bin/sh\necho " + name + " >> '" + calls + "'\n[ \"$1\" = --version ] && echo '" + name + " " + version + "' && exit 0\nexit 64\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	spawned := func() string {
		b, _ := os.ReadFile(calls)
		os.Remove(calls)
		return strings.Join(strings.Fields(string(b)), " ")
	}
	tool("usbmuxd", "1.1.1")
	tool("ideviceinfo", "1.3.0")
	status := filepath.Join(dir, "status")
	statusText := fixture(t, "software", "dpkg_status_bookworm.txt")
	if err := os.WriteFile(status, []byte(statusText), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	cacheFile := filepath.Join(dir, "cache", "probes.json")
	check := func() Result {
		t.Helper()
		return CheckSoftwareVersions(context.Background(), SoftwareOptions{
			CommandOptions: CommandOptions{GOOS: "linux"}, DpkgStatus: status,
			Cache: probecache.New(cacheFile, nil), // a new process each time: only the file is shared
		})
	}
	const want = "usbmuxd 1.1.1, libimobiledevice 1.3.0"

	r := check()
	if r.Status != report.StatusPass || r.Detail != want {
		t.Fatalf("first check: %s %q", r.Status, r.Detail)
	}
	if got := spawned(); got != "ideviceinfo usbmuxd" && got != "usbmuxd ideviceinfo" {
		t.Fatalf("first check spawned %q, want both tools once", got)
	}

	// Unchanged programs and status file: nothing is spawned or read.
	if err := os.Chmod(status, 0); err != nil { // a read would now fail (unless root)
		t.Fatal(err)
	}
	r = check()
	if r.Status != report.StatusPass || r.Detail != want {
		t.Fatalf("cached check: %s %q", r.Status, r.Detail)
	}
	if got := spawned(); got != "" {
		t.Fatalf("cached check spawned %q", got)
	}
	if err := os.Chmod(status, 0o644); err != nil {
		t.Fatal(err)
	}

	// An upgrade of usbmuxd replaces the file: asked again, the new version shown.
	time.Sleep(10 * time.Millisecond)
	tool("usbmuxd", "1.1.2")
	r = check()
	if r.Detail != "usbmuxd 1.1.2, libimobiledevice 1.3.0" {
		t.Fatalf("after the upgrade: %s %q", r.Status, r.Detail)
	}
	if got := spawned(); got != "usbmuxd" {
		t.Fatalf("after the upgrade spawned %q, want usbmuxd only", got)
	}

	// A corrupt cache file is ignored and rewritten.
	if err := os.WriteFile(cacheFile, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r = check(); r.Detail != "usbmuxd 1.1.2, libimobiledevice 1.3.0" {
		t.Fatalf("with a corrupt cache: %s %q", r.Status, r.Detail)
	}
	spawned()
	if r = check(); r.Detail != "usbmuxd 1.1.2, libimobiledevice 1.3.0" {
		t.Fatalf("after the rewrite: %s %q", r.Status, r.Detail)
	}
	if got := spawned(); got != "" {
		t.Fatalf("after the rewrite spawned %q", got)
	}

	// A removed program is not answered from the cache (the check then finds
	// none, or the machine's own usbmuxd through the fallback paths).
	if err := os.Remove(filepath.Join(dir, "usbmuxd")); err != nil {
		t.Fatal(err)
	}
	if r = check(); strings.Contains(r.Detail, "1.1.2") {
		t.Fatalf("removed usbmuxd still reported: %s %q", r.Status, r.Detail)
	}
}

// BenchmarkSoftwareVersionsLinux is the installed-software probe of a
// one-shot check through the real ExecRunner and stand-in programs: "cold"
// is the first check (an empty probe cache: two spawns and the status file),
// "cached" a repeated one (a fresh Cache on the same file, as a new process).
func BenchmarkSoftwareVersionsLinux(b *testing.B) {
	if runtime.GOOS == "windows" {
		b.Skip("needs a POSIX shell")
	}
	dir := testtmp.Dir(b)
	for name, out := range map[string]string{"usbmuxd": "usbmuxd 1.1.1", "ideviceinfo": "ideviceinfo 1.3.0"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\necho '"+out+"'\n"), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	status := filepath.Join(dir, "status")
	if err := os.WriteFile(status, []byte(fixture(b, "software", "dpkg_status_bookworm.txt")), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Setenv("PATH", dir)
	cacheFile := filepath.Join(dir, "probes.json")
	check := func(b *testing.B) {
		r := CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{GOOS: "linux"}, DpkgStatus: status, Cache: probecache.New(cacheFile, nil)})
		if r.Status != report.StatusPass {
			b.Fatalf("%s %s", r.Status, r.Detail)
		}
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			os.Remove(cacheFile)
			check(b)
		}
	})
	b.Run("cached", func(b *testing.B) {
		check(b) // fills the cache
		for b.Loop() {
			check(b)
		}
	})
}

// TestPlantedProbeCacheEntry is the attack of issue 18 (item 7): an entry
// planted in probes.json, keyed to the world-readable stat data of dpkg's
// status file, claims "usbmuxd 1.1.1-2" on a computer without usbmuxd. The
// answer must be the one a check without the cache gives: usbmuxd is not
// installed. A cache file others may write is not read at all.
func TestPlantedProbeCacheEntry(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("dpkg and POSIX modes")
	}
	dir := testtmp.Dir(t)
	status := filepath.Join(dir, "status") // a status file without usbmuxd
	if err := os.WriteFile(status, []byte("Package: bash\nStatus: install ok installed\nVersion: 5.2-2\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(cache *probecache.Cache) Result {
		// No usbmuxd and no ideviceinfo on this computer.
		return CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{GOOS: "linux", Runner: recorded{}}, DpkgStatus: status, Cache: cache})
	}
	without := check(nil)
	if !strings.Contains(without.Detail, "usbmuxd is not installed") {
		t.Fatalf("without a cache: %s %q", without.Status, without.Detail)
	}
	st, err := probecache.StampOf(status)
	if err != nil {
		t.Fatal(err)
	}
	planted := software.FormatDpkgQuery([]software.Package{{Name: "usbmuxd", Version: "1.1.1-2", Installed: true}})
	for _, mode := range []os.FileMode{0o600, 0o666} {
		cacheFile := filepath.Join(dir, fmt.Sprintf("cache%o", mode), "probes.json")
		c := probecache.New(cacheFile, nil)
		c.Put(dpkgCacheKey, st, string(planted))
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(cacheFile, mode); err != nil {
			t.Fatal(err)
		}
		got := check(probecache.New(cacheFile, nil))
		if got.Status != without.Status || got.Detail != without.Detail {
			t.Errorf("mode %o: planted entry changed the answer to %s %q (without the cache: %s %q)", mode, got.Status, got.Detail, without.Status, without.Detail)
		}
	}
}
