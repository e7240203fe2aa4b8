package report

import (
	"context"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// EmployeeDays are one employee's period counts day by day, with the rows behind each day:
// what a reconciliation compares with DingTalk's own report, which is daily too.
type EmployeeDays struct {
	UserID string
	Name   string
	LeftOn string // when a sync found them gone; "" while employed
	Days   []EmployeeDay
}

// EmployeeDay is one day of an employee's period counts.
type EmployeeDay struct {
	Date   string
	Counts PeriodCounts
	// LeaveByType is the day's leave by type, by name (nil when none is stored).
	LeaveByType map[string]float64
	Checks      []kaoqin.Check // the day's checks, by time
	Leaves      []kaoqin.Leave // the leaves that overlap the day
}

// Sum returns the counts of the days.
func (e *EmployeeDays) Sum() PeriodCounts {
	var s PeriodCounts
	for i := range e.Days {
		s.add(&e.Days[i].Counts)
	}
	s.round()
	return s
}

// Day returns the day with date, if the employee has it.
func (e *EmployeeDays) Day(date string) (*EmployeeDay, bool) {
	i, ok := slices.BinarySearchFunc(e.Days, date, func(d EmployeeDay, s string) int {
		switch {
		case d.Date < s:
			return -1
		case d.Date > s:
			return 1
		}
		return 0
	})
	if !ok {
		return nil, false
	}
	return &e.Days[i], true
}

// PeriodValue returns field (a JSON name of PeriodCounts) of c as a number; ok is false for
// an unknown field.
func PeriodValue(c *PeriodCounts, field string) (float64, bool) {
	fd, err := lookupPeriodField(field)
	if err != nil {
		return 0, false
	}
	return fd.value(c), true
}

// LoadEmployeeDays reads the rows of the employees users over [from, to] and passes each
// one's days to fn, in userid order: every day of the range on which kaoqin knows them
// (member of a department, or with checks), whatever the department. opts.DeptIDs must be
// empty. It fails as LoadPeriod does (ENOTSYNCED for days not synced).
func LoadEmployeeDays(ctx context.Context, src Source, users []string, from, to string, opts Options, fn func(*EmployeeDays) error) error {
	if len(opts.DeptIDs) > 0 {
		return kaoqin.Errorf(kaoqin.EINVALID, "employee days are the company's: no department scope")
	}
	users = slices.Compact(slices.Sorted(slices.Values(users)))
	in, err := load(ctx, src, from, to, opts, users, false)
	if err != nil {
		return err
	}
	from, to, _ = kaoqin.ParseRange(from, to)
	in.LeaveTimes, err = loadAllLeaveTimes(ctx, src, kaoqin.Filter{From: from, To: to, UserIDs: users})
	if err != nil {
		return err
	}
	v, err := newView(in, from, to, opts)
	if err != nil {
		return err
	}
	for _, p := range v.people {
		if _, ok := slices.BinarySearch(users, p.userid); !ok {
			continue // a member whose rows were not read
		}
		e := &EmployeeDays{UserID: p.userid, Name: p.name(),
			LeftOn: dateOf(p.emp, func(e *kaoqin.Employee) int64 { return e.LeftAt }, v.loc)}
		k := 0
		v.eachDay(p, func(i int, pc *PeriodCounts, _ []float64, _ []int32) {
			d := EmployeeDay{Date: v.days[i], Counts: *pc, Checks: p.checks[i]}
			for ; k < len(p.times) && p.times[k].WorkDate < d.Date; k++ {
			}
			for ; k < len(p.times) && p.times[k].WorkDate == d.Date; k++ {
				if d.LeaveByType == nil {
					d.LeaveByType = map[string]float64{}
				}
				d.LeaveByType[p.times[k].Name] += p.times[k].Value
			}
			for _, l := range p.leaves {
				if l.Overlaps(v.bounds[i], v.bounds[i+1]) {
					d.Leaves = append(d.Leaves, l)
				}
			}
			e.Days = append(e.Days, d)
		})
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
