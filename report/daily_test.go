package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kaoqin/kaoqin"
)

func mustDaily(t *testing.T, in Input, day string, o Options) *Daily {
	t.Helper()
	d, err := ComputeDaily(in, day, o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestComputeDaily_Counts(t *testing.T) {
	d := mustDaily(t, company(), "2026-11-18", opts(when("2026-11-19", "08:00")))
	// Each count of each line, with the people behind it; see fixture_test.go.
	for _, test := range []struct {
		dept  int64 // 0: the company line
		field string
		who   []string
	}{
		// The company line: everyone known for the day, 郑十 (u08, no department) included.
		{0, "headcount", []string{"u01", "u02", "u03", "u04", "u06", "u07", "u08", "u09", "u10", "u11"}},
		// The root's subtree: members only.
		{1, "headcount", []string{"u01", "u02", "u03", "u04", "u06", "u07", "u09", "u10", "u11"}},
		// 李四 (u02) is in 后端组 and 销售部: counted in both, once in their parents.
		{3, "late", []string{"u02"}},
		{5, "late", []string{"u02"}},
		{1, "late", []string{"u02"}},
		{0, "late", []string{"u02"}},
		// 周八 (u06) moved to 销售部 on 11-17: counted there, not in 前端组.
		{4, "headcount", []string{"u03", "u11"}},
		{5, "headcount", []string{"u02", "u04", "u06", "u07"}},
		{5, "early", []string{"u06"}},
		{4, "early", []string{}},
		// The split shift: late in the afternoon is serious_late.
		{4, "serious_late", []string{"u03"}},
		// 吴九 absent: absent and not checked in; 赵六 on half-day leave: neither.
		{5, "absent", []string{"u07"}},
		{5, "not_checked_in", []string{"u07"}},
		{5, "checked_in", []string{"u02", "u06"}},
		{5, "on_leave", []string{"u04"}},
		{5, "missing_on_duty", []string{}},
		{3, "missing_off_duty", []string{"u09"}},
		{0, "outside", []string{"u06", "u09"}},
		{2, "scheduled", []string{"u01", "u02", "u03", "u09", "u10", "u11"}},
		{0, "absenteeism_late", []string{}},
	} {
		got, err := d.Who(test.dept, test.field)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(test.who, got); diff != "" {
			t.Errorf("Who(%d, %s) (-want +got):\n%s", test.dept, test.field, diff)
		}
	}
}

// Every number of the daily report is the length of its Who, and each department's
// not-checked-in list is its Who.
func TestDaily_WhoExplainsEveryNumber(t *testing.T) {
	for _, tc := range goldenCases {
		r, err := tc.compute()
		if err != nil {
			t.Fatal(err)
		}
		d, ok := r.(*Daily)
		if !ok {
			continue
		}
		lines := map[int64]Counts{0: d.Company}
		for _, x := range d.Departments {
			lines[x.ID] = x.Counts
			who, _ := d.Who(x.ID, "not_checked_in")
			var listed []string
			for _, p := range x.NotCheckedIn {
				listed = append(listed, p.UserID)
			}
			if !slices.Equal(who, listed) {
				t.Errorf("%s: department %d lists %v as not checked in, Who says %v", tc.name, x.ID, listed, who)
			}
		}
		for id, c := range lines {
			for _, f := range dailyFields {
				who, err := d.Who(id, f.name)
				if err != nil {
					t.Fatal(err)
				}
				if n := *f.get(&c); len(who) != n {
					t.Errorf("%s: department %d %s = %d, but Who gives %d people", tc.name, id, f.name, n, len(who))
				}
			}
		}
	}
}

func TestComputeDaily_Departments(t *testing.T) {
	in := company()
	// 旧项目组 (6) was removed on 11-12 at 10:00: still in the report of that day, not after.
	for day, want := range map[string][]int64{
		"2026-11-10": {1, 2, 3, 4, 5, 6},
		"2026-11-12": {1, 2, 3, 4, 5, 6},
		"2026-11-13": {1, 2, 3, 4, 5},
	} {
		d := mustDaily(t, in, day, opts(when("2026-11-24", "08:00")))
		var got []int64
		for _, x := range d.Departments {
			got = append(got, x.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: departments %v, want %v", day, got, want)
		}
	}
	// 孙七 (u05) on 11-10: absent, in 旧项目组.
	d := mustDaily(t, in, "2026-11-10", opts(when("2026-11-24", "08:00")))
	if who, _ := d.Who(6, "absent"); !slices.Equal(who, []string{"u05"}) {
		t.Errorf("11-10 absent in 旧项目组: %v, want [u05]", who)
	}
	// After leaving, 孙七 is not known for the day at all.
	d = mustDaily(t, in, "2026-11-18", opts(when("2026-11-24", "08:00")))
	if _, ok := d.Employee("u05"); ok {
		t.Error("u05 left after 11-11 but is in the report of 11-18")
	}
	// 郑十 (u08) has checks and no department: listed with [] and counted in the company line.
	e, ok := d.Employee("u08")
	if !ok {
		t.Fatal("u08 has checks on 11-18 but is not in the report")
	}
	b, _ := json.Marshal(e)
	if !strings.Contains(string(b), `"department_ids":[]`) {
		t.Errorf("u08 department_ids: %s, want []", b)
	}
	if e, _ := d.Employee("u02"); !slices.Equal(e.DepartmentIDs, []int64{3, 5}) {
		t.Errorf("u02 department_ids = %v, want [3 5]", e.DepartmentIDs)
	}
}

func TestComputeDaily_Checks(t *testing.T) {
	d := mustDaily(t, company(), "2026-11-18", opts(when("2026-11-19", "08:00")))
	e, _ := d.Employee("u04")
	b, err := json.Marshal(e.Checks)
	if err != nil {
		t.Fatal(err)
	}
	// The NotSigned check of the half-day leave: no punch time (DingTalk puts the base time
	// there), its approval id; the signed one: the punch in the zone, no approval.
	want := `[{"id":` + itoa(int(e.Checks[0].ID)) + `,"check_type":"OnDuty","time_result":"NotSigned","location_result":"NotSigned",` +
		`"base_check_time":"2026-11-18T09:00:00+08:00","user_check_time":null,"approve_id":7001},` +
		`{"id":` + itoa(int(e.Checks[1].ID)) + `,"check_type":"OffDuty","time_result":"Normal","location_result":"Normal",` +
		`"base_check_time":"2026-11-18T18:00:00+08:00","user_check_time":"2026-11-18T18:01:00+08:00","approve_id":null}]`
	if string(b) != want {
		t.Errorf("checks:\n got %s\nwant %s", b, want)
	}
	// Split shift: four checks in time order.
	e, _ = d.Employee("u03")
	var types []string
	for _, c := range e.Checks {
		types = append(types, c.CheckType+"@"+c.BaseCheckTime.Format("15:04"))
	}
	if want := []string{"OnDuty@09:00", "OffDuty@12:00", "OnDuty@14:00", "OffDuty@18:00"}; !slices.Equal(types, want) {
		t.Errorf("u03 checks %v, want %v", types, want)
	}
}

func TestComputeDaily_InProgress(t *testing.T) {
	now := when("2026-11-18", "09:10")
	d := mustDaily(t, asOf(company(), now), "2026-11-18", opts(now))
	if d.Final {
		t.Error("a day synced before its end is final")
	}
	for _, test := range []struct {
		field string
		who   []string
	}{
		// 钱十一 (u10) starts at 14:00: scheduled, but not "not checked in".
		{"scheduled", []string{"u01", "u02", "u03", "u04", "u06", "u07", "u08", "u09", "u10", "u11"}},
		{"not_checked_in", []string{"u07"}},
		// 吴九 has missed the check-in, but the check-out is still to come: not absent.
		{"missing_on_duty", []string{"u07"}},
		{"absent", []string{}},
		// Check-outs still to come are not missing.
		{"missing_off_duty", []string{}},
		{"checked_in", []string{"u01", "u02", "u03", "u06", "u08", "u09", "u11"}},
	} {
		if got, _ := d.Who(0, test.field); !slices.Equal(got, test.who) {
			t.Errorf("Who(0, %s) = %v, want %v", test.field, got, test.who)
		}
	}
	e, _ := d.Employee("u10")
	if e.Status != StatusPending || !e.Checks[0].Pending || e.Checks[0].UserCheckTime != nil {
		t.Errorf("u10 at 09:10: status %s, first check %+v; want pending, no punch", e.Status, e.Checks[0])
	}
}

// TestComputeDaily_JudgedAsPulled: DingTalk's NotSigned means "missed" only for a check whose
// time had come when kaoqin pulled it. Pulled at 08:55, a 09:00 check-in is still to come,
// whatever the clock says when the report is made.
func TestComputeDaily_JudgedAsPulled(t *testing.T) {
	now := when("2026-11-18", "09:10")
	for _, test := range []struct {
		pulled       string
		notIn, pends bool
	}{
		{"08:55", false, true}, // before the check-in was due: pending, not "not checked in"
		{"09:05", true, false}, // after it was due: DingTalk judged it NotSigned
	} {
		b := &builder{}
		b.in.Departments = []kaoqin.Department{{ID: 1, Name: "公司"}}
		b.in.Employees = []kaoqin.Employee{{UserID: "u1", Name: "甲", DeptIDs: []int64{1}}}
		b.in.Memberships = []kaoqin.Membership{{UserID: "u1", DeptID: 1}}
		pulledAt := func(c *kaoqin.Check) { c.SyncedAt = ms("2026-11-18", test.pulled) }
		b.check("u1", "2026-11-18", kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned, pulledAt)
		b.check("u1", "2026-11-18", kaoqin.OffDuty, "18:00", "", kaoqin.TimeNotSigned, pulledAt)
		b.in.Coverage = []kaoqin.DayCoverage{{Day: "2026-11-18", SyncedAt: ms("2026-11-18", test.pulled)}}
		d := mustDaily(t, b.in, "2026-11-18", opts(now))
		notIn, _ := d.Who(0, "not_checked_in")
		missing, _ := d.Who(0, "missing_on_duty")
		e, _ := d.Employee("u1")
		if (len(notIn) == 1) != test.notIn || (len(missing) == 1) != test.notIn || e.Checks[0].Pending != test.pends {
			t.Errorf("pulled at %s, reported at 09:10: not checked in %v, missing %v, check-in pending %v; want %v, %v, %v",
				test.pulled, notIn, missing, e.Checks[0].Pending, test.notIn, test.notIn, test.pends)
		}
	}
}

func TestComputeDaily_Scope(t *testing.T) {
	d := mustDaily(t, company(), "2026-11-18", opts(when("2026-11-19", "08:00"), 2))
	var ids []int64
	for _, x := range d.Departments {
		ids = append(ids, x.ID)
	}
	if !slices.Equal(ids, []int64{2, 3, 4}) {
		t.Errorf("departments %v, want the subtree of 2: [2 3 4]", ids)
	}
	var users []string
	for _, e := range d.Employees {
		users = append(users, e.UserID)
	}
	if want := []string{"u01", "u02", "u03", "u09", "u10", "u11"}; !slices.Equal(users, want) {
		t.Errorf("employees %v, want %v", users, want)
	}
	// The company line is the subtree's, never the company's.
	if d.Company != d.Departments[0].Counts {
		t.Errorf("company line %+v, want the subtree's %+v", d.Company, d.Departments[0].Counts)
	}
	// Two subtrees, one inside the other: the union, each person once.
	d2 := mustDaily(t, company(), "2026-11-18", opts(when("2026-11-19", "08:00"), 3, 5, 2))
	if d2.Company.Headcount != 9 {
		t.Errorf("scope 3,5,2: headcount %d, want 9 (everyone with a department)", d2.Company.Headcount)
	}
	if _, err := d.Who(5, "late"); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("Who on a department outside the scope: %v, want ENOTFOUND", err)
	}
}

func TestComputeDaily_Errors(t *testing.T) {
	in := company()
	now := when("2026-11-24", "08:00")
	for _, test := range []struct {
		name string
		in   Input
		day  string
		opts Options
		code string
		msg  string
	}{
		{"not synced", Input{Departments: in.Departments}, "2026-11-18", opts(now), kaoqin.ENOTSYNCED,
			"attendance of 2026-11-18 has not been synced: run kaoqin sync --from 2026-11-18 --to 2026-11-18"},
		{"bad date", in, "2026-11-31", opts(now), kaoqin.EINVALID, `bad date "2026-11-31"`},
		{"unknown department", in, "2026-11-18", opts(now, 99), kaoqin.ENOTFOUND, "department 99 not found"},
		{"no zone", in, "2026-11-18", Options{Now: now}, kaoqin.EINTERNAL, "Location is required"},
		{"no now", in, "2026-11-18", Options{Location: shanghai}, kaoqin.EINTERNAL, "Now is required"},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := ComputeDaily(test.in, test.day, test.opts)
			if code := kaoqin.ErrorCode(err); code != test.code {
				t.Fatalf("error %v: code %s, want %s", err, code, test.code)
			}
			if !strings.Contains(err.Error(), test.msg) {
				t.Errorf("error %q does not say %q", err, test.msg)
			}
		})
	}
	d := mustDaily(t, in, "2026-11-18", opts(now))
	if _, err := d.Who(0, "lateness"); kaoqin.ErrorCode(err) != kaoqin.EINVALID || !strings.Contains(err.Error(), "late") {
		t.Errorf("Who with an unknown field: %v, want EINVALID listing the fields", err)
	}
}

