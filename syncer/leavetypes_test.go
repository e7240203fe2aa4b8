package syncer_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/syncer"
)

// wantLeaveTimes is what leave by type should hold for the people of the simulator over the
// days: each leave's type on each workday it covers (in the type's unit, which the test does
// not check here: only which type, which day).
func wantLeaveTimes(sim *dingtalksim.Server, from, to string) map[[3]string]bool {
	want := map[[3]string]bool{}
	tr := sim.Truth()
	for _, l := range tr.Leaves(tr.UserIDs(), from, to) {
		for d := time.UnixMilli(l.StartTime).In(shanghai); d.UnixMilli() < l.EndTime; d = d.AddDate(0, 0, 1) {
			day := d.Format(time.DateOnly)
			if day >= from && day <= to && tr.DayKind(day) != dingtalksim.Weekend && tr.DayKind(day) != dingtalksim.Holiday {
				want[[3]string{l.UserID, day, l.Type}] = true
			}
		}
	}
	return want
}

// TestLeaveTypes pulls leave by type for the people the leave status shows on leave, a call a
// person, and exactly as the plan priced it; again, nothing is pulled; a leave approved after
// the days were synced is pulled once a sync has seen it.
func TestLeaveTypes(t *testing.T) {
	e := newEnv(t, envOptions{sim: dingtalksim.Config{Employees: 150}})
	ctx := context.Background()
	from, to := "2026-11-02", "2026-11-19"
	e.sync(syncer.Request{From: from, To: to})

	p, err := e.s.PlanLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)
	people := map[string]bool{}
	for k := range wantLeaveTimes(e.sim, from, to) {
		people[k[0]] = true
	}
	if p.Employees != len(people) || p.Windows != len(people) || p.Done != 0 || p.Calls != int64(3+len(people)) || p.DaysNotSynced != 0 {
		t.Fatalf("plan %+v; %d people on leave, want a window each, 2 calls for the columns and 1 for their units", p, len(people))
	}
	before := e.books.Figures()
	sum, err := e.s.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)
	spent := e.books.Figures().Sub(before)
	if spent.Metered != p.Calls || spent.CallsBy[syncer.PathLeaveTimes] != int64(p.Windows) {
		t.Errorf("spent %+v, the plan said %d calls", spent, p.Calls)
	}
	if sum.Run.Kind != syncer.KindLeaveTypes || sum.Run.Status != kaoqin.RunOK || sum.LeaveRows == 0 {
		t.Errorf("summary %+v", sum)
	}
	assertLeaveTimes(t, e, from, to)
	types, err := e.db.LeaveTypes(ctx)
	must(t, err)
	if len(types) != 5 || types[0].Name != "年假" || types[0].Unit != kaoqin.LeaveUnitDay {
		t.Errorf("leave types %+v: want the report's five, their units read as the org's first administrator", types)
	}

	// Again: every window is final, no call.
	p, err = e.s.PlanLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)
	if p.Windows != 0 || p.Done != len(people) || p.Calls != 0 {
		t.Errorf("second plan %+v, want nothing to pull", p)
	}
	before = e.books.Figures()
	_, err = e.s.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)
	if n := e.books.Figures().Sub(before).Metered; n != 0 {
		t.Errorf("second pull made %d metered calls", n)
	}

	// A leave approved on Monday for an absent day of last week: a sync that refetches the day
	// learns of it, and the person's window is due again.
	var who, day string
	for _, u := range e.sim.Truth().UserIDs() {
		for _, d := range kaoqin.Days("2026-11-09", "2026-11-13") {
			if x, _ := e.sim.Truth().Day(u, d); x.Outcome == dingtalksim.OutcomeAbsent && who == "" && !people[u] {
				who, day = u, d
			}
		}
	}
	if who == "" {
		t.Fatal("nobody absent the week of the 9th without leave")
	}
	e.setNow(testNow.Add(72 * time.Hour))
	must(t, e.sim.ApproveLeave(dingtalksim.LateLeave{UserID: who, Date: day, Type: "病假", At: testNow.Add(48 * time.Hour)}))
	e.sync(syncer.Request{From: day, To: day, Refetch: true, NoOrg: true})
	p, err = e.s.PlanLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)
	if p.Windows != 1 || p.Calls != 4 {
		t.Fatalf("after the late leave: plan %+v, want one window", p)
	}
	_, err = e.s.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)
	got, err := e.db.LeaveTimes(ctx, kaoqin.Filter{From: day, To: day, UserIDs: []string{who}})
	must(t, err)
	if len(got) != 1 || got[0].Name != "病假" || got[0].Value != 1 {
		t.Errorf("the late leave's type: %+v", got)
	}
}

