package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// hostileValues are what a fuzzing user puts in a parameter: bad numbers and dates, the edges
// of the calendar and of int64, markup, traversal, control and bidi characters, bad UTF-8, and
// a long value.
var hostileValues = []string{
	"", " ", "0", "-1", "1", "2", "007", "1.5", "1e9", "0x10", "NaN", "true", "null", "[]",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "１", "٣",
	"0001-01-01", "2016-12-31", "2017-01-01", "2026-02-29", "2026-13-01", "2026-11-00", "2026-11-18", "2026-11-16",
	"2026-10-01", "2027-11-18", "2027-11-19", "9999-12-30", "9999-12-31", "10000-01-01", "-2026-11-18", "2026-1-8",
	"20261118", " 2026-11-18", "2026-11-18T00:00:00Z",
	"zh", "en", "fr", "csv", "xlsx", "late", "absent",
	"'", "\"", "' OR 1=1 --", "<script>alert(1)</script>", "{{.}}",
	"../../etc/passwd", "/", "//evil.example", "https://evil.example/", "javascript:alert(1)", "\\\\evil",
	"\x00", "a\x00b", "\r\nSet-Cookie: x=1", "\u202egnp.exe", "\u200f\u2066x\u2069", "\ufeff", "\xff\xfe",
	"😀", "张三", "%", "%zz", "&", "=", "#", "a=b&c=d",
	strings.Repeat("9", 400), strings.Repeat("日", 20000),
}

// rawValues are sent as they are, not escaped: bad escapes, escaped NUL and bidi controls,
// characters a browser would escape.
var rawValues = []string{"%", "%zz", "%00", "%ff%fe", "%E2%80%AE", "+", "<script>", "'", "\"", "张三", "a;b", "2026-11-18%00"}

// hostilePairs are ranges: each end fine alone, hostile together.
var hostilePairs = []url.Values{
	{"from": {"0001-01-01"}, "to": {"9999-12-30"}},
	{"from": {"0001-01-01"}, "to": {"9999-12-31"}},
	{"from": {"2017-01-01"}, "to": {"2027-11-18"}},
	{"from": {"2026-11-18"}, "to": {"2026-11-01"}},
	{"from": {"2025-11-17"}, "to": {"2026-11-18"}},
	{"from": {"9999-12-31"}, "to": {"9999-12-31"}},
}

