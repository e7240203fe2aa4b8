package reconcile_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/reconcile"
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

type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()).In(shanghai) }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// env is a simulated DingTalk, a store, a syncer and a reconciler, on one clock.
type env struct {
	t      *testing.T
	clock  *clock
	sim    *dingtalksim.Server
	books  *syncer.Books
	client *dingtalk.Client
	db     *store.DB
	s      *syncer.Syncer
	r      *reconcile.Reconciler
}

func newEnv(t *testing.T, employees int, quota int64, start time.Time) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{}}
	e.clock.Set(start)
	e.sim = dingtalksim.New(dingtalksim.Config{Seed: 21, Employees: employees, Now: start, QPS: -1, MonthlyQuota: -1, IPLimit: -1})
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	e.books = syncer.NewBooks(shanghai, nil)
	var err error
	e.client, err = dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, dingtalk.WithBaseURL(srv.URL),
		dingtalk.WithQPS(math.Inf(1)), dingtalk.WithLocation(shanghai), dingtalk.WithClock(e.clock.Now), dingtalk.WithCallHook(e.books.Hook))
	must(t, err)
	e.db, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "kaoqin.db"), store.WithNow(e.clock.Now))
	must(t, err)
	t.Cleanup(func() { e.db.Close() })
	e.s, err = syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now, MonthlyQuota: quota})
	must(t, err)
	e.r, err = reconcile.New(reconcile.Config{Syncer: e.s, Store: e.db, Location: shanghai, Now: e.clock.Now})
	must(t, err)
	return e
}

func (e *env) setNow(t time.Time) {
	e.clock.Set(t)
	e.sim.SetNow(t)
}

