package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and returns their paths
// and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kaoqin test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return cert, key, pool
}

// TestServe_TLS serves HTTPS with --tls-cert and --tls-key: the session cookie is Secure.
func TestServe_TLS(t *testing.T) {
	t.Parallel()
	db := reportFixture(t)
	addAccount(t, db, "hr1", kaoqin.RoleHR)
	cert, key, pool := selfSigned(t, t.TempDir())
	var out, errOut bytes.Buffer
	g := &Globals{DB: db, Timezone: "Asia/Shanghai", MonthlyQuota: 5000, LogLevel: "error", stdout: &out, stderr: &errOut}
	urlc := make(chan string, 1)
	cmd := &serveCmd{Addr: "127.0.0.1:0", SyncNightly: "02:00", SyncLive: "10m", SyncHours: "08:00-19:00",
		TLSCert: cert, TLSKey: key, listening: func(u string) { urlc <- u }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx, g) }()
	var base string
	select {
	case base = <-urlc:
	case err := <-done:
		t.Fatalf("serve ended before listening: %v; %s", err, errOut.String())
	}
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serving on %s, want https", base)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
	resp, err := c.Post(base+"/login", "application/json", strings.NewReader(`{"name":"hr1","password":"correct horse battery"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var secure bool
	for _, ck := range resp.Cookies() {
		secure = secure || (ck.Name == "kaoqin_session" && ck.Secure)
	}
	if resp.StatusCode != 200 || !secure {
		t.Errorf("login over HTTPS: %d, session cookie Secure %v", resp.StatusCode, secure)
	}
	// Issue 15, item 8: browsers are told to come back over HTTPS only.
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("HTTPS answers without HSTS: %q", hsts)
	}
}

func TestServe_TLSErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cert, _, _ := selfSigned(t, dir)
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a key"), 0o600)
	db := reportFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", cert}, "needs both --tls-cert and --tls-key"},
		{[]string{"--tls-cert", cert, "--tls-key", junk}, "cannot use --tls-cert"},
	} {
		status, _, errOut := runKaoqin(t, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)...)
		if status != 1 || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: status %d, stderr %q; want 1 and %q", tc.args, status, errOut, tc.want)
		}
	}
}
