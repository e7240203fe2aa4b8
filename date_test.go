package kaoqin_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
)

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2026-11-18", "2024-02-29"} {
		if got, err := kaoqin.ParseDate(s); err != nil || got != s {
			t.Errorf("ParseDate(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "2026-11-31", "2025-02-29", "2026/11/18", "2026-1-8", "18.11.2026"} {
		_, err := kaoqin.ParseDate(s)
		if kaoqin.ErrorCode(err) != kaoqin.EINVALID {
			t.Errorf("ParseDate(%q): got %v, want EINVALID", s, err)
		}
	}
}

func TestParseRange(t *testing.T) {
	if _, _, err := kaoqin.ParseRange("2026-11-26", "2026-12-25"); err != nil {
		t.Fatal(err)
	}
	_, _, err := kaoqin.ParseRange("2026-11-02", "2026-11-01")
	if kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Fatalf("backwards range: got %v", err)
	}
}

func TestDays(t *testing.T) {
	got := kaoqin.Days("2024-02-27", "2024-03-01")
	want := []string{"2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"}
	if !slices.Equal(got, want) {
		t.Fatalf("Days = %v, want %v", got, want)
	}
	if kaoqin.AddDays("2026-12-31", 1) != "2027-01-01" || kaoqin.AddDays("2026-03-01", -1) != "2026-02-28" {
		t.Fatal("AddDays across a year or month boundary")
	}
}

func TestDayBounds(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	start, end := kaoqin.DayBounds("2026-11-18", sh)
	if start.UnixMilli() != 1794931200000 || end.Sub(start) != 24*time.Hour {
		t.Fatalf("DayBounds = %v, %v", start, end)
	}
	if got := kaoqin.DateOfMs(1794931200000-1, sh); got != "2026-11-17" {
		t.Fatalf("DateOfMs just before midnight = %s", got)
	}
	// A day with a DST change is 23 hours long.
	ny, _ := time.LoadLocation("America/New_York")
	s, e := kaoqin.DayBounds("2026-03-08", ny)
	if e.Sub(s) != 23*time.Hour {
		t.Fatalf("DST day is %v long", e.Sub(s))
	}
}

func TestMembershipHolds(t *testing.T) {
	m := kaoqin.Membership{From: "2026-11-10", To: "2026-11-20"}
	for day, want := range map[string]bool{"2026-11-09": false, "2026-11-10": true, "2026-11-20": true, "2026-11-21": false} {
		if m.Holds(day) != want {
			t.Errorf("Holds(%s) = %v", day, !want)
		}
	}
	open := kaoqin.Membership{}
	if !open.Holds("2017-01-01") || !open.Overlaps("2030-01-01", "2030-01-02") {
		t.Error("an open membership holds on every day")
	}
	if m.Overlaps("2026-11-21", "2026-11-30") || !m.Overlaps("2026-11-01", "2026-11-10") {
		t.Error("Overlaps at the edges")
	}
}

// TestDays_EndOfCalendar is issue 15's item 2: the day after 9999-12-31 is written
// "10000-01-01", which sorts before it as text, and Days looped on until AddDays panicked.
func TestDays_EndOfCalendar(t *testing.T) {
	got := kaoqin.Days("9999-12-30", "9999-12-31")
	if want := []string{"9999-12-30", "9999-12-31"}; !slices.Equal(got, want) {
		t.Fatalf("Days at the end of the calendar = %v, want %v", got, want)
	}
	for _, r := range [][2]string{{"2026-11-18", "2026-11-17"}, {"x", "2026-11-18"}, {"2026-11-18", "10000-01-01"}} {
		if got := kaoqin.Days(r[0], r[1]); got != nil {
			t.Errorf("Days(%s, %s) = %v, want nil", r[0], r[1], got)
		}
	}
	if n := kaoqin.DaysIn("0001-01-01", "9999-12-31"); n != 3652059 {
		t.Errorf("DaysIn of the whole calendar = %d", n)
	}
	if n := kaoqin.DaysIn("2024-01-01", "2024-12-31"); n != 366 {
		t.Errorf("DaysIn of 2024 = %d", n)
	}
}

// TestCheckRange is issue 15's items 1 and 2: one rule for every date a user gives, checked
// from the range's two ends before any work.
func TestCheckRange(t *testing.T) {
	const today = "2026-11-18"
	for _, r := range [][2]string{
		{"2017-01-01", "2017-01-01"},
		{"2026-10-26", "2026-11-25"},
		{"2025-11-18", "2026-11-18"}, // 366 days
		{"2027-11-18", "2027-11-18"}, // a year from today
	} {
		if _, _, err := kaoqin.CheckRange(r[0], r[1], today, kaoqin.MaxRangeDays); err != nil {
			t.Errorf("CheckRange(%s, %s): %v", r[0], r[1], err)
		}
	}
	for _, tc := range []struct{ from, to, want string }{
		{"2016-12-31", "2017-01-01", "2017-01-01"},
		{"2027-11-19", "2027-11-19", "2027-11-18"},
		{"0001-01-01", "9999-12-30", "2017-01-01"},
		{"2026-11-18", "9999-12-31", "9999-12-31"},
		{"2025-11-17", "2026-11-18", "367 days"},
		{"2026-11-18", "2026-11-17", "backwards"},
		{"2026-11-31", "2026-12-01", "YYYY-MM-DD"},
	} {
		_, _, err := kaoqin.CheckRange(tc.from, tc.to, today, kaoqin.MaxRangeDays)
		if kaoqin.ErrorCode(err) != kaoqin.EINVALID || !strings.Contains(kaoqin.ErrorMessage(err), tc.want) {
			t.Errorf("CheckRange(%s, %s) = %v, want EINVALID mentioning %q", tc.from, tc.to, err, tc.want)
		}
	}
}
