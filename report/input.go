package report

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Input is everything a report is computed from, as the store returns it. The report
// functions read only the rows that concern their range and scope, so an Input may hold more
// (a whole month of checks for a daily report, every department ever seen).
type Input struct {
	Departments []kaoqin.Department // every department ever seen, removed ones included
	Employees   []kaoqin.Employee   // every employee ever seen: names and job numbers
	Memberships []kaoqin.Membership // who belonged where, and when
	Checks      []kaoqin.Check
	Leaves      []kaoqin.Leave
	Coverage    []kaoqin.DayCoverage // the days whose attendance has been pulled
}

// Options are what a report needs besides the data: no clock and no configuration is read
// inside the package.
type Options struct {
	// Location is the configured time zone: work dates, leave overlap and every printed time
	// are in it. Required.
	Location *time.Location
	// Now is the moment the report is made at. A NotSigned check whose scheduled time is
	// after Now is pending: DingTalk has not judged it yet, so it counts nowhere. Required.
	Now time.Time
	// DeptIDs limits the report to these departments' subtrees (kaoqin report --dept, a
	// manager's scope). The report then holds those departments, the employees who were
	// members of them, and a company line that totals the union of the subtrees. Empty: the
	// whole company.
	DeptIDs []int64
}

func (opts Options) check() error {
	if opts.Location == nil {
		return errors.New("report: Options.Location is required")
	}
	if opts.Now.IsZero() {
		return errors.New("report: Options.Now is required")
	}
	return nil
}

// view is the input cut to one range and one scope, grouped by employee and day: what every
// report function works on.
type view struct {
	loc    *time.Location
	now    int64 // unix ms
	days   []string
	bounds []int64 // bounds[i] is the first instant (unix ms) of days[i]; the last is the end
	org    *org
	scope  []bool // per department index; nil: the whole company
	people []*person
	byID   map[string]*person
}

// person is one employee's rows over the range of a view.
type person struct {
	userid string
	emp    *kaoqin.Employee // nil when kaoqin has never seen the employee in the contacts
	checks [][]kaoqin.Check // per day, sorted by base_check_time then id
	held   [][]int64        // per day: the departments held, sorted; consecutive days share
	in     []bool           // per day: the day belongs to the report (known, and in scope)
	leaves []kaoqin.Leave   // the leaves overlapping the range, by start
}

