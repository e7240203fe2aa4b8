package report

import (
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kaoqin/kaoqin"
)

func mustPeriod(t *testing.T, in Input, from, to string, o Options) *Period {
	t.Helper()
	r, err := ComputePeriod(in, from, to, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var afterRange = when("2026-11-24", "08:00")

func TestComputePeriod_Employees(t *testing.T) {
	r := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange))
	for _, test := range []struct {
		name   string
		userid string
		want   func(e *PeriodEmployee) any
		value  any
	}{
		// The make-up Saturday is a scheduled day: 12 workdays. 3 min 30 s late: 3 minutes.
		{"make-up Saturday is scheduled", "u01", func(e *PeriodEmployee) any { return e.ScheduledDays }, 12},
		{"late minutes rounded down", "u01", func(e *PeriodEmployee) any { return e.LateMinutes }, 3},
		// 15:59 and 7:12 late: 15 + 7.
		{"late minutes summed", "u02", func(e *PeriodEmployee) any { return e.LateMinutes }, 22},
		{"late count", "u02", func(e *PeriodEmployee) any { return e.LateCount }, 2},
		{"serious late minutes", "u03", func(e *PeriodEmployee) any { return e.SeriousLateMinutes }, 40},
		{"absenteeism late", "u03", func(e *PeriodEmployee) any { return e.AbsenteeismLateCount }, 1},
		// 17:45 and 17:30:40 against 18:00: 15 + 29.
		{"early minutes", "u06", func(e *PeriodEmployee) any { return e.EarlyMinutes }, 44},
		{"early count", "u06", func(e *PeriodEmployee) any { return e.EarlyCount }, 2},
		{"outside", "u06", func(e *PeriodEmployee) any { return e.OutsideCount }, 2},
		{"transfer: department at the end", "u06", func(e *PeriodEmployee) any { return e.DepartmentIDs }, []int64{5}},
		// Left after 11-11: three days, one absent; department when they left.
		{"left: scheduled days", "u05", func(e *PeriodEmployee) any { return e.ScheduledDays }, 3},
		{"left: attended days", "u05", func(e *PeriodEmployee) any { return e.AttendedDays }, 2},
		{"left: absent days", "u05", func(e *PeriodEmployee) any { return e.AbsentDays }, 1},
		{"left: department when they left", "u05", func(e *PeriodEmployee) any { return e.DepartmentIDs }, []int64{6}},
		{"left: left on", "u05", func(e *PeriodEmployee) any { return e.LeftOn }, "2026-11-12"},
		// Absent on 11-18 (not missing), missed the check-in on 11-19.
		{"absent days", "u07", func(e *PeriodEmployee) any { return e.AbsentDays }, 1},
		{"missing on duty", "u07", func(e *PeriodEmployee) any { return e.MissingOnDutyCount }, 1},
		{"missing off duty", "u09", func(e *PeriodEmployee) any { return e.MissingOffDutyCount }, 1},
		// Leave from Friday to Monday: 2 leave days, not 4; its NotSigned checks are neither
		// absent nor missing.
		{"leave Friday to Monday: leave days", "u11", func(e *PeriodEmployee) any { return e.LeaveDays }, 2},
		{"leave Friday to Monday: DingTalk's days", "u11", func(e *PeriodEmployee) any { return e.LeaveDurationDays }, 2.0},
		{"leave is not absence", "u11", func(e *PeriodEmployee) any { return e.AbsentDays }, 0},
		{"leave is not missing", "u11", func(e *PeriodEmployee) any { return e.MissingOnDutyCount + e.MissingOffDutyCount }, 0},
		{"half-day leave: one leave day", "u04", func(e *PeriodEmployee) any { return e.LeaveDays }, 1},
		{"half-day leave: half a day", "u04", func(e *PeriodEmployee) any { return e.LeaveDurationDays }, 0.5},
		{"half-day leave: not missing", "u04", func(e *PeriodEmployee) any { return e.MissingOnDutyCount }, 0},
		{"leave in hours", "u01", func(e *PeriodEmployee) any { return e.LeaveHours }, 2.0},
		{"no department: known by checks", "u08", func(e *PeriodEmployee) any { return e.DepartmentIDs }, []int64{}},
	} {
		t.Run(test.name, func(t *testing.T) {
			e, ok := r.Employee(test.userid)
			if !ok {
				t.Fatalf("%s not in the report", test.userid)
			}
			if diff := cmp.Diff(test.value, test.want(e)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", test.userid, diff)
			}
		})
	}
	var users []string
	for _, e := range r.Employees {
		users = append(users, e.UserID)
	}
	if want := []string{"u01", "u02", "u03", "u04", "u05", "u06", "u07", "u08", "u09", "u10", "u11"}; !slices.Equal(users, want) {
		t.Errorf("employees %v, want %v", users, want)
	}
}

