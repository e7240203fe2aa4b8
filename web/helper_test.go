package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/web"
	"github.com/kaoqin/kaoqin/web/webtest"
)

// The fixture: a simulated company of 300 people on Wednesday 2026-11-18 at 09:10 in
// Shanghai, synced from 2026-10-20 through today (today as it stood at 09:10). It is built
// once into a SQLite file; every test gets a copy of its own.
var (
	shanghai = mustLoad("Asia/Shanghai")
	testNow  = time.Date(2026, 11, 18, 9, 10, 0, 0, shanghai)
)

const (
	testToday   = "2026-11-18"
	fixtureFrom = "2026-10-20"
	testPass    = "correct horse battery"
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// fixtureDB is a company's database, built once per test binary.
type fixtureDB struct {
	employees int
	night     bool      // the company has night shifts (dingtalksim.Config.NightShift)
	now       time.Time // the company clock and the servers' "now"; zero: testNow
	once      sync.Once
	dir       string
	path      string
	sim       *dingtalksim.Server
	err       error
}

var (
	fixture = &fixtureDB{employees: 300}
	// smallFixture is a company of 40 for tests that send thousands of requests.
	smallFixture = &fixtureDB{employees: 40}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range []*fixtureDB{fixture, smallFixture} {
		if f.dir != "" {
			os.RemoveAll(f.dir)
		}
	}
	os.Exit(code)
}

// testSim returns the fixture's simulator (its truth is what the store holds).
func testSim(t testing.TB) *dingtalksim.Server {
	t.Helper()
	fixturePath(t)
	return fixture.sim
}

func fixturePath(t testing.TB) string { return fixture.build(t) }

func (f *fixtureDB) build(t testing.TB) string {
	t.Helper()
	f.once.Do(func() {
		f.dir, f.err = os.MkdirTemp("", "kaoqin-web-fixture-")
		if f.err != nil {
			return
		}
		f.path = filepath.Join(f.dir, "kaoqin.db")
		f.sim = dingtalksim.New(dingtalksim.Config{Seed: 7, Employees: f.employees, Now: f.clock(), Location: shanghai, NightShift: f.night})
		ctx := context.Background()
		db, err := store.Open(ctx, f.path)
		if err != nil {
			f.err = err
			return
		}
		if err := webtest.Fill(ctx, db, f.sim, fixtureFrom, kaoqin.DateOf(f.clock(), shanghai), f.clock()); err != nil {
			db.Close()
			f.err = err
			return
		}
		f.err = db.Close()
	})
	if f.err != nil {
		t.Fatalf("build the fixture: %v", f.err)
	}
	return f.path
}

// env is one test's server over its own copy of the fixture.
type env struct {
	t     *testing.T
	sim   *dingtalksim.Server // the company the store holds
	db    *store.DB
	srv   *web.Server
	ts    *httptest.Server
	clock *clock
	sync  *fakeSyncer
	log   *bytes.Buffer
	// Departments of the fixture: mgrDept is the manager's (a first-level department with
	// sub-departments), subDept one of its children, otherDept another first-level one.
	mgrDept, subDept, otherDept int64
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeSyncer records "sync now" calls.
type fakeSyncer struct {
	mu     sync.Mutex
	calls  []string
	err    error
	events *web.EventsStatus // which source carries the board; nil: no events
}

func (f *fakeSyncer) SyncNow(_ context.Context, by string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.calls = append(f.calls, by)
	return nil
}

func (f *fakeSyncer) Status(context.Context) web.SyncStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return web.SyncStatus{Scheduler: true, Plan: "test plan", PollsLeftToday: 7, Events: f.events,
		Schedule: web.Schedule{Enabled: true, Nightly: "02:00", ReconcileDays: 7, LiveEvery: "10m0s", Hours: "08:00-19:00"}}
}

// cheap are argon2 parameters that keep the tests fast; the server reads them from the hash.
var cheap = web.PasswordParams{Memory: 64, Time: 1, Threads: 1}

func newEnv(t *testing.T, opts ...func(*web.Config)) *env {
	t.Helper()
	return newEnvOf(t, fixture, opts...)
}

// clock is the fixture's "now".
func (f *fixtureDB) clock() time.Time {
	if f.now.IsZero() {
		return testNow
	}
	return f.now
}

// newEnvOf is newEnv over another company.
func newEnvOf(t *testing.T, f *fixtureDB, opts ...func(*web.Config)) *env {
	t.Helper()
	src := f.build(t)
	dst := filepath.Join(t.TempDir(), "kaoqin.db")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, sim: f.sim, db: db, clock: &clock{now: f.clock()}, sync: &fakeSyncer{}, log: &bytes.Buffer{}}
	cfg := web.Config{
		Store: db, Location: shanghai, Now: e.clock.Now, Clock: e.clock.Now, Syncer: e.sync, MonthlyQuota: 5000,
		Reconciler:   fakeReconciler{},
		Logger:       slog.New(slog.NewTextHandler(&syncWriter{w: e.log}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		MetricsToken: "scrape-token",
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.srv, err = web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	e.pickDepts()
	e.addUser("admin", kaoqin.RoleAdmin)
	e.addUser("hr", kaoqin.RoleHR)
	e.addUser("boss", kaoqin.RoleManager, e.mgrDept)
	return e
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// pickDepts chooses the manager's department: the first-level department with children and
// the most people, and another first-level department outside it.
func (e *env) pickDepts() {
	truth := e.sim.Truth()
	best := 0
	var firsts []int64
	for _, d := range truth.Departments() {
		if d.ParentID != kaoqin.RootDeptID {
			continue
		}
		sub := truth.Subtree(d.ID)
		if n := len(e.subtreeUsers(d.ID)); n > 0 {
			firsts = append(firsts, d.ID)
			if len(sub) > 1 && n > best {
				best, e.mgrDept, e.subDept = n, d.ID, sub[1]
			}
		}
	}
	for _, id := range firsts {
		if id != e.mgrDept {
			e.otherDept = id
			break
		}
	}
	if e.mgrDept == 0 || e.otherDept == 0 {
		e.t.Fatalf("fixture has no two first-level departments to test scopes with")
	}
}

func (e *env) addUser(name, role string, depts ...int64) *kaoqin.User {
	e.t.Helper()
	hash, err := web.HashPasswordWith(testPass, cheap)
	if err != nil {
		e.t.Fatal(err)
	}
	u := &kaoqin.User{Name: name, Role: role, DeptIDs: depts, PasswordHash: hash}
	if err := e.db.CreateUser(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// client is a browser-like client with its own cookie jar.
type client struct {
	e    *env
	http *http.Client
}

// anon returns a client without a session.
func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// as returns a client logged in as name.
func (e *env) as(name string) *client {
	e.t.Helper()
	c := e.anon()
	resp := c.postForm("/login", url.Values{"name": {name}, "password": {testPass}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("log in as %s: status %d, want 303", name, resp.StatusCode)
	}
	return c
}

type response struct {
	*http.Response
	body []byte
}

func (r *response) text() string { return string(r.body) }

func (c *client) do(req *http.Request) *response {
	c.e.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return &response{Response: resp, body: body}
}

func (c *client) get(path string) *response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.ts.URL+path, nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) postForm(path string, form url.Values) *response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) post(path string) *response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.ts.URL+path, nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return c.do(req)
}

// getJSON gets path, checks the status and decodes the body into v (if not nil).
func (c *client) getJSON(path string, want int, v any) *response {
	c.e.t.Helper()
	resp := c.get(path)
	if resp.StatusCode != want {
		c.e.t.Fatalf("GET %s: status %d, want %d; body %.300s", path, resp.StatusCode, want, resp.body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.e.t.Fatalf("GET %s: Content-Type %q, want JSON", path, ct)
	}
	if v != nil {
		if err := json.Unmarshal(resp.body, v); err != nil {
			c.e.t.Fatalf("GET %s: decode: %v; body %.300s", path, err, resp.body)
		}
	}
	return resp
}

// wantStatus fails unless resp has status want.
func wantStatus(t *testing.T, resp *response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %.400s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, resp.body)
	}
}

// errorBody decodes an API error.
func errorBody(t *testing.T, resp *response) web.ErrorBody {
	t.Helper()
	var b web.ErrorBody
	if err := json.Unmarshal(resp.body, &b); err != nil {
		t.Fatalf("decode error body: %v; body %.300s", err, resp.body)
	}
	return b
}

// audit returns the audit log, newest first.
func (e *env) audit() []kaoqin.AuditEntry {
	e.t.Helper()
	entries, err := e.db.Audit(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return entries
}

func (e *env) subtreeUsers(dept int64) map[string]bool {
	truth := e.sim.Truth()
	sub := truth.Subtree(dept)
	out := map[string]bool{}
	for _, u := range truth.Users() {
		for _, id := range u.DeptIDs {
			if slices.Contains(sub, id) {
				out[u.UserID] = true
			}
		}
	}
	return out
}

func (e *env) userOutside(dept int64) string {
	in := e.subtreeUsers(dept)
	for _, u := range e.sim.Truth().Users() {
		if !in[u.UserID] {
			return u.UserID
		}
	}
	e.t.Fatal("everyone is in the manager's subtree")
	return ""
}

func (e *env) userInside(dept int64) string {
	in := e.subtreeUsers(dept)
	for _, u := range e.sim.Truth().Users() {
		if in[u.UserID] {
			return u.UserID
		}
	}
	e.t.Fatal("nobody is in the manager's subtree")
	return ""
}

func sprint(v any) string { return fmt.Sprint(v) }
