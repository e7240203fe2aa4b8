package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

// TestEngines_SameResults plays one long random scenario on SQLite and on PostgreSQL and
// compares everything the store answered along the way.
func TestEngines_SameResults(t *testing.T) {
	pg := mustOpen(t, postgresDSN(t)) // skips without PostgreSQL
	lite := mustOpen(t, filepath.Join(t.TempDir(), "kaoqin.db"))
	want := playScenario(t, lite)
	got := playScenario(t, pg)
	if len(want) != len(got) {
		t.Fatalf("SQLite gave %d answers, PostgreSQL %d", len(want), len(got))
	}
	for i := range want {
		if diff := cmp.Diff(want[i], got[i]); diff != "" {
			t.Errorf("answer %d differs (-sqlite +postgres):\n%s", i, diff)
		}
	}
}

// playScenario runs a fixed pseudo-random history of syncs and returns every answer.
func playScenario(t *testing.T, db *store.DB) []any {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	var log []any
	note := func(v any, err error) {
		t.Helper()
		must(t, err)
		log = append(log, v)
	}
	// User ids whose byte order differs from any natural or locale order.
	var users []string
	for i := range 24 {
		users = append(users, []string{"u%02d", "U%02d", "张%d", "a-%d"}[i%4])
		users[i] = fmt.Sprintf(users[i], i)
	}
	depts := []kaoqin.Department{dept(1, 0, "公司")}
	for i := 2; i <= 7; i++ {
		depts = append(depts, dept(int64(i), 1, fmt.Sprintf("部门%d", i)))
	}
	home := map[string][]int64{}
	for _, u := range users {
		home[u] = []int64{int64(2 + r.IntN(6))}
	}
	days := kaoqin.Days("2026-11-01", "2026-11-08")
	for step, day := range days {
		// The org moves: transfers, departures and returns, renamed and removed departments.
		var emps []kaoqin.Employee
		for _, u := range users {
			switch x := r.IntN(10); {
			case x == 0:
				continue // not in today's org
			case x == 1:
				home[u] = []int64{int64(2 + r.IntN(6))}
			case x == 2:
				home[u] = append(home[u], int64(2+r.IntN(6)))
			}
			emps = append(emps, emp(u, "员工"+u, home[u]...))
		}
		snapDepts := slices.Clone(depts)
		if step%3 == 1 {
			snapDepts = slices.Delete(snapDepts, 6, 7)
		}
		snapDepts[1+r.IntN(5)].Name = fmt.Sprintf("部门-%d", step)
		ch, err := db.SaveOrg(ctx, kaoqin.OrgSnapshot{Day: day, At: int64(step+1) * 1000, Departments: snapDepts, Employees: emps})
		note(ch, err)
		if step == 3 { // the same day again, another snapshot
			ch, err := db.SaveOrg(ctx, kaoqin.OrgSnapshot{Day: day, At: int64(step+1)*1000 + 1, Departments: snapDepts, Employees: emps[1:]})
			note(ch, err)
		}

		// Attendance of a rolling window, pulled in two halves of the users.
		for half := range 2 {
			scope := kaoqin.Scope{UserIDs: users[half*12 : half*12+12], From: kaoqin.AddDays(day, -2), To: day}
			var checks []kaoqin.Check
			var punches []kaoqin.Punch
			var scheds []kaoqin.Schedule
			var leaves []kaoqin.Leave
			for _, u := range scope.UserIDs {
				ui := int64(slices.Index(users, u))
				for _, d := range kaoqin.Days(scope.From, scope.To) {
					if r.IntN(5) == 0 {
						continue // DingTalk no longer returns this day's rows
					}
					di := int64(slices.Index(days, d) + 10)
					for k := range int64(2) {
						c := check(ui*10_000+di*10+k, u, d, di*100-k)
						c.TimeResult = []string{kaoqin.TimeNormal, kaoqin.TimeLate, kaoqin.TimeNotSigned}[r.IntN(3)]
						checks = append(checks, c)
						scheds = append(scheds, schedule(ui*10_000+di*10+k, u, d, di*100+k, r.IntN(4) == 0))
					}
					punches = append(punches, punch(ui*10_000+di, u, d, di*100+int64(r.IntN(50))))
					if r.IntN(4) == 0 {
						leaves = append(leaves, leave(u, di*hour, di*hour+int64(1+r.IntN(3))*hour))
					}
				}
			}
			cp := fmt.Sprintf("att:%s:%d", day, half)
			n, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: checks, Checkpoint: cp})
			note(n, err)
			n, err = db.SavePunches(ctx, kaoqin.PunchBatch{Scope: scope, Punches: punches, SyncedAt: int64(step)})
			note(n, err)
			n, err = db.SaveSchedules(ctx, kaoqin.ScheduleBatch{Scope: scope, Schedules: scheds})
			note(n, err)
			first := int64(slices.Index(days, scope.From)+10) * hour
			n, err = db.SaveLeaves(ctx, kaoqin.LeaveBatch{UserIDs: scope.UserIDs, Start: first, End: first + 3*24*hour, Leaves: leaves})
			note(n, err)
		}
		note(nil, db.MarkCovered(ctx, []kaoqin.DayCoverage{{Day: day, SyncedAt: int64(step), Closed: step%2 == 0}}))
		note(nil, db.MarkKindCovered(ctx, kaoqin.CoverPunches, []kaoqin.DayCoverage{{Day: day, SyncedAt: int64(step), Closed: step%3 == 0}}))
		run := &kaoqin.SyncRun{Kind: "org+attendance", From: day, To: day, StartedAt: int64(step)}
		note(run.ID, db.CreateRun(ctx, run))
		run.Status, run.CallsBy = kaoqin.RunOK, map[string]int64{"/attendance/list": int64(step)}
		note(nil, db.UpdateRun(ctx, run))
		for i := range 5 {
			note(nil, db.RecordCall(ctx, kaoqin.Call{Month: "2026-11", Path: fmt.Sprintf("/p%d", i%2), Metered: i%2 == 0, Errcode: i % 3}))
		}
		u := &kaoqin.User{Name: fmt.Sprintf("user-%d", step), Role: kaoqin.RoleManager, DeptIDs: []int64{int64(step)}}
		note(u.ID, db.CreateUser(ctx, u))
		note(nil, db.AddAudit(ctx, &kaoqin.AuditEntry{At: int64(step % 3), User: u.Name, Action: "export", Target: day}))
	}

	// Everything, as the rest of kaoqin would read it.
	note(db.Departments(ctx))
	note(db.Employees(ctx))
	for _, rng := range [][2]string{{"2026-10-01", "2026-10-31"}, {"2026-11-03", "2026-11-03"}, {"2026-11-01", "2026-11-30"}} {
		note(db.Memberships(ctx, rng[0], rng[1]))
	}
	for _, f := range []kaoqin.Filter{{}, {From: "2026-11-04", To: "2026-11-04"}, {From: "2026-11-02", To: "2026-11-05", UserIDs: users[3:9]}} {
		note(db.Checks(ctx, f))
		note(db.Punches(ctx, f))
		note(db.BriefPunches(ctx, f))
		note(db.Schedules(ctx, f))
		note(db.PunchPulls(ctx, f))
	}
	note(db.Leaves(ctx, 0, 100*hour))
	note(db.Leaves(ctx, 12*hour, 14*hour))
	// A slice of the company, as the period report reads it.
	slice := kaoqin.Filter{From: "2026-11-02", To: "2026-11-05", After: "a-8", Through: "张0"}
	note(db.EmployeesAfter(ctx, "U01", 5))
	note(db.MembershipsOf(ctx, slice))
	note(db.Checks(ctx, slice))
	note(db.LeavesOf(ctx, slice, 0, 100*hour))
	note(db.Coverage(ctx, "2026-10-30", "2026-11-30"))
	note(db.KindCoverage(ctx, kaoqin.CoverPunches, "2026-10-30", "2026-11-30"))
	runs, err := db.Runs(ctx, 5)
	note(runs, err)
	note(db.Checkpoints(ctx, "att:2026-11-0"))
	note(db.Ledger(ctx, "2026-11"))
	note(db.Users(ctx))
	note(db.Audit(ctx, 0))
	return log
}