func TestComputePeriod_Departments(t *testing.T) {
	r := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange))
	dept := func(id int64) PeriodDepartment {
		for _, d := range r.Departments {
			if d.ID == id {
				return d
			}
		}
		t.Fatalf("department %d not in the report", id)
		return PeriodDepartment{}
	}
	// 周八's transfer splits his numbers: the early leave of 11-13 in 前端组, of 11-18 in 销售部.
	if d := dept(4); d.EarlyCount != 1 || d.EarlyMinutes != 15 || d.Headcount != 3 {
		t.Errorf("前端组: early %d / %d min, headcount %d; want 1 / 15, 3 (王五, 周八 until 11-16, 冯十二)", d.EarlyCount, d.EarlyMinutes, d.Headcount)
	}
	if d := dept(5); d.EarlyCount != 1 || d.EarlyMinutes != 29 || d.OutsideCount != 2 {
		t.Errorf("销售部: early %d / %d min, outside %d; want 1 / 29, 2", d.EarlyCount, d.EarlyMinutes, d.OutsideCount)
	}
	// Both halves add up in the parent, and 周八 is one person there.
	if d := dept(1); d.EarlyCount != 2 || d.EarlyMinutes != 44 || d.Headcount != 10 {
		t.Errorf("root: early %d / %d min, headcount %d; want 2 / 44, 10", d.EarlyCount, d.EarlyMinutes, d.Headcount)
	}
	// 李四 is in two departments: his lateness counts in each, and once in the root.
	if a, b, root := dept(3).LateCount, dept(5).LateCount, dept(1).LateCount; a != 3 || b != 2 || root != 3 {
		t.Errorf("late: 后端组 %d, 销售部 %d, root %d; want 3 (张三 1, 李四 2), 2, 3", a, b, root)
	}
	// The removed department is still in a period that began before its removal.
	if d := dept(6); d.Headcount != 1 || d.AbsentDays != 1 {
		t.Errorf("旧项目组: headcount %d, absent %d; want 1, 1", d.Headcount, d.AbsentDays)
	}
	// The company line sums the employees.
	var sum PeriodCounts
	for i := range r.Employees {
		sum.add(&r.Employees[i].PeriodCounts)
	}
	sum.round()
	if r.Company.PeriodCounts != sum || r.Company.Headcount != len(r.Employees) {
		t.Errorf("company %+v, want the sum of the employees %+v", r.Company, sum)
	}
	// Who explains the department numbers.
	for _, test := range []struct {
		dept  int64
		field string
		who   []string
	}{
		{4, "early_count", []string{"u06"}},
		{5, "early_minutes", []string{"u06"}},
		{4, "headcount", []string{"u03", "u06", "u11"}},
		{0, "headcount", []string{"u01", "u02", "u03", "u04", "u05", "u06", "u07", "u08", "u09", "u10", "u11"}},
		{1, "leave_days", []string{"u01", "u04", "u11"}},
		{0, "leave_hours", []string{"u01"}},
	} {
		got, err := r.Who(test.dept, test.field)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, test.who) {
			t.Errorf("Who(%d, %s) = %v, want %v", test.dept, test.field, got, test.who)
		}
	}
}

