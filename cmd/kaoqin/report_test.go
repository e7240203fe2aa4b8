package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

// reportFixture writes a small company into a new SQLite database and returns its path:
// 研发部 (2) and 销售部 (3) under the root; u1 in 研发部, u2 in 销售部, u3 in both. On
// 2026-11-18 u1 is on time, u2 is 7 minutes late, u3 never punches (absent). Only that day
// is synced.
func reportFixture(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kaoqin.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(hm string) int64 {
		tm, err := time.ParseInLocation("2006-01-02 15:04", "2026-11-18 "+hm, sh)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	_, err = db.SaveOrg(ctx, kaoqin.OrgSnapshot{
		Day: "2026-11-18", At: at("07:00"),
		Departments: []kaoqin.Department{
			{ID: 1, Name: "示例公司"}, {ID: 2, ParentID: 1, Name: "研发部"}, {ID: 3, ParentID: 1, Name: "销售部"},
		},
		Employees: []kaoqin.Employee{
			{UserID: "u1", Name: "张三", DeptIDs: []int64{2}},
			{UserID: "u2", Name: "李四", DeptIDs: []int64{3}},
			{UserID: "u3", Name: "王五", DeptIDs: []int64{2, 3}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(id int64, user, typ, result, punch string, base string) kaoqin.Check {
		c := kaoqin.Check{ID: id, UserID: user, WorkDate: "2026-11-18", CheckType: typ, TimeResult: result,
			LocationResult: kaoqin.LocationNormal, BaseCheckTime: at(base), UserCheckTime: at(punch)}
		if result == kaoqin.TimeNotSigned {
			c.LocationResult = kaoqin.LocationNotSigned
		}
		return c
	}
	_, err = db.SaveChecks(ctx, kaoqin.CheckBatch{
		Scope: kaoqin.Scope{UserIDs: []string{"u1", "u2", "u3"}, From: "2026-11-18", To: "2026-11-18"},
		Checks: []kaoqin.Check{
			check(11, "u1", kaoqin.OnDuty, kaoqin.TimeNormal, "08:55", "09:00"),
			check(12, "u1", kaoqin.OffDuty, kaoqin.TimeNormal, "18:02", "18:00"),
			check(21, "u2", kaoqin.OnDuty, kaoqin.TimeLate, "09:07", "09:00"),
			check(22, "u2", kaoqin.OffDuty, kaoqin.TimeNormal, "18:10", "18:00"),
			check(31, "u3", kaoqin.OnDuty, kaoqin.TimeNotSigned, "09:00", "09:00"),
			check(32, "u3", kaoqin.OffDuty, kaoqin.TimeNotSigned, "18:00", "18:00"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.MarkCovered(ctx, []kaoqin.DayCoverage{{Day: "2026-11-18", SyncedAt: at("23:00"), Closed: true}})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// runKaoqin runs the command line and returns its exit status, stdout and stderr.
func runKaoqin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), args, &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

func TestReport_DailyJSON(t *testing.T) {
	db := reportFixture(t)
	status, out, errOut := runKaoqin(t, "report", "daily", "--db", db, "--date", "2026-11-18", "--format", "json")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	var r struct {
		Kind, Date, Timezone string
		Company              map[string]int
		Departments          []struct {
			ID           int64
			Counts       map[string]int
			NotCheckedIn []struct{ UserID string } `json:"not_checked_in"`
		}
		Employees []struct {
			UserID string
			Checks []struct {
				TimeResult    string  `json:"time_result"`
				UserCheckTime *string `json:"user_check_time"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Kind != "daily" || r.Date != "2026-11-18" || r.Timezone != "Asia/Shanghai" {
		t.Errorf("header: %+v", r)
	}
	want := map[string]int{"headcount": 3, "scheduled": 3, "checked_in": 2, "not_checked_in": 1, "late": 1, "absent": 1}
	for k, v := range want {
		if r.Company[k] != v {
			t.Errorf("company %s = %d, want %d", k, r.Company[k], v)
		}
	}
	if len(r.Departments) != 3 || r.Departments[0].ID != 1 || r.Departments[1].ID != 2 {
		t.Fatalf("departments: %+v", r.Departments)
	}
	// 研发部 holds u1 and u3; u3 is the one not checked in.
	if d := r.Departments[1]; d.Counts["headcount"] != 2 || len(d.NotCheckedIn) != 1 || d.NotCheckedIn[0].UserID != "u3" {
		t.Errorf("研发部: %+v", d)
	}
	if len(r.Employees) != 3 || r.Employees[2].UserID != "u3" || r.Employees[2].Checks[0].UserCheckTime != nil {
		t.Errorf("u3's NotSigned check should have no punch time: %+v", r.Employees)
	}
}

func TestReport_PeriodFormats(t *testing.T) {
	db := reportFixture(t)
	args := []string{"report", "period", "--db", db, "--from", "2026-11-18", "--to", "2026-11-18"}

	status, out, errOut := runKaoqin(t, append(args, "--format", "json")...)
	if status != 0 {
		t.Fatalf("json: status %d: %s", status, errOut)
	}
	var p struct {
		Employees []struct {
			UserID      string
			LateCount   int `json:"late_count"`
			LateMinutes int `json:"late_minutes"`
			AbsentDays  int `json:"absent_days"`
		}
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Employees) != 3 || p.Employees[1].LateCount != 1 || p.Employees[1].LateMinutes != 7 || p.Employees[2].AbsentDays != 1 {
		t.Errorf("period employees: %+v", p.Employees)
	}

	status, out, _ = runKaoqin(t, append(args, "--format", "csv", "--lang", "en")...)
	if status != 0 || !strings.HasPrefix(out, "\uFEFF") {
		t.Errorf("csv: status %d, want a UTF-8 BOM first: %q", status, out[:min(20, len(out))])
	}

	status, out, _ = runKaoqin(t, append(args, "--format", "table")...)
	if status != 0 || !strings.Contains(out, "李四") {
		t.Errorf("table: status %d:\n%s", status, out)
	}

	dir := t.TempDir()
	xlsx := filepath.Join(dir, "payroll.xlsx")
	if status, _, errOut := runKaoqin(t, append(args, "--format", "xlsx", "--output", xlsx)...); status != 0 {
		t.Fatalf("xlsx: status %d: %s", status, errOut)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatalf("the xlsx does not open: %v", err)
	}
	defer f.Close()
	if len(f.GetSheetList()) < 2 {
		t.Errorf("sheets: %v, want a department and an employee sheet", f.GetSheetList())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left next to the output: %v", entries)
	}
}

func TestReport_DeptScope(t *testing.T) {
	db := reportFixture(t)
	status, out, errOut := runKaoqin(t, "report", "daily", "--db", db, "--date", "2026-11-18", "--format", "json", "--dept", "3")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	var r struct {
		Company     map[string]int
		Departments []struct{ ID int64 }
	}
	json.Unmarshal([]byte(out), &r)
	if r.Company["headcount"] != 2 || len(r.Departments) != 1 || r.Departments[0].ID != 3 {
		t.Errorf("--dept 3: company %v, departments %v; want 销售部's 2 people only", r.Company, r.Departments)
	}
}

func TestReport_Errors(t *testing.T) {
	db := reportFixture(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string // in the one line on stderr
	}{
		{"not synced", []string{"report", "period", "--db", db, "--from", "2026-11-17", "--to", "2026-11-18"},
			[]string{"2026-11-17", "kaoqin sync"}},
		{"bad date", []string{"report", "daily", "--db", db, "--date", "2026-11-31"}, []string{"2026-11-31", "YYYY-MM-DD"}},
		{"backwards", []string{"report", "period", "--db", db, "--from", "2026-11-18", "--to", "2026-11-01"}, []string{"backwards"}},
		{"no database", []string{"report", "daily", "--db", filepath.Join(t.TempDir(), "none.db"), "--date", "2026-11-18"},
			[]string{"no database", "kaoqin sync"}},
		{"unknown department", []string{"report", "daily", "--db", db, "--date", "2026-11-18", "--dept", "99"}, []string{"99"}},
		{"unknown scheme", []string{"report", "daily", "--db", "mysql://x/y", "--date", "2026-11-18"}, []string{"mysql"}},
		// Issue 15, items 1 and 2: the last day of the calendar dumped goroutines, and a range
		// of eight thousand years took 443 MB before it was refused.
		{"end of the calendar", []string{"report", "daily", "--db", db, "--date", "9999-12-31"}, []string{"9999-12-31", "2017-01-01"}},
		{"before DingTalk", []string{"report", "daily", "--db", db, "--date", "2016-12-31"}, []string{"2016-12-31", "2017-01-01"}},
		{"eight thousand years", []string{"report", "period", "--db", db, "--from", "0001-01-01", "--to", "9999-12-30"},
			[]string{"0001-01-01", "2017-01-01"}},
		{"years long", []string{"report", "period", "--db", db, "--from", "2017-01-01", "--to", "2026-11-18"}, []string{"at most 366 days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out, errOut := runKaoqin(t, tc.args...)
			if status != 1 {
				t.Errorf("status %d, want 1", status)
			}
			if out != "" {
				t.Errorf("printed a report anyway: %q", out)
			}
			if strings.Count(errOut, "\n") != 1 {
				t.Errorf("want one line on stderr, got %q", errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not mention %q", errOut, w)
				}
			}
		})
	}
}
