package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/netcheck"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// ServerOptions configure CheckAppleServers: the targets (default
// netcheck.DefaultHosts, overridden by --apple-hosts), the per-stage timeout
// (default 3 s each for DNS, TCP and TLS), and for tests the root CAs and a
// resolver.
type ServerOptions = netcheck.Options

// SigningHost is Apple's TSS signing server. A restore cannot proceed without
// it, so its failure alone makes the finding critical.
const SigningHost = "gs.apple.com"

// CheckAppleServers probes every server concurrently (DNS, TCP, verified TLS,
// each stage with its own deadline) and reports host.apple_servers.
//
// Policy: all pass → pass, no finding. Some fail → warn and a warning
// host.apple_servers_unreachable finding. All fail, or the signing server
// gs.apple.com fails → fail and a critical finding. The finding supports
// step 3 and carries per host: target, stage_reached (none|dns|tcp|tls),
// failed_stage, kind, error, dns_ms, tcp_ms, tls_ms, addresses (resolved,
// at most 4), address (connected), tls_version.
func CheckAppleServers(ctx context.Context, opts ServerOptions) Result {
	start := time.Now()
	results := netcheck.Probe(ctx, opts)
	r := AppleServersResult(results)
	r.Duration = time.Since(start)
	slog.Debug("host: apple servers probed", "status", r.Status, "hosts", len(results), "duration", r.Duration)
	return r
}

// AppleServersResult turns probe results into the check result and finding
// (pure; see CheckAppleServers for the policy).
func AppleServersResult(results []netcheck.HostResult) Result {
	res := Result{ID: report.CheckHostAppleServers}
	if len(results) == 0 {
		res.Status = report.StatusError
		res.Detail = i18n.T("host.servers.none")
		return res
	}
	var failed []netcheck.HostResult
	signingFailed, canceled := false, false
	hosts := make([]any, 0, len(results))
	var slowest netcheck.HostResult
	for _, hr := range results {
		hosts = append(hosts, hostEvidence(hr))
		if hr.OK() {
			if total(hr) > total(slowest) {
				slowest = hr
			}
			continue
		}
		failed = append(failed, hr)
		if strings.EqualFold(hr.Host, SigningHost) {
			signingFailed = true
		}
		var pe *netcheck.ProbeError
		if errors.As(hr.Err, &pe) && pe.Kind == netcheck.KindCanceled {
			canceled = true
		}
	}
	if len(failed) == 0 {
		res.Status = report.StatusPass
		res.Detail = i18n.T("host.servers.pass", i18n.Args{"Total": len(results), "Target": slowest.Target,
			"Ms": i18n.Num(msFloat(total(slowest)), 0)})
		return res
	}
	if canceled {
		// An interrupted probe proves nothing about the network.
		res.Status = report.StatusError
		res.Detail = i18n.T("host.servers.canceled", i18n.Args{"Failed": len(failed), "Total": len(results)})
		return res
	}
	sev, status := report.SeverityWarning, report.StatusWarn
	if signingFailed || len(failed) == len(results) {
		sev, status = report.SeverityCritical, report.StatusFail
	}
	names := make([]string, 0, len(failed))
	for _, f := range failed {
		names = append(names, f.Target)
	}
	first := failureText(failed[0])
	res.Status = status
	res.Detail = i18n.T("host.servers.unreachable_detail", i18n.Args{"Failed": len(failed), "Total": len(results), "First": first})
	res.Findings = []report.Finding{{
		ID:       report.FindingHostServersUnreachable,
		Severity: sev,
		Summary:  i18n.T("host.servers.unreachable", i18n.Args{"Failed": len(failed), "Total": len(results), "First": first}),
		Evidence: map[string]any{
			"hosts":          hosts,
			"failed":         len(failed),
			"total":          len(results),
			"failed_hosts":   names,
			"signing_failed": signingFailed,
		},
		Steps: []int{3},
	}}
	return res
}

func total(hr netcheck.HostResult) time.Duration { return hr.DNS + hr.TCP + hr.TLS }

// failureText is "gs.apple.com:443: DNS: name not found (no such host)".
func failureText(hr netcheck.HostResult) string {
	var pe *netcheck.ProbeError
	if errors.As(hr.Err, &pe) {
		return fmt.Sprintf("%s: %s: %s", hr.Target, strings.ToUpper(string(pe.Stage)), pe.Reason)
	}
	return fmt.Sprintf("%s: %v", hr.Target, hr.Err)
}

func hostEvidence(hr netcheck.HostResult) map[string]any {
	e := map[string]any{
		"target":        hr.Target,
		"stage_reached": string(hr.Reached),
		"failed_stage":  string(hr.FailedStage()),
		"dns_ms":        msFloat(hr.DNS),
		"tcp_ms":        msFloat(hr.TCP),
		"tls_ms":        msFloat(hr.TLS),
		"error":         "",
		"kind":          "",
	}
	var pe *netcheck.ProbeError
	if errors.As(hr.Err, &pe) {
		e["error"] = pe.Reason
		e["kind"] = string(pe.Kind)
	} else if hr.Err != nil {
		e["error"] = hr.Err.Error()
	}
	if len(hr.Addresses) > 0 {
		// What the name resolved to: 127.0.0.1 or 0.0.0.0 here means a hosts
		// file or DNS filter is blocking it.
		addrs := hr.Addresses
		if len(addrs) > 4 {
			addrs = addrs[:4]
		}
		e["addresses"] = toAny(addrs)
	}
	if hr.Addr != "" {
		e["address"] = hr.Addr
	}
	if hr.TLSVersion != "" {
		e["tls_version"] = hr.TLSVersion
	}
	return e
}
