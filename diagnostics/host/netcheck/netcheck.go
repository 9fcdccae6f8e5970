// Package netcheck probes TCP+TLS servers the way a restore needs them: DNS,
// TCP connect and a verified TLS handshake, each stage with its own deadline
// and timing. A reachable TCP port proves nothing (middleboxes accept any
// connection), so a host counts as reachable only after a TLS handshake whose
// certificate chain verifies for the expected host name.
//
// netcheck holds mechanism only: no findings, no policy. It must not import
// app/, device/ or diagnostics/report.
package netcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// DefaultHosts are Apple's restore servers: gs (TSS signing), albert
// (activation), mesu (software-update catalogue) and updates.cdn-apple.com
// (firmware downloads).
var DefaultHosts = []string{
	"gs.apple.com:443",
	"albert.apple.com:443",
	"mesu.apple.com:443",
	"updates.cdn-apple.com:443",
}

// MaxConcurrent bounds how many targets are probed at once, so a long
// --apple-hosts list cannot open hundreds of sockets.
const MaxConcurrent = 16

// DefaultStageTimeout bounds each of the DNS, TCP and TLS stages.
const DefaultStageTimeout = 3 * time.Second

// Resolver resolves host names; *net.Resolver implements it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configure Probe. The zero value probes DefaultHosts with the system
// resolver and the system root certificates.
type Options struct {
	// Hosts are "host:port" (or bare "host", port 443) targets; empty means DefaultHosts.
	Hosts []string
	// StageTimeout bounds each stage separately; 0 means DefaultStageTimeout.
	StageTimeout time.Duration
	// RootCAs verifies server certificates; nil means the system pool.
	RootCAs *x509.CertPool
	// Resolver resolves names; nil means net.DefaultResolver. Tests map
	// names to 127.0.0.1 with it.
	Resolver Resolver
}

func (o Options) hosts() []string {
	if len(o.Hosts) == 0 {
		return DefaultHosts
	}
	return o.Hosts
}

func (o Options) stageTimeout() time.Duration {
	if o.StageTimeout <= 0 {
		return DefaultStageTimeout
	}
	return o.StageTimeout
}

// Stage names a probe stage.
type Stage string

// Stages in order. StageNone means not even DNS completed.
const (
	StageNone Stage = "none"
	StageDNS  Stage = "dns"
	StageTCP  Stage = "tcp"
	StageTLS  Stage = "tls"
)

// Kind classifies why a stage failed.
type Kind string

// Failure kinds.
const (
	KindInvalid              Kind = "invalid_target"
	KindNotFound             Kind = "not_found"
	KindDNS                  Kind = "dns_error"
	KindTimeout              Kind = "timeout"
	KindCanceled             Kind = "canceled"
	KindRefused              Kind = "refused"
	KindUnreachable          Kind = "unreachable"
	KindClosed               Kind = "closed"
	KindNameMismatch         Kind = "name_mismatch"
	KindUntrustedCertificate Kind = "untrusted_certificate"
	KindInvalidCertificate   Kind = "invalid_certificate"
	KindNotTLS               Kind = "not_tls"
	KindOther                Kind = "error"
)

// ProbeError says which stage failed for which target, and why.
type ProbeError struct {
	Target string
	Stage  Stage
	Kind   Kind
	// Reason is a short human sentence ("certificate is not valid for gs.apple.com …").
	Reason string
	Err    error
}

func (e *ProbeError) Error() string {
	return fmt.Sprintf("netcheck: %s: %s: %s", e.Target, e.Stage, e.Reason)
}

func (e *ProbeError) Unwrap() error { return e.Err }

// HostResult is what one probe found.
type HostResult struct {
	Target string // as given
	Host   string // name verified in the certificate
	Port   string
	// Reached is the last stage that completed: StageTLS means verified.
	Reached Stage
	// Addresses are the resolved addresses (or the literal IP).
	Addresses []string
	// Addr is the address the TCP connection reached.
	Addr          string
	DNS, TCP, TLS time.Duration
	TLSVersion    string
	// Err is nil when the host passed, else a *ProbeError.
	Err error
}