// paramNames returns the name of every query and form parameter the web package reads: the
// names its source passes to the parameter helpers and to Query().Get, and those openapi.json
// documents. Routes that other changes add are covered without a list to keep up to date.
func paramNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`(?:\.Get|Param|FormValue)\((?:r, )?"([a-z][a-z_]*)"`)
	set := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllSubmatch(src, -1) {
			set[string(m[1])] = true
		}
	}
	doc := loadOpenAPI(t)
	for _, ops := range doc.Paths {
		for _, op := range ops {
			for _, p := range op.Parameters {
				if p.In == "query" {
					set[p.Name] = true
				}
			}
		}
	}
	for _, must := range []string{"date", "from", "to", "dept", "format", "lang", "next"} {
		if !set[must] {
			t.Fatalf("the parameter %q was not found in the web package's source: the scan is broken", must)
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// routeTarget turns a route pattern into a path, with each path parameter set by value (its
// name -> the value, unescaped).
func routeTarget(pattern string, value func(name string) string) (method, path string) {
	method, path = http.MethodGet, pattern
	if m, p, ok := strings.Cut(pattern, " "); ok {
		method, path = m, p
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = pathParam.ReplaceAllStringFunc(path, func(m string) string {
		return url.PathEscape(value(pathParam.FindStringSubmatch(m)[1]))
	})
	if strings.HasSuffix(path, "/") && path != "/" && !strings.Contains(pattern, "{$}") {
		path += url.PathEscape(value("rest")) // a subtree pattern: anything below it
	}
	return method, path
}

// heapAllocs reads the bytes allocated so far without stopping the world.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestHostileParams sends every hostile value to every query and path parameter of every
// route, as a manager and as an admin (issue 15's "Done means"). Every answer must be a 2xx, a
// redirect or a 4xx; no request may allocate more than maxAlloc; the heap must not grow past
// maxGrowth; the log must hold no panic and no internal error. Not parallel with the other
// tests: it measures the process's allocations (its own two clients, one per role, run side by
// side, so a request's figure may hold some of the other's).
func TestHostileParams(t *testing.T) {
	const (
		maxAlloc  = 48 << 20
		maxGrowth = 96 << 20
	)
	e := newEnvOf(t, smallFixture)
	names := paramNames(t)
	emp := e.userInside(e.mgrDept)
	// Fine values for the path parameters while the query is under attack. A write route gets
	// ids that exist nowhere, so that it cannot lock the test out of its own session.
	fine := func(write bool) func(string) string {
		return func(name string) string {
			switch {
			case write:
				return "999999999"
			case name == "userid":
				return emp
			case name == "id":
				return sprint(e.subDept)
			}
			return "1"
		}
	}
	// Requests stay cheap while still reaching every check: one day for ranges, CSV for
	// exports. The hostile value replaces the parameter it is sent in.
	base := url.Values{"from": {"2026-11-17"}, "to": {"2026-11-17"}, "format": {"csv"}}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapAlloc

	var requests atomic.Int64
	attack := func(who string) {
		c := e.as(who)
		serve := func(method, target string) *httptest.ResponseRecorder {
			requests.Add(1)
			before := heapAllocs()
			rec := c.serve(method, target)
			if n := heapAllocs() - before; n > maxAlloc {
				t.Errorf("%s %s %.200q: allocated %d MB", who, method, target, n>>20)
			}
			if rec.Code >= 500 || rec.Code < 200 {
				t.Errorf("%s %s %.200q: status %d; body %.300s", who, method, target, rec.Code, rec.Body)
			}
			return rec
		}
		for _, route := range e.srv.Routes() {
			switch route {
			case "POST /logout": // it ends the session, as it should
				continue
			case "POST /login": // it reads a form, not the query: TestHostileLogin
				continue
			}
			write := strings.HasPrefix(route, http.MethodPost+" ")
			// Each path parameter in turn.
			for _, m := range pathParam.FindAllStringSubmatch(route, -1) {
				for _, v := range hostileValues {
					method, path := routeTarget(route, func(name string) string {
						if name == m[1] {
							return v
						}
						return fine(write)(name)
					})
					serve(method, path+"?"+base.Encode())
				}
			}
			method, path := routeTarget(route, fine(write))
			if strings.HasSuffix(route, "/") && !strings.HasSuffix(route, "{$}") {
				for _, v := range hostileValues { // below a subtree pattern
					serve(method, strings.TrimSuffix(path, url.PathEscape(fine(write)("rest")))+url.PathEscape(v))
				}
			}
			// Each query parameter the route reads, in turn: escaped, and raw as a hand-typed
			// URL sends it. A parameter the route does not read would only repeat the base
			// request.
			with := func(name, v string, raw bool) string {
				q := url.Values{}
				for k, vs := range base {
					if k != name {
						q[k] = vs
					}
				}
				if raw {
					return path + "?" + name + "=" + v + "&" + q.Encode()
				}
				q.Set(name, v)
				return path + "?" + q.Encode()
			}
			baseRec := serve(method, path+"?"+base.Encode())
			if again := serve(method, path+"?"+base.Encode()); again.Body.String() != baseRec.Body.String() {
				baseRec.Body = nil // it changes by itself (/metrics): probes compare statuses only
			}
			for _, name := range names {
				if !reads(baseRec, name, func(v string) *httptest.ResponseRecorder { return serve(method, with(name, v, false)) }) {
					continue
				}
				for _, v := range hostileValues {
					serve(method, with(name, v, false))
				}
				for _, v := range rawValues {
					serve(method, with(name, v, true))
				}
			}
			for _, pair := range hostilePairs {
				serve(method, path+"?format=csv&"+pair.Encode())
			}
		}
	}
	var wg sync.WaitGroup
	for _, who := range []string{"boss", "admin"} {
		wg.Go(func() { attack(who) })
	}
	wg.Wait()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > heapBefore+maxGrowth {
		t.Errorf("the heap grew from %d MB to %d MB", heapBefore>>20, ms.HeapAlloc>>20)
	}
	log := e.log.String()
	for _, bad := range []string{"msg=panic", "level=ERROR"} {
		if i := strings.Index(log, bad); i >= 0 {
			t.Errorf("the log has %q:\n%.1500s", bad, log[max(0, strings.LastIndex(log[:i], "\n")):])
		}
	}
	t.Logf("%d requests to %d routes, %d parameter names", requests.Load(), len(e.srv.Routes()), len(names))
}

// probes are the values that tell whether a route reads a query parameter: one no parameter
// accepts, and two that change what a page shows (a language, a flag).
var probes = []string{"zzprobezz", "en", "1"}

// reads reports whether a route reads the query parameter name: whether the answer to a probe
// differs from the base answer, once the probe is taken out of the links that repeat the
// page's own URL.
func reads(base *httptest.ResponseRecorder, name string, probe func(v string) *httptest.ResponseRecorder) bool {
	for _, v := range probes {
		rec := probe(v)
		if rec.Code != base.Code {
			return true
		}
		if base.Body == nil {
			continue
		}
		pair := url.QueryEscape(name) + "=" + url.QueryEscape(v)
		body := rec.Body.String()
		for _, echo := range []string{"&amp;" + pair, "&" + pair, pair + "&amp;", pair + "&", pair} {
			body = strings.ReplaceAll(body, echo, "")
		}
		if body != base.Body.String() {
			return true
		}
	}
	return false
}

// TestHostileParams_SeesEveryRoute makes sure the hostile test does reach what it claims:
// routes of each kind and their parameters.
func TestHostileParams_SeesEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	routes := e.srv.Routes()
	for _, want := range []string{"GET /api/v1/period", "GET /departments/{id}", "GET /employees/{userid}", "POST /sync", "GET /login"} {
		if !slices.Contains(routes, want) {
			t.Errorf("Routes() lacks %q: %v", want, routes)
		}
	}
	method, path := routeTarget("GET /employees/{userid}", func(string) string { return "a/b" })
	if method != "GET" || path != "/employees/a%2Fb" {
		t.Errorf("routeTarget = %s %s", method, path)
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != http.StatusSeeOther {
		t.Errorf("GET %s without a session: %d, want 303 to the login", path, rec.Code)
	}
}

// TestHostileLogin sends the hostile values in the login form's fields, in a JSON login, in the
// proxy headers and in the device cookie. Each attempt comes from an address of its own (the
// proxy is trusted), so that the throttle does not stop them before they reach the code.
func TestHostileLogin(t *testing.T) {
	t.Parallel()
	e := newEnvOf(t, smallFixture, behindProxy)
	n := 0
	post := func(body, contentType string, header map[string]string) {
		t.Helper()
		n++
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:4000"
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Forwarded-For", "10.9."+sprint(n/250)+"."+sprint(n%250))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("POST /login %.100q %v: status %d; body %.300s", body, header, rec.Code, rec.Body)
		}
		if loc := rec.Header().Get("Location"); loc != "" && !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
			t.Errorf("POST /login %.100q: redirects to %q", body, loc)
		}
	}
	form := "application/x-www-form-urlencoded"
	for _, v := range hostileValues {
		post(url.Values{"name": {v}, "password": {"guess-guess"}}.Encode(), form, nil)
		post(url.Values{"name": {"hr"}, "password": {v}}.Encode(), form, nil)
		post(url.Values{"name": {"hr"}, "password": {testPass}, "next": {v}}.Encode(), form, nil)
		for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "Cookie", "Content-Type"} {
			post(url.Values{"name": {"hr"}, "password": {testPass}}.Encode(), form, map[string]string{h: v})
		}
		post(url.Values{"name": {"hr"}, "password": {testPass}}.Encode(), form, map[string]string{"Cookie": "kaoqin_device=" + url.QueryEscape(v)})
	}
	for _, body := range []string{"", "{", "[]", "null", `{"name": 1, "password": []}`, `{"name": "hr", "password": "` + strings.Repeat("x", 5000) + `"}`,
		`{"name": "hr", "password": "` + testPass + `", "name": "admin"}`, strings.Repeat("[", 10000)} {
		post(body, "application/json", nil)
	}
	if log := e.log.String(); strings.Contains(log, "msg=panic") || strings.Contains(log, "level=ERROR") {
		t.Errorf("the log has a panic or an error:\n%.2000s", log)
	}
}
