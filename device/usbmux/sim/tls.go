package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"
)

// tlsIdentity is the key material of a TLS-session scenario (the default): a root that
// signs a host certificate (the pair record's, used by the client) and a
// device certificate (the phone's side of the TLS session).
type tlsIdentity struct {
	rootCert, rootKey, hostCert, hostKey []byte // PEM
	deviceCert                           []byte // PEM
	device                               tls.Certificate
}

var (
	tlsOnce sync.Once
	tlsID   *tlsIdentity
	tlsErr  error
)

// identity generates the key material once per process (ECDSA P-256: fast,
// and go-ios and crypto/tls accept it as they accept the phone's RSA).
func identity() (*tlsIdentity, error) {
	tlsOnce.Do(func() { tlsID, tlsErr = newIdentity() })
	return tlsID, tlsErr
}

func newIdentity() (*tlsIdentity, error) {
	now := time.Now()
	mk := func(cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, ca bool) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
		if err != nil {
			return nil, nil, nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		}
		if ca {
			tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
			tmpl.KeyUsage |= x509.KeyUsageCertSign
		}
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
	}
	root, rootKey, rootPEM, rootKeyPEM, err := mk("restoredoctor-sim root", nil, nil, true)
	if err != nil {
		return nil, fmt.Errorf("sim: TLS root: %w", err)
	}
	_, _, hostPEM, hostKeyPEM, err := mk("restoredoctor-sim host", root, rootKey, false)
	if err != nil {
		return nil, fmt.Errorf("sim: TLS host certificate: %w", err)
	}
	_, _, devPEM, devKeyPEM, err := mk("restoredoctor-sim device", root, rootKey, false)
	if err != nil {
		return nil, fmt.Errorf("sim: TLS device certificate: %w", err)
	}
	dev, err := tls.X509KeyPair(devPEM, devKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("sim: TLS device key pair: %w", err)
	}
	return &tlsIdentity{rootCert: rootPEM, rootKey: rootKeyPEM, hostCert: hostPEM, hostKey: hostKeyPEM, deviceCert: devPEM, device: dev}, nil
}

// tlsPairRecord is the pair record of a TLS-session scenario (the default): real
// certificates, so a client can run TLS with it.
func (s *Server) tlsPairRecord(udid string) []byte {
	id, err := identity()
	if err != nil {
		s.log.Error("pair record", "err", err)
		return nil
	}
	rec := PairRecord{
		HostID: hostIDFor(udid), SystemBUID: s.buid,
		HostCertificate: id.hostCert, HostPrivateKey: id.hostKey, DeviceCertificate: id.deviceCert,
		RootCertificate: id.rootCert, RootPrivateKey: id.rootKey,
		EscrowBag: []byte("simulated-escrow-bag"), WiFiMACAddress: wifiAddress(udid),
	}
	b, err := plistMarshalXML(rec)
	if err != nil {
		s.log.Error("encode pair record", "err", err)
		return nil
	}
	return b
}

// serverTLS runs the phone's side of a TLS handshake on c, within writeTimeout.
func (s *Server) serverTLS(c net.Conn) (net.Conn, error) {
	id, err := identity()
	if err != nil {
		return nil, err
	}
	tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{id.device}, MinVersion: tls.VersionTLS12})
	_ = c.SetDeadline(time.Now().Add(writeTimeout))
	if err := tc.Handshake(); err != nil {
		return nil, fmt.Errorf("sim: TLS handshake: %w", err)
	}
	_ = c.SetDeadline(time.Time{})
	return tc, nil
}
