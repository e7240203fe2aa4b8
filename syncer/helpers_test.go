package syncer_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/store/storetest"
	"github.com/kaoqin/kaoqin/syncer"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testNow is the default "now" of the tests: Friday 2026-11-20, 21:00 in Shanghai, after
// everyone's working day.
var testNow = time.Date(2026, 11, 20, 21, 0, 0, 0, shanghai)

// clock is a settable clock shared by the simulator's company, the client, the store and the
// syncer, so that they agree on what "today" is.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.Set(t)
	return c
}

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()).In(shanghai) }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// env is a simulated DingTalk, a client and a store, with a Syncer over them.
type env struct {
	t       *testing.T
	clock   *clock
	sim     *dingtalksim.Server
	srv     *httptest.Server
	handler *countingHandler
	books   *syncer.Books
	client  *dingtalk.Client
	db      *store.DB
	dsn     string
	s       *syncer.Syncer
}

type envOptions struct {
	sim       dingtalksim.Config
	dsn       string // default a new SQLite file
	quota     int64
	qps       float64 // the client's; default no limit
	retry     *dingtalk.RetryPolicy
	fastSleep bool // backoff waits take a millisecond: for faults that do not depend on time
	conc      int
	// realClientClock gives the client the real clock: DingTalk's throttle answers say until
	// when (on the service clock), and a client on the test clock would read that as hours.
	realClientClock bool
	lastPull        int // Config.LastPullAge
	lateWindow      time.Duration
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(testNow)}
	cfg := o.sim
	if cfg.Employees == 0 {
		cfg.Employees = 120
	}
	if cfg.Seed == 0 {
		cfg.Seed = 7
	}
	if cfg.Now.IsZero() {
		cfg.Now = testNow
	}
	if cfg.QPS == 0 {
		cfg.QPS = -1
	}
	if cfg.MonthlyQuota == 0 {
		cfg.MonthlyQuota = -1
	}
	e.sim = dingtalksim.New(cfg)
	e.handler = &countingHandler{next: e.sim}
	e.srv = httptest.NewServer(e.handler)
	t.Cleanup(e.srv.Close)

	e.books = syncer.NewBooks(shanghai, nil)
	qps := o.qps
	if qps == 0 {
		qps = math.Inf(1)
	}
	opts := []dingtalk.Option{
		dingtalk.WithBaseURL(e.srv.URL), dingtalk.WithQPS(qps), dingtalk.WithLocation(shanghai),
		dingtalk.WithCallHook(e.books.Hook),
	}
	if !o.realClientClock {
		opts = append(opts, dingtalk.WithClock(e.clock.Now))
	}
	if o.retry != nil {
		opts = append(opts, dingtalk.WithRetry(*o.retry))
	}
	if o.fastSleep {
		opts = append(opts, dingtalk.WithSleep(func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Millisecond):
				return nil
			}
		}))
	}
	var err error
	e.client, err = dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	e.dsn = o.dsn
	if e.dsn == "" {
		e.dsn = filepath.Join(t.TempDir(), "kaoqin.db")
	}
	e.db = openDB(t, e.dsn, e.clock)
	e.s, err = syncer.New(syncer.Config{
		Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now,
		MonthlyQuota: o.quota, Concurrency: o.conc, LastPullAge: o.lastPull, LateWindow: o.lateWindow,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// clientWithHook returns another client of the simulator, with another call hook.
func (e *env) clientWithHook(t *testing.T, hook func(dingtalk.CallInfo)) *dingtalk.Client {
	c, err := dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, dingtalk.WithBaseURL(e.srv.URL),
		dingtalk.WithQPS(math.Inf(1)), dingtalk.WithLocation(shanghai), dingtalk.WithClock(e.clock.Now), dingtalk.WithCallHook(hook))
	must(t, err)
	return c
}

func openDB(t *testing.T, dsn string, c *clock) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.WithNow(c.Now))
	if err != nil {
		t.Fatalf("open the test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// setNow moves every clock of the environment.
func (e *env) setNow(t time.Time) {
	e.clock.Set(t)
	e.sim.SetNow(t)
}

// sync runs a sync and fails the test on error.
func (e *env) sync(req syncer.Request) *syncer.Summary {
	e.t.Helper()
	sum, err := e.s.Run(context.Background(), req)
	if err != nil {
		e.t.Fatalf("sync %+v: %v", req, err)
	}
	return sum
}

// countingHandler counts the attendance calls that reach the simulator and can run a function
// before the n-th one is answered.
type countingHandler struct {
	next       http.Handler
	attendance atomic.Int64
	all        atomic.Int64
	mu         sync.Mutex
	before     func(n int64, r *http.Request)
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.all.Add(1)
	if dingtalk.IsMetered(r.URL.Path) {
		n := h.attendance.Add(1)
		h.mu.Lock()
		f := h.before
		h.mu.Unlock()
		if f != nil {
			f(n, r)
		}
	}
	h.next.ServeHTTP(w, r)
}

func (h *countingHandler) onAttendance(f func(n int64, r *http.Request)) {
	h.mu.Lock()
	h.before = f
	h.mu.Unlock()
}

// truthChecks is what the simulator's attendance/list answers for the company over the range,
// as kaoqin values, built here from the simulator's own types (not with the syncer's code).
func truthChecks(sim *dingtalksim.Server, users []string, from, to string) []kaoqin.Check {
	var out []kaoqin.Check
	for _, r := range sim.Truth().Results(users, from, to) {
		out = append(out, kaoqin.Check{
			ID: r.ID, RecordID: r.RecordID, UserID: r.UserID,
			WorkDate:  time.UnixMilli(r.WorkDate).In(shanghai).Format(kaoqin.DateLayout),
			CheckType: r.CheckType, TimeResult: r.TimeResult, LocationResult: r.LocationResult,
			BaseCheckTime: r.BaseCheckTime, UserCheckTime: r.UserCheckTime, SourceType: r.SourceType,
			PlanID: r.PlanID, GroupID: r.GroupID, ApproveID: r.ApproveID, ProcInstID: r.ProcInstID,
		})
	}
	slices.SortFunc(out, func(a, b kaoqin.Check) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.WorkDate, b.WorkDate),
			cmp.Compare(a.BaseCheckTime, b.BaseCheckTime), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func truthLeaves(sim *dingtalksim.Server, users []string, from, to string) []kaoqin.Leave {
	var out []kaoqin.Leave
	for _, l := range sim.Truth().Leaves(users, from, to) {
		out = append(out, kaoqin.Leave{UserID: l.UserID, StartTime: l.StartTime, EndTime: l.EndTime,
			DurationUnit: l.DurationUnit, DurationPercent: l.DurationPercent})
	}
	slices.SortFunc(out, func(a, b kaoqin.Leave) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.StartTime, b.StartTime), cmp.Compare(a.EndTime, b.EndTime))
	})
	return out
}

