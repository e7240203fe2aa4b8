package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

func dept(id, parent int64, name string) kaoqin.Department {
	return kaoqin.Department{ID: id, ParentID: parent, Name: name, Order: id * 10}
}

func emp(id, name string, depts ...int64) kaoqin.Employee {
	return kaoqin.Employee{UserID: id, Name: name, JobNumber: "J" + id, Title: "职员", HiredAt: 1_600_000_000_000, DeptIDs: depts}
}

func saveOrg(t *testing.T, db *store.DB, snap kaoqin.OrgSnapshot, want kaoqin.OrgChange) {
	t.Helper()
	got, err := db.SaveOrg(context.Background(), snap)
	must(t, err)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SaveOrg(%s) change (-want +got):\n%s", snap.Day, diff)
	}
}

func memberships(t *testing.T, db *store.DB, from, to string) []kaoqin.Membership {
	t.Helper()
	ms, err := db.Memberships(context.Background(), from, to)
	must(t, err)
	return ms
}

// TestSaveOrg_History walks an org through a month: a transfer, a departure, a new
// department, a removed one, and people and departments coming back.
func TestSaveOrg_History(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		root, sales, eng := dept(1, 0, "公司"), dept(2, 1, "销售部"), dept(3, 1, "研发部")
		oct := kaoqin.OrgSnapshot{Day: "2026-10-01", At: 1000,
			Departments: []kaoqin.Department{root, sales, eng},
			Employees:   []kaoqin.Employee{emp("alice", "Alice", 2), emp("bob", "Bob", 3), emp("carol", "Carol", 3, 2)},
		}
		saveOrg(t, db, oct, kaoqin.OrgChange{DepartmentsAdded: 3, EmployeesAdded: 3, MembershipsOpened: 4})
		saveOrg(t, db, oct, kaoqin.OrgChange{}) // the same snapshot twice changes nothing

		// 5 November: Alice moves to R&D, Bob leaves, Sales is renamed, Ops opens with Dave.
		sales2, ops := sales, dept(4, 1, "运维部")
		sales2.Name = "销售一部"
		nov5 := kaoqin.OrgSnapshot{Day: "2026-11-05", At: 2000,
			Departments: []kaoqin.Department{root, sales2, eng, ops},
			Employees:   []kaoqin.Employee{emp("alice", "Alice", 3), emp("carol", "Carol", 2, 3), emp("dave", "Dave", 4)},
		}
		saveOrg(t, db, nov5, kaoqin.OrgChange{DepartmentsAdded: 1, DepartmentsUpdated: 1, EmployeesAdded: 1,
			EmployeesLeft: 1, MembershipsOpened: 2, MembershipsClosed: 2})
		saveOrg(t, db, nov5, kaoqin.OrgChange{})

		// October's reports still see Alice in Sales and Bob in R&D.
		wantOct := []kaoqin.Membership{
			{UserID: "alice", DeptID: 2, To: "2026-11-04"},
			{UserID: "bob", DeptID: 3, To: "2026-11-04"},
			{UserID: "carol", DeptID: 2},
			{UserID: "carol", DeptID: 3},
			{UserID: "dave", DeptID: 4}, // first seen now: kaoqin cannot know since when
		}
		if diff := cmp.Diff(wantOct, memberships(t, db, "2026-10-01", "2026-10-31")); diff != "" {
			t.Errorf("October's memberships (-want +got):\n%s", diff)
		}
		wantNov := []kaoqin.Membership{
			{UserID: "alice", DeptID: 3, From: "2026-11-05"},
			{UserID: "carol", DeptID: 2},
			{UserID: "carol", DeptID: 3},
			{UserID: "dave", DeptID: 4},
		}
		if diff := cmp.Diff(wantNov, memberships(t, db, "2026-11-05", "2026-11-05")); diff != "" {
			t.Errorf("memberships on 5 November (-want +got):\n%s", diff)
		}
		// The day of the transfer is the first of the new membership: 4 November is still Sales.
		if diff := cmp.Diff(wantOct[:1], memberships(t, db, "2026-11-04", "2026-11-04")[:1]); diff != "" {
			t.Errorf("Alice on 4 November (-want +got):\n%s", diff)
		}

		// 10 November: R&D is gone (its people moved to Ops), Bob comes back into Ops.
		nov10 := kaoqin.OrgSnapshot{Day: "2026-11-10", At: 3000,
			Departments: []kaoqin.Department{root, sales2, ops},
			Employees:   []kaoqin.Employee{emp("alice", "Alice", 4), emp("bob", "Bob", 4), emp("carol", "Carol", 2, 4), emp("dave", "Dave", 4)},
		}
		saveOrg(t, db, nov10, kaoqin.OrgChange{DepartmentsRemoved: 1, EmployeesAdded: 1, MembershipsOpened: 3, MembershipsClosed: 2})

		depts, err := db.Departments(ctx)
		must(t, err)
		eng.RemovedAt = 3000
		if diff := cmp.Diff([]kaoqin.Department{root, sales2, eng, ops}, depts); diff != "" {
			t.Errorf("departments (-want +got):\n%s", diff)
		}
		emps, err := db.Employees(ctx)
		must(t, err)
		wantEmps := []kaoqin.Employee{emp("alice", "Alice", 4), emp("bob", "Bob", 4), emp("carol", "Carol", 2, 4), emp("dave", "Dave", 4)}
		if diff := cmp.Diff(wantEmps, emps); diff != "" {
			t.Errorf("employees (-want +got):\n%s", diff)
		}
		// BriefEmployees: the same people, with what the reports read only.
		brief, err := db.BriefEmployees(ctx)
		must(t, err)
		for i, e := range wantEmps {
			wantEmps[i] = kaoqin.Employee{UserID: e.UserID, Name: e.Name, JobNumber: e.JobNumber, HiredAt: e.HiredAt, LeftAt: e.LeftAt}
		}
		if diff := cmp.Diff(wantEmps, brief); diff != "" {
			t.Errorf("brief employees (-want +got):\n%s", diff)
		}
		wantBob := []kaoqin.Membership{{UserID: "bob", DeptID: 3, To: "2026-11-04"}, {UserID: "bob", DeptID: 4, From: "2026-11-10"}}
		var bob []kaoqin.Membership
		for _, m := range memberships(t, db, "2026-10-01", "2026-11-30") {
			if m.UserID == "bob" {
				bob = append(bob, m)
			}
		}
		if diff := cmp.Diff(wantBob, bob); diff != "" {
			t.Errorf("Bob's memberships (-want +got):\n%s", diff)
		}

		// 12 November: R&D is back, empty.
		nov12 := nov10
		nov12.Day, nov12.At = "2026-11-12", 4000
		nov12.Departments = []kaoqin.Department{root, sales2, eng, ops}
		eng.RemovedAt = 0
		saveOrg(t, db, nov12, kaoqin.OrgChange{DepartmentsAdded: 1})
		depts, err = db.Departments(ctx)
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Department{root, sales2, eng, ops}, depts); diff != "" {
			t.Errorf("departments after R&D came back (-want +got):\n%s", diff)
		}
	})
}

