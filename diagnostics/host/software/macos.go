package software

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// MacOS is what `sw_vers` prints.
type MacOS struct {
	ProductName    string // "macOS" (older: "Mac OS X")
	ProductVersion string // "14.5"
	BuildVersion   string // "23F79"
}

// ParseSwVers parses `sw_vers` ("ProductName:\tmacOS" lines).
func ParseSwVers(out []byte) (MacOS, error) {
	var m MacOS
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1024), 64*1024)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = capString(v, 40)
		switch strings.TrimSpace(k) {
		case "ProductName":
			m.ProductName = v
		case "ProductVersion":
			m.ProductVersion = v
		case "BuildVersion":
			m.BuildVersion = v
		}
	}
	if m.ProductVersion == "" || !ValidVersion(m.ProductVersion) {
		return m, fmt.Errorf("software: sw_vers output has no ProductVersion (starts %q)", capString(string(out), 40))
	}
	return m, nil
}

// MacOSMinimum is the oldest macOS treated as current enough for a phone on
// iosVersion ("" when unknown): the table's entry for that iOS major version
// (or the nearest lower one), never below the floor. The second result names
// the rule ("floor" or "iOS 17").
func MacOSMinimum(iosVersion string) (string, string) {
	min, rule := Table().MacOSFloor, "floor"
	parts := numericParts(iosVersion)
	if len(parts) == 0 {
		return min, rule
	}
	var bestKey uint64
	bestVal, found := "", false
	for k, v := range Table().MacOSForIOS {
		p := numericParts(k)
		if len(p) == 0 || p[0] > parts[0] {
			continue
		}
		if !found || p[0] > bestKey {
			bestKey, bestVal, found = p[0], v, true
		}
	}
	if found && CompareVersions(bestVal, min) > 0 {
		min, rule = bestVal, fmt.Sprintf("iOS %d", bestKey)
	}
	return min, rule
}
