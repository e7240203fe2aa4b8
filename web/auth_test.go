package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/web"
)

// routeExample is a request for each route pattern, to ask without a session.
func routeExamples(e *env) map[string]string {
	return map[string]string{
		"GET /healthz":                               "/healthz",
		"GET /static/":                               "/static/style.css",
		"GET /login":                                 "/login",
		"POST /login":                                "/login",
		"POST /logout":                               "/logout",
		"GET /metrics":                               "/metrics",
		"GET /{$}":                                   "/",
		"GET /today":                                 "/today",
		"GET /today/board":                           "/today/board",
		"GET /departments/{id}":                      "/departments/" + sprint(e.mgrDept),
		"GET /employees/{userid}":                    "/employees/" + e.userInside(e.mgrDept),
		"GET /period":                                "/period",
		"GET /sync":                                  "/sync",
		"POST /sync":                                 "/sync",
		"GET /admin/audit":                           "/admin/audit",
		"GET /admin/users":                           "/admin/users",
		"POST /admin/users":                          "/admin/users",
		"POST /admin/users/{id}":                     "/admin/users/1",
		"POST /admin/settings":                       "/admin/settings",
		"/":                                          "/no/such/page",
		"GET /api/v1/me":                             "/api/v1/me",
		"GET /api/v1/departments":                    "/api/v1/departments",
		"GET /api/v1/daily":                          "/api/v1/daily",
		"GET /api/v1/daily/who":                      "/api/v1/daily/who?field=late",
		"GET /api/v1/period/who":                     "/api/v1/period/who?field=late_count",
		"GET /api/v1/daily/export":                   "/api/v1/daily/export?format=csv",
		"GET /api/v1/series":                         "/api/v1/series",
		"GET /api/v1/period":                         "/api/v1/period",
		"GET /api/v1/period/export":                  "/api/v1/period/export?format=xlsx",
		"GET /api/v1/employees/{userid}":             "/api/v1/employees/" + e.userInside(e.mgrDept),
		"GET /api/v1/sync":                           "/api/v1/sync",
		"POST /api/v1/sync":                          "/api/v1/sync",
		"GET /api/v1/audit":                          "/api/v1/audit",
		"GET /api/v1/users":                          "/api/v1/users",
		"GET /api/v1/openapi.json":                   "/api/v1/openapi.json",
		"/api/":                                      "/api/v1/nothing",
		"GET /reminders":                             "/reminders",
		"POST /reminders/rules":                      "/reminders/rules",
		"GET /reminders/rules/{id}":                  "/reminders/rules/1",
		"POST /reminders/rules/{id}":                 "/reminders/rules/1",
		"POST /reminders/rules/{id}/delete":          "/reminders/rules/1/delete",
		"POST /reminders/rules/{id}/switch":          "/reminders/rules/1/switch",
		"POST /reminders/optouts":                    "/reminders/optouts",
		"POST /reminders/now":                        "/reminders/now",
		"GET /api/v1/reminders":                      "/api/v1/reminders",
		"POST /api/v1/reminders/now":                 "/api/v1/reminders/now",
		"GET /reconcile":                             "/reconcile",
		"POST /reconcile":                            "/reconcile",
		"GET /reconcile/{id}":                        "/reconcile/1",
		"GET /api/v1/reconciliations":                "/api/v1/reconciliations",
		"POST /api/v1/reconciliations":               "/api/v1/reconciliations",
		"GET /api/v1/reconciliations/plan":           "/api/v1/reconciliations/plan",
		"GET /api/v1/reconciliations/{id}":           "/api/v1/reconciliations/1",
		"GET /punches":                               "/punches",
		"GET /employees/{userid}/days/{date}":        "/employees/" + e.userInside(e.mgrDept) + "/days/2026-11-17",
		"POST /employees/{userid}/days/{date}/fetch": "/employees/" + e.userInside(e.mgrDept) + "/days/2026-11-17/fetch",
		"GET /methods":                               "/methods",
		"GET /review":                                "/review",
		"GET /api/v1/punches":                        "/api/v1/punches",
		"GET /api/v1/punches/export":                 "/api/v1/punches/export?format=csv",
		"GET /api/v1/employees/{userid}/days/{date}": "/api/v1/employees/" + e.userInside(e.mgrDept) + "/days/2026-11-17",
		"POST /api/v1/employees/{userid}/days/{date}/fetch": "/api/v1/employees/" + e.userInside(e.mgrDept) + "/days/2026-11-17/fetch",
		"GET /api/v1/methods":                               "/api/v1/methods",
		"GET /api/v1/review":                                "/api/v1/review",
		"GET /api/v1/review/export":                         "/api/v1/review/export?format=csv",
	}
}