// newView groups in over the days [from, to]. Callers have checked the dates and options.
func newView(in Input, from, to string, opts Options) (*view, error) {
	v := &view{
		loc:  opts.Location,
		now:  opts.Now.UnixMilli(),
		days: kaoqin.Days(from, to),
		org:  newOrg(in.Departments),
		byID: make(map[string]*person),
	}
	var err error
	if v.scope, err = v.org.scope(opts.DeptIDs); err != nil {
		return nil, err
	}
	v.bounds = make([]int64, len(v.days)+1)
	for i, d := range v.days {
		start, end := kaoqin.DayBounds(d, v.loc)
		v.bounds[i], v.bounds[i+1] = start.UnixMilli(), end.UnixMilli()
	}
	dayIndex := make(map[string]int, len(v.days))
	for i, d := range v.days {
		dayIndex[d] = i
	}
	get := func(userid string) *person {
		p := v.byID[userid]
		if p == nil {
			p = &person{userid: userid}
			v.byID[userid] = p
		}
		return p
	}

	// Memberships: the departments each employee held on each day.
	ms := sortedBy(in.Memberships, func(a, b kaoqin.Membership) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), cmpInt64(a.DeptID, b.DeptID), strings.Compare(a.From, b.From))
	})
	for lo := 0; lo < len(ms); {
		hi := lo + 1
		for hi < len(ms) && ms[hi].UserID == ms[lo].UserID {
			hi++
		}
		if mine := ms[lo:hi]; slices.ContainsFunc(mine, func(m kaoqin.Membership) bool { return m.Overlaps(from, to) }) {
			p := get(mine[0].UserID)
			p.held = make([][]int64, len(v.days))
			var prev []int64
			for i, d := range v.days {
				var held []int64
				for _, m := range mine {
					if m.Holds(d) && !slices.Contains(held, m.DeptID) {
						held = append(held, m.DeptID)
					}
				}
				slices.Sort(held)
				if slices.Equal(held, prev) {
					held = prev // consecutive days share: subtrees are then computed once
				}
				p.held[i], prev = held, held
			}
		}
		lo = hi
	}

	// Checks, by employee and day.
	cs := sortedBy(in.Checks, func(a, b kaoqin.Check) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.WorkDate, b.WorkDate),
			cmpInt64(a.BaseCheckTime, b.BaseCheckTime), cmpInt64(a.ID, b.ID))
	})
	for lo := 0; lo < len(cs); {
		hi := lo + 1
		for hi < len(cs) && cs[hi].UserID == cs[lo].UserID && cs[hi].WorkDate == cs[lo].WorkDate {
			hi++
		}
		if i, ok := dayIndex[cs[lo].WorkDate]; ok {
			p := get(cs[lo].UserID)
			if p.checks == nil {
				p.checks = make([][]kaoqin.Check, len(v.days))
			}
			p.checks[i] = cs[lo:hi:hi]
		}
		lo = hi
	}

	// Who belongs to the report on which day: known (a member, or has checks) and in scope.
	for _, p := range v.byID {
		p.in = make([]bool, len(v.days))
		any := false
		for i := range v.days {
			var held []int64
			if p.held != nil {
				held = p.held[i]
			}
			if v.scope == nil {
				p.in[i] = len(held) > 0 || (p.checks != nil && len(p.checks[i]) > 0)
			} else {
				p.in[i] = v.org.inScope(v.scope, held)
			}
			any = any || p.in[i]
		}
		if !any {
			delete(v.byID, p.userid)
			continue
		}
		if p.checks == nil {
			p.checks = make([][]kaoqin.Check, len(v.days))
		}
		if p.held == nil {
			p.held = make([][]int64, len(v.days))
		}
		v.people = append(v.people, p)
	}
	slices.SortFunc(v.people, func(a, b *person) int { return strings.Compare(a.userid, b.userid) })

	for i := range in.Employees {
		if p := v.byID[in.Employees[i].UserID]; p != nil {
			p.emp = &in.Employees[i]
		}
	}
	start, end := v.bounds[0], v.bounds[len(v.days)]
	for _, l := range in.Leaves {
		if p := v.byID[l.UserID]; p != nil && l.Overlaps(start, end) {
			p.leaves = append(p.leaves, l)
		}
	}
	for _, p := range v.people {
		slices.SortFunc(p.leaves, func(a, b kaoqin.Leave) int {
			return cmp.Or(cmpInt64(a.StartTime, b.StartTime), cmpInt64(a.EndTime, b.EndTime))
		})
	}
	return v, nil
}

// onLeave reports whether a leave of p overlaps day i.
func (v *view) onLeave(p *person, i int) bool {
	for _, l := range p.leaves {
		if l.Overlaps(v.bounds[i], v.bounds[i+1]) {
			return true
		}
	}
	return false
}

// classify classifies p's day i.
func (v *view) classify(p *person, i int) flags {
	return classify(p.checks[i], v.onLeave(p, i), v.now)
}

// included reports whether department index i appears in a report whose first day starts
// at start: in scope, and not removed before that.
func (v *view) included(i int32, start int64) bool {
	if v.scope != nil && !v.scope[i] {
		return false
	}
	d := v.org.depts[i]
	return d.RemovedAt == 0 || d.RemovedAt >= start
}

func (p *person) name() string {
	if p.emp != nil {
		return p.emp.Name
	}
	return ""
}

func (p *person) jobNumber() string {
	if p.emp != nil {
		return p.emp.JobNumber
	}
	return ""
}

// sortedBy returns s sorted by cmp, copying it only when it is not sorted already (the store
// returns rows in the order reports need).
func sortedBy[T any](s []T, cmp func(a, b T) int) []T {
	if slices.IsSortedFunc(s, cmp) {
		return s
	}
	s = slices.Clone(s)
	slices.SortFunc(s, cmp)
	return s
}
