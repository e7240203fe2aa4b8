package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/web"
)

func TestServe_Errors(t *testing.T) {
	t.Parallel()
	db := reportFixture(t)
	status, _, errOut := runKaoqin(t, "serve", "--db", db, "--addr", "127.0.0.1:0")
	if status != 1 || !strings.Contains(errOut, "no accounts yet: create one with kaoqin user add") {
		t.Errorf("no accounts: exit %d %q", status, errOut)
	}
	addAccount(t, db, "admin", kaoqin.RoleAdmin)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	status, _, errOut = runKaoqin(t, "serve", "--db", db, "--addr", ln.Addr().String())
	if status != 1 || !strings.Contains(errOut, "the address is in use") || !strings.Contains(errOut, "--addr or KAOQIN_ADDR") {
		t.Errorf("address in use: exit %d %q", status, errOut)
	}
	for _, tc := range []struct{ args, want string }{
		{"--sync-live=5s", "bad --sync-live"},
		{"--sync-nightly=25:00", "bad --sync-nightly"},
		{"--sync-hours=19:00-08:00", "bad --sync-hours"},
		{"--schedule-lock-retry=10ms", "bad --schedule-lock-retry 10ms"},
		{"--trusted-proxy=not-an-ip", "bad --trusted-proxy"},
		{"--metrics-token=change-me-too", "KAOQIN_METRICS_TOKEN is 13 characters"}, // issue 15: a guessable token
	} {
		// A setting that is not refused would serve until the deadline: fail then, not hang.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		var out, errBuf bytes.Buffer
		status := run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", tc.args}, &out, &errBuf)
		cancel()
		errOut := errBuf.String()
		if status != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d %q", tc.args, status, errOut)
		}
	}
}

func addAccount(t *testing.T, path, name, role string, depts ...int64) {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hash, err := web.HashPasswordWith("correct horse battery", web.PasswordParams{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(context.Background(), &kaoqin.User{Name: name, Role: role, DeptIDs: depts, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
}

// webClient logs in to a running server and returns a client with the session.
func webClient(t *testing.T, base, name string) *http.Client {
	t.Helper()
	return loginAs(t, base, name, "correct horse battery")
}

func loginAs(t *testing.T, base, name, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Post(base+"/login", "application/json", strings.NewReader(`{"name":"`+name+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("log in as %s: %d", name, resp.StatusCode)
	}
	return c
}

func getBody(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe_ServesAndStops runs kaoqin serve without DingTalk credentials: it serves the
// stored data, offers no sync, and stops cleanly on Ctrl-C.
func TestServe_ServesAndStops(t *testing.T) {
	t.Parallel()
	db := reportFixture(t)
	addAccount(t, db, "hr1", kaoqin.RoleHR)
	var out, errOut bytes.Buffer
	g := &Globals{DB: db, Timezone: "Asia/Shanghai", MonthlyQuota: 5000, LogLevel: "info", stdout: &out, stderr: &errOut}
	urlc := make(chan string, 1)
	cmd := &serveCmd{Addr: "127.0.0.1:0", Schedule: true, SyncNightly: "02:00", SyncLive: "plan", SyncHours: "08:00-19:00",
		listening: func(u string) { urlc <- u }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx, g) }()
	var base string
	select {
	case base = <-urlc:
	case err := <-done:
		t.Fatalf("serve ended before listening: %v; %s", err, errOut.String())
	}
	if code, body := getBody(t, http.DefaultClient, base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, _ := getBody(t, http.DefaultClient, base+"/api/v1/daily"); code != 401 {
		t.Errorf("daily without a session: %d", code)
	}
	c := webClient(t, base, "hr1")
	code, body := getBody(t, c, base+"/api/v1/daily?date=2026-11-18")
	if code != 200 || !strings.Contains(body, `"absent":1`) {
		t.Errorf("daily: %d %.300s", code, body)
	}
	resp, err := c.Post(base+"/api/v1/sync", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("sync now without credentials: %d, want 503", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after Ctrl-C: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(out.String(), "kaoqin serving on "+base) {
		t.Errorf("stdout: %q", out.String())
	}
	if !strings.Contains(errOut.String(), "no DingTalk credentials") {
		t.Errorf("no warning about the missing credentials: %s", errOut.String())
	}
}
