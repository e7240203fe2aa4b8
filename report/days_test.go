package report

import (
	"context"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestLoadEmployeeDays: an employee's days add up to their line of the company's period
// report, each day carries its checks and leave, and a scope is refused.
func TestLoadEmployeeDays(t *testing.T) {
	src := newLeaveSource()
	p := loadLeavePeriod(t, newLeaveSource())
	users := []string{"u06", "u01", "u05", "u08", "nobody"}
	var got []string
	err := LoadEmployeeDays(context.Background(), src, users, "2026-11-09", "2026-11-23", opts(afterRange), func(e *EmployeeDays) error {
		got = append(got, e.UserID)
		line, ok := p.Employee(e.UserID)
		if !ok {
			t.Fatalf("%s not in the period report", e.UserID)
		}
		if d := gocmp.Diff(line.PeriodCounts, e.Sum()); d != "" {
			t.Errorf("%s: days add up to (-line +days):\n%s", e.UserID, d)
		}
		var checks int
		for _, d := range e.Days {
			checks += len(d.Checks)
			if v, _ := PeriodValue(&d.Counts, "leave_days"); v > 0 && len(d.Leaves) == 0 {
				t.Errorf("%s %s: a leave day without its leave", e.UserID, d.Date)
			}
		}
		if checks == 0 {
			t.Errorf("%s: no checks", e.UserID)
		}
		var sick float64
		for _, d := range e.Days {
			sick += d.LeaveByType["病假"]
		}
		if e.UserID == "u06" && sick != 1.5 {
			t.Errorf("u06: 病假 %v over the days, want 1.5", sick)
		}
		if (e.UserID == "u05") != (e.LeftOn == "2026-11-12") {
			t.Errorf("%s left on %q", e.UserID, e.LeftOn)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff([]string{"u01", "u05", "u06", "u08"}, got); d != "" {
		t.Errorf("employees (-want +got):\n%s", d)
	}
	if err := LoadEmployeeDays(context.Background(), src, users, "2026-11-09", "2026-11-23", opts(afterRange, 5), func(*EmployeeDays) error { return nil }); err == nil {
		t.Error("a department scope was accepted")
	}
}
