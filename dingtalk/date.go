package dingtalk

import (
	"fmt"
	"time"
)

// DateLayout is how work dates are written ("yyyy-MM-dd").
const DateLayout = "2006-01-02"

// Date is a work date: a calendar day in the org's time zone, with no time and no zone of its
// own. The attendance calls take Dates; the client turns them into DingTalk's strings and
// millisecond bounds with its location (WithLocation). The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "yyyy-MM-dd" and rejects days that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Format(DateLayout) != s {
		return Date{}, fmt.Errorf("dingtalk: bad date %q: want yyyy-MM-dd", s)
	}
	return DateOf(t), nil
}

// MustParseDate is ParseDate for constants in tests and examples; it panics on a bad date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar day of t in t's own location: use DateOf(t.In(loc)).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String returns the date as "yyyy-MM-dd".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// civil returns midnight UTC of the day: a zone with no daylight saving, so day arithmetic
// is exact.
func (d Date) civil() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns the date n days later (earlier when n is negative).
func (d Date) AddDays(n int) Date { return DateOf(d.civil().AddDate(0, 0, n)) }

// DaysUntil returns the number of days from d to e: 0 for the same day, negative when e is
// before d.
func (d Date) DaysUntil(e Date) int { return int(e.civil().Sub(d.civil()) / (24 * time.Hour)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.civil().Compare(e.civil()) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Start returns the first instant of the day in loc. Days are not always 24 hours long:
// the next day starts at d.AddDays(1).Start(loc).
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// MarshalText implements encoding.TextMarshaler ("yyyy-MM-dd").
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DateRange is an inclusive range of work dates.
type DateRange struct {
	From, To Date
}

// Days returns the number of days in the range (1 when From == To).
func (r DateRange) Days() int { return r.From.DaysUntil(r.To) + 1 }

func (r DateRange) String() string { return r.From.String() + ".." + r.To.String() }

// SplitDays cuts the inclusive range [from, to] into consecutive windows of at most n days:
// [from, from+n-1], [from+n, ...], the last one ending at to. It returns nil when to is before
// from or n < 1.
func SplitDays(from, to Date, n int) []DateRange {
	if n < 1 || to.Before(from) {
		return nil
	}
	var out []DateRange
	for d := from; !d.After(to); d = d.AddDays(n) {
		end := d.AddDays(n - 1)
		if end.After(to) {
			end = to
		}
		out = append(out, DateRange{From: d, To: end})
	}
	return out
}

// SplitUsers cuts ids into consecutive batches of at most n, in order. It returns nil for no
// ids or n < 1. The batches share ids' backing array: do not append to them.
func SplitUsers(ids []string, n int) [][]string {
	if n < 1 {
		return nil
	}
	var out [][]string
	for len(ids) > 0 {
		k := min(n, len(ids))
		out = append(out, ids[:k:k])
		ids = ids[k:]
	}
	return out
}

// Chunk is the unit of one attendance call (or one run of pages): a batch of users over a
// window of work dates. The sync engine commits one chunk at a time.
type Chunk struct {
	UserIDs []string
	DateRange
}

// PlanChunks returns the calls that cover userIDs over [from, to], at most maxUsers users and
// maxDays days each: for each window of days in order, every batch of users. So once the
// chunks of a window are done, those days are complete for everyone. Empty and repeated ids
// are dropped first. The iterators of AttendanceService walk exactly these chunks:
// PlanChunks(ids, from, to, MaxResultUsers, MaxResultDays) for results and records,
// PlanChunks(ids, from, to, MaxLeaveUsers, MaxLeaveDays) for leave.
func PlanChunks(userIDs []string, from, to Date, maxUsers, maxDays int) []Chunk {
	ids := uniqueIDs(userIDs)
	var out []Chunk
	for _, w := range SplitDays(from, to, maxDays) {
		for _, batch := range SplitUsers(ids, maxUsers) {
			out = append(out, Chunk{UserIDs: batch, DateRange: w})
		}
	}
	return out
}

func uniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// endOfDay returns the last millisecond of day d in loc.
func endOfDay(d Date, loc *time.Location) time.Time {
	return d.AddDays(1).Start(loc).Add(-time.Millisecond)
}
