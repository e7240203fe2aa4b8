package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kaoqin/kaoqin"
)

// TestAbsentees: at 09:10 the list is the report's not_checked_in, grouped under each
// person's department, with the shift start, the minutes overdue and the nearest manager.
func TestAbsentees(t *testing.T) {
	now := when("2026-11-18", "09:10")
	in := asOf(company(), now)
	for i, d := range in.Departments {
		switch d.ID {
		case 1:
			in.Departments[i].Managers = []string{"u01"} // 张三 manages the company
		case 5:
			in.Departments[i].Managers = []string{"u04", "nobody"} // 赵六, and someone unknown
		}
	}
	// 冯十二 (u11, 前端组) has not checked in either, since 09:00 too.
	for i, c := range in.Checks {
		if c.UserID == "u11" && c.WorkDate == "2026-11-18" && c.CheckType == kaoqin.OnDuty {
			in.Checks[i].TimeResult, in.Checks[i].LocationResult, in.Checks[i].UserCheckTime = kaoqin.TimeNotSigned, kaoqin.LocationNotSigned, c.BaseCheckTime
		}
	}
	d := mustDaily(t, in, "2026-11-18", opts(now))
	a, err := d.Absentees(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []AbsenteeGroup{
		{DeptID: 4, Dept: "前端组", Managers: []Person{{UserID: "u01", Name: "张三"}},
			People: []Absentee{{UserID: "u11", Name: "冯十二", JobNumber: "E011", ShiftStart: Time{when("2026-11-18", "09:00")}, OverdueMinutes: 10}}},
		{DeptID: 5, Dept: "销售部", Managers: []Person{{UserID: "u04", Name: "赵六"}},
			People: []Absentee{{UserID: "u07", Name: "吴九", JobNumber: "E007", ShiftStart: Time{when("2026-11-18", "09:00")}, OverdueMinutes: 10}}},
	}
	if diff := cmp.Diff(want, a.Groups, cmp.Comparer(func(x, y Time) bool { return x.Equal(y.Time) })); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if a.Total != 2 {
		t.Errorf("total %d, want 2", a.Total)
	}
	if notIn, _ := d.Who(0, "not_checked_in"); len(notIn) != a.Total {
		t.Errorf("the list has %d people, the count says %d", a.Total, len(notIn))
	}

	// One department's subtree, and a selection.
	if a, _ := d.Absentees(2, nil); a.Total != 1 || a.Groups[0].People[0].UserID != "u11" {
		t.Errorf("研发部's list: %+v", a)
	}
	if a, _ := d.Absentees(0, []string{"u07"}); a.Total != 1 || a.Groups[0].People[0].UserID != "u07" {
		t.Errorf("the selection of u07: %+v", a)
	}
	if _, err := d.Absentees(99, nil); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("unknown department: %v", err)
	}

	// The export: one row per person, with the headers of the language.
	var buf bytes.Buffer
	if err := WriteCSV(&buf, a, Chinese); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(buf.String(), "\ufeff")), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "部门,姓名,工号,UserId,上班时间,已超时(分钟),负责人") ||
		!strings.Contains(lines[2], "销售部,吴九,E007,u07,2026-11-18 09:00:00,10,赵六") {
		t.Errorf("CSV:\n%s", buf.String())
	}
}
