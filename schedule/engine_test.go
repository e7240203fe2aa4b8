package schedule

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/events"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
	"github.com/kaoqin/kaoqin/web"
)

// engineFixture is a simulated company on Wednesday 2026-11-18 at 08:50 with a stopped clock,
// synced 11-16..11-18, and a syncer on the simulator's clock.
type engineFixture struct {
	sim     *dingtalksim.Server
	db      *store.DB
	path    string // db's file
	s       *syncer.Syncer
	metrics *web.Metrics
	loc     *time.Location
	log     *bytes.Buffer
}

func newEngineFixture(t *testing.T) *engineFixture {
	t.Helper()
	return newEngineFixtureQuota(t, 5000)
}

// newEngineFixtureQuota is newEngineFixture with the month's budget of the syncer.
func newEngineFixtureQuota(t *testing.T, quota int64) *engineFixture {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return newEngineFixtureOf(t, quota, dingtalksim.Config{Seed: 5, Employees: 60, Location: loc, Now: time.Date(2026, 11, 18, 8, 50, 0, 0, loc)},
		"2026-11-16", "2026-11-18")
}

// newEngineFixtureOf is newEngineFixture with the syncer's budget, the simulator's company
// and clock, and the days synced first.
func newEngineFixtureOf(t *testing.T, quota int64, cfg dingtalksim.Config, from, to string) *engineFixture {
	t.Helper()
	loc := cfg.Location
	cfg.QPS, cfg.IPLimit, cfg.MonthlyQuota = -1, -1, -1
	sim := dingtalksim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	path := t.TempDir() + "/kaoqin.db"
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &engineFixture{sim: sim, db: db, path: path, metrics: web.NewMetrics(), loc: loc, log: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: f.log}, nil))
	books := syncer.NewBooks(loc, log)
	hook := func(ci dingtalk.CallInfo) {
		books.Hook(ci)
		f.metrics.ObserveCall(ci.Path, ci.Errcode, ci.Err == nil || ci.Errcode != 0, ci.Metered && !ci.Throttled, ci.Duration)
	}
	client, err := dingtalk.NewClient(sim.Config().AppKey, sim.Config().AppSecret, dingtalk.WithBaseURL(srv.URL), dingtalk.WithQPS(1000),
		dingtalk.WithLocation(loc), dingtalk.WithCallHook(hook))
	if err != nil {
		t.Fatal(err)
	}
	f.s, err = syncer.New(syncer.Config{Client: client, Store: db, Books: books, Location: loc, Now: sim.Now, Logger: log, MonthlyQuota: quota})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Run(context.Background(), syncer.Request{From: from, To: to}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *engineFixture) engine(ctx context.Context, cfg Config) *Engine {
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: f.log}, nil))
	return New(ctx, Options{Syncer: f.s, Store: f.db, Metrics: f.metrics, Logger: log, Now: f.sim.Now, Location: f.loc, Config: cfg})
}

