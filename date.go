package kaoqin

import (
	"fmt"
	"time"
)

// DateLayout is the layout of work dates: calendar days in the configured time zone.
const DateLayout = "2006-01-02"

// ParseDate checks that s is a real calendar day written as YYYY-MM-DD and returns it in
// that form. The error is meant for users: it names the bad value and the expected form.
func ParseDate(s string) (string, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Format(DateLayout) != s {
		return "", Errorf(EINVALID, "bad date %q: want YYYY-MM-DD, e.g. 2026-11-18", s)
	}
	return s, nil
}

// ParseRange checks both ends of an inclusive date range and that it does not run backwards.
func ParseRange(from, to string) (string, string, error) {
	if _, err := ParseDate(from); err != nil {
		return "", "", err
	}
	if _, err := ParseDate(to); err != nil {
		return "", "", err
	}
	if to < from {
		return "", "", Errorf(EINVALID, "date range runs backwards: from %s is after to %s", from, to)
	}
	return from, to, nil
}

// EarliestDate is the first work date kaoqin accepts anywhere: DingTalk's attendance API
// has nothing older.
const EarliestDate = "2017-01-01"

// MaxRangeDays bounds a range of days a report, an export or a page may cover: a year and a
// day holds every pay period and a whole year, and keeps one request from reading a decade.
const MaxRangeDays = 366

// dateHorizonYears is how far after today a date may lie: plans and schedules are made ahead,
// attendance is not recorded further out.
const dateHorizonYears = 1

// LatestDate returns the last work date kaoqin accepts when it is today: a year from today.
func LatestDate(today string) string {
	t, err := time.Parse(DateLayout, today)
	if err != nil {
		return today
	}
	return t.AddDate(dateHorizonYears, 0, 0).Format(DateLayout)
}

// CheckDate checks that day is a real day written as YYYY-MM-DD that DingTalk can have
// attendance of, seen from today: from EarliestDate to a year after today. The error names
// the days that are possible. This and CheckRange are the one rule for every date a user
// gives (pages, API, exports, the command line), checked before any work.
func CheckDate(day, today string) (string, error) {
	if _, err := ParseDate(day); err != nil {
		return "", err
	}
	if last := LatestDate(today); day < EarliestDate || day > last {
		return "", Errorf(EINVALID, "date %s is outside the days kaoqin can have: want a day from %s to %s (a year from today)",
			day, EarliestDate, last)
	}
	return day, nil
}

// CheckRange checks both ends of an inclusive range with CheckDate, that it does not run
// backwards, and that it holds at most maxDays days, counted from its two ends (the days in
// between are never listed for that).
func CheckRange(from, to, today string, maxDays int) (string, string, error) {
	if _, err := CheckDate(from, today); err != nil {
		return "", "", err
	}
	if _, err := CheckDate(to, today); err != nil {
		return "", "", err
	}
	if to < from {
		return "", "", Errorf(EINVALID, "date range runs backwards: from %s is after to %s", from, to)
	}
	if n := DaysIn(from, to); n > maxDays {
		return "", "", Errorf(EINVALID, "range %s..%s is %d days long: ask for at most %d days", from, to, n, maxDays)
	}
	return from, to, nil
}

// DaysIn returns how many days the inclusive range [from, to] holds, from its two ends; 0 if
// either is not a date or the range runs backwards.
func DaysIn(from, to string) int {
	f, err1 := time.Parse(DateLayout, from)
	t, err2 := time.Parse(DateLayout, to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return 0
	}
	// Both are midnight UTC, where every day is 86,400 s long. (t.Sub would saturate at 292
	// years.)
	return int((t.Unix()-f.Unix())/86400) + 1
}

// AddDays returns the work date n days after day (n may be negative). day must be valid.
func AddDays(day string, n int) string {
	t, err := time.Parse(DateLayout, day)
	if err != nil {
		panic(fmt.Sprintf("kaoqin.AddDays: bad date %q", day))
	}
	return t.AddDate(0, 0, n).Format(DateLayout)
}

// Days returns every work date of the inclusive range [from, to], in order; nil if either end
// is not a date or the range runs backwards. It steps through time, not text: the day after
// 9999-12-31 is written "10000-01-01", which sorts before it. Callers bound the range first
// (CheckRange): the answer holds one string per day.
func Days(from, to string) []string {
	n := DaysIn(from, to)
	if n == 0 {
		return nil
	}
	f, _ := time.Parse(DateLayout, from)
	days := make([]string, n)
	for i := range days {
		days[i] = f.AddDate(0, 0, i).Format(DateLayout)
	}
	return days
}

// DayBounds returns the first instant of day and of the day after, in loc: the half-open
// interval [start, end) a work date covers. Days are not always 24 hours long.
func DayBounds(day string, loc *time.Location) (start, end time.Time) {
	t, err := time.ParseInLocation(DateLayout, day, loc)
	if err != nil {
		panic(fmt.Sprintf("kaoqin.DayBounds: bad date %q", day))
	}
	return t, t.AddDate(0, 0, 1)
}

// DateOf returns the work date of an instant in loc.
func DateOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(DateLayout) }

// DateOfMs returns the work date of a unix-millisecond instant in loc.
func DateOfMs(ms int64, loc *time.Location) string { return DateOf(time.UnixMilli(ms), loc) }

// MonthOf returns the calendar month ("YYYY-MM") of an instant in loc: the month of
// DingTalk's quota.
func MonthOf(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01") }
