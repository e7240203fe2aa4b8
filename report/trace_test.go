package report

import (
	"context"
	"slices"
	"testing"

	"github.com/kaoqin/kaoqin"
)

// TestLoadTrace: a number of an employee's line traced alone gives the same days and checks
// as the company's period report does, and the value of the line.
func TestLoadTrace(t *testing.T) {
	p := loadLeavePeriod(t, newLeaveSource())
	for _, c := range []struct{ userid, field string }{
		{"u06", "early_minutes"}, {"u11", "leave_days"}, {"u01", "leave_hours"}, {"u02", "late_count"}, {"u08", "attended_days"}, {"u01", "absent_days"},
	} {
		tr, err := LoadTrace(context.Background(), newLeaveSource(), c.userid, "2026-11-09", "2026-11-23", c.field, opts(afterRange))
		if err != nil {
			t.Fatalf("%s %s: %v", c.userid, c.field, err)
		}
		wantDays, _ := p.Days(c.userid, c.field)
		var days []string
		var checks []int64
		for _, d := range tr.Days {
			days = append(days, d.Date)
			for _, ch := range d.Checks {
				checks = append(checks, ch.ID)
			}
		}
		if !slices.Equal(days, wantDays) {
			t.Errorf("%s %s: days %v, want %v", c.userid, c.field, days, wantDays)
		}
		wantChecks, _ := p.Checks(c.userid, c.field)
		var want []int64
		for _, ch := range wantChecks {
			want = append(want, ch.ID)
		}
		if !slices.Equal(checks, want) {
			t.Errorf("%s %s: checks %v, want %v", c.userid, c.field, checks, want)
		}
		line, _ := p.Employee(c.userid)
		if v, _ := PeriodValue(&line.PeriodCounts, c.field); v != tr.Value {
			t.Errorf("%s %s: value %v, want %v", c.userid, c.field, tr.Value, v)
		}
	}
	tr, err := LoadTrace(context.Background(), newLeaveSource(), "u11", "2026-11-09", "2026-11-23", "leave_days", opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Days) == 0 || len(tr.Leaves) == 0 {
		t.Errorf("u11's leave days %v, leaves %v: want both", tr.Days, tr.Leaves)
	}
	if _, err := LoadTrace(context.Background(), newLeaveSource(), "u06", "2026-11-09", "2026-11-23", "lateness", opts(afterRange)); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("unknown field: %v, want EINVALID", err)
	}
	if _, err := LoadTrace(context.Background(), newLeaveSource(), "nobody", "2026-11-09", "2026-11-23", "late_count", opts(afterRange)); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("unknown employee: %v, want ENOTFOUND", err)
	}
}