// TestSaveOrg_Departed keeps a departed employee, with LeftAt and no departments.
func TestSaveOrg_Departed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		depts := []kaoqin.Department{dept(1, 0, "公司")}
		saveOrg(t, db, kaoqin.OrgSnapshot{Day: "2026-11-01", At: 1000, Departments: depts,
			Employees: []kaoqin.Employee{emp("alice", "Alice", 1), emp("bob", "Bob", 1)}},
			kaoqin.OrgChange{DepartmentsAdded: 1, EmployeesAdded: 2, MembershipsOpened: 2})
		saveOrg(t, db, kaoqin.OrgSnapshot{Day: "2026-11-02", At: 2000, Departments: depts,
			Employees: []kaoqin.Employee{emp("alice", "Alice", 1)}},
			kaoqin.OrgChange{EmployeesLeft: 1, MembershipsClosed: 1})
		emps, err := db.Employees(ctx)
		must(t, err)
		bob := emp("bob", "Bob")
		bob.LeftAt = 2000
		if diff := cmp.Diff([]kaoqin.Employee{emp("alice", "Alice", 1), bob}, emps); diff != "" {
			t.Errorf("employees (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]kaoqin.Membership{{UserID: "alice", DeptID: 1}},
			memberships(t, db, "2026-11-02", "2026-11-30")); diff != "" {
			t.Errorf("memberships after Bob left (-want +got):\n%s", diff)
		}
	})
}

