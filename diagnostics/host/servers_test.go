package host

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/netcheck"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type mapResolver map[string]string

func (m mapResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if a, ok := m[host]; ok {
		return []net.IPAddr{{IP: net.ParseIP(a)}}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func loopbackTLS(t *testing.T) (string, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return port, roots
}

func TestCheckAppleServersLoopback(t *testing.T) {
	port, roots := loopbackTLS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closed, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	// gs.apple.com and example.com resolve to loopback; the certificate is
	// only valid for example.com, so "gs.apple.com" fails name verification.
	res := mapResolver{"example.com": "127.0.0.1", "gs.apple.com": "127.0.0.1"}

	tests := []struct {
		name     string
		hosts    []string
		status   string
		severity string
		failed   int
	}{
		{"all pass", []string{"example.com:" + port, "127.0.0.1:" + port}, report.StatusPass, "", 0},
		{"one of two fails", []string{"example.com:" + port, "127.0.0.1:" + closed}, report.StatusWarn, report.SeverityWarning, 1},
		{"all fail", []string{"127.0.0.1:" + closed, "nowhere.test:" + port}, report.StatusFail, report.SeverityCritical, 2},
		{"signing host fails", []string{"gs.apple.com:" + port, "example.com:" + port, "127.0.0.1:" + port}, report.StatusFail, report.SeverityCritical, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckAppleServers(context.Background(), ServerOptions{Hosts: tt.hosts, StageTimeout: time.Second, RootCAs: roots, Resolver: res})
			if r.ID != report.CheckHostAppleServers || r.Status != tt.status {
				t.Fatalf("got %s %s (%s), want %s", r.ID, r.Status, r.Detail, tt.status)
			}
			if r.Duration <= 0 {
				t.Error("no duration")
			}
			if tt.failed == 0 {
				if len(r.Findings) != 0 {
					t.Errorf("unexpected findings %+v", r.Findings)
				}
				if !strings.Contains(r.Detail, "verified TLS") {
					t.Errorf("detail %q", r.Detail)
				}
				return
			}
			if len(r.Findings) != 1 {
				t.Fatalf("findings %+v", r.Findings)
			}
			f := r.Findings[0]
			if f.ID != report.FindingHostServersUnreachable || f.Severity != tt.severity || len(f.Steps) != 1 || f.Steps[0] != 3 {
				t.Errorf("finding %+v", f)
			}
			if f.Evidence["failed"] != tt.failed || f.Evidence["total"] != len(tt.hosts) {
				t.Errorf("evidence counts %v/%v", f.Evidence["failed"], f.Evidence["total"])
			}
			hosts := f.Evidence["hosts"].([]any)
			if len(hosts) != len(tt.hosts) {
				t.Fatalf("evidence hosts %d", len(hosts))
			}
			for _, h := range hosts {
				m := h.(map[string]any)
				for _, k := range []string{"target", "stage_reached", "failed_stage", "dns_ms", "tcp_ms", "tls_ms", "error"} {
					if _, ok := m[k]; !ok {
						t.Errorf("evidence for %v lacks %s", m["target"], k)
					}
				}
			}
			if _, err := json.Marshal(f); err != nil {
				t.Errorf("finding does not marshal: %v", err)
			}
		})
	}
}

func TestAppleServersWrongNameEvidence(t *testing.T) {
	port, roots := loopbackTLS(t)
	r := CheckAppleServers(context.Background(), ServerOptions{
		Hosts: []string{"gs.apple.com:" + port}, StageTimeout: time.Second, RootCAs: roots,
		Resolver: mapResolver{"gs.apple.com": "127.0.0.1"},
	})
	if r.Status != report.StatusFail || len(r.Findings) != 1 {
		t.Fatalf("%+v", r)
	}
	h := r.Findings[0].Evidence["hosts"].([]any)[0].(map[string]any)
	if h["stage_reached"] != "tcp" || h["failed_stage"] != "tls" || h["kind"] != "name_mismatch" ||
		len(h["addresses"].([]any)) != 1 || h["addresses"].([]any)[0] != "127.0.0.1" {
		t.Errorf("evidence %v", h)
	}
	if !strings.Contains(h["error"].(string), "certificate is not valid for gs.apple.com") {
		t.Errorf("error %q", h["error"])
	}
	if !strings.Contains(r.Detail, "TLS: certificate is not valid for gs.apple.com") {
		t.Errorf("detail %q", r.Detail)
	}
}

func TestAppleServersResultEdges(t *testing.T) {
	if r := AppleServersResult(nil); r.Status != report.StatusError {
		t.Errorf("empty: %+v", r)
	}
	canceled := netcheck.HostResult{Target: "gs.apple.com:443", Host: "gs.apple.com", Reached: netcheck.StageNone,
		Err: &netcheck.ProbeError{Stage: netcheck.StageDNS, Kind: netcheck.KindCanceled, Reason: "canceled"}}
	if r := AppleServersResult([]netcheck.HostResult{canceled}); r.Status != report.StatusError || len(r.Findings) != 0 {
		t.Errorf("canceled: %+v", r)
	}
}

// TestDefaultHostsLive probes Apple's real servers. It leaves the machine, so
// it only runs when RESTOREDOCTOR_LIVE_NETWORK=1.
func TestDefaultHostsLive(t *testing.T) {
	if os.Getenv("RESTOREDOCTOR_LIVE_NETWORK") != "1" {
		t.Skip("set RESTOREDOCTOR_LIVE_NETWORK=1 to probe Apple's servers")
	}
	r := CheckAppleServers(context.Background(), ServerOptions{})
	b, _ := json.MarshalIndent(r, "", "  ")
	t.Logf("%s", b)
}