// TestAuth_EveryRouteNeedsASession asks every route without a session: only /healthz, the
// static files and the login form answer; pages send to the login form, the API and
// /metrics answer 401.
func TestAuth_EveryRouteNeedsASession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc := loadOpenAPI(t)
	examples := routeExamples(e)
	for _, pattern := range e.srv.Routes() {
		if _, ok := examples[pattern]; !ok {
			t.Errorf("route %q has no example in this test", pattern)
		}
	}
	open := map[string]int{"GET /healthz": 200, "GET /static/": 200, "GET /login": 200, "POST /login": 401, "POST /logout": 303}
	c := e.anon()
	for pattern, path := range examples {
		method, _, ok := strings.Cut(pattern, " ")
		if !ok || strings.HasPrefix(pattern, "/") {
			method = "GET"
		}
		var resp *response
		if method == "POST" {
			resp = c.postForm(path, url.Values{})
		} else {
			resp = c.get(path)
		}
		switch {
		case open[pattern] != 0:
			if resp.StatusCode != open[pattern] {
				t.Errorf("%s %s: status %d, want %d", method, path, resp.StatusCode, open[pattern])
			}
		case strings.HasPrefix(path, "/api/") || path == "/metrics":
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d, want 401", method, path, resp.StatusCode)
				continue
			}
			if b := errorBody(t, resp); b.Code != kaoqin.EUNAUTHORIZED {
				t.Errorf("%s %s: code %q, want unauthorized", method, path, b.Code)
			}
			if route, ok := strings.CutPrefix(pattern, method+" "); ok && doc.Paths[route] != nil {
				validate(t, doc, method, route, 401, resp.body)
			}
		default:
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
				t.Errorf("%s %s: status %d to %q, want 303 to the login form", method, path, resp.StatusCode, loc)
			}
		}
	}
	// The login form sends back where one was going.
	resp := c.get("/departments/" + sprint(e.mgrDept) + "?date=2026-11-17")
	if want := "/login?next=" + url.QueryEscape("/departments/"+sprint(e.mgrDept)+"?date=2026-11-17"); resp.Header.Get("Location") != want {
		t.Errorf("redirect to %q, want %q", resp.Header.Get("Location"), want)
	}
	// The board's own refresh (htmx) is told to go to the login form instead of swapping it in.
	req, _ := http.NewRequest("GET", e.ts.URL+"/today/board", nil)
	req.Header.Set("HX-Request", "true")
	resp = c.do(req)
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("HX-Redirect"), "/login") {
		t.Errorf("htmx refresh without a session: %d HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("OK", func(t *testing.T) {
		c := e.anon()
		resp := c.postForm("/login", url.Values{"name": {"hr"}, "password": {testPass}, "next": {"/period?from=2026-11-01"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/period?from=2026-11-01" {
			t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		var me kaoqin.User
		c.getJSON("/api/v1/me", http.StatusOK, &me)
		if me.Name != "hr" || me.Role != kaoqin.RoleHR {
			t.Errorf("me = %+v", me)
		}
		if strings.Contains(string(c.get("/api/v1/me").body), "argon2") {
			t.Error("the API shows the password hash")
		}
	})

	t.Run("NextStaysOnSite", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
			resp := e.anon().postForm("/login", url.Values{"name": {"hr"}, "password": {testPass}, "next": {next}})
			if loc := resp.Header.Get("Location"); loc != "/today" {
				t.Errorf("next %q: redirected to %q, want /today", next, loc)
			}
		}
	})

	t.Run("NoUserEnumeration", func(t *testing.T) {
		wrong := e.anon().postForm("/login", url.Values{"name": {"hr"}, "password": {"not the password"}})
		unknown := e.anon().postForm("/login", url.Values{"name": {"nobody"}, "password": {"not the password"}})
		if wrong.StatusCode != http.StatusUnauthorized || unknown.StatusCode != http.StatusUnauthorized {
			t.Fatalf("statuses %d and %d, want 401", wrong.StatusCode, unknown.StatusCode)
		}
		if wrong.text() != unknown.text() {
			t.Error("a wrong password and an unknown name answer differently")
		}
		if !strings.Contains(wrong.text(), "用户名或密码错误") {
			t.Errorf("no message on the form: %.300s", wrong.text())
		}
		jw := jsonLogin(e, "hr", "not the password")
		ju := jsonLogin(e, "nobody", "not the password")
		if jw.StatusCode != 401 || jw.text() != ju.text() {
			t.Errorf("JSON logins: %d %s / %d %s", jw.StatusCode, jw.body, ju.StatusCode, ju.body)
		}
	})

	t.Run("JSON", func(t *testing.T) {
		resp := jsonLogin(e, "admin", testPass)
		wantStatus(t, resp, http.StatusOK)
		if !strings.Contains(resp.text(), `"role":"admin"`) || strings.Contains(resp.text(), "argon2") {
			t.Errorf("JSON login answered %s", resp.body)
		}
	})
}

