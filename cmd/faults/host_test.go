package faults

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/netcheck"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/netserve"
)

// loopbackResolver maps every name to 127.0.0.1: nothing leaves the machine.
type loopbackResolver struct{}

func (loopbackResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}

// selfSigned returns a certificate for names and a pool trusting it.
func selfSigned(t *testing.T, names ...string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// stallServer accepts TCP connections on 127.0.0.1 and hands each to serve;
// serve may block until stop is closed. Everything is torn down at cleanup.
func stallServer(t *testing.T, serve func(c net.Conn, stop <-chan struct{})) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	wait := netserve.Serve(ln, func(c net.Conn) { serve(c, stop) })
	t.Cleanup(func() { close(stop); _ = ln.Close(); wait() })
	return ln.Addr().String()
}

// Apple-server probes against servers that stall: after a completed
// handshake (verified: that is all the check needs, it must not wait for
// more), before the ServerHello, and trickling one byte at a time.
func TestTLSServerStalls(t *testing.T) {
	guard(t)
	cert, pool := selfSigned(t, "gs.apple.com", "albert.apple.com")
	const stage = 2 * time.Second // generous: a loaded machine under -race must still finish a real handshake

	afterHandshake := stallServer(t, func(c net.Conn, stop <-chan struct{}) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			return
		}
		<-stop // never read, never write, never close
	})
	beforeHello := stallServer(t, func(c net.Conn, stop <-chan struct{}) { <-stop })
	trickle := stallServer(t, func(c net.Conn, stop <-chan struct{}) {
		// A plausible TLS record header (handshake, TLS 1.2, 16 KiB), then the body one byte at a time.
		if _, err := c.Write([]byte{0x16, 0x03, 0x03, 0x40, 0x00}); err != nil {
			return
		}
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				if _, err := c.Write([]byte{0x02}); err != nil {
					return
				}
			}
		}
	})
	port := func(a string) string { _, p, _ := net.SplitHostPort(a); return p }

	cases := []struct {
		name   string
		target string
		ok     bool
		kind   netcheck.Kind
	}{
		{"stalls after the handshake", "gs.apple.com:" + port(afterHandshake), true, ""},
		{"stalls before ServerHello", "gs.apple.com:" + port(beforeHello), false, netcheck.KindTimeout},
		{"trickles bytes", "albert.apple.com:" + port(trickle), false, netcheck.KindTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := netcheck.Options{Hosts: []string{tc.target}, StageTimeout: stage, RootCAs: pool, Resolver: loopbackResolver{}}
			var res netcheck.HostResult
			within(t, 3*stage+slack, "ProbeOne", func() { res = netcheck.ProbeOne(context.Background(), tc.target, opts) })
			if res.OK() != tc.ok {
				t.Fatalf("OK() = %v, want %v (err %v)", res.OK(), tc.ok, res.Err)
			}
			if !tc.ok {
				var pe *netcheck.ProbeError
				if !asProbe(res.Err, &pe) || pe.Stage != netcheck.StageTLS || pe.Kind != tc.kind {
					t.Errorf("error = %v, want stage tls kind %s", res.Err, tc.kind)
				}
			}

			var r host.Result
			within(t, 3*stage+slack, "CheckAppleServers", func() { r = host.CheckAppleServers(context.Background(), opts) })
			hasFinding := hasID(r.Findings, report.FindingHostServersUnreachable)
			if tc.ok && (r.Status != report.StatusPass || hasFinding) {
				t.Errorf("check = %s %q with findings %v, want pass", r.Status, r.Detail, r.Findings)
			}
			if !tc.ok && (r.Status != report.StatusFail || !hasFinding) {
				t.Errorf("check = %s %q, want fail with %s", r.Status, r.Detail, report.FindingHostServersUnreachable)
			}
		})
	}
}

func asProbe(err error, pe **netcheck.ProbeError) bool {
	p, ok := err.(*netcheck.ProbeError)
	if ok {
		*pe = p
	}
	return ok
}

func hasID(fs []report.Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

// A 10 MB hosts file (a corporate block list) with the one line that matters
// near its end: found, within the deadline, with a small heap.
func TestHostsFile10MB(t *testing.T) {
	guard(t)
	path := filepath.Join(t.TempDir(), "hosts")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	n, _ := w.WriteString("127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
	for i := 0; n < 10<<20; i++ {
		k, _ := fmt.Fprintf(w, "0.0.0.0 ads%d.tracker-%d.example.net # block list entry %d\n", i, i%977, i)
		n += k
	}
	_, _ = w.WriteString("17.0.0.99 gs.apple.com\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var r host.Result
	within(t, 30*time.Second, "CheckHostsFile on 10 MB", func() { r = host.CheckHostsFile(context.Background(), path) })
	if r.Status != report.StatusFail || !hasID(r.Findings, report.FindingHostHostsFileRedirect) {
		t.Fatalf("result = %s %q, want fail with %s", r.Status, r.Detail, report.FindingHostHostsFileRedirect)
	}
	if !strings.Contains(r.Findings[0].Summary, "gs.apple.com") {
		t.Errorf("summary %q does not name gs.apple.com", r.Findings[0].Summary)
	}
}

// Corrupt hosts files never panic, never hang, and give a status with a
// detail; a redirect after the damage is still found.
func TestCorruptHostsFiles(t *testing.T) {
	guard(t)
	dir := t.TempDir()
	longLine := bytes.Repeat([]byte("x"), 2<<20)
	random := make([]byte, 256<<10)
	_, _ = rand.Read(random)
	cases := []struct {
		name     string
		data     []byte
		redirect bool // gs.apple.com redirect present and must be found
	}{
		{"random bytes", random, false},
		{"NULs", make([]byte, 64<<10), false},
		{"invalid UTF-8 then redirect", append([]byte("\xc3\x28\xa0\xa1 garbage \xfd\n"), "10.0.0.1 gs.apple.com\n"...), true},
		{"2 MB line without newline", longLine, false},
		{"2 MB line then redirect", append(append(longLine, '\n'), "10.0.0.1 gs.apple.com\n"...), true},
		{"truncated UTF-16", []byte{0xFF, 0xFE, '1', 0, '0', 0, '.', 0, '0'}, false},
		{"bad addresses", []byte("999.1.1.1 gs.apple.com\n::::::1 gs.apple.com\n1.2.3.4\n\t\t\n#only comment\n"), false},
		{"CR only line ends", []byte("127.0.0.1 localhost\r10.0.0.1 gs.apple.com\r"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var r host.Result
			within(t, 30*time.Second, "CheckHostsFile", func() { r = host.CheckHostsFile(context.Background(), p) })
			if r.Status == "" || r.Detail == "" {
				t.Errorf("empty status or detail: %+v", r)
			}
			if tc.redirect && !hasID(r.Findings, report.FindingHostHostsFileRedirect) {
				t.Errorf("redirect after corrupt bytes not found: %s %q", r.Status, r.Detail)
			}
			t.Logf("%s: %s", r.Status, r.Detail)
		})
	}

}
