package syncer_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

func pathPlan(t *testing.T, p *syncer.Plan, path string) syncer.PathPlan {
	t.Helper()
	for _, pp := range p.Paths {
		if pp.Path == path {
			return pp
		}
	}
	t.Fatalf("the plan has no line for %s: %+v", path, p.Paths)
	return syncer.PathPlan{}
}

func TestPlan_callsNothingAndPredictsTheSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{quota: 5000})
	ctx := context.Background()

	// An empty store: the plan says what it needs, and DingTalk hears nothing.
	p, err := e.s.Plan(ctx, syncer.Request{From: rangeFrom, To: rangeTo})
	must(t, err)
	if p.OrgKnown || !strings.Contains(p.Note, "kaoqin sync --org-only") || p.ExpectedMetered != 0 {
		t.Errorf("plan without an org chart: %+v", p)
	}
	if n := e.handler.all.Load(); n != 0 {
		t.Fatalf("Plan made %d calls to DingTalk", n)
	}

	// With the org chart and one week stored, the plan of the next ten days...
	e.sync(syncer.Request{From: "2026-11-02", To: "2026-11-08"})
	e.sim.ResetCounters()
	calls := e.handler.all.Load()
	p, err = e.s.Plan(ctx, syncer.Request{From: rangeFrom, To: rangeTo})
	must(t, err)
	if n := e.handler.all.Load() - calls; n != 0 {
		t.Fatalf("Plan made %d calls to DingTalk", n)
	}
	if p.Employees != 120 || p.EstimateFrom != "stored data" {
		t.Errorf("plan: %d employees, estimate from %q", p.Employees, p.EstimateFrom)
	}
	// 120 employees: 3 batches of 50 × 2 windows of 7 days; leave: 2 batches of 100 × 1 window;
	// punches 3 × 2 like the checks, one call each; plans by listbyusers, 3 × 2 (on behalf of an
	// administrator of the stored org chart), cheaper than listschedule's 10 days × 2 pages.
	checks, leave := pathPlan(t, p, syncer.PathResults), pathPlan(t, p, syncer.PathLeave)
	punches, plans := pathPlan(t, p, syncer.PathRecords), pathPlan(t, p, syncer.PathByUsers)
	if checks.Chunks != 6 || checks.MinCalls != 6 || leave.Chunks != 2 || leave.MinCalls != 2 ||
		punches.Chunks != 6 || punches.Calls != 6 || plans.Chunks != 6 || plans.Calls != 6 || p.MinMetered != 20 {
		t.Errorf("plan: checks %+v, leave %+v, punches %+v, plans %+v, min metered %d", checks, leave, punches, plans, p.MinMetered)
	}
	if !p.Punches || !p.Plans || p.OpUserID == "" || len(p.PlansWith) != 1 {
		t.Errorf("plan: punches %v, plans %v with %v on behalf of %q", p.Punches, p.Plans, p.PlansWith, p.OpUserID)
	}
	used := e.sim.QuotaUsed()
	if p.Used == 0 || p.Remaining != 5000-p.Used {
		t.Errorf("plan: used %d, remaining %d (the simulator counted %d this month)", p.Used, p.Remaining, used)
	}
	if users := pathPlan(t, p, syncer.PathUserList); users.Metered || users.Calls == 0 {
		t.Errorf("the org's calls are missing or metered: %+v", p.Paths)
	}

	// ...is what the sync then spends: at least the minimum, and the expected calls within
	// a quarter of the real ones.
	sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	real := sum.Run.Metered
	t.Logf("plan: %d expected, %d at least; sync: %d", p.ExpectedMetered, p.MinMetered, real)
	if real < p.MinMetered || float64(p.ExpectedMetered) < 0.75*float64(real) || float64(p.ExpectedMetered) > 1.25*float64(real) {
		t.Errorf("plan expected %d metered calls (at least %d), the sync made %d", p.ExpectedMetered, p.MinMetered, real)
	}

	// Once done, the same range needs nothing: every day was pulled after it had ended.
	p, err = e.s.Plan(ctx, syncer.Request{From: rangeFrom, To: rangeTo})
	must(t, err)
	if p.ExpectedMetered != 0 || p.DaysFinal != 10 {
		t.Errorf("plan after the sync: %+v", p)
	}
	// Unless asked to fetch again.
	p, err = e.s.Plan(ctx, syncer.Request{From: rangeFrom, To: rangeTo, Refetch: true})
	must(t, err)
	if p.MinMetered != 20 {
		t.Errorf("plan with refetch: min metered %d, want 20", p.MinMetered)
	}
	// Without punches and plans, the check results and leave only.
	p, err = e.s.Plan(ctx, syncer.Request{From: rangeFrom, To: rangeTo, Refetch: true, NoPunches: true, NoPlans: true})
	must(t, err)
	if p.MinMetered != 8 || p.Punches || p.Plans {
		t.Errorf("plan without punches and plans: min metered %d, want 8: %+v", p.MinMetered, p.Paths)
	}
}