// TestSlices_PartitionTheCompany reads the company a slice at a time, as the period report
// does: pages of EmployeesAfter bound slices (After, Through], the last one open, and the
// slices' rows put together are the whole company's, in the same order.
func TestSlices_PartitionTheCompany(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		playScenario(t, db)
		from, to := "2026-11-02", "2026-11-06"
		var emps []kaoqin.Employee
		var ms []kaoqin.Membership
		var cs []kaoqin.Check
		var ls []kaoqin.Leave
		parts := 0
		for after := ""; ; parts++ {
			page, err := db.EmployeesAfter(ctx, after, 5)
			must(t, err)
			emps = append(emps, page...)
			f := kaoqin.Filter{From: from, To: to, After: after}
			if len(page) == 5 {
				f.Through = page[4].UserID
			}
			m, err := db.MembershipsOf(ctx, f)
			must(t, err)
			c, err := db.Checks(ctx, f)
			must(t, err)
			l, err := db.LeavesOf(ctx, f, 0, 100*hour)
			must(t, err)
			ms, cs, ls = append(ms, m...), append(cs, c...), append(ls, l...)
			if f.Through == "" {
				break
			}
			after = f.Through
		}
		if parts < 3 {
			t.Fatalf("%d slices of 5: the scenario has too few employees to test", parts)
		}
		wantEmps, err := db.Employees(ctx)
		must(t, err)
		wantMs, err := db.Memberships(ctx, from, to)
		must(t, err)
		wantCs, err := db.Checks(ctx, kaoqin.Filter{From: from, To: to})
		must(t, err)
		wantLs, err := db.Leaves(ctx, 0, 100*hour)
		must(t, err)
		for _, d := range []string{
			cmp.Diff(wantEmps, emps), cmp.Diff(wantMs, ms), cmp.Diff(wantCs, cs), cmp.Diff(wantLs, ls),
		} {
			if d != "" {
				t.Errorf("the slices differ from the whole (-whole +slices):\n%s", d)
			}
		}
		_, err = db.EmployeesAfter(ctx, "", 0)
		wantCode(t, err, kaoqin.EINVALID)
	})
}
