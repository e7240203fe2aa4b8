package syncer_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/syncer"
)

// daily returns the daily report of day as JSON.
func daily(t *testing.T, e *env, day string) (string, *report.Daily) {
	t.Helper()
	// The same "now" for every report, so that only the data can make two of them differ.
	d, err := report.LoadDaily(context.Background(), e.db, day, report.Options{Location: shanghai, Now: testNow.AddDate(0, 1, 0)})
	must(t, err)
	b, err := json.Marshal(d)
	must(t, err)
	return string(b), d
}

func employeeDepts(t *testing.T, d *report.Daily, userid string) []int64 {
	t.Helper()
	for _, e := range d.Employees {
		if e.UserID == userid {
			return e.DepartmentIDs
		}
	}
	t.Fatalf("%s is not in the daily report of %s", userid, d.Date)
	return nil
}

func TestRun_transferKeepsEarlierReports(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.sync(syncer.Request{From: "2026-11-16", To: "2026-11-19"})
	before, d := daily(t, e, "2026-11-18")

	// Someone in exactly one department moves to another one.
	var who string
	var from, to int64
	for _, u := range e.sim.Truth().Users() {
		if len(u.DeptIDs) == 1 && len(employeeDepts(t, d, u.UserID)) == 1 {
			who, from = u.UserID, u.DeptIDs[0]
			break
		}
	}
	for _, dept := range e.sim.Truth().Departments() {
		if dept.ID != from && dept.ID != kaoqin.RootDeptID {
			to = dept.ID
			break
		}
	}
	must(t, e.sim.Transfer(who, to))

	// Monday: the nightly sync of the day.
	e.setNow(time.Date(2026, 11, 23, 21, 0, 0, 0, shanghai))
	e.sync(syncer.Request{From: "2026-11-23", To: "2026-11-23"})
	assertMirrors(t, e.sim, e.db, "2026-11-23", "2026-11-23", false)

	after, _ := daily(t, e, "2026-11-18")
	if after != before {
		i := 0
		for i < min(len(before), len(after)) && before[i] == after[i] {
			i++
		}
		t.Errorf("the report of 2026-11-18 changed after a transfer on 2026-11-23, from byte %d:\nbefore …%.200s\nafter  …%.200s",
			i, before[max(0, i-100):], after[max(0, i-100):])
	}
	_, monday := daily(t, e, "2026-11-23")
	if got := employeeDepts(t, monday, who); !slices.Equal(got, []int64{to}) {
		t.Errorf("%s on 2026-11-23 is in %v, want [%d]", who, got, to)
	}
	ms, err := e.db.Memberships(context.Background(), "2026-11-18", "2026-11-23")
	must(t, err)
	var held []kaoqin.Membership
	for _, m := range ms {
		if m.UserID == who {
			held = append(held, m)
		}
	}
	if len(held) != 2 || held[0].To == "" && held[1].To == "" {
		t.Errorf("%s's memberships: %+v, want the old one closed on 2026-11-22 and the new one open", who, held)
	}
}

func TestRun_departuresAreMarkedNotDeleted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.sync(syncer.Request{From: "2026-11-16", To: "2026-11-18"})
	var emptyDept int64
	for _, d := range e.sim.Truth().Departments() {
		if len(d.Members) == 0 && len(e.sim.Truth().Subtree(d.ID)) == 1 && d.ID != kaoqin.RootDeptID {
			emptyDept = d.ID
			break
		}
	}
	if emptyDept == 0 {
		id, err := e.sim.AddDepartment(kaoqin.RootDeptID, "临时项目组")
		must(t, err)
		e.sync(syncer.Request{OrgOnly: true})
		emptyDept = id
	}
	must(t, e.sim.RemoveDepartment(emptyDept))
	gone := e.sim.Truth().UserIDs()[3]
	must(t, e.sim.RemoveUser(gone))

	e.setNow(time.Date(2026, 11, 23, 21, 0, 0, 0, shanghai))
	sum := e.sync(syncer.Request{From: "2026-11-19", To: "2026-11-20"})
	if sum.Org.EmployeesLeft != 1 || sum.Org.DepartmentsRemoved != 1 {
		t.Errorf("org change %+v, want one employee left and one department removed", *sum.Org)
	}
	emps, err := e.db.Employees(context.Background())
	must(t, err)
	i := slices.IndexFunc(emps, func(x kaoqin.Employee) bool { return x.UserID == gone })
	if i < 0 || emps[i].LeftAt == 0 || emps[i].Name == "" {
		t.Fatalf("the departed employee is %+v, want kept with LeftAt set", emps)
	}
	depts, err := e.db.Departments(context.Background())
	must(t, err)
	j := slices.IndexFunc(depts, func(d kaoqin.Department) bool { return d.ID == emptyDept })
	if j < 0 || depts[j].RemovedAt == 0 {
		t.Errorf("the removed department is not kept as removed")
	}
	// Their past still counts: the days they were there are synced for them too.
	checks, err := e.db.Checks(context.Background(), kaoqin.Filter{From: "2026-11-19", To: "2026-11-20", UserIDs: []string{gone}})
	must(t, err)
	diff(t, "the departed employee's checks", pulled(t, checks, 0, e.sim.Now().UnixMilli()), truthChecks(e.sim, []string{gone}, "2026-11-19", "2026-11-20"))
	if len(checks) == 0 {
		t.Error("the departed employee has no checks on days they were employed")
	}
}

func TestRun_homeSchoolDepartmentIsSkipped(t *testing.T) {
	t.Parallel()
	// Some orgs list the home-school contacts (家校通讯录) as department -1 under the root;
	// asking anything about it fails with 60003.
	e := newEnv(t, envOptions{sim: dingtalksim.Config{NegativeDept: true}})
	e.sync(syncer.Request{From: rangeTo, To: rangeTo})
	assertMirrors(t, e.sim, e.db, rangeTo, rangeTo, true)
}
