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

// AddDays returns the work date n days after day (n may be negative). day must be valid.
func AddDays(day string, n int) string {
	t, err := time.Parse(DateLayout, day)
	if err != nil {
		panic(fmt.Sprintf("kaoqin.AddDays: bad date %q", day))
	}
	return t.AddDate(0, 0, n).Format(DateLayout)
}

// Days returns every work date of the inclusive range [from, to], in order.
func Days(from, to string) []string {
	var days []string
	for d := from; d <= to; d = AddDays(d, 1) {
		days = append(days, d)
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
