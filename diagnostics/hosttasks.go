package diagnostics

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/probecache"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// notConfigured is the detail of a host check whose probe the engine was
// not given.
func notConfigured() string { return i18n.T("findings.skipped.not_configured") }

// hostTasks are the host-side checks, run through the configured probes.
func (r *run) hostTasks() []Task {
	hc := r.e.cfg.Host
	wrap := func(id string, timeout time.Duration, configured bool, fn func(ctx context.Context) (host.Result, error)) Task {
		return Task{ID: id, Label: Label(id), Timeout: timeout, Run: func(ctx context.Context) (Outcome, error) {
			if !configured {
				return Skipped(notConfigured()), nil
			}
			res, err := fn(ctx)
			if err != nil {
				return Outcome{}, err
			}
			if res.Status == report.StatusError && res.Detail != "" {
				return Outcome{}, errors.New(res.Detail)
			}
			return Outcome{Status: res.Status, Detail: res.Detail, Findings: res.Findings}, nil
		}}
	}
	return []Task{
		wrap(report.CheckHostAppleServers, 15*time.Second, hc.AppleServers != nil || r.opts.NoNetwork, func(ctx context.Context) (host.Result, error) {
			if r.opts.NoNetwork {
				return host.Skipped(report.CheckHostAppleServers, i18n.T("findings.skipped.no_network")), nil
			}
			opts := host.ServerOptions{Hosts: r.opts.AppleHosts}
			if r.opts.AppleCAFile != "" {
				pool, err := loadCAFile(r.opts.AppleCAFile)
				if err != nil {
					return host.Result{}, err
				}
				opts.RootCAs = pool
			}
			return hc.AppleServers(ctx, opts), nil
		}),
		wrap(report.CheckHostHostsFile, 5*time.Second, hc.HostsFile != nil, func(ctx context.Context) (host.Result, error) {
			return hc.HostsFile(ctx, r.opts.HostsFile), nil
		}),
		wrap(report.CheckHostSecuritySoftware, 10*time.Second, hc.SecuritySoftware != nil, func(ctx context.Context) (host.Result, error) {
			return hc.SecuritySoftware(ctx), nil
		}),
		wrap(report.CheckHostSoftwareVersions, 10*time.Second, hc.SoftwareVersions != nil, func(ctx context.Context) (host.Result, error) {
			return hc.SoftwareVersions(ctx, r.phoneIOSVersion(ctx)), nil
		}),
	}
}

// phoneIOSVersion is the iOS version of the first phone lockdownd
// described ("" when none did); on macOS it raises the minimum OS version.
func (r *run) phoneIOSVersion(ctx context.Context) string {
	if runtime.GOOS != "darwin" {
		return ""
	}
	ld, err := r.lockdown.Get(ctx)
	if err != nil {
		return ""
	}
	keys := make([]string, 0, len(ld))
	for k := range ld {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := ld[k].info.ProductVersion; v != "" {
			return v
		}
	}
	return ""
}

// SystemHostChecks are the real probes of this computer (diagnostics/host:
// Apple's servers over the network, the hosts file, the OS's security
// software and restore software inventories). Production wiring passes them
// in Config.Host; tests never do.
func SystemHostChecks() HostChecks {
	return HostChecks{
		AppleServers: host.CheckAppleServers,
		HostsFile:    host.CheckHostsFile,
		SoftwareVersions: cacheSoftware(softwareCacheFor, time.Now, func(ctx context.Context, iosVersion string) host.Result {
			return host.CheckSoftwareVersions(ctx, host.SoftwareOptions{IOSVersion: iosVersion, Cache: probeCache()})
		}),
		SecuritySoftware: func(ctx context.Context) host.Result {
			return host.CheckSecuritySoftware(ctx, host.CommandOptions{})
		},
		Backups:      SystemBackupScan,
		ICloudBackup: true,
	}
}

// probeCache is the on-disk cache of the software probe's answers
// (probecache.DefaultFile; README "Performance"), nil when this user has no
// cache directory.
var probeCache = sync.OnceValue(func() *probecache.Cache {
	file, err := probecache.DefaultFile()
	if err != nil {
		return nil
	}
	return probecache.New(file, nil)
})

// MaxCABundle is the largest --apple-ca file read: a bundle of every
// public root (Mozilla's, about 150 certificates) is about 200 kB.
const MaxCABundle = 4 << 20

// loadCAFile reads a PEM bundle of trusted roots for the Apple-server check:
// a regular file of at most MaxCABundle bytes (a FIFO would block, a device
// such as /dev/zero would never end).
func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := readBounded(path, MaxCABundle)
	if err != nil {
		return nil, fmt.Errorf("read CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s: no PEM certificate in it", path)
	}
	return pool, nil
}

// readBounded reads the regular file at path, refusing anything else and
// anything over limit bytes (also when it grows while being read).
func readBounded(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, safefile.Kind(st.Mode()))
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a certificate bundle can have", path, st.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: more than the %d bytes a certificate bundle can have", path, limit)
	}
	return b, nil
}

// softwareCacheFor is how long SystemHostChecks keeps the installed
// software's versions: a session's re-checks do not ask the package
// manager again, but a user who updated (step 2) and checks a minute later
// sees the new versions.
const softwareCacheFor = time.Minute

// cacheSoftware remembers fn's answers per iOS version for ttl (answers
// with status error are not kept), by the clock now.
func cacheSoftware(ttl time.Duration, now func() time.Time, fn func(ctx context.Context, iosVersion string) host.Result) func(ctx context.Context, iosVersion string) host.Result {
	type entry struct {
		res host.Result
		at  time.Time
	}
	var mu sync.Mutex
	cache := map[string]entry{}
	return func(ctx context.Context, iosVersion string) host.Result {
		mu.Lock()
		e, ok := cache[iosVersion]
		mu.Unlock()
		if ok && now().Sub(e.at) < ttl {
			return e.res
		}
		res := fn(ctx, iosVersion)
		if res.Status != report.StatusError {
			mu.Lock()
			cache[iosVersion] = entry{res, now()}
			mu.Unlock()
		}
		return res
	}
}