// OK reports whether the probe ended in a verified TLS handshake.
func (r HostResult) OK() bool { return r.Err == nil && r.Reached == StageTLS }

// FailedStage is the stage that failed, or "" when the probe passed.
func (r HostResult) FailedStage() Stage {
	var pe *ProbeError
	if errors.As(r.Err, &pe) {
		return pe.Stage
	}
	return ""
}

// Probe probes every target concurrently and returns the results in the order
// of opts.Hosts. It returns when every probe has finished: each stage is
// bounded by its deadline and by ctx, so the call takes at most about three
// stage timeouts.
func Probe(ctx context.Context, opts Options) []HostResult {
	hosts := opts.hosts()
	out := make([]HostResult, len(hosts))
	sem := make(chan struct{}, MaxConcurrent)
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = ProbeOne(ctx, h, opts)
		})
	}
	wg.Wait()
	return out
}

// ProbeOne probes one "host:port" target: DNS, then TCP, then a TLS handshake
// verified for host, each with opts.StageTimeout.
func ProbeOne(ctx context.Context, target string, opts Options) HostResult {
	res := HostResult{Target: target, Reached: StageNone}
	host, port, err := splitTarget(target)
	if err != nil {
		reason := i18n.T("host.net.invalid_target", i18n.Args{"Target": strconv.Quote(target)})
		if strings.TrimSpace(target) == "" {
			reason = i18n.T("host.net.empty_target")
		}
		res.Err = &ProbeError{Target: target, Stage: StageDNS, Kind: KindInvalid, Reason: reason, Err: err}
		return res
	}
	res.Host, res.Port = host, port
	timeout := opts.stageTimeout()

	// DNS.
	start := time.Now()
	addrs, err := resolve(ctx, opts.Resolver, host, timeout)
	res.DNS = time.Since(start)
	if err != nil {
		kind, reason := classifyDNS(ctx, err, timeout)
		res.Err = &ProbeError{Target: target, Stage: StageDNS, Kind: kind, Reason: reason, Err: err}
		return res
	}
	res.Addresses = addrs
	res.Reached = StageDNS

	// TCP: try the addresses in order within one stage deadline.
	start = time.Now()
	conn, err := dial(ctx, addrs, port, timeout)
	res.TCP = time.Since(start)
	if err != nil {
		kind, reason := classifyNet(ctx, err, timeout, StageTCP)
		res.Err = &ProbeError{Target: target, Stage: StageTCP, Kind: kind, Reason: reason, Err: err}
		return res
	}
	defer conn.Close()
	res.Addr = conn.RemoteAddr().String()
	res.Reached = StageTCP

	// TLS, verified for host.
	start = time.Now()
	version, err := handshake(ctx, conn, host, opts.RootCAs, timeout)
	res.TLS = time.Since(start)
	if err != nil {
		kind, reason := classifyTLS(ctx, err, timeout, host)
		res.Err = &ProbeError{Target: target, Stage: StageTLS, Kind: kind, Reason: reason, Err: err}
		return res
	}
	res.TLSVersion = version
	res.Reached = StageTLS
	return res
}

func splitTarget(target string) (host, port string, err error) {
	t := strings.TrimSpace(target)
	if t == "" {
		return "", "", errors.New("empty target")
	}
	host, port, err = net.SplitHostPort(t)
	if err != nil {
		// A bare name or IP: default to HTTPS.
		if ip := net.ParseIP(t); ip != nil { // bare IPv6 literal
			return t, "443", nil
		}
		if !strings.Contains(t, ":") {
			return t, "443", nil
		}
		return "", "", fmt.Errorf("bad host:port %q: %w", target, err)
	}
	if host == "" || port == "" {
		return "", "", fmt.Errorf("bad host:port %q: empty host or port", target)
	}
	return host, port, nil
}

