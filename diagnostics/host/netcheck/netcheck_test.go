package netcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// mapResolver resolves names from a table; unknown names are not found.
// A name mapped to "hang" blocks until the context ends.
type mapResolver map[string]string

func (m mapResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	a, ok := m[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	if a == "hang" {
		<-ctx.Done()
		return nil, &net.DNSError{Err: ctx.Err().Error(), Name: host, IsTimeout: true}
	}
	return []net.IPAddr{{IP: net.ParseIP(a)}}, nil
}

// tlsServer is a real TLS server on loopback whose certificate (from
// httptest) is valid for example.com, 127.0.0.1 and ::1.
func tlsServer(t *testing.T) (port string, roots *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots = x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	_, port, _ = net.SplitHostPort(srv.Listener.Addr().String())
	return port, roots
}

// rawServer accepts connections and hands each to serve; it closes every
// connection and waits for its goroutines on cleanup.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { serve(c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// blackhole never speaks: it reads until the peer goes away.
func blackhole(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

// stallAfterHandshake completes a real TLS handshake and then goes silent.
func stallAfterHandshake(t *testing.T) (string, *x509.CertPool) {
	t.Helper()
	// Borrow httptest's certificate for a hand-driven tls.Server.
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.StartTLS()
	cert := srv.TLS.Certificates[0]
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	srv.Close()
	port := rawServer(t, func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() != nil {
			return
		}
		_, _ = io.Copy(io.Discard, c) // stall: never write again
	})
	return port, roots
}

func TestProbeOne(t *testing.T) {
	okPort, roots := tlsServer(t)
	stallPort, stallRoots := stallAfterHandshake(t)
	blackPort := rawServer(t, blackhole)
	httpPort := rawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\nnot tls at all, just plain text\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
	resetPort := rawServer(t, func(c net.Conn) { c.Close() })
	refused := closedPort(t)
	res := mapResolver{"example.com": "127.0.0.1", "wrong.test": "127.0.0.1", "slow.test": "hang"}
	// Generous for a loaded machine under -race; the blackhole cases cost one stage each.
	const stage = time.Second
	// Load the system roots now: the first handshake with nil RootCAs would
	// otherwise spend its stage parsing /etc/ssl/certs.
	if _, err := x509.SystemCertPool(); err != nil {
		t.Logf("no system roots: %v", err)
	}

	tests := []struct {
		name    string
		target  string
		roots   *x509.CertPool
		reached Stage
		kind    Kind
		reason  string // substring of ProbeError.Reason
	}{
		{"right name via resolver", "example.com:" + okPort, roots, StageTLS, "", ""},
		{"right IP SAN", "127.0.0.1:" + okPort, roots, StageTLS, "", ""},
		{"wrong name", "wrong.test:" + okPort, roots, StageTCP, KindNameMismatch, "certificate is not valid for wrong.test"},
		{"untrusted (system roots)", "example.com:" + okPort, nil, StageTCP, KindUntrustedCertificate, "not trusted"},
		{"closed port", "127.0.0.1:" + refused, roots, StageDNS, KindRefused, "refused"},
		{"blackhole", "example.com:" + blackPort, roots, StageTCP, KindTimeout, "timed out after 1 s"},
		{"not tls", "example.com:" + httpPort, roots, StageTCP, KindNotTLS, "did not complete a TLS handshake"},
		{"closed after accept", "example.com:" + resetPort, roots, StageTCP, KindClosed, "closed"},
		{"stall after handshake", "example.com:" + stallPort, stallRoots, StageTLS, "", ""},
		{"name not found", "nowhere.test:443", roots, StageNone, KindNotFound, "not found"},
		{"dns hangs", "slow.test:443", roots, StageNone, KindTimeout, "lookup timed out"},
		{"bad target", "a:b:c", roots, StageNone, KindInvalid, "bad host:port"},
		{"empty target", " ", roots, StageNone, KindInvalid, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := ProbeOne(context.Background(), tt.target, Options{StageTimeout: stage, RootCAs: tt.roots, Resolver: res})
			if el := time.Since(start); el > 3*stage+2*time.Second {
				t.Errorf("took %s, want within 3 stage timeouts + slack", el)
			}
			if r.Reached != tt.reached {
				t.Errorf("Reached = %q, want %q (err %v)", r.Reached, tt.reached, r.Err)
			}
			if tt.kind == "" {
				if !r.OK() || r.Err != nil {
					t.Fatalf("want OK, got err %v", r.Err)
				}
				if r.TLSVersion == "" || r.Addr == "" {
					t.Errorf("missing TLS version or addr: %+v", r)
				}
				return
			}
			if r.OK() {
				t.Fatalf("want failure %s, got OK", tt.kind)
			}
			var pe *ProbeError
			if !errors.As(r.Err, &pe) {
				t.Fatalf("err %T %v, want *ProbeError", r.Err, r.Err)
			}
			if pe.Kind != tt.kind {
				t.Errorf("Kind = %q, want %q (%v)", pe.Kind, tt.kind, pe)
			}
			if !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", pe.Reason, tt.reason)
			}
			if !strings.Contains(pe.Error(), tt.target) {
				t.Errorf("Error() = %q lacks target", pe.Error())
			}
		})
	}
}