// assertLeaveTimes checks that the store's leave by type names exactly each leave's type on
// the workdays it covers.
func assertLeaveTimes(t *testing.T, e *env, from, to string) {
	t.Helper()
	got, err := e.db.LeaveTimes(context.Background(), kaoqin.Filter{From: from, To: to})
	must(t, err)
	want := wantLeaveTimes(e.sim, from, to)
	for _, lt := range got {
		k := [3]string{lt.UserID, lt.WorkDate, lt.Name}
		if !want[k] || lt.Value <= 0 {
			t.Errorf("stored %+v, which no leave explains", lt)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("leave %v not stored", k)
	}
}

// TestLeaveTypesBudget refuses a pull the month cannot pay, pulls no more than MaxCalls
// allows (oldest first), and reads the types' units as an administrator.
func TestLeaveTypesBudget(t *testing.T) {
	e := newEnv(t, envOptions{sim: dingtalksim.Config{Employees: 150}, quota: 4000})
	ctx := context.Background()
	from, to := "2026-11-02", "2026-11-19"
	e.sync(syncer.Request{From: from, To: to})
	p, err := e.s.PlanLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)

	tight, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now,
		MonthlyQuota: p.Used + p.Calls - 1})
	must(t, err)
	before := e.books.Figures()
	_, err = tight.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	if kaoqin.ErrorCode(err) != kaoqin.EQUOTA || e.books.Figures().Sub(before).Calls != 0 {
		t.Fatalf("over the budget: %v, %d calls; want EQUOTA before any call", err, e.books.Figures().Sub(before).Calls)
	}

	var admin string
	for _, u := range e.sim.Truth().Users() {
		if u.Admin {
			admin = u.UserID
		}
	}
	withOp, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now,
		MonthlyQuota: 4000, OpUserID: admin})
	must(t, err)
	half, err := withOp.PlanLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to, MaxCalls: 13})
	must(t, err)
	if half.Windows != 10 || half.Waiting != p.Windows-10 || half.Calls != 13 {
		t.Fatalf("MaxCalls 13: %+v, want 10 windows and 3 calls for the columns and units", half)
	}
	before = e.books.Figures()
	_, err = withOp.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to, MaxCalls: 13})
	must(t, err)
	if n := e.books.Figures().Sub(before).Metered; n != 13 {
		t.Errorf("MaxCalls 13: %d metered calls", n)
	}
	rest, err := withOp.PlanLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to})
	must(t, err)
	if rest.Windows != p.Windows-10 || rest.Done != 10 {
		t.Errorf("after a pull of 10: %+v", rest)
	}
	types, err := e.db.LeaveTypes(ctx)
	must(t, err)
	units := map[string]string{}
	for _, lt := range types {
		units[lt.Name] = lt.Unit
	}
	if units["年假"] != kaoqin.LeaveUnitDay || units["事假"] != kaoqin.LeaveUnitHour || units["病假"] != kaoqin.LeaveUnitDay {
		t.Errorf("units %v", units)
	}
	if !slices.IsSortedFunc(types, func(a, b kaoqin.LeaveType) int { return a.Position - b.Position }) {
		t.Errorf("types not in the report's order: %+v", types)
	}

	// Someone without the rights to read the types: the pull goes on, the units known stay.
	var nobody string
	for _, u := range e.sim.Truth().Users() {
		if !u.Admin && !u.Boss {
			nobody = u.UserID
		}
	}
	noRights, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now,
		MonthlyQuota: 4000, OpUserID: nobody})
	must(t, err)
	_, err = noRights.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to, Refetch: true, MaxCalls: 5})
	must(t, err)
	types, err = e.db.LeaveTypes(ctx)
	must(t, err)
	if len(types) != 5 || types[0].Unit != kaoqin.LeaveUnitDay {
		t.Errorf("types read without the rights to their units: %+v", types)
	}
}