// Every number of every employee is explained by Checks and Days: a check field by as many
// checks (minutes: their sum), a day field by as many days.
func TestPeriod_ChecksExplainEveryNumber(t *testing.T) {
	for _, scope := range [][]int64{nil, {5}} {
		r := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange, scope...))
		for i := range r.Employees {
			e := &r.Employees[i]
			for _, fd := range periodFields {
				checks, err := r.Checks(e.UserID, fd.name)
				if err != nil {
					t.Fatal(err)
				}
				days, err := r.Days(e.UserID, fd.name)
				if err != nil {
					t.Fatal(err)
				}
				got := fd.value(&e.PeriodCounts)
				switch {
				case fd.check != nil && fd.amount != nil:
					sum := 0
					for _, c := range checks {
						sum += fd.amount(c)
					}
					if float64(sum) != got {
						t.Errorf("scope %v: %s %s = %v, its checks add up to %d", scope, e.UserID, fd.name, got, sum)
					}
				case fd.check != nil:
					if float64(len(checks)) != got {
						t.Errorf("scope %v: %s %s = %v, but %d checks behind it", scope, e.UserID, fd.name, got, len(checks))
					}
				case fd.day != nil:
					if float64(len(days)) != got {
						t.Errorf("scope %v: %s %s = %v, but %d days behind it", scope, e.UserID, fd.name, got, len(days))
					}
				default: // leave measures: days behind a non-zero number
					if (got != 0) != (len(days) > 0) {
						t.Errorf("scope %v: %s %s = %v, days behind it %v", scope, e.UserID, fd.name, got, days)
					}
				}
			}
		}
	}
	r := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange))
	if days, _ := r.Days("u11", "leave_days"); !slices.Equal(days, []string{"2026-11-20", "2026-11-23"}) {
		t.Errorf("u11 leave days %v, want Friday and Monday", days)
	}
	checks, _ := r.Checks("u06", "early_minutes")
	if len(checks) != 2 || checks[0].WorkDate != "2026-11-13" || checks[1].WorkDate != "2026-11-18" {
		t.Errorf("u06 early checks %+v, want those of 11-13 and 11-18", checks)
	}
	if checks, _ := r.Checks("u07", "attended_days"); slices.ContainsFunc(checks, func(c kaoqin.Check) bool { return !c.Signed() }) {
		t.Error("the checks behind attended_days include NotSigned ones")
	}
	if leaves, _ := r.Leaves("u11"); len(leaves) != 1 || leaves[0].DurationPercent != 200 {
		t.Errorf("u11 leaves %+v, want the Friday-Monday one", leaves)
	}
	if _, err := r.Checks("nobody", "late_count"); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("Checks of an unknown employee: %v, want ENOTFOUND", err)
	}
	if _, err := r.Checks("u01", "lateness"); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("Checks of an unknown field: %v, want EINVALID", err)
	}
}

func TestComputePeriod_Scope(t *testing.T) {
	r := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange, 5))
	// 周八 counts only from his transfer on: 5 days, the early leave of 11-18 only.
	e, ok := r.Employee("u06")
	if !ok {
		t.Fatal("u06 was in 销售部 from 11-17 but is not in its report")
	}
	if e.ScheduledDays != 5 || e.EarlyCount != 1 || e.EarlyMinutes != 29 {
		t.Errorf("u06 in 销售部: %d days, early %d / %d min; want 5, 1 / 29", e.ScheduledDays, e.EarlyCount, e.EarlyMinutes)
	}
	if len(r.Departments) != 1 || r.Departments[0].ID != 5 {
		t.Errorf("departments %+v, want 销售部 only", r.Departments)
	}
	if r.Company.PeriodCounts != r.Departments[0].PeriodCounts || r.Company.Headcount != r.Departments[0].Headcount {
		t.Errorf("company line %+v, want 销售部's %+v", r.Company, r.Departments[0].PeriodTotal)
	}
	if _, ok := r.Employee("u01"); ok {
		t.Error("u01 (后端组) is in the report of 销售部")
	}
}

func TestComputePeriod_LeaveAcrossTheEnd(t *testing.T) {
	// The range ends on Sunday: of the Friday-Monday leave only Friday is inside, and the
	// leave counts at most one day there, not its whole 2 days.
	r := mustPeriod(t, company(), "2026-11-16", "2026-11-22", opts(afterRange))
	e, _ := r.Employee("u11")
	if e.LeaveDays != 1 || e.LeaveDurationDays != 1 {
		t.Errorf("u11 to Sunday: %d leave days, %v days of leave; want 1, 1", e.LeaveDays, e.LeaveDurationDays)
	}
	// The same from Monday on: Monday only.
	r = mustPeriod(t, company(), "2026-11-23", "2026-11-23", opts(afterRange))
	if e, _ := r.Employee("u11"); e.LeaveDays != 1 || e.LeaveDurationDays != 1 {
		t.Errorf("u11 on Monday: %d leave days, %v days of leave; want 1, 1", e.LeaveDays, e.LeaveDurationDays)
	}
	// An afternoon-to-morning leave of 1 day, cut by the range after its first afternoon:
	// half of that day's span is covered, so half a day.
	in := company()
	in.Leaves = []kaoqin.Leave{{UserID: "u01", StartTime: ms("2026-11-13", "13:30"), EndTime: ms("2026-11-16", "13:30"),
		DurationUnit: kaoqin.LeavePercentDay, DurationPercent: 100}}
	r = mustPeriod(t, in, "2026-11-09", "2026-11-13", opts(afterRange))
	if e, _ := r.Employee("u01"); e.LeaveDays != 1 || e.LeaveDurationDays != 0.5 {
		t.Errorf("u01 Friday afternoon: %d leave days, %v days of leave; want 1, 0.5", e.LeaveDays, e.LeaveDurationDays)
	}
}