// TestPlan_plansTheCheaperWay: one day of plans of the whole company is cheaper with
// listschedule (200 plans a call) than listbyusers (50 people a call); a week, the other way
// round; and without an administrator to call listbyusers on behalf of, listschedule.
func TestPlan_plansTheCheaperWay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.sync(syncer.Request{OrgOnly: true})
	ctx := context.Background()
	for _, test := range []struct {
		from, to string
		want     string
		calls    int64
	}{
		{"2026-11-18", "2026-11-18", syncer.PathDaySched, 2}, // 120 x 1.71 plans: 2 pages, against 3 calls
		{"2026-11-09", "2026-11-15", syncer.PathByUsers, 3},  // 3 calls, against 7 x 2 pages
	} {
		p, err := e.s.Plan(ctx, syncer.Request{From: test.from, To: test.to, NoOrg: true})
		must(t, err)
		if len(p.PlansWith) != 1 || p.PlansWith[0] != test.want || pathPlan(t, p, test.want).Calls != test.calls {
			t.Errorf("%s..%s: plans with %v, %+v; want %s, %d calls", test.from, test.to, p.PlansWith, p.Paths, test.want, test.calls)
		}
	}
	noAdmin, err := syncer.New(syncer.Config{Store: &noAdmins{e.db}, Location: shanghai, Now: e.clock.Now})
	must(t, err)
	p, err := noAdmin.Plan(ctx, syncer.Request{From: "2026-11-09", To: "2026-11-15", NoOrg: true})
	must(t, err)
	if len(p.PlansWith) != 1 || p.PlansWith[0] != syncer.PathDaySched || p.OpUserID != "" {
		t.Errorf("without an administrator: plans with %v on behalf of %q", p.PlansWith, p.OpUserID)
	}
}

// noAdmins is a store whose org chart has no administrator.
type noAdmins struct{ *store.DB }

func (s *noAdmins) Employees(ctx context.Context) ([]kaoqin.Employee, error) {
	emps, err := s.DB.Employees(ctx)
	for i := range emps {
		emps[i].Admin = false
	}
	return emps, err
}

func TestRun_nightlyDaysAreNotFetchedAgain(t *testing.T) {
	t.Parallel()
	// The nightly days are 4 days old or more when the period sync runs: without a last pull
	// at an age (TestRun_lastPull) they are not fetched again.
	e := newEnv(t, envOptions{lastPull: -1})
	// A week of nightly syncs, each of the day before...
	for d := 10; d <= 16; d++ {
		e.setNow(time.Date(2026, 11, d+1, 1, 0, 0, 0, shanghai))
		day := fmt.Sprintf("2026-11-%02d", d)
		e.sync(syncer.Request{From: day, To: day})
	}
	nightly := e.sim.Counters().Total().Metered
	// ...then the period sync for payroll, over those days and two more.
	e.setNow(testNow)
	sum := e.sync(syncer.Request{From: "2026-11-10", To: "2026-11-18"})
	assertMirrors(t, e.sim, e.db, "2026-11-10", "2026-11-18", true)
	if sum.DaysFinal != 7 {
		t.Errorf("%d days final before the period sync, want 7", sum.DaysFinal)
	}
	// Only the two days not synced yet cost calls: one window of checks, one of leave.
	if got, want := sum.Run.CallsBy[syncer.PathLeave], int64(2); got != want {
		t.Errorf("%d leave calls, want %d", got, want)
	}
	oneDay := newEnv(t, envOptions{lastPull: -1})
	oneDay.sync(syncer.Request{From: "2026-11-17", To: "2026-11-18"})
	if got, want := e.sim.Counters().Total().Metered-nightly, oneDay.sim.Counters().Total().Metered; got != want {
		t.Errorf("the period sync made %d metered calls; the two days alone take %d", got, want)
	}
}