func jsonLogin(e *env, name, password string) *response {
	c := e.anon()
	req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(`{"name":"`+name+`","password":"`+password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// TestLogin_SlowDown checks the throttle on the injected clock: after five failures for a
// name, even the right password must wait, the wait grows with each failure, and it passes.
func TestLogin_SlowDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fail := func(name string) *response {
		return e.anon().postForm("/login", url.Values{"name": {name}, "password": {"guess"}})
	}
	for i := 0; i < 5; i++ {
		wantStatus(t, fail("boss"), http.StatusUnauthorized)
	}
	// Five failures are free; then every attempt waits, the right password too.
	right := e.anon().postForm("/login", url.Values{"name": {"boss"}, "password": {testPass}})
	if right.StatusCode != http.StatusTooManyRequests || right.Header.Get("Retry-After") != "2" {
		t.Fatalf("right password during the wait: %d Retry-After %q, want 429 after 2 s", right.StatusCode, right.Header.Get("Retry-After"))
	}
	if !strings.Contains(right.text(), "登录失败次数过多") {
		t.Errorf("throttled form says: %.300s", right.text())
	}
	if j := jsonLogin(e, "boss", testPass); j.StatusCode != 429 || errorBody(t, j).RetryAfter != 2 {
		t.Errorf("JSON login during the wait: %d %s", j.StatusCode, j.body)
	}
	// Other names are not slowed down by boss's failures.
	wantStatus(t, e.anon().postForm("/login", url.Values{"name": {"hr"}, "password": {testPass}}), http.StatusSeeOther)

	e.clock.Advance(2 * time.Second)
	wantStatus(t, fail("boss"), http.StatusUnauthorized) // the 6th failure: now 4 s
	e.clock.Advance(3 * time.Second)
	if r := e.anon().postForm("/login", url.Values{"name": {"boss"}, "password": {testPass}}); r.StatusCode != 429 || r.Header.Get("Retry-After") != "1" {
		t.Errorf("after 3 of 4 s: %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	e.clock.Advance(time.Second)
	wantStatus(t, e.anon().postForm("/login", url.Values{"name": {"boss"}, "password": {testPass}}), http.StatusSeeOther)
	// A success forgets the name's failures.
	wantStatus(t, fail("boss"), http.StatusUnauthorized)
	wantStatus(t, e.anon().postForm("/login", url.Values{"name": {"boss"}, "password": {testPass}}), http.StatusSeeOther)
	if !strings.Contains(e.log.String(), "login throttled") {
		t.Error("throttled logins are not logged")
	}
}

// TestLogin_SlowDownPerIP checks that guessing many names from one address is slowed down
// too, also for names that do not exist.
func TestLogin_SlowDownPerIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := 0; i < 20; i++ {
		wantStatus(t, e.anon().postForm("/login", url.Values{"name": {"user" + sprint(i)}, "password": {"guess"}}), http.StatusUnauthorized)
	}
	wantStatus(t, e.anon().postForm("/login", url.Values{"name": {"admin"}, "password": {testPass}}), http.StatusTooManyRequests)
}

func TestSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("Cookie", func(t *testing.T) {
		c := e.anon()
		resp := c.postForm("/login", url.Values{"name": {"hr"}, "password": {testPass}})
		ck := sessionCookie(t, resp)
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", ck)
		}
	})

	t.Run("RenewedOnLogin", func(t *testing.T) {
		c := e.anon()
		u, _ := url.Parse(e.ts.URL)
		planted := "planted-token-0123456789abcdefghijklmnopqrstu"
		c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "kaoqin_session", Value: planted}})
		resp := c.postForm("/login", url.Values{"name": {"hr"}, "password": {testPass}})
		if ck := sessionCookie(t, resp); ck.Value == planted || ck.Value == "" {
			t.Errorf("login kept the token the visitor came with")
		}
	})

	t.Run("Logout", func(t *testing.T) {
		c := e.as("hr")
		u, _ := url.Parse(e.ts.URL)
		old := c.http.Jar.Cookies(u)
		wantStatus(t, c.post("/logout"), http.StatusSeeOther)
		c.getJSON("/api/v1/me", http.StatusUnauthorized, nil)
		// The old cookie is dead on the server, not only forgotten by the browser.
		replay := e.anon()
		replay.http.Jar.SetCookies(u, old)
		replay.getJSON("/api/v1/me", http.StatusUnauthorized, nil)
	})

	t.Run("Idle", func(t *testing.T) {
		c := e.as("hr")
		e.clock.Advance(90 * time.Minute)
		c.getJSON("/api/v1/me", http.StatusOK, nil) // refreshes "seen"
		e.clock.Advance(90 * time.Minute)
		c.getJSON("/api/v1/me", http.StatusOK, nil)
		e.clock.Advance(2*time.Hour + time.Second)
		c.getJSON("/api/v1/me", http.StatusUnauthorized, nil)
	})

	t.Run("EndedByPasswordChange", func(t *testing.T) {
		before := e.as("hr")
		before.getJSON("/api/v1/me", http.StatusOK, nil)
		e.clock.Advance(time.Second)
		u, err := e.db.UserByName(context.Background(), "hr")
		if err != nil {
			t.Fatal(err)
		}
		u.SessionsAfter = e.clock.Now().UnixMilli() // what kaoqin user passwd does
		if err := e.db.UpdateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		before.getJSON("/api/v1/me", http.StatusUnauthorized, nil)
		e.as("hr").getJSON("/api/v1/me", http.StatusOK, nil) // a new login works
	})

	t.Run("NoWritePerRequest", func(t *testing.T) {
		// Within seenRefresh a request does not rewrite the session: no Set-Cookie.
		c := e.as("hr")
		if resp := c.get("/api/v1/me"); resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("a plain request rewrote the session: %q", resp.Header.Get("Set-Cookie"))
		}
	})
}

