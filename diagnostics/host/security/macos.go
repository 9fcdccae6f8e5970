package security

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// MacCommand is the fixed command whose output ParseSystemExtensions reads.
var MacCommand = []string{"systemextensionsctl", "list"}

// Extension is one row of `systemextensionsctl list`.
type Extension struct {
	// Category is the section ("com.apple.system_extension.network_extension").
	Category string
	Enabled  bool
	Active   bool
	TeamID   string
	BundleID string
	Version  string
	Name     string
	// State is the bracketed state ("activated enabled", "terminated waiting to uninstall on reboot").
	State string
}

// MaxExtensions caps how many rows ParseSystemExtensions returns.
const MaxExtensions = 256

// A row: flags, team id, "bundle (version)", name, "[state]". The columns are
// tab-separated on every macOS seen so far; the regexp also copes with spaces.
var extRow = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([*\s]*?)\s*([A-Za-z0-9]{10}|-|\(null\))\s+(\S+)\s+\(([^)]*)\)\s+(.*?)\s*\[([^\]]*)\]\s*$`)
}) // compiled on first use, not at start-up

// ParseSystemExtensions parses `systemextensionsctl list`. Unknown lines are
// skipped; output without the "N extension(s)" header or any row is an error,
// since it is not what the command prints.
func ParseSystemExtensions(out []byte) ([]Extension, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	var exts []Extension
	category, sawHeader := "", false
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			continue
		case strings.HasSuffix(trimmed, "extension(s)"):
			sawHeader = true
			continue
		case strings.HasPrefix(trimmed, "---"):
			category = strings.TrimSpace(strings.TrimPrefix(trimmed, "---"))
			continue
		case strings.HasPrefix(trimmed, "enabled") && strings.Contains(trimmed, "bundleID"):
			continue // column header
		}
		e, ok := parseExtRow(line)
		if !ok {
			continue
		}
		e.Category = category
		if len(exts) < MaxExtensions {
			exts = append(exts, e)
		}
	}
	if err := sc.Err(); err != nil {
		return exts, fmt.Errorf("security: systemextensionsctl output: %w", err)
	}
	if !sawHeader && len(exts) == 0 {
		return nil, fmt.Errorf("security: not systemextensionsctl output (starts %q)", head(out))
	}
	return exts, nil
}

func parseExtRow(line string) (Extension, bool) {
	if cols := strings.Split(line, "\t"); len(cols) == 6 {
		bundle, version, ok := splitBundle(cols[3])
		state := strings.Trim(strings.TrimSpace(cols[5]), "[]")
		if ok && strings.HasPrefix(strings.TrimSpace(cols[5]), "[") {
			return Extension{
				Enabled:  strings.TrimSpace(cols[0]) == "*",
				Active:   strings.TrimSpace(cols[1]) == "*",
				TeamID:   strings.TrimSpace(cols[2]),
				BundleID: bundle,
				Version:  version,
				Name:     capString(strings.TrimSpace(cols[4]), 120),
				State:    capString(state, 80),
			}, true
		}
	}
	m := extRow().FindStringSubmatch(line)
	if m == nil {
		return Extension{}, false
	}
	state := strings.TrimSpace(m[6])
	// Without tabs the flag columns are ambiguous; the state says it all.
	on := strings.Contains(state, "activated enabled")
	return Extension{
		Enabled:  on,
		Active:   on,
		TeamID:   m[2],
		BundleID: m[3],
		Version:  m[4],
		Name:     capString(m[5], 120),
		State:    capString(state, 80),
	}, true
}

func splitBundle(s string) (bundle, version string, ok bool) {
	s = strings.TrimSpace(s)
	i := strings.Index(s, " (")
	if i <= 0 || !strings.HasSuffix(s, ")") {
		return "", "", false
	}
	return s[:i], s[i+2 : len(s)-1], true
}

// SecurityExtensions keeps the extensions of known security vendors; Enabled
// is true only for extensions that are active and enabled.
func SecurityExtensions(exts []Extension) []Product {
	var ps []Product
	for _, e := range exts {
		v, ok := MatchVendor(e.BundleID, e.TeamID)
		if !ok {
			continue
		}
		ps = append(ps, Product{
			Name:     e.Name,
			Vendor:   v.Name,
			Kind:     KindSystemExtension,
			Enabled:  e.Active && e.Enabled,
			State:    e.State,
			UpToDate: true,
			BundleID: e.BundleID,
			TeamID:   e.TeamID,
		})
	}
	return ps
}