// otherInstance is an engine with a store of its own on the same database, as another
// instance of kaoqin serve has: the scheduler lock is between the two stores.
func (f *engineFixture) otherInstance(t *testing.T, ctx context.Context, cfg Config) *Engine {
	db, err := store.Open(ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := f.engine(ctx, cfg)
	e.st = db
	return e
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
	cfg := Config{Enabled: true, Nightly: 2 * time.Hour, LiveEvery: 10 * time.Minute,
		HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour, Tick: time.Hour, LockRetry: time.Hour, ReconcileDays: 7}
	e1, e2 := f.engine(ctx, cfg), f.otherInstance(t, ctx, cfg)

	e1.Lead(ctx) // takes the lock and ticks: 08:50, a live pull is due
	e2.Lead(ctx)
	if !e1.leader.Load() || e2.leader.Load() {
		t.Fatalf("leaders: e1 %v e2 %v, want e1 only", e1.leader.Load(), e2.leader.Load())
	}
	if n := countKind(f.runs(t), syncer.KindLive); n != 1 {
		t.Fatalf("%d live pulls after the first tick, want 1", n)
	}
	e1.Lead(ctx) // still holds the lock: still the scheduler, and no extra tick
	e2.Lead(ctx)
	if !e1.leader.Load() || e2.leader.Load() {
		t.Fatalf("at the next retry: e1 %v e2 %v", e1.leader.Load(), e2.leader.Load())
	}
	if n := countKind(f.runs(t), syncer.KindLive); n != 1 {
		t.Fatalf("%d live pulls after the lock was taken again, want 1", n)
	}
	e2.Tick(ctx) // not the scheduler: does nothing
	f.sim.Advance(5 * time.Minute)
	e1.Tick(ctx) // 08:55: not due
	if n := countKind(f.runs(t), syncer.KindLive); n != 1 {
		t.Errorf("%d live pulls 5 minutes later, want still 1", n)
	}
	f.sim.Advance(6 * time.Minute)
	e1.Tick(ctx) // 09:01: due
	if n := countKind(f.runs(t), syncer.KindLive); n != 2 {
		t.Errorf("%d live pulls 11 minutes later, want 2", n)
	}
	if st := e1.Status(ctx); !st.Scheduler || st.NextRun.IsZero() || !strings.Contains(st.Plan, "every 10 minutes") {
		t.Errorf("e1 status %+v", st)
	}
	if st := e2.Status(ctx); st.Scheduler {
		t.Errorf("e2 says it runs the schedule")
	}

	// The next night: 11-18 was synced while in progress; the nightly sync makes it final. And
	// 11-16, final since the 18th, is 3 days old: its last pull is due, and settles it.
	f.sim.SetNow(time.Date(2026, 11, 19, 2, 30, 0, 0, f.loc))
	before := len(f.runs(t))
	e1.Tick(ctx)
	cov, err := f.db.Coverage(ctx, "2026-11-16", "2026-11-18")
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != 3 || !cov[2].Closed || !cov[0].Settled || cov[1].Settled || !cov[1].Closed {
		t.Errorf("11-16..11-18 after the nightly sync: %+v, want 16 settled, 17 final, 18 final", cov)
	}
	runs := f.runs(t)
	if len(runs) != before+1 || runs[0].Kind != syncer.KindFull || runs[0].From != "2026-11-16" || runs[0].To != "2026-11-18" {
		t.Errorf("nightly run %+v", runs[0])
	}
	f.sim.Advance(time.Minute)
	e1.Tick(ctx) // done for today
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
	stop, err := e1.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	e2.Lead(ctx)
	if !e2.leader.Load() {
		t.Error("the lock was not released when the scheduler stopped")
	}

	// e2's lock is lost (say its PostgreSQL connection dropped) and e1 takes it: at its next
	// retry e2 finds out and stops running the schedule.
	e2.mu.Lock()
	e2.unlock()
	e2.unlock = func() {}
	e2.mu.Unlock()
	e1.Lead(ctx)
	e2.Lead(ctx)
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
	e := f.engine(ctx, Config{})
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
	cfg := Config{Enabled: true, Nightly: -1, LiveEvery: 10 * time.Minute,
		HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour, Tick: time.Hour, LockRetry: time.Hour, ReconcileDays: 7}
	e := f.engine(ctx, cfg)
	f.sim.SetNow(time.Date(2026, 11, 18, 9, 1, 0, 0, f.loc))
	e.Lead(ctx) // takes the lock and ticks: a live pull
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
	e.Tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLive); n != 2 { // the pull at 09:01 and the one planted
		t.Errorf("%d live runs after the share was spent, want no new one", n-1)
	}
	if !strings.Contains(f.log.String(), "live pull skipped") || !strings.Contains(e.Status(ctx).Plan, "today's share") {
		t.Errorf("the skip is neither logged nor shown: plan %q", e.Status(ctx).Plan)
	}

	// The next morning the share is new.
	f.sim.SetNow(time.Date(2026, 11, 19, 9, 1, 0, 0, f.loc))
	e.Tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLive); n != 3 {
		t.Errorf("%d live runs the next morning, want a new pull", n)
	}
}