func TestCompactDays(t *testing.T) {
	for _, test := range []struct {
		days []string
		want string
	}{
		{[]string{"2026-11-03"}, "2026-11-03"},
		{[]string{"2026-11-03", "2026-11-04", "2026-11-05", "2026-11-09"}, "2026-11-03..2026-11-05, 2026-11-09"},
		{[]string{"2026-10-31", "2026-11-01"}, "2026-10-31..2026-11-01"},
		{[]string{"2026-11-01", "2026-11-03", "2026-11-05", "2026-11-07", "2026-11-09", "2026-11-11", "2026-11-13",
			"2026-11-15", "2026-11-17", "2026-11-19"},
			"2026-11-01, 2026-11-03, 2026-11-05, 2026-11-07, 2026-11-09, 2026-11-11, 2026-11-13, 2026-11-15, and 2 more range(s)"},
	} {
		if got := compactDays(test.days); got != test.want {
			t.Errorf("compactDays(%v) = %q, want %q", test.days, got, test.want)
		}
	}
}

// Times are shown in the configured zone, whatever it is.
func TestComputeDaily_Zone(t *testing.T) {
	in := company()
	in.Coverage = append(in.Coverage, kaoqin.DayCoverage{Day: "2026-11-17", Closed: true})
	d := mustDaily(t, in, "2026-11-18", Options{Location: time.UTC, Now: afterRange})
	if d.Timezone != "UTC" || d.GeneratedAt.Format(time.RFC3339) != "2026-11-24T00:00:00Z" {
		t.Errorf("timezone %s, generated at %s", d.Timezone, d.GeneratedAt.Format(time.RFC3339))
	}
	e, _ := d.Employee("u01")
	b, _ := json.Marshal(e.Checks[0].BaseCheckTime)
	if string(b) != `"2026-11-18T01:00:00Z"` {
		t.Errorf("09:00 in Shanghai shown in UTC as %s", b)
	}
}

