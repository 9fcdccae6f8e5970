package security

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// WindowsScript is the fixed PowerShell script whose output
// ParseSecurityCenter reads: both Security Center classes in one JSON object,
// arrays kept as arrays (-InputObject) and deep enough not to stringify rows.
const WindowsScript = `$ErrorActionPreference='Stop';` +
	`[Console]::OutputEncoding=[Text.Encoding]::UTF8;` +
	`$ns='root/SecurityCenter2';` +
	`$av=@(Get-CimInstance -Namespace $ns -ClassName AntiVirusProduct | Select-Object displayName,productState,pathToSignedProductExe);` +
	`$fw=@(Get-CimInstance -Namespace $ns -ClassName FirewallProduct | Select-Object displayName,productState,pathToSignedProductExe);` +
	`ConvertTo-Json -Compress -Depth 4 -InputObject @{antivirus=$av;firewall=$fw}`

// ErrEmptyOutput means PowerShell printed nothing. WindowsScript always
// prints a JSON object, even with no products, so nothing means it did not
// run (blocked by policy, killed): never read as "no security software".
var ErrEmptyOutput = errors.New("security: PowerShell printed nothing (blocked by policy or an endpoint-protection tool?)")

// ErrNoSecurityCenter means the output says Security Center is missing (Windows
// Server has no root/SecurityCenter2).
var ErrNoSecurityCenter = errors.New("security: Windows Security Center is not available")

// MaxProducts caps how many products one parse returns.
const MaxProducts = 64

type wscRow struct {
	DisplayName            string          `json:"displayName"`
	ProductState           json.RawMessage `json:"productState"`
	PathToSignedProductExe string          `json:"pathToSignedProductExe"`
}

// ParseSecurityCenter parses WindowsScript's output. It also accepts the
// output of a single class (a bare object or array, as ConvertTo-Json prints
// through the pipeline; all rows are then taken as antivirus). Empty output
// is ErrEmptyOutput; no products is an object with empty lists.
func ParseSecurityCenter(out []byte) ([]Product, error) {
	out = bytes.TrimSpace(bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF")))
	if len(out) == 0 {
		return nil, ErrEmptyOutput
	}
	var products []Product
	switch out[0] {
	case '{':
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(out, &doc); err != nil {
			return nil, fmt.Errorf("security: Security Center JSON: %w", err)
		}
		_, hasAV := doc["antivirus"]
		_, hasFW := doc["firewall"]
		if !hasAV && !hasFW {
			rows, err := rowsOf(out)
			if err != nil {
				return nil, err
			}
			return appendRows(nil, rows, KindAntivirus)
		}
		for _, k := range []string{KindAntivirus, KindFirewall} {
			rows, err := rowsOf(doc[k])
			if err != nil {
				return nil, fmt.Errorf("security: Security Center %s: %w", k, err)
			}
			if products, err = appendRows(products, rows, k); err != nil {
				return nil, err
			}
		}
		return products, nil
	case '[':
		rows, err := rowsOf(out)
		if err != nil {
			return nil, err
		}
		return appendRows(nil, rows, KindAntivirus)
	}
	if IsNoSecurityCenter(out) {
		return nil, ErrNoSecurityCenter
	}
	return nil, fmt.Errorf("security: Security Center output is not JSON (starts %q)", head(out))
}

// IsNoSecurityCenter reports whether PowerShell's error text says the
// SecurityCenter2 namespace or class does not exist.
func IsNoSecurityCenter(stderr []byte) bool {
	s := strings.ToLower(string(stderr))
	return strings.Contains(s, "invalid namespace") || strings.Contains(s, "invalid class")
}

func rowsOf(raw json.RawMessage) ([]wscRow, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '{' {
		var r wscRow
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		return []wscRow{r}, nil
	}
	var rs []wscRow
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, err
	}
	return rs, nil
}

func appendRows(ps []Product, rows []wscRow, kind string) ([]Product, error) {
	for _, r := range rows {
		if len(ps) >= MaxProducts {
			break
		}
		state, err := parseState(r.ProductState)
		if err != nil {
			return nil, fmt.Errorf("security: %s %q: %w", kind, r.DisplayName, err)
		}
		st := DecodeProductState(state)
		name := strings.TrimSpace(r.DisplayName)
		if name == "" {
			name = "(unnamed product)"
		}
		ps = append(ps, Product{
			Name:     capString(name, 120),
			Kind:     kind,
			Enabled:  st.Enabled,
			UpToDate: st.UpToDate,
			BuiltIn:  isDefender(name, r.PathToSignedProductExe),
			State:    fmt.Sprintf("0x%06X", state),
		})
	}
	return ps, nil
}

func parseState(raw json.RawMessage) (uint32, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return 0, errors.New("no productState")
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("productState %q: %w", capString(s, 40), err)
	}
	return uint32(v), nil
}

// State is a decoded Security Center productState.
type State struct {
	// Enabled: real-time protection on (bits 12–15 == 1). 0 is off,
	// 2 snoozed, 3 expired.
	Enabled bool
	// UpToDate: signatures current (bits 4–7 == 0).
	UpToDate bool
}

// DecodeProductState decodes Security Center's undocumented productState
// word the way Microsoft's own WSC samples and common monitoring scripts do:
// 0x061100 (397568) is Defender on and current, 0x060100 off, 0x041000
// (266240) a third-party product on, 0x040000 off, 0x041010 on but outdated.
func DecodeProductState(state uint32) State {
	return State{
		Enabled:  (state>>12)&0xF == 1,
		UpToDate: (state>>4)&0xF == 0,
	}
}

func isDefender(name, path string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(strings.ToLower(path), "windowsdefender://") ||
		n == "windows defender" || strings.HasPrefix(n, "microsoft defender")
}

func head(b []byte) string { return capString(string(b), 40) }

func capString(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r) + "…"
}
