package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
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
		{"--trusted-proxy=not-an-ip", "bad --trusted-proxy"},
	} {
		status, _, errOut := runKaoqin(t, "serve", "--db", db, "--addr", "127.0.0.1:0", tc.args)
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

// engineFixture is a simulated company on Wednesday 2026-11-18 at 08:50 with a stopped clock,
// synced 11-16..11-18, and a syncer on the simulator's clock.
type engineFixture struct {
	sim     *dingtalksim.Server
	db      *store.DB
	s       *syncer.Syncer
	metrics *web.Metrics
	loc     *time.Location
	log     *bytes.Buffer
}

func newEngineFixture(t *testing.T) *engineFixture {
	t.Helper()
	loc := shanghaiZone()
	sim := dingtalksim.New(dingtalksim.Config{Seed: 5, Employees: 60, Location: loc, Now: time.Date(2026, 11, 18, 8, 50, 0, 0, loc),
		QPS: -1, IPLimit: -1, MonthlyQuota: -1})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	db, err := store.Open(context.Background(), t.TempDir()+"/kaoqin.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &engineFixture{sim: sim, db: db, metrics: web.NewMetrics(), loc: loc, log: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: f.log}, nil))
	g := &Globals{AppKey: sim.Config().AppKey, AppSecret: sim.Config().AppSecret, BaseURL: srv.URL, QPS: 1000,
		Timezone: "Asia/Shanghai", MonthlyQuota: 5000, LogLevel: "error", stdout: io.Discard, stderr: io.Discard}
	books := syncer.NewBooks(loc, log)
	client, err := g.dingtalkClient(callHook(books, f.metrics))
	if err != nil {
		t.Fatal(err)
	}
	f.s, err = syncer.New(syncer.Config{Client: client, Store: db, Books: books, Location: loc, Now: sim.Now, Logger: log, MonthlyQuota: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Run(context.Background(), syncer.Request{From: "2026-11-16", To: "2026-11-18"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *engineFixture) engine(ctx context.Context, cfg scheduleConfig) *engine {
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: f.log}, nil))
	return newEngine(ctx, f.s, f.db, f.metrics, log, f.sim.Now, f.loc, cfg)
}

func (f *engineFixture) runs(t *testing.T) []kaoqin.SyncRun {
	t.Helper()
	runs, err := f.db.Runs(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func countKind(runs []kaoqin.SyncRun, kind string) int {
	n := 0
	for _, r := range runs {
		if r.Kind == kind && r.Status == kaoqin.RunOK {
			n++
		}
	}
	return n
}

// TestEngine_Schedule drives the schedule by hand on the simulator's clock: one instance of
// two holds the scheduler lock and runs it; live pulls come every interval during work hours;
// the nightly sync reconciles the day that was synced while it was in progress, once.
func TestEngine_Schedule(t *testing.T) {
	t.Parallel()
	f := newEngineFixture(t)
	ctx := context.Background()
	cfg := scheduleConfig{Enabled: true, Nightly: 2 * time.Hour, LiveEvery: 10 * time.Minute,
		HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour, Tick: time.Hour, LockRetry: time.Hour, ReconcileDays: 7}
	e1, e2 := f.engine(ctx, cfg), f.engine(ctx, cfg)

	e1.lead(ctx) // takes the lock and ticks: 08:50, a live pull is due
	e2.lead(ctx)
	if !e1.leader.Load() || e2.leader.Load() {
		t.Fatalf("leaders: e1 %v e2 %v, want e1 only", e1.leader.Load(), e2.leader.Load())
	}
	if n := countKind(f.runs(t), syncer.KindLive); n != 1 {
		t.Fatalf("%d live pulls after the first tick, want 1", n)
	}
	e1.lead(ctx) // takes the lock anew: still the scheduler, and no extra tick
	e2.lead(ctx)
	if !e1.leader.Load() || e2.leader.Load() {
		t.Fatalf("after taking the lock again: e1 %v e2 %v", e1.leader.Load(), e2.leader.Load())
	}
	if n := countKind(f.runs(t), syncer.KindLive); n != 1 {
		t.Fatalf("%d live pulls after the lock was taken again, want 1", n)
	}
	e2.tick(ctx) // not the scheduler: does nothing
	f.sim.Advance(5 * time.Minute)
	e1.tick(ctx) // 08:55: not due
	if n := countKind(f.runs(t), syncer.KindLive); n != 1 {
		t.Errorf("%d live pulls 5 minutes later, want still 1", n)
	}
	f.sim.Advance(6 * time.Minute)
	e1.tick(ctx) // 09:01: due
	if n := countKind(f.runs(t), syncer.KindLive); n != 2 {
		t.Errorf("%d live pulls 11 minutes later, want 2", n)
	}
	if st := e1.Status(ctx); !st.Scheduler || st.NextRun.IsZero() || !strings.Contains(st.Plan, "every 10m0s") {
		t.Errorf("e1 status %+v", st)
	}
	if st := e2.Status(ctx); st.Scheduler {
		t.Errorf("e2 says it runs the schedule")
	}

	// The next night: 11-18 was synced while in progress; the nightly sync makes it final.
	f.sim.SetNow(time.Date(2026, 11, 19, 2, 30, 0, 0, f.loc))
	before := len(f.runs(t))
	e1.tick(ctx)
	cov, err := f.db.Coverage(ctx, "2026-11-18", "2026-11-18")
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != 1 || !cov[0].Closed {
		t.Errorf("11-18 after the nightly sync: %+v, want closed", cov)
	}
	runs := f.runs(t)
	if len(runs) != before+1 || runs[0].Kind != syncer.KindFull || runs[0].From != "2026-11-18" || runs[0].To != "2026-11-18" {
		t.Errorf("nightly run %+v", runs[0])
	}
	f.sim.Advance(time.Minute)
	e1.tick(ctx) // done for today
	if n := len(f.runs(t)); n != before+1 {
		t.Errorf("the nightly sync ran again: %d runs", n)
	}

	// Every run is in the metrics.
	text := gatherText(t, f.metrics)
	for _, want := range []string{`kaoqin_sync_runs_total{kind="live",status="ok"} 2`, `kaoqin_sync_runs_total{kind="org+attendance",status="ok"} 1`,
		`kaoqin_dingtalk_calls_total{errcode="0",path="/attendance/list"}`} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// The scheduler stops and lets go of the lock: the other instance takes over.
	stop, err := e1.start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	e2.lead(ctx)
	if !e2.leader.Load() {
		t.Error("the lock was not released when the scheduler stopped")
	}

	// e2's lock is lost (say its PostgreSQL connection dropped) and e1 takes it: at its next
	// retry e2 finds out and stops running the schedule.
	e2.mu.Lock()
	e2.unlock()
	e2.unlock = func() {}
	e2.mu.Unlock()
	e1.lead(ctx)
	e2.lead(ctx)
	if !e1.leader.Load() || e2.leader.Load() {
		t.Errorf("after a lost lock: e1 %v e2 %v, want e1 only", e1.leader.Load(), e2.leader.Load())
	}
	if !strings.Contains(f.log.String(), "no longer runs the scheduled syncs") {
		t.Error("losing the schedule is not logged")
	}
}

// TestEngine_SyncNow checks the dashboard's button: one sync at a time, through the same path.
func TestEngine_SyncNow(t *testing.T) {
	t.Parallel()
	f := newEngineFixture(t)
	ctx := context.Background()
	e := f.engine(ctx, scheduleConfig{})
	before := countKind(f.runs(t), syncer.KindFull)
	if err := e.SyncNow(ctx, "hr1"); err != nil {
		t.Fatal(err)
	}
	if err := e.SyncNow(ctx, "hr2"); kaoqin.ErrorCode(err) != kaoqin.ECONFLICT {
		t.Errorf("second sync now: %v, want a conflict", err)
	}
	e.wg.Wait()
	if n := countKind(f.runs(t), syncer.KindFull); n != before+1 {
		t.Errorf("%d full runs after sync now, want %d", n, before+1)
	}
	if r := f.runs(t)[0]; r.From != "2026-11-18" || r.To != "2026-11-18" {
		t.Errorf("sync now pulled %s..%s, want today", r.From, r.To)
	}
	if st := e.Status(ctx); st.Running || st.Scheduler {
		t.Errorf("status after the run: %+v", st)
	}
	if !strings.Contains(f.log.String(), "by=hr1") {
		t.Error("who asked is not logged")
	}
}

func gatherText(t *testing.T, m *web.Metrics) string {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fams {
		for _, mt := range f.GetMetric() {
			b.WriteString(f.GetName())
			b.WriteString("{")
			for i, l := range mt.GetLabel() {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(l.GetName() + `="` + l.GetValue() + `"`)
			}
			b.WriteString("} ")
			if c := mt.GetCounter(); c != nil {
				b.WriteString(strconv.FormatFloat(c.GetValue(), 'f', -1, 64))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// lockedWriter lets several goroutines log into one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestEngine_IntervalPollsKeepToTodaysShare: polls at an interval stop for the day once today's
// live pulls have spent today's share of the month's budget, and start again the next day.
func TestEngine_IntervalPollsKeepToTodaysShare(t *testing.T) {
	t.Parallel()
	f := newEngineFixture(t)
	ctx := context.Background()
	cfg := scheduleConfig{Enabled: true, Nightly: -1, LiveEvery: 10 * time.Minute,
		HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour, Tick: time.Hour, LockRetry: time.Hour, ReconcileDays: 7}
	e := f.engine(ctx, cfg)
	f.sim.SetNow(time.Date(2026, 11, 18, 9, 1, 0, 0, f.loc))
	e.lead(ctx) // takes the lock and ticks: a live pull
	if n := countKind(f.runs(t), syncer.KindLive); n != 1 {
		t.Fatalf("%d live pulls at 09:01, want 1", n)
	}

	// Today's pulls have spent today's share (as if many polls had run).
	b, err := f.s.Budget(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spent := &kaoqin.SyncRun{Kind: syncer.KindLive, From: "2026-11-18", To: "2026-11-18",
		StartedAt: f.sim.Now().UnixMilli(), Status: kaoqin.RunOK, Metered: b.FirstPull + b.PerDay}
	if err := f.db.CreateRun(ctx, spent); err != nil {
		t.Fatal(err)
	}
	if err := f.db.UpdateRun(ctx, spent); err != nil {
		t.Fatal(err)
	}
	f.sim.Advance(10 * time.Minute)
	e.tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLive); n != 2 { // the pull at 09:01 and the one planted
		t.Errorf("%d live runs after the share was spent, want no new one", n-1)
	}
	if !strings.Contains(f.log.String(), "live pull skipped") || !strings.Contains(e.Status(ctx).Plan, "today's share") {
		t.Errorf("the skip is neither logged nor shown: plan %q", e.Status(ctx).Plan)
	}

	// The next morning the share is new.
	f.sim.SetNow(time.Date(2026, 11, 19, 9, 1, 0, 0, f.loc))
	e.tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLive); n != 3 {
		t.Errorf("%d live runs the next morning, want a new pull", n)
	}
}
