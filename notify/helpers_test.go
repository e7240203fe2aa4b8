package notify_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// The morning of the tests: Wednesday 2026-11-18, a plain workday; shifts start at 09:00.
const day = "2026-11-18"

func at(hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.Set(t)
	return c
}

func (c *clock) Now() time.Time        { return time.Unix(0, c.ns.Load()).In(shanghai) }
func (c *clock) Set(t time.Time)       { c.ns.Store(t.UnixNano()) }
func (c *clock) Add(d time.Duration)   { c.ns.Add(int64(d)) }
func (c *clock) sleep(d time.Duration) { c.Add(d) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// env is a simulated DingTalk company on a stopped clock, a store, a syncer and a notifier.
// The application clock (app) is the company's; the real clock (real) is the simulator's
// service clock and the notifier's clock for claims and the robots' minutes: both move only
// when the test says.
type env struct {
	t       *testing.T
	app     *clock
	real    *clock
	sim     *dingtalksim.Server
	srv     *httptest.Server
	handler *hookHandler
	books   *syncer.Books
	client  *dingtalk.Client
	db      *store.DB
	dsn     string
	s       *syncer.Syncer
	n       *notify.Notifier
}

type envOptions struct {
	employees int
	dsn       string // default a new SQLite file
	quota     int    // the simulator's monthly quota; default none
	noRefresh bool
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	e := &env{t: t, app: newClock(at("08:30")), real: newClock(time.Date(2026, 11, 18, 0, 30, 0, 0, time.UTC))}
	if o.employees == 0 {
		o.employees = 200
	}
	quota := o.quota
	if quota == 0 {
		quota = -1
	}
	e.sim = dingtalksim.New(dingtalksim.Config{Seed: 11, Employees: o.employees, Now: e.app.Now(), QPS: -1,
		MonthlyQuota: quota, IPLimit: -1, Clock: e.real.Now})
	e.handler = &hookHandler{next: e.sim}
	e.srv = httptest.NewServer(e.handler)
	t.Cleanup(e.srv.Close)
	e.books = syncer.NewBooks(shanghai, nil)
	var err error
	e.client, err = dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, dingtalk.WithBaseURL(e.srv.URL),
		dingtalk.WithQPS(math.Inf(1)), dingtalk.WithLocation(shanghai), dingtalk.WithClock(e.app.Now),
		dingtalk.WithCallHook(e.books.Hook), dingtalk.WithRetry(dingtalk.RetryPolicy{}))
	must(t, err)
	e.dsn = o.dsn
	if e.dsn == "" {
		e.dsn = filepath.Join(t.TempDir(), "kaoqin.db")
	}
	e.db = e.open()
	e.s, err = syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.app.Now})
	must(t, err)
	e.n = e.notifier("test", o.noRefresh)
	return e
}

func (e *env) open() *store.DB {
	e.t.Helper()
	db, err := store.Open(context.Background(), e.dsn, store.WithNow(e.app.Now))
	if err != nil {
		e.t.Fatalf("open the test database: %v", err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

// notifier returns another notifier of the environment, as another instance would have.
func (e *env) notifier(id string, noRefresh bool) *notify.Notifier {
	e.t.Helper()
	o := notify.Options{Store: e.db, Client: e.client, AgentID: dingtalksim.DefaultAgentID, Location: shanghai,
		Now: e.app.Now, Clock: e.real.Now, ID: id, Lease: time.Minute,
		RobotOptions: []dingtalk.Option{dingtalk.WithClock(e.real.Now), dingtalk.WithCallHook(e.books.Hook),
			dingtalk.WithSleep(func(ctx context.Context, d time.Duration) error { e.real.sleep(d); return ctx.Err() })}}
	if !noRefresh {
		o.Refresh = func(ctx context.Context) error { _, err := e.s.SyncToday(ctx); return err }
	}
	n, err := notify.New(o)
	must(e.t, err)
	return n
}

// set moves both clocks to the application time t (the real clock by as much).
func (e *env) set(t time.Time) {
	e.real.Add(t.Sub(e.app.Now()))
	e.app.Set(t)
	e.sim.SetNow(t)
}

// morningSync syncs the org chart and today, as the nightly run and the first pull would.
func (e *env) morningSync() {
	e.t.Helper()
	if _, err := e.s.Run(context.Background(), syncer.Request{From: day, To: day}); err != nil {
		e.t.Fatalf("the morning sync: %v", err)
	}
}

func (e *env) rule(r kaoqin.ReminderRule) kaoqin.ReminderRule {
	e.t.Helper()
	org := e.org()
	v := notify.Validator{Org: org, RobotHosts: []string{hostOf(e.srv.URL)}}
	if r.Enabled == false && r.Name != "" {
		r.Enabled = true
	}
	must(e.t, v.Validate(&r))
	must(e.t, e.db.SaveReminderRule(context.Background(), &r))
	return r
}

func (e *env) org() notify.Org {
	e.t.Helper()
	depts, err := e.db.Departments(context.Background())
	must(e.t, err)
	emps, err := e.db.Employees(context.Background())
	must(e.t, err)
	return notify.Org{Departments: depts, Employees: emps}
}

func hostOf(u string) string {
	const p = "http://"
	return u[len(p):]
}

// robotURL is the webhook of the simulator's default robot.
func (e *env) robotURL() string {
	return e.srv.URL + "/robot/send?access_token=" + dingtalksim.DefaultRobotToken
}

// hookHandler can run a function before or after the simulator answers a path.
type hookHandler struct {
	next   http.Handler
	mu     sync.Mutex
	before map[string]func(r *http.Request)
	after  map[string]func(r *http.Request)
}

func (h *hookHandler) on(path string, before, after func(r *http.Request)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.before == nil {
		h.before, h.after = map[string]func(*http.Request){}, map[string]func(*http.Request){}
	}
	h.before[path], h.after[path] = before, after
}

func (h *hookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	b, a := h.before[r.URL.Path], h.after[r.URL.Path]
	h.mu.Unlock()
	if b != nil {
		b(r)
	}
	h.next.ServeHTTP(w, r)
	if a != nil {
		a(r)
	}
}