// TestScopedReports_NameOnlyDepartmentsInScope: 李四 (u02) is in 后端组 (3) and 销售部 (5). A
// manager of 研发部 (2) sees them, but not that they also belong to 销售部.
func TestScopedReports_NameOnlyDepartmentsInScope(t *testing.T) {
	o := opts(afterRange, 2)
	d := mustDaily(t, company(), "2026-11-18", o)
	if e, ok := d.Employee("u02"); !ok || !slices.Equal(e.DepartmentIDs, []int64{3}) {
		t.Errorf("daily: u02's departments %v, want [3] only", e.DepartmentIDs)
	}
	p := mustPeriod(t, company(), "2026-11-09", "2026-11-23", o)
	if e, ok := p.Employee("u02"); !ok || !slices.Equal(e.DepartmentIDs, []int64{3}) {
		t.Errorf("period: u02's departments %v, want [3] only", e.DepartmentIDs)
	}
	c, err := ComputeCalendar(company(), "u02", "2026-11-18", "2026-11-18", o)
	if err != nil || !slices.Equal(c.Days[0].DepartmentIDs, []int64{3}) {
		t.Errorf("calendar: %v, %v; want [3] only", err, c.Days[0].DepartmentIDs)
	}
	// Unscoped, both.
	if e, _ := mustDaily(t, company(), "2026-11-18", opts(afterRange)).Employee("u02"); !slices.Equal(e.DepartmentIDs, []int64{3, 5}) {
		t.Errorf("unscoped: %v, want [3 5]", e.DepartmentIDs)
	}
}

