package host

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/security"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// CommandOptions configure the checks that run OS commands.
type CommandOptions struct {
	// Runner runs the fixed commands; nil means ExecRunner{} (DefaultCommandTimeout each).
	Runner Runner
	// GOOS selects the platform's commands and parsers; "" means runtime.GOOS.
	// Tests set it to exercise other platforms with recorded outputs.
	GOOS string
}

func (o CommandOptions) runner() Runner {
	if o.Runner == nil {
		return ExecRunner{}
	}
	return o.Runner
}

func (o CommandOptions) goos() string {
	if o.GOOS == "" {
		return runtime.GOOS
	}
	return o.GOOS
}

// windowsPowerShell is Windows PowerShell 5.1's fixed location, for when
// PATH has been trimmed.
const windowsPowerShell = `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`

// Fixed commands for host.security_software.
var (
	// WindowsSecurityCenterCommand lists Security Center antivirus and firewall products as JSON.
	WindowsSecurityCenterCommand = Command{
		Name:      "powershell.exe",
		Fallbacks: []string{windowsPowerShell},
		Args:      []string{"-NoProfile", "-NonInteractive", "-Command", security.WindowsScript},
	}
	// MacSystemExtensionsCommand lists macOS system extensions.
	MacSystemExtensionsCommand = Command{
		Name:      "systemextensionsctl",
		Args:      []string{"list"},
		Fallbacks: []string{"/usr/bin/systemextensionsctl"},
	}
)

// CheckSecuritySoftware reports host.security_software: on Windows the
// products registered with Security Center, on macOS the active system
// extensions of known security vendors; on Linux (and elsewhere) it is
// unsupported, since no OS-wide registry of security software exists.
//
// Policy: an enabled third-party product → warn and a warning
// host.security_software finding supporting step 3. Only Microsoft Defender
// (built into Windows) or only disabled products → pass and an info finding
// with no steps, so the report still lists them. Nothing → pass, no finding.
// Evidence: source, products (name, vendor, kind, enabled, builtin, state,
// up_to_date, bundle_id, team_id), active_third_party.
func CheckSecuritySoftware(ctx context.Context, opts CommandOptions) Result {
	start := time.Now()
	r := checkSecuritySoftware(ctx, opts)
	r.Duration = time.Since(start)
	return r
}

func checkSecuritySoftware(ctx context.Context, opts CommandOptions) Result {
	res := Result{ID: report.CheckHostSecuritySoftware}
	switch opts.goos() {
	case "windows":
		out, err := opts.runner().Run(ctx, WindowsSecurityCenterCommand)
		if err != nil {
			if security.IsNoSecurityCenter(out.Stderr) {
				res.Status = report.StatusUnsupported
				res.Detail = i18n.T("host.security.no_security_center")
				return res
			}
			return commandFailed(res, err)
		}
		ps, err := security.ParseSecurityCenter(out.Stdout)
		if errors.Is(err, security.ErrNoSecurityCenter) {
			res.Status = report.StatusUnsupported
			res.Detail = i18n.T("host.security.no_security_center")
			return res
		}
		if errors.Is(err, security.ErrEmptyOutput) {
			res.Status = report.StatusError
			res.Detail = i18n.T("host.security.empty_output")
			return res
		}
		if err != nil {
			res.Status = report.StatusError
			res.Detail = i18n.T("host.security.bad_output", i18n.Args{"Source": "Windows Security Center", "Err": err.Error()})
			return res
		}
		return SecurityResult("Windows Security Center", ps)
	case "darwin":
		out, err := opts.runner().Run(ctx, MacSystemExtensionsCommand)
		if errors.Is(err, ErrNotInstalled) {
			res.Status = report.StatusUnsupported
			res.Detail = i18n.T("host.security.no_systemextensionsctl")
			return res
		}
		if err != nil {
			return commandFailed(res, err)
		}
		exts, err := security.ParseSystemExtensions(out.Stdout)
		if err != nil {
			res.Status = report.StatusError
			res.Detail = i18n.T("host.security.bad_output", i18n.Args{"Source": "systemextensionsctl", "Err": err.Error()})
			return res
		}
		return SecurityResult("systemextensionsctl", security.SecurityExtensions(exts))
	default:
		res.Status = report.StatusUnsupported
		res.Detail = i18n.T("host.security.unsupported", i18n.Args{"OS": opts.goos()})
		return res
	}
}

func commandFailed(res Result, err error) Result {
	res.Status = report.StatusError
	res.Detail = commandErrorText(err)
	return res
}

// SecurityResult turns the products a source reported into the check result
// and finding (pure; see CheckSecuritySoftware for the policy).
func SecurityResult(source string, ps []security.Product) Result {
	res := Result{ID: report.CheckHostSecuritySoftware, Status: report.StatusPass}
	if len(ps) == 0 {
		res.Detail = i18n.T("host.security.none", i18n.Args{"Source": source})
		return res
	}
	products := make([]any, 0, len(ps))
	var active, builtin []string
	for _, p := range ps {
		e := map[string]any{
			"name":       p.Name,
			"kind":       p.Kind,
			"enabled":    p.Enabled,
			"builtin":    p.BuiltIn,
			"state":      p.State,
			"up_to_date": p.UpToDate,
		}
		if p.Vendor != "" {
			e["vendor"] = p.Vendor
		}
		if p.BundleID != "" {
			e["bundle_id"] = p.BundleID
			e["team_id"] = p.TeamID
		}
		products = append(products, e)
		// One name per vendor: CrowdStrike ships two extensions, one product.
		label := p.Name
		if p.Vendor != "" {
			label = p.Vendor
		}
		switch {
		case p.Enabled && p.BuiltIn:
			builtin = appendUnique(builtin, label)
		case p.Enabled:
			active = appendUnique(active, label)
		}
	}
	f := report.Finding{
		ID: report.FindingHostSecuritySoftware,
		Evidence: map[string]any{
			"source":             source,
			"products":           products,
			"active_third_party": toAny(active),
		},
	}
	switch {
	case len(active) > 0:
		res.Status = report.StatusWarn
		f.Severity = report.SeverityWarning
		f.Summary = i18n.T("host.security.active", i18n.Args{"Products": strings.Join(active, ", ")})
		f.Steps = []int{3}
	case len(builtin) > 0:
		f.Severity = report.SeverityInfo
		f.Summary = i18n.T("host.security.builtin_only", i18n.Args{"Products": strings.Join(builtin, ", ")})
	default:
		f.Severity = report.SeverityInfo
		f.Summary = i18n.N("host.security.none_active", len(ps))
	}
	res.Detail = f.Summary
	res.Findings = []report.Finding{f}
	return res
}

func appendUnique(ss []string, s string) []string {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