// assertMirrors fails the test unless the store holds exactly the simulator's company: every
// department, employee and membership as DingTalk has them now, every check and leave of
// [from, to], and every day of the range covered.
func assertMirrors(t *testing.T, sim *dingtalksim.Server, db *store.DB, from, to string, closed bool) {
	t.Helper()
	ctx := context.Background()
	truth := sim.Truth()

	var wantDepts []kaoqin.Department
	for _, d := range truth.Departments() {
		wantDepts = append(wantDepts, kaoqin.Department{ID: d.ID, ParentID: d.ParentID, Name: d.Name,
			Order: d.Order, SourceIdentifier: d.SourceIdentifier, Managers: d.Managers})
	}
	gotDepts, err := db.Departments(ctx)
	must(t, err)
	gotDepts = slices.DeleteFunc(gotDepts, func(d kaoqin.Department) bool { return d.RemovedAt != 0 })
	diff(t, "departments", gotDepts, wantDepts)

	var wantEmps []kaoqin.Employee
	var wantMembers []string
	for _, u := range truth.Users() {
		ids := slices.Clone(u.DeptIDs)
		slices.Sort(ids)
		wantEmps = append(wantEmps, kaoqin.Employee{UserID: u.UserID, Name: u.Name, JobNumber: u.JobNumber,
			Title: u.Title, HiredAt: u.HiredDate, Admin: u.Admin || u.Boss, DeptIDs: ids})
		for _, id := range ids {
			wantMembers = append(wantMembers, fmt.Sprintf("%s@%d", u.UserID, id))
		}
	}
	gotEmps, err := db.Employees(ctx)
	must(t, err)
	gotEmps = slices.DeleteFunc(gotEmps, func(e kaoqin.Employee) bool { return e.LeftAt != 0 })
	diff(t, "employees", gotEmps, wantEmps)

	today := kaoqin.DateOf(sim.Now(), shanghai)
	ms, err := db.Memberships(ctx, today, today)
	must(t, err)
	var gotMembers []string
	for _, m := range ms {
		gotMembers = append(gotMembers, fmt.Sprintf("%s@%d", m.UserID, m.DeptID))
	}
	slices.Sort(wantMembers)
	diff(t, "memberships of today", gotMembers, wantMembers)

	users := truth.UserIDs()
	gotChecks, err := db.Checks(ctx, kaoqin.Filter{From: from, To: to})
	must(t, err)
	wantChecks := truthChecks(sim, users, from, to)
	if len(wantChecks) == 0 {
		t.Fatal("the simulator has no checks in the range: the test proves nothing")
	}
	// Every check carries the time it was pulled: after its day ended if the data is final.
	for _, c := range gotChecks {
		_, dayEnd := kaoqin.DayBounds(c.WorkDate, shanghai)
		if closed && c.SyncedAt < dayEnd.UnixMilli() {
			t.Errorf("check %d of %s pulled at %d, before its day ended, yet the day is final", c.ID, c.WorkDate, c.SyncedAt)
			break
		}
	}
	diff(t, "checks", pulled(t, gotChecks, 0, sim.Now().UnixMilli()), wantChecks)

	start, _ := kaoqin.DayBounds(from, shanghai)
	_, end := kaoqin.DayBounds(to, shanghai)
	gotLeaves, err := db.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	must(t, err)
	wantLeaves := truthLeaves(sim, users, from, to)
	if len(wantLeaves) == 0 {
		t.Fatal("the simulator has no leave in the range: the test proves nothing")
	}
	diff(t, "leaves", gotLeaves, wantLeaves)

	cov, err := db.Coverage(ctx, from, to)
	must(t, err)
	var days []string
	for _, c := range cov {
		days = append(days, c.Day)
		if c.Closed != closed {
			t.Errorf("coverage of %s: closed %v, want %v", c.Day, c.Closed, closed)
		}
	}
	diff(t, "covered days", days, kaoqin.Days(from, to))

	// Punches and plans, when the sync pulled them: row for row, and their days covered.
	for _, kind := range []string{kaoqin.CoverPunches, kaoqin.CoverPlans} {
		kcov, err := db.KindCoverage(ctx, kind, from, to)
		must(t, err)
		if len(kcov) == 0 {
			continue
		}
		days = days[:0]
		for _, c := range kcov {
			days = append(days, c.Day)
		}
		diff(t, "covered days of "+kind, days, kaoqin.Days(from, to))
		f := kaoqin.Filter{From: from, To: to}
		if kind == kaoqin.CoverPunches {
			got, err := db.Punches(ctx, f)
			must(t, err)
			want := truthPunches(sim, users, from, to)
			if len(want) == 0 {
				t.Fatal("the simulator has no punches in the range: the test proves nothing")
			}
			diff(t, "punches", got, want)
		} else {
			got, err := db.Schedules(ctx, f)
			must(t, err)
			diff(t, "plans", got, truthSchedules(sim, users, from, to))
		}
	}
}