func TestProbeConcurrentOrdered(t *testing.T) {
	okPort, roots := tlsServer(t)
	blackPort := rawServer(t, blackhole)
	hosts := []string{"127.0.0.1:" + blackPort, "127.0.0.1:" + okPort, "127.0.0.1:" + blackPort, "example.com:" + okPort}
	const stage = 400 * time.Millisecond
	start := time.Now()
	rs := Probe(context.Background(), Options{Hosts: hosts, StageTimeout: stage, RootCAs: roots, Resolver: mapResolver{"example.com": "127.0.0.1"}})
	el := time.Since(start)
	if len(rs) != len(hosts) {
		t.Fatalf("got %d results", len(rs))
	}
	for i, r := range rs {
		if r.Target != hosts[i] {
			t.Errorf("result %d is %q, want %q", i, r.Target, hosts[i])
		}
	}
	if rs[0].OK() || !rs[1].OK() || rs[2].OK() || !rs[3].OK() {
		t.Errorf("outcomes wrong: %v %v %v %v", rs[0].Err, rs[1].Err, rs[2].Err, rs[3].Err)
	}
	// Two blackholes probed one after the other would need 2 stage timeouts.
	if el > 2*stage+time.Second {
		t.Errorf("took %s; probes do not seem to run concurrently", el)
	}
}

func TestProbeCancel(t *testing.T) {
	blackPort := rawServer(t, blackhole)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	rs := Probe(ctx, Options{
		Hosts:        []string{"127.0.0.1:" + blackPort, "slow.test:443"},
		StageTimeout: 30 * time.Second,
		Resolver:     mapResolver{"slow.test": "hang"},
	})
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("cancel took %s to return", el)
	}
	for _, r := range rs {
		var pe *ProbeError
		if !errors.As(r.Err, &pe) || pe.Kind != KindCanceled {
			t.Errorf("%s: err %v, want canceled", r.Target, r.Err)
		}
	}
}

func TestSplitTarget(t *testing.T) {
	tests := []struct {
		in, host, port string
		bad            bool
	}{
		{"gs.apple.com:443", "gs.apple.com", "443", false},
		{"gs.apple.com", "gs.apple.com", "443", false},
		{"[::1]:8443", "::1", "8443", false},
		{"::1", "::1", "443", false},
		{"127.0.0.1", "127.0.0.1", "443", false},
		{":443", "", "", true},
		{"host:", "", "", true},
		{"", "", "", true},
		{"a:b:c", "", "", true},
	}
	for _, tt := range tests {
		h, p, err := splitTarget(tt.in)
		if (err != nil) != tt.bad || h != tt.host || p != tt.port {
			t.Errorf("splitTarget(%q) = %q, %q, %v", tt.in, h, p, err)
		}
	}
}

// BenchmarkProbeLoopback measures one full DNS (map) + TCP + verified TLS
// probe against a loopback httptest server.
func BenchmarkProbeLoopback(b *testing.B) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	opts := Options{RootCAs: roots, Resolver: mapResolver{"example.com": "127.0.0.1"}}
	b.ReportAllocs()
	for b.Loop() {
		if r := ProbeOne(context.Background(), "example.com:"+port, opts); !r.OK() {
			b.Fatal(r.Err)
		}
	}
}
