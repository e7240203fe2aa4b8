package dingtalk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// TestSim_SmartReport reads DingTalk's report through the client: the columns (leave ones
// without an id), a person's daily values summed over a month in two calls of at most 31
// days, against the check results the simulator gives for the same days, and leave by type.
func TestSim_SmartReport(t *testing.T) {
	t.Parallel()
	cfg := simCompany()
	cfg.Now = time.Date(2026, 11, 30, 20, 0, 0, 0, shanghai)
	env := newSimEnv(t, cfg)
	ctx := context.Background()
	tr := env.sim.Truth()

	open, _, err := env.c.Attendance.IsSmartReportOpen(ctx)
	env.must(err)
	if !open {
		t.Fatal("the smart report is off")
	}
	cols, _, err := env.c.Attendance.ReportColumns(ctx)
	env.must(err)
	byName := map[string]dingtalk.ReportColumn{}
	for _, c := range cols {
		byName[c.Name] = c
	}
	late, absentLate := byName["迟到次数"], byName["旷工迟到天数"]
	if late.ID == 0 || late.IsLeave() || !byName["年假"].IsLeave() || byName["应出勤天数"].Alias != "should_attendance_days" {
		t.Fatalf("columns: %+v", cols)
	}

	// Someone late at least once in November, counted from the check results.
	var who string
	var wantLate, wantAbsLate float64
	for _, u := range tr.UserIDs() {
		wantLate, wantAbsLate = 0, 0
		for _, r := range tr.Results([]string{u}, "2026-10-31", "2026-11-30") {
			if r.CheckType == "OnDuty" && r.TimeResult == "Late" {
				wantLate++
			}
			if r.CheckType == "OnDuty" && r.TimeResult == "Absenteeism" {
				wantAbsLate++
			}
		}
		if wantLate > 0 {
			who = u
			break
		}
	}
	if who == "" {
		t.Fatal("nobody late in November")
	}
	var gotLate, gotAbsLate float64
	days := 0
	for _, w := range dingtalk.SplitDays(dingtalk.MustParseDate("2026-10-31"), dingtalk.MustParseDate("2026-11-30"), dingtalk.MaxReportDays) {
		vals, _, err := env.c.Attendance.ColumnValues(ctx, &dingtalk.ReportOptions{UserID: who, From: w.From, To: w.To}, []int64{int64(late.ID), int64(absentLate.ID)})
		env.must(err)
		if len(vals) != 2 || vals[0].ColumnID != int64(late.ID) {
			t.Fatalf("values: %+v", vals)
		}
		gotLate += vals[0].Sum()
		gotAbsLate += vals[1].Sum()
		days += len(vals[0].Days)
		if d := vals[0].Days[0]; d.Date != w.From || d.Text == "" {
			t.Errorf("first day %+v, want %s with its text", d, w.From)
		}
	}
	if gotLate != wantLate || gotAbsLate != wantAbsLate || days != 31 {
		t.Errorf("%s: late %v absenteeism-late %v over %d days; the results say %v and %v over 31", who, gotLate, gotAbsLate, days, wantLate, wantAbsLate)
	}

	// Leave by type, for someone on leave.
	leaves := tr.Leaves(tr.UserIDs(), "2026-11-01", "2026-11-30")
	var lv dingtalksim.Leave
	for _, l := range leaves {
		if l.Half == "" && (l.Type == "年假" || l.Type == "婚假") {
			lv = l
			break
		}
	}
	if lv.UserID == "" {
		t.Fatal("no whole-day leave of a day type in November")
	}
	times, _, err := env.c.Attendance.LeaveTimes(ctx, &dingtalk.ReportOptions{UserID: lv.UserID,
		From: dingtalk.MustParseDate("2026-11-01"), To: dingtalk.MustParseDate("2026-11-30")}, []string{"年假", "婚假", "事假"})
	env.must(err)
	var sum float64
	for _, lt := range times {
		if lt.Name != lv.Type {
			continue
		}
		for _, d := range lt.Days {
			sum += d.Value
		}
	}
	if want := float64(lv.DurationPercent) / 100; sum < want {
		t.Errorf("%s %s: the report has %v days of it, the leave %v", lv.UserID, lv.Type, sum, want)
	}

	var admin string
	for _, u := range tr.Users() {
		if u.Admin {
			admin = u.UserID
		}
	}
	types, _, err := env.c.Attendance.VacationTypes(ctx, admin)
	env.must(err)
	if len(types) != 5 || types[1].LeaveName != "事假" || types[1].LeaveViewUnit != dingtalk.LeaveUnitHour || types[0].HoursInPerDay != 800 {
		t.Errorf("vacation types: %+v", types)
	}
}