// truthPunches is what the simulator's listRecord answers over the days, as kaoqin values built
// here from the simulator's own types, in the store's order.
func truthPunches(sim *dingtalksim.Server, users []string, from, to string) []kaoqin.Punch {
	var out []kaoqin.Punch
	for _, r := range sim.Truth().Records(users, from, to) {
		out = append(out, kaoqin.Punch{
			ID: r.ID, UserID: r.UserID, WorkDate: time.UnixMilli(r.WorkDate).In(shanghai).Format(kaoqin.DateLayout),
			CheckType: r.CheckType, TimeResult: r.TimeResult, LocationResult: r.LocationResult, SourceType: r.SourceType,
			UserCheckTime: r.UserCheckTime, BaseCheckTime: r.BaseCheckTime, PlanCheckTime: r.PlanCheckTime,
			PlanID: r.PlanID, GroupID: r.GroupID, ClassID: r.ClassID, IsLegal: r.IsLegal == "Y",
			InvalidRecordType: r.InvalidRecordType, InvalidRecordMsg: r.InvalidRecordMsg, LocationMethod: r.LocationMethod,
			UserAddress: r.UserAddress, Latitude: e6(r.UserLatitude), Longitude: e6(r.UserLongitude), Accuracy: e6(r.UserAccuracy),
			OutsideRemark: r.OutsideRemark, DeviceID: r.DeviceID, DeviceSN: r.DeviceSN, SSID: r.UserSsid, MAC: r.UserMacAddr,
			BaseAddress: r.BaseAddress, BaseLatitude: e6(r.BaseLatitude), BaseLongitude: e6(r.BaseLongitude),
			BaseAccuracy: e6(r.BaseAccuracy), BaseSSID: r.BaseSsid, BaseMAC: r.BaseMacAddr,
			ApproveID: r.ApproveID, ProcInstID: r.ProcInstID,
		})
	}
	slices.SortFunc(out, func(a, b kaoqin.Punch) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.UserCheckTime, b.UserCheckTime), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// e6 rounds a coordinate or an accuracy to the millionth the store keeps.
func e6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// truthSchedules is the simulator's plans over the days, rest days included, in the store's order.
func truthSchedules(sim *dingtalksim.Server, users []string, from, to string) []kaoqin.Schedule {
	var out []kaoqin.Schedule
	for _, s := range sim.Truth().Schedules(users, from, to) {
		out = append(out, kaoqin.Schedule{PlanID: s.PlanID, UserID: s.UserID, WorkDate: s.WorkDate, CheckType: s.CheckType,
			PlanCheckTime: s.PlanCheckTime, GroupID: s.GroupID, ShiftID: s.ClassID, IsRest: s.IsRest, ApproveID: s.ApproveID})
	}
	slices.SortFunc(out, func(a, b kaoqin.Schedule) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.WorkDate, b.WorkDate),
			cmp.Compare(a.PlanCheckTime, b.PlanCheckTime), cmp.Compare(a.PlanID, b.PlanID))
	})
	return out
}

// diff fails the test if got and want differ, naming the first difference.
func diff[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if g, w := fmt.Sprintf("%+v", got[i]), fmt.Sprintf("%+v", want[i]); g != w {
			t.Errorf("%s: row %d differs:\n got %s\nwant %s", what, i, g, w)
			return
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// postgresDSN is a schema of the test's own on KAOQIN_TEST_POSTGRES_DSN's server, which the
// clean sync also runs on; the test is skipped when that is not set.
func postgresDSN(t *testing.T) string { return storetest.PostgresDSN(t, "kaoqin_syncer_test") }

// pulled checks that every check was stamped with a pull time in [from, to] (unix ms), and
// returns them without it: the time is kaoqin's, the rest is DingTalk's to compare.
func pulled(t *testing.T, checks []kaoqin.Check, from, to int64) []kaoqin.Check {
	t.Helper()
	out := slices.Clone(checks)
	for i, c := range out {
		if c.SyncedAt <= 0 || c.SyncedAt < from || c.SyncedAt > to {
			t.Errorf("check %d of %s has pull time %d, want one in [%d, %d]", c.ID, c.WorkDate, c.SyncedAt, from, to)
			return nil
		}
		out[i].SyncedAt = 0
	}
	return out
}
