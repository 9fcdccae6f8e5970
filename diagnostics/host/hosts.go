package host

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/hostsfile"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// CheckHostsFile reads the hosts file at path ("" means
// DefaultHostsFilePath()) and reports host.hosts_file.
//
// Policy: a line mapping one of hostsfile.RestoreHosts → fail and a critical
// host.hosts_file_redirect finding; only other Apple names (apple.com,
// cdn-apple.com, icloud.com, mzstatic.com and below) → warn and a warning
// finding; otherwise pass. The finding supports step 3 and lists the
// offending lines (line, address, names, restore, blocks, text). A missing
// file passes (nothing can redirect); an unreadable one is an error.
func CheckHostsFile(ctx context.Context, path string) Result {
	start := time.Now()
	if path == "" {
		path = DefaultHostsFilePath()
	}
	r := checkHostsFile(ctx, path)
	r.Duration = time.Since(start)
	return r
}

func checkHostsFile(ctx context.Context, path string) Result {
	res := Result{ID: report.CheckHostHostsFile}
	// Stat before opening: opening a FIFO or device could block forever.
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		res.Status = report.StatusPass
		res.Detail = i18n.T("host.hosts.missing", i18n.Args{"Path": path})
		return res
	}
	if err != nil {
		res.Status = report.StatusError
		res.Detail = i18n.T("host.hosts.unreadable", i18n.Args{"Path": path, "Err": unwrapPathError(err).Error()})
		return res
	}
	if st.IsDir() {
		res.Status = report.StatusError
		res.Detail = i18n.T("host.hosts.directory", i18n.Args{"Path": path})
		return res
	}
	if !st.Mode().IsRegular() {
		res.Status = report.StatusError
		res.Detail = i18n.T("host.hosts.not_regular", i18n.Args{"Path": path, "Kind": safefile.Kind(st.Mode())})
		return res
	}
	f, err := os.Open(path)
	if err != nil {
		res.Status = report.StatusError
		res.Detail = i18n.T("host.hosts.unreadable", i18n.Args{"Path": path, "Err": unwrapPathError(err).Error()})
		return res
	}
	defer f.Close()
	sc, err := hostsfile.Parse(ctx, f)
	if err != nil {
		res.Status = report.StatusError
		res.Detail = i18n.T("host.hosts.unreadable", i18n.Args{"Path": path, "Err": err.Error()})
		return res
	}
	return HostsFileResult(path, sc)
}

// HostsFileResult turns a parsed hosts file into the check result and finding
// (pure; see CheckHostsFile for the policy).
func HostsFileResult(path string, sc hostsfile.Scan) Result {
	res := Result{ID: report.CheckHostHostsFile}
	if sc.AppleEntries == 0 {
		res.Status = report.StatusPass
		res.Detail = i18n.N("host.hosts.clean", sc.Mappings, i18n.Args{"Path": path, "Mappings": i18n.Int(sc.Mappings)})
		if sc.Truncated {
			res.Detail = i18n.N("host.hosts.clean_truncated", sc.Mappings, i18n.Args{"Path": path,
				"Mappings": i18n.Int(sc.Mappings), "MiB": i18n.Int(hostsfile.MaxBytes >> 20)})
		}
		return res
	}
	lines := make([]any, 0, len(sc.Entries))
	var restoreNames []string
	for _, e := range sc.Entries {
		names := make([]any, len(e.Names))
		for i, n := range e.Names {
			names[i] = n
			if _, isRestore := hostsfile.Classify(n); isRestore {
				restoreNames = append(restoreNames, n)
			}
		}
		lines = append(lines, map[string]any{
			"line":    e.Line,
			"address": e.Address,
			"names":   names,
			"restore": e.Restore,
			"blocks":  e.Blocks,
			"text":    e.Text,
		})
	}
	sev, status := report.SeverityWarning, report.StatusWarn
	summary := i18n.N("host.hosts.redirects_apple", sc.AppleEntries, i18n.Args{"Line": sc.Entries[0].Line,
		"Name": sc.Entries[0].Names[0], "Address": sc.Entries[0].Address})
	if len(restoreNames) > 0 {
		sev, status = report.SeverityCritical, report.StatusFail
		first := firstRestore(sc.Entries)
		summary = i18n.T("host.hosts.redirects_restore", i18n.Args{"Name": firstRestoreName(first), "Address": first.Address, "Line": first.Line})
	}
	res.Status = status
	res.Detail = i18n.T("host.hosts.detail", i18n.Args{"Path": path, "Summary": summary})
	if sc.Truncated {
		res.Detail = i18n.T("host.hosts.detail_truncated", i18n.Args{"Path": path, "Summary": summary, "MiB": i18n.Int(hostsfile.MaxBytes >> 20)})
	}
	res.Findings = []report.Finding{{
		ID:       report.FindingHostHostsFileRedirect,
		Severity: sev,
		Summary:  summary,
		Evidence: map[string]any{
			"path":          path,
			"lines":         lines,
			"apple_entries": sc.AppleEntries,
			"restore_hosts": dedupe(restoreNames),
			"truncated":     sc.Truncated,
		},
		Steps: []int{3},
	}}
	return res
}

func firstRestore(es []hostsfile.Entry) hostsfile.Entry {
	for _, e := range es {
		if e.Restore {
			return e
		}
	}
	return es[0]
}

func firstRestoreName(e hostsfile.Entry) string {
	for _, n := range e.Names {
		if _, r := hostsfile.Classify(n); r {
			return n
		}
	}
	return e.Names[0]
}

func dedupe(ss []string) []any {
	seen := map[string]bool{}
	out := []any{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// unwrapPathError drops the path from *fs.PathError, which the detail
// already names ("permission denied" rather than "open /etc/hosts: permission denied").
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
