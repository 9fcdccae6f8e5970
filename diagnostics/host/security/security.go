// Package security parses what the operating system says about security
// software: Windows Security Center (root/SecurityCenter2 AntiVirusProduct and
// FirewallProduct, as JSON from PowerShell) and macOS system extensions
// (`systemextensionsctl list`), matched against a data table of security
// vendors (vendors.json). Its functions are pure: bytes in, facts out; the
// caller runs the commands. It must not import app/ or device/.
package security

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Product kinds.
const (
	KindAntivirus       = "antivirus"
	KindFirewall        = "firewall"
	KindSystemExtension = "system_extension"
)

// Product is one security product the OS reports.
type Product struct {
	Name string
	// Vendor is the vendors.json name on macOS; "" when unmatched (Windows).
	Vendor string
	// Kind is KindAntivirus, KindFirewall or KindSystemExtension.
	Kind string
	// Enabled is true when the product is active (real-time protection on;
	// extension activated and enabled).
	Enabled bool
	// BuiltIn is true for Microsoft Defender on Windows: part of the OS.
	BuiltIn bool
	// State is the raw state: "0x061100" on Windows, "activated enabled" on macOS.
	State string
	// UpToDate reports signature freshness on Windows (always true on macOS).
	UpToDate bool
	// BundleID and TeamID identify a macOS system extension.
	BundleID string
	TeamID   string
}

// Vendor is one row of vendors.json.
type Vendor struct {
	Name           string   `json:"name"`
	BundlePrefixes []string `json:"bundle_prefixes"`
	TeamIDs        []string `json:"team_ids"`
}

//go:embed vendors.json
var vendorsJSON []byte

// Vendors returns the embedded vendor table, parsed on first use (not at
// start-up).
var Vendors = sync.OnceValue(func() []Vendor { return mustVendors(vendorsJSON) })

func mustVendors(b []byte) []Vendor {
	var doc struct {
		Vendors []Vendor `json:"vendors"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		panic(fmt.Sprintf("security: embedded vendors.json is invalid: %v", err)) // build-time data, not outside input
	}
	return doc.Vendors
}

// MatchVendor finds the vendor of a macOS extension by bundle-id prefix, then
// by team id.
func MatchVendor(bundleID, teamID string) (Vendor, bool) {
	b := strings.ToLower(bundleID)
	for _, v := range Vendors() {
		for _, p := range v.BundlePrefixes {
			if strings.HasPrefix(b, strings.ToLower(p)) {
				return v, true
			}
		}
	}
	for _, v := range Vendors() {
		for _, t := range v.TeamIDs {
			if teamID != "" && strings.EqualFold(teamID, t) {
				return v, true
			}
		}
	}
	return Vendor{}, false
}