// TestSaveOrg_TransferUndoneSameDay leaves no trace of a transfer undone within a day.
func TestSaveOrg_TransferUndoneSameDay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		depts := []kaoqin.Department{dept(1, 0, "公司"), dept(2, 1, "A"), dept(3, 1, "B")}
		snap := func(day string, at int64, d int64) kaoqin.OrgSnapshot {
			return kaoqin.OrgSnapshot{Day: day, At: at, Departments: depts, Employees: []kaoqin.Employee{emp("alice", "Alice", d)}}
		}
		saveOrg(t, db, snap("2026-11-01", 1, 2), kaoqin.OrgChange{DepartmentsAdded: 3, EmployeesAdded: 1, MembershipsOpened: 1})
		saveOrg(t, db, snap("2026-11-05", 2, 3), kaoqin.OrgChange{MembershipsOpened: 1, MembershipsClosed: 1})
		saveOrg(t, db, snap("2026-11-05", 3, 2), kaoqin.OrgChange{MembershipsOpened: 1, MembershipsClosed: 1})
		if diff := cmp.Diff([]kaoqin.Membership{{UserID: "alice", DeptID: 2}},
			memberships(t, db, "2026-10-01", "2026-12-31")); diff != "" {
			t.Errorf("memberships (-want +got):\n%s", diff)
		}
		// The next day's transfer is a real one.
		saveOrg(t, db, snap("2026-11-06", 4, 3), kaoqin.OrgChange{MembershipsOpened: 1, MembershipsClosed: 1})
		want := []kaoqin.Membership{{UserID: "alice", DeptID: 2, To: "2026-11-05"}, {UserID: "alice", DeptID: 3, From: "2026-11-06"}}
		if diff := cmp.Diff(want, memberships(t, db, "2026-10-01", "2026-12-31")); diff != "" {
			t.Errorf("memberships after a real transfer (-want +got):\n%s", diff)
		}
	})
}

// TestSaveOrg_Duplicates merges an employee DingTalk listed under two departments.
func TestSaveOrg_Duplicates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		saveOrg(t, db, kaoqin.OrgSnapshot{Day: "2026-11-01", At: 1,
			Departments: []kaoqin.Department{dept(1, 0, "公司"), dept(2, 1, "A"), dept(3, 1, "B")},
			Employees:   []kaoqin.Employee{emp("alice", "Alice", 3), emp("alice", "Alice", 2, 3)}},
			kaoqin.OrgChange{DepartmentsAdded: 3, EmployeesAdded: 1, MembershipsOpened: 2})
		emps, err := db.Employees(context.Background())
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Employee{emp("alice", "Alice", 2, 3)}, emps); diff != "" {
			t.Errorf("employees (-want +got):\n%s", diff)
		}
	})
}

func TestSaveOrg_Invalid(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		saveOrg(t, db, kaoqin.OrgSnapshot{Day: "2026-11-01", At: 1, Departments: []kaoqin.Department{dept(1, 0, "公司")},
			Employees: []kaoqin.Employee{emp("alice", "Alice", 1)}},
			kaoqin.OrgChange{DepartmentsAdded: 1, EmployeesAdded: 1, MembershipsOpened: 1})
		for name, snap := range map[string]kaoqin.OrgSnapshot{
			"ErrNoDepartments": {Day: "2026-11-02", At: 2},
			"ErrBadDay":        {Day: "2026/11/02", At: 2, Departments: []kaoqin.Department{dept(1, 0, "公司")}},
			"ErrNoUserID":      {Day: "2026-11-02", At: 2, Departments: []kaoqin.Department{dept(1, 0, "公司")}, Employees: []kaoqin.Employee{emp("", "X", 1)}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := db.SaveOrg(ctx, snap)
				wantCode(t, err, kaoqin.EINVALID)
			})
		}
		emps, err := db.Employees(ctx)
		must(t, err)
		if len(emps) != 1 || emps[0].LeftAt != 0 {
			t.Errorf("a refused snapshot changed the employees: %+v", emps)
		}
		_, err = db.Memberships(ctx, "2026-11-30", "2026-11-01")
		wantCode(t, err, kaoqin.EINVALID)
	})
}