// TestSim_SmartReportLimits refuses, without a call, what DingTalk would refuse, and reads an
// empty answer for a person who has left.
func TestSim_SmartReportLimits(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	ctx := context.Background()
	u := env.sim.Truth().UserIDs()[3]
	d := dingtalk.MustParseDate
	many := make([]int64, 21)
	for _, c := range []struct {
		opts *dingtalk.ReportOptions
		ids  []int64
	}{
		{&dingtalk.ReportOptions{UserID: u, From: d("2026-10-01"), To: d("2026-11-01")}, []int64{1}}, // 32 days
		{&dingtalk.ReportOptions{UserID: u, From: d("2026-11-02"), To: d("2026-11-01")}, []int64{1}},
		{&dingtalk.ReportOptions{From: d("2026-11-01"), To: d("2026-11-01")}, []int64{1}},
		{&dingtalk.ReportOptions{UserID: u, From: d("2026-11-01"), To: d("2026-11-01")}, many},
		{&dingtalk.ReportOptions{UserID: u, From: d("2026-11-01"), To: d("2026-11-01")}, nil},
	} {
		if _, _, err := env.c.Attendance.ColumnValues(ctx, c.opts, c.ids); !errors.Is(err, dingtalk.ErrInvalidArgument) {
			t.Errorf("%+v %d ids: %v, want ErrInvalidArgument", c.opts, len(c.ids), err)
		}
	}
	if _, _, err := env.c.Attendance.LeaveTimes(ctx, &dingtalk.ReportOptions{UserID: u, From: d("2026-11-01"), To: d("2026-11-01")}, []string{"年假,事假"}); !errors.Is(err, dingtalk.ErrInvalidArgument) {
		t.Errorf("a name with a comma: %v", err)
	}
	if n := len(env.calls); n != 0 {
		t.Errorf("%d calls for arguments the client can refuse itself", n)
	}
	// 31 days is the most: from the 1st to the 31st.
	cols, _, err := env.c.Attendance.ReportColumns(ctx)
	env.must(err)
	vals, _, err := env.c.Attendance.ColumnValues(ctx, &dingtalk.ReportOptions{UserID: u, From: d("2026-10-01"), To: d("2026-10-31")}, []int64{int64(cols[0].ID)})
	env.must(err)
	if len(vals) != 1 || len(vals[0].Days) != 31 {
		t.Fatalf("31 days: %+v", vals)
	}
	// DingTalk's 应出勤天数 is 0 more than 15 days back.
	if vals[0].Sum() != 0 {
		t.Errorf("应出勤天数 of October, a month back: %v, want 0", vals[0].Sum())
	}
	// Older than 225 days, DingTalk refuses leave by type.
	_, _, err = env.c.Attendance.LeaveTimes(ctx, &dingtalk.ReportOptions{UserID: u, From: d("2026-03-01"), To: d("2026-03-02")}, []string{"年假"})
	if apiCode(err) != 400002 {
		t.Errorf("leave 260 days back: %v, want 400002", err)
	}
	if err := env.sim.RemoveUser(u); err != nil {
		t.Fatal(err)
	}
	vals, _, err = env.c.Attendance.ColumnValues(ctx, &dingtalk.ReportOptions{UserID: u, From: d("2026-11-01"), To: d("2026-11-10")}, []int64{int64(cols[1].ID)})
	env.must(err)
	if len(vals) != 0 {
		t.Errorf("a person who left: %+v, want nothing", vals)
	}
}
