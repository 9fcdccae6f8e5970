// Package software parses what the computer says about the software a restore
// depends on: on Windows iTunes, Apple Devices and Apple Mobile Device Support
// (Uninstall registry keys and Store packages, read from the registry through
// the WindowsRegistry interface, or as JSON from PowerShell when the registry
// cannot be read) plus the Windows version; on macOS the plist files of the system version, Apple's
// MobileDevice framework and iTunes (ReadMacInventory, any fs.FS root;
// `sw_vers` output as a fallback); on Linux `usbmuxd --version`,
// `ideviceinfo --version`, dpkg's status file and `dpkg-query -W`. Minimum
// versions are data (minimums.json). Parsers are pure, bytes in, facts out;
// file reads go through an fs.FS with a size cap. It must not import app/ or
// device/.
package software

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Minimums is the minimum-version table.
type Minimums struct {
	Windows     map[string]string `json:"windows"`
	Linux       map[string]string `json:"linux"`
	MacOSFloor  string            `json:"macos_floor"`
	MacOSForIOS map[string]string `json:"macos_for_ios"`
	Notes       map[string]string `json:"notes"`
}

//go:embed minimums.json
var minimumsJSON []byte

// Table returns the embedded minimum-version table, parsed on first use (not
// at start-up: most runs of the program never need it).
var Table = sync.OnceValue(func() Minimums { return mustMinimums(minimumsJSON) })

func mustMinimums(b []byte) Minimums {
	var m Minimums
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("software: embedded minimums.json is invalid: %v", err)) // build-time data
	}
	return m
}

// Component is one piece of software and what is known about it.
type Component struct {
	Name      string
	Installed bool
	Version   string
	// Source says where the version came from ("uninstall registry", "store package", "usbmuxd --version", "dpkg").
	Source string
	// Minimum is the table's floor ("" when none applies).
	Minimum string
	// Outdated is true when Version is below Minimum.
	Outdated bool
}

// Check fills Minimum and Outdated from min.
func (c *Component) Check(min string) {
	c.Minimum = min
	c.Outdated = c.Installed && min != "" && c.Version != "" && CompareVersions(c.Version, min) < 0
}

// CompareVersions compares dotted version strings numerically: -1, 0 or 1.
// A Debian epoch ("1:") is dropped; each component's leading digits count and
// the rest ("1+git2023…", "0-6+b3") is ignored; missing components are 0. So
// "1.1.1-2+deb12u1" == "1.1.1" and "1.10" > "1.9".
func CompareVersions(a, b string) int {
	pa, pb := numericParts(a), numericParts(b)
	for i := range max(len(pa), len(pb)) {
		var x, y uint64
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

func numericParts(v string) []uint64 {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, ':'); i >= 0 && i < 4 {
		if _, err := strconv.Atoi(v[:i]); err == nil {
			v = v[i+1:]
		}
	}
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	var parts []uint64
	for _, p := range strings.Split(v, ".") {
		n := 0
		for n < len(p) && n < 18 && p[n] >= '0' && p[n] <= '9' {
			n++
		}
		if n == 0 {
			break
		}
		x, _ := strconv.ParseUint(p[:n], 10, 64)
		parts = append(parts, x)
		if n < len(p) {
			break // "1-2+deb12u1": the rest is packaging, not version
		}
		if len(parts) == 8 {
			break
		}
	}
	return parts
}

// ValidVersion reports whether v starts with a number.
func ValidVersion(v string) bool { return len(numericParts(v)) > 0 }

func capString(s string, n int) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r) + "…"
}