func TestComputePeriod_InProgress(t *testing.T) {
	now := when("2026-11-18", "09:10")
	in := asOf(company(), now)
	in.Coverage = slices.DeleteFunc(in.Coverage, func(c kaoqin.DayCoverage) bool { return c.Day > "2026-11-18" })
	r := mustPeriod(t, in, "2026-11-16", "2026-11-18", opts(now))
	if r.Final {
		t.Error("a range ending today is final")
	}
	e, _ := r.Employee("u07")
	if e.AbsentDays != 0 || e.MissingOnDutyCount != 1 || e.MissingOffDutyCount != 0 {
		t.Errorf("u07 at 09:10: absent %d, missing on %d, off %d; want 0, 1, 0", e.AbsentDays, e.MissingOnDutyCount, e.MissingOffDutyCount)
	}
	e, _ = r.Employee("u09") // forgot to check out on 11-18, which at 09:10 is still to come
	if e.MissingOffDutyCount != 0 {
		t.Errorf("u09 at 09:10: missing off duty %d, want 0", e.MissingOffDutyCount)
	}
}

func TestComputePeriod_NotSynced(t *testing.T) {
	in := company()
	in.Coverage = slices.DeleteFunc(in.Coverage, func(c kaoqin.DayCoverage) bool {
		return c.Day == "2026-11-11" || c.Day == "2026-11-12" || c.Day == "2026-11-16"
	})
	_, err := ComputePeriod(in, "2026-11-09", "2026-11-23", opts(afterRange))
	if kaoqin.ErrorCode(err) != kaoqin.ENOTSYNCED {
		t.Fatalf("error %v, want ENOTSYNCED", err)
	}
	want := "attendance of 2026-11-11..2026-11-12, 2026-11-16 has not been synced: run kaoqin sync --from 2026-11-11 --to 2026-11-16"
	if msg := kaoqin.ErrorMessage(err); msg != want {
		t.Errorf("message\n got %q\nwant %q", msg, want)
	}
	// The range beyond what was synced, e.g. the 26th to the 25th asked for too early.
	_, err = ComputePeriod(company(), "2026-10-26", "2026-11-25", opts(afterRange))
	if msg := kaoqin.ErrorMessage(err); !strings.Contains(msg, "2026-10-26..2026-11-08, 2026-11-24..2026-11-25") {
		t.Errorf("message %q does not name both missing ends", msg)
	}
	if _, err := ComputePeriod(company(), "2026-11-23", "2026-11-09", opts(afterRange)); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("backwards range: %v, want EINVALID", err)
	}
}

// A report is read by many requests at once: its methods only read it.
func TestReports_ConcurrentReads(t *testing.T) {
	r := fixturePeriod(t)
	d := fixtureDaily(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := r.Who(5, "early_minutes"); err != nil {
				t.Error(err)
			}
			if _, err := r.Checks("u06", "outside_count"); err != nil {
				t.Error(err)
			}
			if _, err := d.Who(1, "late"); err != nil {
				t.Error(err)
			}
			if err := WriteXLSX(io.Discard, r, Chinese); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestRanges_OutsideTheCalendar is issue 15's items 1 and 2 for every report: the last day of
// the calendar panicked, and a range of eight thousand years was expanded day by day before
// anything refused it. Each report refuses them from the range's two ends.
func TestRanges_OutsideTheCalendar(t *testing.T) {
	in := company()
	o := opts(when("2026-11-24", "10:00"))
	for _, r := range [][2]string{{"0001-01-01", "9999-12-30"}, {"9999-12-31", "9999-12-31"}, {"2016-12-31", "2017-01-01"},
		{"2025-11-01", "2026-11-23"}} {
		var errs []error
		n := testing.AllocsPerRun(1, func() {
			_, err1 := ComputePeriod(in, r[0], r[1], o)
			_, err2 := ComputeSeries(in, r[0], r[1], o)
			_, err3 := ComputeCalendar(in, "u01", r[0], r[1], o)
			_, err4 := ComputeDaily(in, r[0], o)
			errs = []error{err1, err2, err3, err4}
		})
		for i, err := range errs {
			if i == 3 && r[0] == "2025-11-01" {
				continue // a fine day for a daily report
			}
			if kaoqin.ErrorCode(err) != kaoqin.EINVALID {
				t.Errorf("%s..%s, report %d: %v, want EINVALID", r[0], r[1], i, err)
			}
		}
		if n > 1000 {
			t.Errorf("%s..%s: %v allocations to refuse it", r[0], r[1], n)
		}
	}
}