// TestEngine_LiveIntervalFromDue runs the schedule's ticks a little early and a little late,
// as real timers do, on the simulator's clock: live pulls keep to their interval, measured from
// when each was due (a tick 100 ms early used to wait for the next one: 1m ran every 2
// minutes, 10m every 11).
func TestEngine_LiveIntervalFromDue(t *testing.T) {
	t.Parallel()
	f := newEngineFixtureQuota(t, 1_000_000) // the budget never stands in the way here
	ctx := context.Background()
	for _, tc := range []struct {
		every time.Duration
		tick  time.Duration
		ticks int
		want  int // pulls after the first
	}{
		{time.Minute, time.Minute - 100*time.Millisecond, 10, 10},
		{time.Minute, time.Minute + 100*time.Millisecond, 10, 10},
		{10 * time.Minute, time.Minute - 100*time.Millisecond, 60, 6},
		{10 * time.Minute, time.Minute + 100*time.Millisecond, 60, 6},
	} {
		f.sim.SetNow(time.Date(2026, 11, 18, 9, 0, 0, 0, f.loc))
		start := f.sim.Now()
		e := f.engine(ctx, Config{Enabled: true, Nightly: -1, LiveEvery: tc.every,
			HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour, Tick: time.Hour, LockRetry: time.Hour})
		before := countKind(f.runs(t), syncer.KindLive)
		e.Lead(ctx) // the first pull, at 09:00
		var at []time.Time
		for range tc.ticks {
			f.sim.Advance(tc.tick)
			n := countKind(f.runs(t), syncer.KindLive)
			e.Tick(ctx)
			if countKind(f.runs(t), syncer.KindLive) > n {
				at = append(at, f.sim.Now())
			}
		}
		if got := countKind(f.runs(t), syncer.KindLive) - before - 1; got != tc.want {
			t.Errorf("every %s, ticks of %s: %d pulls in %d ticks, want %d (at %v)", tc.every, tc.tick, got, tc.ticks, tc.want, at)
		}
		// Each pull ran at the tick nearest to its due moment, and the next is due an interval
		// after the last was due, not after it ran.
		for i, a := range at {
			due := start.Add(time.Duration(i+1) * tc.every)
			if d := a.Sub(due).Abs(); d > tc.tick/2 {
				t.Errorf("every %s, ticks of %s: pull %d at %s, %s from its due time %s", tc.every, tc.tick, i+1, a.Format("15:04:05.0"), d, due.Format("15:04:05"))
			}
		}
		if next, want := e.Status(ctx).NextRun, start.Add(time.Duration(len(at)+1)*tc.every); !next.Equal(want) {
			t.Errorf("every %s: next run %s, want %s", tc.every, next.Format("15:04:05.0"), want.Format("15:04:05.0"))
		}
		stop, err := e.Start(ctx) // lets go of the scheduler lock for the next case
		if err != nil {
			t.Fatal(err)
		}
		stop()
	}

	// After the night, pulls count from the first tick of the work hours.
	e := f.engine(ctx, Config{Enabled: true, Nightly: -1, LiveEvery: 10 * time.Minute,
		HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour, Tick: time.Hour, LockRetry: time.Hour})
	f.sim.SetNow(time.Date(2026, 11, 18, 18, 55, 0, 0, f.loc))
	e.Lead(ctx)
	before := countKind(f.runs(t), syncer.KindLive)
	f.sim.SetNow(time.Date(2026, 11, 19, 7, 59, 50, 0, f.loc))
	e.Tick(ctx) // before the hours: nothing
	f.sim.SetNow(time.Date(2026, 11, 19, 8, 0, 20, 0, f.loc))
	e.Tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLive) - before; n != 1 {
		t.Errorf("%d pulls at the start of the next day's hours, want 1", n)
	}
	if next, want := e.Status(ctx).NextRun, time.Date(2026, 11, 19, 8, 10, 20, 0, f.loc); !next.Equal(want) {
		t.Errorf("the next morning's next run %s, want %s", next, want)
	}
}

// TestEngine_EventsCarryTheBoard: while DingTalk's events carry the board, live pulls stop
// (but for the day's first); when the events stop (the connection down, the push budget
// spent), the pull that came due meanwhile runs at once.
func TestEngine_EventsCarryTheBoard(t *testing.T) {
	t.Parallel()
	f := newEngineFixtureQuota(t, 1_000_000)
	ctx := context.Background()
	var mu sync.Mutex
	carrier := events.Carrier{Events: true, Why: events.WhyEvents, Connected: true, LastEventAt: 1, Pushes: 10, PushQuota: 3000}
	set := func(c events.Carrier) { mu.Lock(); carrier = c; mu.Unlock() }
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: f.log}, nil))
	e := New(ctx, Options{Syncer: f.s, Store: f.db, Metrics: f.metrics, Logger: log, Now: f.sim.Now, Location: f.loc,
		Config: Config{Enabled: true, Nightly: -1, LiveEvery: 10 * time.Minute, HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour,
			Tick: time.Hour, LockRetry: time.Hour},
		EventsMode: "stream",
		Events: func(context.Context) (events.Carrier, error) {
			mu.Lock()
			defer mu.Unlock()
			return carrier, nil
		}})
	before := countKind(f.runs(t), syncer.KindLive)
	e.Lead(ctx) // 08:50: today was pulled by the fixture, events flow: no pull
	for range 3 {
		f.sim.Advance(10 * time.Minute)
		e.Tick(ctx)
	}
	if n := countKind(f.runs(t), syncer.KindLive) - before; n != 0 {
		t.Errorf("%d live pulls while events carry the board", n)
	}
	// The punches until two minutes ago are known: the board reads a check-in due by then
	// without a punch as missed.
	pulls, err := f.db.PunchPulls(ctx, kaoqin.Filter{From: "2026-11-18", To: "2026-11-18"})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.sim.Now().Add(-2 * time.Minute).UnixMilli(); len(pulls) != 60 || pulls[0].SyncedAt != want {
		t.Errorf("%d punch pulls (%+v), want everyone's at %d", len(pulls), pulls[:min(1, len(pulls))], want)
	}
	st := e.Status(ctx)
	if st.Events == nil || !st.Events.Carried || st.Events.Mode != "stream" || !strings.Contains(st.Plan, "events carry the board") {
		t.Errorf("status %+v %+v", st, st.Events)
	}
	set(events.Carrier{Why: events.WhyLinkDown, DownSince: 1})
	f.sim.Advance(time.Minute)
	e.Tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLive) - before; n != 1 {
		t.Errorf("%d live pulls once the events stopped, want 1 at once", n)
	}
	if st := e.Status(ctx); st.Events.Carried || st.Events.Why != events.WhyLinkDown || strings.Contains(st.Plan, "events carry") {
		t.Errorf("status after the events stopped: %+v", st.Events)
	}
}