func resolve(ctx context.Context, r Resolver, host string, timeout time.Duration) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ips, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out, nil
}

func dial(ctx context.Context, addrs []string, port string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	var errs []error
	for _, a := range addrs {
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a, port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func handshake(ctx context.Context, conn net.Conn, host string, roots *x509.CertPool, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The deadline on the connection backs up the context: the handshake
	// cannot outlive the stage even if the peer trickles bytes.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return "", err
	}
	tc := tls.Client(conn, &tls.Config{
		ServerName: host,
		RootCAs:    roots,
		MinVersion: tls.VersionTLS12,
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		return "", err
	}
	version := tls.VersionName(tc.ConnectionState().Version)
	// We need nothing after the handshake: a server that stalls now must not
	// hold us, so close with a short deadline and do not read.
	_ = conn.SetDeadline(time.Now().Add(100 * time.Millisecond))
	_ = tc.Close()
	return version, nil
}

func classifyDNS(ctx context.Context, err error, timeout time.Duration) (Kind, string) {
	if ctx.Err() == context.Canceled {
		return KindCanceled, i18n.T("host.net.canceled")
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return KindNotFound, i18n.T("host.net.dns_not_found", i18n.Args{"Err": de.Err})
		case de.IsTimeout || errors.Is(err, context.DeadlineExceeded):
			return KindTimeout, i18n.T("host.net.dns_timeout", i18n.Args{"Timeout": i18n.Duration(timeout)})
		default:
			return KindDNS, i18n.T("host.net.dns_failed", i18n.Args{"Err": de.Err})
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout, i18n.T("host.net.dns_timeout", i18n.Args{"Timeout": i18n.Duration(timeout)})
	}
	return KindDNS, i18n.T("host.net.dns_failed", i18n.Args{"Err": err.Error()})
}

// classifyNet classifies a failure of stage (StageTCP: connecting,
// StageTLS: the handshake). The reasons are in the current language
// (internal/i18n); the operating system's own error text stays as it is.
func classifyNet(ctx context.Context, err error, timeout time.Duration, stage Stage) (Kind, string) {
	if ctx.Err() == context.Canceled {
		return KindCanceled, i18n.T("host.net.canceled")
	}
	s := string(stage)
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return KindTimeout, i18n.T("host.net."+s+"_timeout", i18n.Args{"Timeout": i18n.Duration(timeout)})
	case isRefused(err):
		return KindRefused, i18n.T("host.net." + s + "_refused")
	case isUnreachable(err):
		return KindUnreachable, i18n.T("host.net.unreachable")
	case isClosed(err):
		return KindClosed, i18n.T("host.net.closed")
	}
	return KindOther, i18n.T("host.net."+s+"_failed", i18n.Args{"Err": err.Error()})
}

func classifyTLS(ctx context.Context, err error, timeout time.Duration, host string) (Kind, string) {
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invErr x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.As(err, &hostErr):
		return KindNameMismatch, i18n.T("host.net.name_mismatch", i18n.Args{"Host": host, "Names": certNames(hostErr.Certificate)})
	case errors.As(err, &authErr):
		subject := ""
		if authErr.Cert != nil {
			subject = authErr.Cert.Subject.String()
		}
		return KindUntrustedCertificate, i18n.T("host.net.untrusted_certificate", i18n.Args{"Subject": strconv.Quote(subject)})
	case errors.As(err, &invErr):
		return KindInvalidCertificate, i18n.T("host.net.invalid_certificate", i18n.Args{"Err": invErr.Error()})
	case errors.As(err, &recErr), errors.As(err, &alert):
		return KindNotTLS, i18n.T("host.net.not_tls", i18n.Args{"Err": err.Error()})
	}
	return classifyNet(ctx, err, timeout, StageTLS)
}

// certNames lists the names a certificate is valid for, capped for messages.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return i18n.T("host.net.no_names")
	}
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	if len(names) == 0 {
		return i18n.T("host.net.no_names")
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return strings.Join(names, ", ")
}
