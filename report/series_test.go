package report

import (
	"slices"
	"testing"

	"github.com/kaoqin/kaoqin"
)

// The series computed in one pass equals the company line of each day's daily report, for
// the company and for a scope.
func TestComputeSeries_MatchesDaily(t *testing.T) {
	in := company()
	for _, scope := range [][]int64{nil, {5}, {2}, {4}} {
		s, err := ComputeSeries(in, "2026-11-09", "2026-11-23", opts(afterRange, scope...))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Days) != 15 {
			t.Fatalf("%d days, want 15", len(s.Days))
		}
		for _, day := range s.Days {
			d := mustDaily(t, in, day.Date, opts(afterRange, scope...))
			if day.Counts != d.Company {
				t.Errorf("scope %v %s: series %+v, daily %+v", scope, day.Date, day.Counts, d.Company)
			}
		}
	}
}

func TestComputeSeries_Rate(t *testing.T) {
	s, err := ComputeSeries(company(), "2026-11-18", "2026-11-18", opts(afterRange, 5))
	if err != nil {
		t.Fatal(err)
	}
	// 销售部 on 11-18: 4 scheduled, 2 checked in (赵六 on leave in the morning, 吴九 absent).
	if d := s.Days[0]; d.CheckedInRate != 0.5 || !d.Final {
		t.Errorf("rate %v final %v, want 0.5 true", d.CheckedInRate, d.Final)
	}
	s, _ = ComputeSeries(company(), "2026-11-15", "2026-11-15", opts(afterRange))
	if d := s.Days[0]; d.Scheduled != 0 || d.CheckedInRate != 0 {
		t.Errorf("Sunday: scheduled %d rate %v, want 0 0", d.Scheduled, d.CheckedInRate)
	}
	if _, err := ComputeSeries(company(), "2026-11-01", "2026-11-30", opts(afterRange)); kaoqin.ErrorCode(err) != kaoqin.ENOTSYNCED {
		t.Errorf("series over days not synced: %v, want ENOTSYNCED", err)
	}
}

func TestComputeCalendar(t *testing.T) {
	in := company()
	cal, err := ComputeCalendar(in, "u06", "2026-11-09", "2026-11-23", opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, d := range cal.Days {
		status[d.Date] = d.Status
	}
	for day, want := range map[string]string{
		"2026-11-12": StatusNormal,
		"2026-11-13": StatusEarly,
		"2026-11-14": StatusNormal, // the make-up Saturday
		"2026-11-15": StatusRest,
		"2026-11-18": StatusEarly,
	} {
		if status[day] != want {
			t.Errorf("u06 %s: %s, want %s", day, status[day], want)
		}
	}
	for _, test := range []struct {
		user, day, want string
	}{
		{"u07", "2026-11-18", StatusAbsent},
		{"u07", "2026-11-19", StatusMissing},
		{"u02", "2026-11-10", StatusLate},
		{"u03", "2026-11-12", StatusLate}, // 旷工迟到
		{"u04", "2026-11-18", StatusLeave},
		{"u11", "2026-11-21", StatusLeave}, // on leave over the weekend, no checks
		{"u11", "2026-11-20", StatusLeave},
		{"u05", "2026-11-10", StatusAbsent},
		{"u05", "2026-11-12", StatusNone}, // after leaving
	} {
		cal, err := ComputeCalendar(in, test.user, "2026-11-09", "2026-11-23", opts(afterRange))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(cal.Days, func(d CalendarDay) bool { return d.Date == test.day })
		if got := cal.Days[i].Status; got != test.want {
			t.Errorf("%s %s: %s, want %s", test.user, test.day, got, test.want)
		}
	}
	// In progress.
	now := when("2026-11-18", "09:10")
	cal, _ = ComputeCalendar(asOf(in, now), "u10", "2026-11-18", "2026-11-18", opts(now))
	if d := cal.Days[0]; d.Status != StatusPending || len(d.Checks) != 2 || !d.Checks[0].Pending {
		t.Errorf("u10 at 09:10: %+v, want pending with its two checks", d)
	}
	// A manager of 销售部 sees 周八 from his transfer on only.
	cal, err = ComputeCalendar(in, "u06", "2026-11-13", "2026-11-18", opts(afterRange, 5))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range cal.Days {
		got = append(got, d.Status)
	}
	if want := []string{StatusNone, StatusNone, StatusNone, StatusNone, StatusNormal, StatusEarly}; !slices.Equal(got, want) {
		t.Errorf("u06 seen from 销售部: %v, want %v", got, want)
	}
	if cal.Days[0].Checks == nil || len(cal.Days[0].Checks) != 0 {
		t.Error("a day outside the scope shows checks")
	}
	// ... and 张三 not at all.
	if _, err := ComputeCalendar(in, "u01", "2026-11-09", "2026-11-23", opts(afterRange, 5)); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("calendar of someone outside the scope: %v, want ENOTFOUND", err)
	}
	if _, err := ComputeCalendar(in, "nobody", "2026-11-09", "2026-11-23", opts(afterRange)); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("calendar of an unknown employee: %v, want ENOTFOUND", err)
	}
}