func (e *env) sync(req syncer.Request) {
	e.t.Helper()
	if _, err := e.s.Run(context.Background(), req); err != nil {
		e.t.Fatalf("sync %+v: %v", req, err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// finding is one difference, as the test states it: a person, a field, a day ("" for a
// person who left: no days), a cause.
type finding struct{ user, field, day, cause string }

func (f finding) String() string { return fmt.Sprintf("%s %s %s %s", f.user, f.field, f.day, f.cause) }

func findings(res *reconcile.Result) []finding {
	var out []finding
	for _, d := range res.Differences {
		if len(d.Days) == 0 {
			out = append(out, finding{d.UserID, d.Field, "", d.Cause})
		}
		for _, day := range d.Days {
			out = append(out, finding{d.UserID, d.Field, day.Date, day.Cause})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// TestReconcile_FindsThePlantedDifferences syncs two weeks of a simulated company, then, after
// the fact, an administrator turns a late check-in into a normal one, a leave is approved for a
// day someone was absent, one person leaves (and kaoqin's org sync sees it) and another leaves
// without kaoqin knowing. The reconciliation finds exactly these, each with its cause, and
// the days DingTalk counts a 旷工迟到 as 旷工 (a rule kaoqin does not apply), and nothing else.
func TestReconcile_FindsThePlantedDifferences(t *testing.T) {
	pulled := time.Date(2026, 11, 14, 3, 0, 0, 0, shanghai)
	e := newEnv(t, 60, 0, pulled)
	from, to := "2026-11-02", "2026-11-13"
	e.sync(syncer.Request{From: from, To: to})
	tr := e.sim.Truth()

	// The people of the plants: someone late, someone absent, two who leave.
	var lateUser, lateDay, absentUser, absentDay string
	absLate := map[[2]string]bool{}
	for _, u := range tr.UserIDs() {
		for _, d := range kaoqin.Days(from, to) {
			day, _ := tr.Day(u, d)
			switch {
			case day.Outcome == dingtalksim.OutcomeLate && lateUser == "":
				lateUser, lateDay = u, d
			case day.Outcome == dingtalksim.OutcomeAbsent && absentUser == "" && u != lateUser:
				absentUser, absentDay = u, d
			case day.Outcome == dingtalksim.OutcomeAbsenteeismLate:
				absLate[[2]string{u, d}] = true
			}
		}
	}
	var gone []string
	for _, u := range tr.UserIDs() {
		if x, _ := tr.User(u); u != lateUser && u != absentUser && !x.Admin && !x.Boss && len(gone) < 2 {
			gone = append(gone, u)
		}
	}
	if lateUser == "" || absentUser == "" || len(absLate) == 0 {
		t.Fatalf("the company lacks a premise: late %q absent %q 旷工迟到 %d", lateUser, absentUser, len(absLate))
	}
	changed := time.Date(2026, 11, 16, 10, 0, 0, 0, shanghai)
	must(t, e.sim.EditResult(dingtalksim.ResultEdit{UserID: lateUser, Date: lateDay, CheckType: "OnDuty", TimeResult: "Normal", At: changed}))
	must(t, e.sim.ApproveLeave(dingtalksim.LateLeave{UserID: absentUser, Date: absentDay, Type: "病假", At: changed}))

	e.setNow(time.Date(2026, 11, 17, 9, 0, 0, 0, shanghai))
	must(t, e.sim.RemoveUser(gone[0]))
	e.sync(syncer.Request{OrgOnly: true}) // kaoqin learns that gone[0] left
	must(t, e.sim.RemoveUser(gone[1]))    // but not that gone[1] did

	e.setNow(time.Date(2026, 11, 18, 10, 0, 0, 0, shanghai))
	p, err := e.r.Plan(context.Background(), reconcile.Request{From: from, To: to})
	must(t, err)
	if p.People != 59 || len(p.Left) != 1 || p.Left[0].UserID != gone[0] || p.PerPerson != 2 || p.Calls != 2+59*2 || p.ShouldFrom != "2026-11-04" {
		t.Fatalf("plan %+v", p)
	}
	before := e.books.Figures()
	res, err := e.r.Run(context.Background(), reconcile.Request{From: from, To: to, By: "test"})
	must(t, err)
	spent := e.books.Figures().Sub(before)

	var want []finding
	want = append(want,
		finding{lateUser, "late_count", lateDay, reconcile.CauseEdited},
		finding{lateUser, "late_minutes", lateDay, reconcile.CauseEdited},
		finding{absentUser, "absent_days", absentDay, reconcile.CauseApproval},
		finding{absentUser, "leave_days", absentDay, reconcile.CauseApproval})
	for k := range absLate {
		if k[0] != gone[0] && k[0] != gone[1] {
			want = append(want, finding{k[0], "absent_days", k[1], reconcile.CauseRule})
		}
	}
	for _, u := range gone {
		for _, f := range []string{"scheduled_days", "attended_days"} { // everyone has these; the rest depends on the days
			want = append(want, finding{u, f, "", reconcile.CauseLeft})
		}
	}
	got := findings(res)
	// The people who left differ on every field kaoqin counts for them: check the two every
	// one has, and that every other finding of theirs is "left" too.
	got = slices.DeleteFunc(got, func(f finding) bool {
		return slices.Contains(gone, f.user) && f.cause == reconcile.CauseLeft && f.field != "scheduled_days" && f.field != "attended_days"
	})
	sort.Slice(want, func(i, j int) bool { return want[i].String() < want[j].String() })
	if d := gocmp.Diff(want, got, gocmp.Comparer(func(a, b finding) bool { return a == b })); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}

	// What changed, said precisely.
	for _, d := range res.Differences {
		for _, day := range d.Days {
			switch {
			case d.UserID == lateUser && d.Field == "late_count":
				if day.Was != "Late" || day.Now != "Normal" || day.Source != "BOSS" || day.CheckType != "OnDuty" ||
					day.Fix != "kaoqin sync --from "+lateDay+" --to "+lateDay+" --refetch" || day.PulledAt == "" || d.Kaoqin-d.DingTalk != 1 {
					t.Errorf("the administrator's edit: %+v %+v", d, day)
				}
			case d.UserID == absentUser && d.Field == "absent_days" && day.Date == absentDay:
				if day.Kaoqin != 1 || day.DingTalk != 0 || day.Was != "no leave" || day.Now != "leave" {
					t.Errorf("the late leave: %+v", day)
				}
			case day.Cause == reconcile.CauseRule:
				if day.Rule != reconcile.RuleAbsenteeismLate || day.Kaoqin != 0 || day.DingTalk != 1 {
					t.Errorf("the rule: %+v", day)
				}
			}
		}
	}
	if res.People != 59 || res.Agreeing != 59-len(slices.Compact(slices.Sorted(func(yield func(string) bool) {
		for _, f := range findings(res) {
			if f.user != gone[0] && !yield(f.user) {
				return
			}
		}
	}))) {
		t.Errorf("people %d, agreeing %d", res.People, res.Agreeing)
	}
	if !res.Calls.Verified || res.Causes[reconcile.CauseRule] == 0 || res.Causes[reconcile.CauseUnverified] != 0 {
		t.Errorf("calls %+v causes %v", res.Calls, res.Causes)
	}
	// It spent what it said: the plan's calls, then the check results and leave of the people
	// who differ; every call in the books and the ledger.
	if spent.CallsBy[syncer.PathColumnValues] != 59 || spent.CallsBy[syncer.PathLeaveTimes] != 59 ||
		spent.Metered > p.Calls+res.Calls.Verify || res.Calls.Metered != spent.Metered {
		t.Errorf("spent %+v, planned %d + %d", spent, p.Calls, res.Calls.Verify)
	}
	if nc := res.NotCompared; !slices.ContainsFunc(nc, func(n reconcile.NotCompared) bool { return n.Field == "scheduled_days" && n.From == "2026-11-04" }) {
		t.Errorf("not compared: %+v", nc)
	}

	// The run is recorded, with what it found.
	rec, err := e.db.Reconciliation(context.Background(), res.ID)
	must(t, err)
	var stored reconcile.Result
	must(t, json.Unmarshal(rec.Result, &stored))
	if rec.Status != kaoqin.ReconcileOK || rec.By != "test" || rec.Differences != len(res.Differences) || rec.Metered != spent.Metered ||
		len(findings(&stored)) != len(findings(res)) {
		t.Errorf("record %+v", rec)
	}

	// Once kaoqin pulls the days again, only the rule and the people who left remain.
	e.sync(syncer.Request{From: from, To: to, Refetch: true, NoOrg: true})
	res, err = e.r.Run(context.Background(), reconcile.Request{From: from, To: to})
	must(t, err)
	for _, f := range findings(res) {
		if f.cause != reconcile.CauseRule && f.cause != reconcile.CauseLeft {
			t.Errorf("after a refetch: %s", f)
		}
	}
}

// TestReconcile_Budget prices before it calls: it refuses a reconciliation that would eat into
// the nightly syncs' reserve, says how many people fit, and writes nothing; a sample fits; when
// the budget covers the comparison but not the explanation, the days are "unverified".
func TestReconcile_Budget(t *testing.T) {
	e := newEnv(t, 60, 0, time.Date(2026, 11, 14, 3, 0, 0, 0, shanghai))
	from, to := "2026-11-02", "2026-11-13"
	e.sync(syncer.Request{From: from, To: to})
	e.setNow(time.Date(2026, 11, 18, 10, 0, 0, 0, shanghai))
	ctx := context.Background()
	// A quota that leaves the reserve and 50 calls: 24 people fit.
	withQuota := func(q int64) *reconcile.Reconciler {
		s, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now, MonthlyQuota: q})
		must(t, err)
		r, err := reconcile.New(reconcile.Config{Syncer: s, Store: e.db, Location: shanghai, Now: e.clock.Now})
		must(t, err)
		return r
	}
	big, err := withQuota(1_000_000).Plan(ctx, reconcile.Request{From: from, To: to})
	must(t, err)
	tight := withQuota(big.Used + big.Reserved + 50)
	tp, err := tight.Plan(ctx, reconcile.Request{From: from, To: to})
	must(t, err)
	if tp.Reserved == 0 || tp.Remaining-tp.Reserved != 50 {
		t.Fatalf("plan %+v", tp)
	}
	before := e.books.Figures()
	_, err = tight.Run(ctx, reconcile.Request{From: from, To: to})
	if kaoqin.ErrorCode(err) != kaoqin.EQUOTA || !containsAll(kaoqin.ErrorMessage(err), "--sample 24 fits", "kept for the nightly syncs") {
		t.Errorf("over the budget: %v", err)
	}
	if n := e.books.Figures().Sub(before).Calls; n != 0 {
		t.Errorf("%d calls before refusing", n)
	}
	if recs, _ := e.db.Reconciliations(ctx, 10); len(recs) != 0 {
		t.Errorf("a refused reconciliation was recorded: %+v", recs)
	}

	// A sample of 24 fits: 2 + 24 x 2 = 50. Nothing is left to explain what differs.
	res, err := tight.Run(ctx, reconcile.Request{From: from, To: to, Sample: 24})
	must(t, err)
	if res.People != 24 || res.Calls.Metered != 50 || res.Calls.Verified || len(res.Differences) == 0 || res.Causes[reconcile.CauseUnverified] == 0 ||
		len(res.Notes) == 0 {
		t.Errorf("sample of 24: people %d, calls %+v, %d differences, causes %v, notes %v", res.People, res.Calls, len(res.Differences), res.Causes, res.Notes)
	}
}

// TestReconcile_BadInput refuses with one line, before any call, writing nothing.
func TestReconcile_BadInput(t *testing.T) {
	e := newEnv(t, 20, 0, time.Date(2026, 11, 14, 3, 0, 0, 0, shanghai))
	e.sync(syncer.Request{From: "2026-11-09", To: "2026-11-13"})
	e.setNow(time.Date(2026, 11, 18, 10, 0, 0, 0, shanghai))
	ctx := context.Background()
	before := e.books.Figures()
	for _, c := range []struct {
		req  reconcile.Request
		code string
		says string
	}{
		{reconcile.Request{From: "2026-11-09", To: "2026-11-18"}, kaoqin.EINVALID, "reconcile days that have ended"},
		{reconcile.Request{From: "2026-11-13", To: "2026-11-09"}, kaoqin.EINVALID, ""},
		{reconcile.Request{From: "2026-11-9", To: "2026-11-13"}, kaoqin.EINVALID, ""},
		{reconcile.Request{To: "2026-11-13"}, kaoqin.EINVALID, "--from and --to"},
		{reconcile.Request{From: "2026-11-02", To: "2026-11-13"}, kaoqin.ENOTSYNCED, "kaoqin sync --from 2026-11-02 --to 2026-11-08"},
		{reconcile.Request{From: "2026-11-09", To: "2026-11-13", DeptIDs: []int64{42}}, kaoqin.ENOTFOUND, "no department 42"},
		{reconcile.Request{From: "2026-11-09", To: "2026-11-13", Sample: -1}, kaoqin.EINVALID, "--sample"},
	} {
		_, err := e.r.Run(ctx, c.req)
		if kaoqin.ErrorCode(err) != c.code || !containsAll(kaoqin.ErrorMessage(err), c.says) {
			t.Errorf("%+v: %v, want %s saying %q", c.req, err, c.code, c.says)
		}
	}
	if n := e.books.Figures().Sub(before).Calls; n != 0 {
		t.Errorf("%d calls for bad requests", n)
	}
	if recs, _ := e.db.Reconciliations(ctx, 10); len(recs) != 0 {
		t.Errorf("bad requests were recorded: %+v", recs)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
