package dingtalksim

import (
	"fmt"
	"sync"
	"time"
)

// civil is a calendar day: days since 1970-01-01. Work dates are calendar days in the
// company's time zone.
type civil int32

// civilOf returns the calendar day of t in t's location.
func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civilFromDate(y, m, d)
}

func civilFromDate(y int, m time.Month, d int) civil {
	return civil(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d civil) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

// String formats the day as YYYY-MM-DD.
func (d civil) String() string {
	y, m, dd := d.date()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// start returns midnight of the day in loc.
func (d civil) start(loc *time.Location) time.Time {
	y, m, dd := d.date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

func (d civil) weekday() time.Weekday { return time.Weekday((int64(d)%7 + 7 + 4) % 7) }

func parseDate(s string) (civil, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return civilOf(t), nil
}

// DayKind says what kind of day a calendar day is for the whole company.
type DayKind string

const (
	Workday DayKind = "workday" // Monday to Friday
	Weekend DayKind = "weekend" // Saturday or Sunday: rest
	Holiday DayKind = "holiday" // a public holiday on a weekday: rest
	MakeUp  DayKind = "makeup"  // 调休上班: a Saturday that is a workday
)

// dayKind applies the company calendar. Each month has one public holiday, the first Monday
// on or after the 10th, and one make-up workday, the Saturday of that same week (Monday + 5),
// which is how Chinese calendars pay back a long weekend.
func dayKind(d civil) DayKind {
	calendarOnce.Do(buildCalendar)
	if d >= 0 && int(d) < len(calendar) {
		return calendar[d]
	}
	return computeDayKind(d)
}

// calendar caches dayKind for 1970-2100: the answer is asked for many times per person-day.
var (
	calendarOnce sync.Once
	calendar     []DayKind
)

func buildCalendar() {
	calendar = make([]DayKind, civilFromDate(2100, 1, 1))
	for d := range calendar {
		calendar[d] = computeDayKind(civil(d))
	}
}

func computeDayKind(d civil) DayKind {
	y, m, _ := d.date()
	h := holidayOf(y, m)
	switch {
	case d == h:
		return Holiday
	case d == h+5:
		return MakeUp
	}
	if wd := d.weekday(); wd == time.Saturday || wd == time.Sunday {
		return Weekend
	}
	return Workday
}

func (k DayKind) working() bool { return k == Workday || k == MakeUp }

// holidayOf returns the month's public holiday: the first Monday on or after the 10th.
func holidayOf(y int, m time.Month) civil {
	d := civilFromDate(y, m, 10)
	for d.weekday() != time.Monday {
		d++
	}
	return d
}