func sessionCookie(t *testing.T, resp *response) *http.Cookie {
	t.Helper()
	for _, ck := range resp.Cookies() {
		if ck.Name == "kaoqin_session" {
			return ck
		}
	}
	t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	return nil
}

// TestSession_SecureBehindTLSProxy checks that the cookie is Secure when a trusted proxy says
// the client came over TLS, and only then.
func TestSession_SecureBehindTLSProxy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(cfg *web.Config) {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	login := func(c *client, proto string) *response {
		req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader("name=hr&password="+url.QueryEscape(testPass)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", proto)
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		return c.do(req)
	}
	if ck := sessionCookie(t, login(e.anon(), "https")); !ck.Secure {
		t.Error("cookie not Secure behind a TLS proxy")
	}
	if ck := sessionCookie(t, login(e.anon(), "http")); ck.Secure {
		t.Error("cookie Secure over plain HTTP")
	}
	// The client IP comes from the proxy's header: the audit log shows it.
	c := e.anon()
	login(c, "https")
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/employees/"+e.userInside(e.mgrDept), nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	wantStatus(t, c.do(req), http.StatusOK)
	if a := e.audit(); len(a) == 0 || a[0].IP != "203.0.113.9" {
		t.Errorf("audit IP %v, want the client's behind the proxy", a)
	}

	// Without a trusted proxy the headers count for nothing.
	e2 := newEnv(t)
	c2 := e2.anon()
	req, _ = http.NewRequest("POST", e2.ts.URL+"/login", strings.NewReader("name=hr&password="+url.QueryEscape(testPass)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	if ck := sessionCookie(t, c2.do(req)); ck.Secure {
		t.Error("an untrusted X-Forwarded-Proto made the cookie Secure")
	}
}

// TestCrossOrigin checks that writes from another site are refused before they do anything.
func TestCrossOrigin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.as("admin")
	for name, hdr := range map[string]map[string]string{
		"Sec-Fetch-Site": {"Sec-Fetch-Site": "cross-site"},
		"Origin":         {"Origin": "https://evil.example"},
	} {
		for _, path := range []string{"/sync", "/api/v1/sync", "/logout", "/login"} {
			req, _ := http.NewRequest("POST", e.ts.URL+path, nil)
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			resp := c.do(req)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: cross-origin POST %s: status %d, want 403", name, path, resp.StatusCode)
			}
		}
	}
	if len(e.sync.calls) != 0 {
		t.Errorf("a cross-origin POST started a sync: %v", e.sync.calls)
	}
	c.getJSON("/api/v1/me", http.StatusOK, nil) // the logout was refused too
	// The same request from the site itself goes through.
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/sync", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", e.ts.URL)
	wantStatus(t, c.do(req), http.StatusAccepted)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.Metrics().ObserveCall("/attendance/list", 0, true, true, 30*time.Millisecond)
	e.srv.Metrics().ObserveCall("/attendance/list", 90018, true, false, 5*time.Millisecond)
	e.srv.Metrics().ObserveCall("/gettoken", 0, false, false, time.Second)
	e.srv.Metrics().ObserveSyncRun(kaoqin.SyncRun{Kind: "live", Status: kaoqin.RunOK, StartedAt: 1000, FinishedAt: 4000, Rows: 12, Calls: 3, Metered: 2})
	e.as("hr").get("/today")
	// What the database says, the same on every instance: the month's ledger, the last good sync.
	ctx := context.Background()
	for range 3 {
		if err := e.db.RecordCall(ctx, kaoqin.Call{Month: testNow.In(shanghai).Format("2006-01"), Path: "/attendance/list", Metered: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*kaoqin.SyncRun{{Kind: "live", StartedAt: 1_700_000_000_000}, {Kind: "live", StartedAt: 1_700_000_600_000}} {
		if err := e.db.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Status = kaoqin.RunOK
		if r.StartedAt > 1_700_000_000_000 {
			r.Status = kaoqin.RunFailed
		}
		if err := e.db.UpdateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	scrape := func(c *client, token string) *response {
		req, _ := http.NewRequest("GET", e.ts.URL+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return c.do(req)
	}
	resp := scrape(e.anon(), "scrape-token")
	wantStatus(t, resp, http.StatusOK)
	for _, want := range []string{
		`kaoqin_http_requests_total{code="200",method="GET",route="/today"} 1`,
		`kaoqin_dingtalk_calls_total{errcode="0",path="/attendance/list"} 1`,
		`kaoqin_dingtalk_calls_total{errcode="90018",path="/attendance/list"} 1`,
		`kaoqin_dingtalk_calls_total{errcode="none",path="/gettoken"} 1`,
		`kaoqin_dingtalk_metered_calls_total{path="/attendance/list"} 1`,
		`kaoqin_sync_runs_total{kind="live",status="ok"} 1`,
		`kaoqin_sync_rows_total{kind="live"} 12`,
		`kaoqin_logins_total{result="ok"} 1`,
		"\nkaoqin_quota_metered_calls 3\n",
		"\nkaoqin_quota_monthly_calls 5000\n",
		"\nkaoqin_last_sync_ok_timestamp_seconds 1.7e+09\n", // the failed one after it does not count
		`go_goroutines`,
	} {
		if !strings.Contains(resp.text(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	wantStatus(t, scrape(e.anon(), "wrong"), http.StatusUnauthorized)
	wantStatus(t, scrape(e.as("hr"), ""), http.StatusForbidden)
	wantStatus(t, scrape(e.as("admin"), ""), http.StatusOK)

	// No token configured: a bearer header gets nowhere.
	e2 := newEnv(t, func(cfg *web.Config) { cfg.MetricsToken = "" })
	req, _ := http.NewRequest("GET", e2.ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer ")
	wantStatus(t, e2.anon().do(req), http.StatusUnauthorized)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(cfg *web.Config) {
		cfg.Ping = func(context.Context) error { return nil }
	})
	resp := e.anon().getJSON("/healthz", http.StatusOK, nil)
	if strings.TrimSpace(resp.text()) != `{"status":"ok"}` {
		t.Errorf("healthz: %s", resp.body)
	}
	down := newEnv(t, func(cfg *web.Config) {
		cfg.Ping = func(context.Context) error { return errors.New("database is gone") }
	})
	resp = down.anon().getJSON("/healthz", http.StatusServiceUnavailable, nil)
	if strings.Contains(resp.text(), "gone") {
		t.Error("healthz shows the error to anyone")
	}
	if !strings.Contains(down.log.String(), "database is gone") {
		t.Error("the health failure is not logged")
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.anon()
	for _, name := range []string{"style.css", "app.js", "vendor/htmx.min.js", "vendor/echarts.min.js"} {
		req, _ := http.NewRequest("GET", e.ts.URL+"/static/"+name, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp := c.do(req)
		wantStatus(t, resp, http.StatusOK)
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s not gzipped", name)
		}
		etag := resp.Header.Get("ETag")
		req, _ = http.NewRequest("GET", e.ts.URL+"/static/"+name, nil)
		req.Header.Set("If-None-Match", etag)
		if r := c.do(req); r.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d, want 304", name, r.StatusCode)
		}
	}
	for _, bad := range []string{"/static/", "/static/vendor/", "/static/nothing.js", "/static/vendor/SHA256SUMS/x"} {
		if r := c.get(bad); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, r.StatusCode)
		}
	}
	if r := c.get("/static/../server.go"); r.StatusCode == http.StatusOK {
		t.Error("/static/../server.go served")
	}
	// Pages link the files with their hash, which may be cached for good.
	page := e.as("hr").get("/today").text()
	i := strings.Index(page, "/static/style.css?v=")
	if i < 0 {
		t.Fatal("the page does not link style.css with its hash")
	}
	link := page[i : i+len("/static/style.css?v=")+12]
	if r := c.get(link); !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: Cache-Control %q", link, r.Header.Get("Cache-Control"))
	}
	if !slices.Contains(e.srv.Routes(), "GET /static/") {
		t.Error("no static route")
	}
}