// TestComputeDaily_InTwoHalves: a report computed in two halves at once (as a large company's
// is) is the one computed whole, for the company and for a scope, a final day and one in
// progress with plans and punches: the halves meet inside the people, their counts and the
// lists of who has not checked in add up in order.
func TestComputeDaily_InTwoHalves(t *testing.T) {
	type tc struct {
		name string
		in   func() Input
		day  string
		o    Options
	}
	cases := []tc{
		{"final", company, "2026-11-18", opts(when("2026-11-19", "08:00"))},
		{"in progress", func() Input { return asOf(company(), when("2026-11-18", "09:10")) }, "2026-11-18", opts(when("2026-11-18", "09:10"))},
		{"scope", company, "2026-11-18", opts(when("2026-11-19", "08:00"), 2)},
		{"live", func() Input { return livePeople().in }, liveDayDate, opts(when(liveDayDate, "09:10"))},
		{"overnight", nightShifts, "2026-11-19", opts(when("2026-11-19", "02:30"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			whole := jsonOf(t, mustDaily(t, c.in(), c.day, c.o))
			defer func(n int) { splitAt = n }(splitAt)
			splitAt = 2
			halves := mustDaily(t, c.in(), c.day, c.o)
			if len(halves.Employees) < 4 {
				t.Fatalf("%d employees: too few to split", len(halves.Employees))
			}
			if got := jsonOf(t, halves); got != whole {
				t.Errorf("in two halves:\n%s\nwhole:\n%s", got, whole)
			}
			if c.name == "overnight" {
				n := 0
				for _, e := range halves.Employees {
					if e.Overnight != nil {
						n++
					}
				}
				if n != 3 {
					t.Errorf("%d people on last night's shift, want 3", n)
				}
			}
		})
	}
}

// nightShifts is a board at 02:30 on the 19th: six people, every other one on the 18th's
// 22:00-06:00 shift, which is still going on.
func nightShifts() Input {
	b := liveCompany()
	b.in.Coverage = []kaoqin.DayCoverage{
		{Day: "2026-11-18", SyncedAt: ms("2026-11-19", "02:00"), LastCheckAt: ms("2026-11-19", "06:00")},
		{Day: "2026-11-19", SyncedAt: ms("2026-11-19", "02:00")},
	}
	for i := range 6 {
		user := fmt.Sprintf("n%d", i)
		b.person(user)
		pulled := func(c *kaoqin.Check) { c.SyncedAt = ms("2026-11-19", "02:00") }
		b.check(user, "2026-11-19", kaoqin.OnDuty, "09:00", "", kaoqin.TimeNotSigned, pulled)
		if i%2 == 0 {
			b.check(user, "2026-11-18", kaoqin.OnDuty, "22:00", "21:55", kaoqin.TimeNormal, pulled)
			b.check(user, "2026-11-18", kaoqin.OffDuty, "06:00", "", kaoqin.TimeNotSigned, pulled, func(c *kaoqin.Check) {
				c.BaseCheckTime, c.UserCheckTime = ms("2026-11-19", "06:00"), ms("2026-11-19", "06:00")
			})
		}
	}
	sortInput(&b.in)
	return b.in
}