// TestRun_lastPull: a final day is pulled once more when it is 3 days old, which brings what
// DingTalk changed after the day (a make-up punch approved late), and then never again; a day
// first pulled at that age needs no other pull.
func TestRun_lastPull(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	at := func(wall string) time.Time { return e.sim.At(wall) }
	e.setNow(at("2026-11-18 01:00"))
	e.sync(syncer.Request{From: "2026-11-10", To: "2026-11-17"})
	cov, err := e.db.Coverage(ctx, "2026-11-10", "2026-11-17")
	must(t, err)
	for _, c := range cov {
		// The 10th..15th were 3 days old or more when pulled: that was their last pull.
		if settled := c.Day <= "2026-11-15"; !c.Closed || c.Settled != settled || c.SettlesAt != at(kaoqin.AddDays(c.Day, 3)+" 00:00").UnixMilli() {
			t.Errorf("%s: %+v, want final, settled %v", c.Day, c, settled)
		}
	}
	// DingTalk's answer for the 17th changes after it was pulled: here, the store holds an
	// older answer (a check not signed yet) for one signed check.
	checks, err := e.db.Checks(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17"})
	must(t, err)
	i := slices.IndexFunc(checks, func(c kaoqin.Check) bool { return c.Signed() })
	stale := checks[i]
	stale.TimeResult, stale.LocationResult, stale.UserCheckTime, stale.RecordID = kaoqin.TimeNotSigned, kaoqin.LocationNotSigned, stale.BaseCheckTime, 0
	_, err = e.db.SaveChecks(ctx, kaoqin.CheckBatch{Checks: []kaoqin.Check{stale}})
	must(t, err)

	// Before the 16th is 3 days old nothing is due; on the 20th the last pulls of the 16th
	// and 17th are, alone.
	e.setNow(at("2026-11-18 23:00"))
	if p, err := e.s.Plan(ctx, syncer.Request{From: "2026-11-10", To: "2026-11-17", NoOrg: true}); err != nil || p.ExpectedMetered != 0 || p.DaysFinal != 8 {
		t.Errorf("on the 18th: %+v, %v; want nothing due", p, err)
	}
	e.setNow(at("2026-11-20 02:00"))
	p, err := e.s.Plan(ctx, syncer.Request{From: "2026-11-10", To: "2026-11-17", NoOrg: true})
	must(t, err)
	if p.DaysLastPull != 2 || p.DaysFinal != 6 || p.ExpectedMetered == 0 || pathPlan(t, p, syncer.PathResults).Chunks == 0 {
		t.Errorf("on the 20th: %d days' last pull, %d final, %d calls; want 2, 6", p.DaysLastPull, p.DaysFinal, p.ExpectedMetered)
	}
	due, err := e.s.Due(ctx, "2026-11-10", "2026-11-17")
	must(t, err)
	if !slices.Equal(due.LastPull, []string{"2026-11-16", "2026-11-17"}) || len(due.Whole)+len(due.Closing) != 0 {
		t.Errorf("due on the 20th: %+v", due)
	}
	sum := e.sync(syncer.Request{From: "2026-11-10", To: "2026-11-17", NoOrg: true})
	if sum.DaysLast != 2 || sum.DaysFinal != 6 {
		t.Errorf("the last pull's summary: %+v", sum)
	}
	assertMirrors(t, e.sim, e.db, "2026-11-10", "2026-11-17", true)
	got, err := e.db.Checks(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17", UserIDs: []string{stale.UserID}})
	must(t, err)
	if j := slices.IndexFunc(got, func(c kaoqin.Check) bool { return c.ID == stale.ID }); j < 0 || got[j].TimeResult != checks[i].TimeResult {
		t.Errorf("the last pull did not bring DingTalk's later answer for check %d", stale.ID)
	}
	cov, err = e.db.Coverage(ctx, "2026-11-17", "2026-11-17")
	must(t, err)
	if !cov[0].Settled {
		t.Errorf("the 17th after its last pull: %+v", cov[0])
	}
	e.setNow(at("2026-11-25 02:00"))
	if p, err := e.s.Plan(ctx, syncer.Request{From: "2026-11-10", To: "2026-11-17", NoOrg: true}); err != nil || p.ExpectedMetered != 0 {
		t.Errorf("after the last pull: %+v, %v; want nothing due", p, err)
	}
}
