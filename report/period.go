package report

import (
	"slices"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Period is the period report of spec/reports.md over an inclusive range of days, with two
// extras: per-department totals and a company line. Marshalled as JSON it is the contract;
// the unexported index behind it answers Checks, Days and Who.
//
// A Period holds the range's checks in memory (about 150 MB per 10,000 employee-months): for
// the reports of a large company use OpenPeriod, which computes the same report a slice of
// the company at a time as it is written.
type Period struct {
	Kind        string `json:"kind"` // "period"
	From        string `json:"from"`
	To          string `json:"to"`
	Timezone    string `json:"timezone"`
	GeneratedAt Time   `json:"generated_at"`
	// Final is true when every day of the range was synced after it had ended.
	Final bool    `json:"final"`
	Scope []int64 `json:"scope,omitempty"` // Options.DeptIDs; absent: the company
	// LeaveTypes are the leave types with leave by type in the range: each is a column of
	// its own, and every line's LeaveByType has it. Absent when there is none.
	LeaveTypes []LeaveTypeColumn `json:"leave_types,omitempty"`
	// Employees come before the totals in the JSON: a report written as it is computed knows
	// the totals only once every employee has been counted.
	Employees []PeriodEmployee `json:"employees"` // sorted by UserID
	// Company sums the employees of the report; its headcount is their number.
	Company PeriodTotal `json:"company"`
	// Departments total each subtree over the days each employee belonged to it, so that a
	// transfer splits an employee's numbers between the two departments. Sorted by ID.
	Departments []PeriodDepartment `json:"departments"`

	view *view
	org  *org
}

// PeriodTotal is a headcount and the counts summed over it.
type PeriodTotal struct {
	Headcount int `json:"headcount"`
	PeriodCounts
	// LeaveByType is the leave of each of the report's leave types, in its unit.
	LeaveByType map[string]float64 `json:"leave_by_type,omitempty"`
}

// PeriodDepartment is one department subtree's totals; Headcount is the unique employees
// who were members of the subtree on any day of the range.
type PeriodDepartment struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	ParentID int64  `json:"parent_id"` // as in DailyDepartment: 0 at the top of the report
	PeriodTotal
}

// PeriodEmployee is one employee's counts over the range. With a scope, only the days on
// which the employee belonged to it count.
type PeriodEmployee struct {
	UserID    string `json:"userid"`
	Name      string `json:"name"`
	JobNumber string `json:"job_number,omitempty"`
	// DepartmentIDs are the departments held on the last day of the range on which the
	// employee held any: their departments at the end of the period, or when they left.
	DepartmentIDs []int64 `json:"department_ids"`
	PeriodCounts
	// LeaveByType is the leave of each of the report's leave types, in its unit (0 for none).
	LeaveByType map[string]float64 `json:"leave_by_type,omitempty"`
	HiredOn     string             `json:"hired_on,omitempty"` // from DingTalk's hired date
	LeftOn      string             `json:"left_on,omitempty"`  // when a sync found them gone
}

// ComputePeriod computes the period report of [from, to] from in. It fails with ENOTSYNCED
// naming the days not synced, EINVALID for bad dates and ENOTFOUND for an unknown department.
func ComputePeriod(in Input, from, to string, opts Options) (*Period, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	from, to, err := opts.checkRange(from, to)
	if err != nil {
		return nil, err
	}
	cov, err := coverage(in.Coverage, from, to)
	if err != nil {
		return nil, err
	}
	v, err := newView(in, from, to, opts)
	if err != nil {
		return nil, err
	}
	r := newPeriod(from, to, opts, final(cov), v.org)
	r.LeaveTypes = in.LeaveTypes
	r.view = v
	r.Employees = make([]PeriodEmployee, 0, len(v.people))
	sum := newPeriodSum(v.org, v.scope, v.bounds[0], in.LeaveTypes)
	_ = sum.add(v, func(e *PeriodEmployee) error {
		r.Employees = append(r.Employees, *e)
		return nil
	})
	sum.finish(r)
	return r, nil
}

// newPeriod returns a period report's own fields, without its lines.
func newPeriod(from, to string, opts Options, final bool, o *org) *Period {
	return &Period{
		Kind:        "period",
		From:        from,
		To:          to,
		Timezone:    opts.Location.String(),
		GeneratedAt: Time{opts.Now.In(opts.Location)},
		Final:       final,
		Scope:       slices.Clone(opts.DeptIDs),
		org:         o,
	}
}

// DepartmentLabels names the report's departments as Daily.DepartmentLabels does.
func (r *Period) DepartmentLabels() map[int64]string {
	ids := make([]int64, len(r.Departments))
	for i, x := range r.Departments {
		ids[i] = x.ID
	}
	return r.org.labelsOf(ids)
}

// periodSum adds up a period report's employee lines into its company and department lines
// as they are computed: the employees of one view, or of one slice of the company after
// another (in userid order either way, so the sums are the same).
type periodSum struct {
	org     *org
	scope   []bool
	start   int64 // the first instant of the range
	company PeriodTotal
	totals  []PeriodTotal // per department
	seen    []int         // per department: the last person (by number) counted in its headcount
	people  int
	// Leave by type, per column: the company's and each department's.
	cols        []LeaveTypeColumn
	leave       []float64
	deptLeave   [][]float64
	ownLeaveBuf []float64
}

func newPeriodSum(o *org, scope []bool, start int64, cols []LeaveTypeColumn) *periodSum {
	s := &periodSum{org: o, scope: scope, start: start, cols: cols,
		totals: make([]PeriodTotal, len(o.depts)), seen: make([]int, len(o.depts))}
	if len(cols) > 0 {
		s.leave, s.ownLeaveBuf = make([]float64, len(cols)), make([]float64, len(cols))
		s.deptLeave = make([][]float64, len(o.depts))
		for i := range s.deptLeave {
			s.deptLeave[i] = make([]float64, len(cols))
		}
	}
	return s
}

// add computes the line of every employee of v, adds it up and passes it to fn; it stops at
// fn's first error and returns it.
func (s *periodSum) add(v *view, fn func(*PeriodEmployee) error) error {
	for _, p := range v.people {
		s.people++
		var own PeriodCounts
		ownLeave := s.ownLeaveBuf
		clear(ownLeave)
		v.eachDay(p, func(i int, pc *PeriodCounts, lv []float64, subs []int32) {
			own.add(pc)
			addLeave(ownLeave, lv)
			for _, d := range subs {
				s.totals[d].add(pc)
				if lv != nil {
					addLeave(s.deptLeave[d], lv)
				}
				if s.seen[d] != s.people {
					s.seen[d] = s.people
					s.totals[d].Headcount++
				}
			}
		})
		own.round()
		s.company.Headcount++
		s.company.add(&own)
		addLeave(s.leave, ownLeave)
		e := PeriodEmployee{
			UserID:        p.userid,
			Name:          p.name(),
			JobNumber:     p.jobNumber(),
			DepartmentIDs: nonNil(v.org.visible(v.scope, lastHeld(p))),
			PeriodCounts:  own,
			LeaveByType:   leaveMap(s.cols, ownLeave),
			HiredOn:       dateOf(p.emp, func(e *kaoqin.Employee) int64 { return e.HiredAt }, v.loc),
			LeftOn:        dateOf(p.emp, func(e *kaoqin.Employee) int64 { return e.LeftAt }, v.loc),
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return nil
}

// finish sets r's company and department lines to the sums.
func (s *periodSum) finish(r *Period) {
	r.Company = s.company
	r.Company.round()
	r.Company.LeaveByType = leaveMap(s.cols, s.leave)
	r.Departments = []PeriodDepartment{}
	for i, d := range s.org.depts {
		if !s.org.included(s.scope, int32(i), s.start) {
			continue
		}
		t := s.totals[i]
		t.round()
		if s.deptLeave != nil {
			t.LeaveByType = leaveMap(s.cols, s.deptLeave[i])
		}
		r.Departments = append(r.Departments, PeriodDepartment{ID: d.ID, Name: d.Name, ParentID: s.org.parentOf(int32(i)), PeriodTotal: t})
	}
}

// eachDay calls fn for every day of the range that belongs to the report for p, with the
// day's counts, its leave by type (per column; nil without columns) and the subtrees p
// belonged to that day.
func (v *view) eachDay(p *person, fn func(i int, pc *PeriodCounts, lv []float64, subs []int32)) {
	leaveDays, leaveHours := v.leaveShares(p)
	var subs []int32
	var subsOf []int64
	var pc PeriodCounts
	var lv []float64
	k := 0
	if len(v.leaveCols) > 0 {
		lv = make([]float64, len(v.leaveCols))
	}
	for i := range v.days {
		if !p.in[i] {
			continue
		}
		f := v.classify(p, i)
		var ld, lh float64
		if leaveDays != nil {
			ld = leaveDays[i]
		}
		if leaveHours != nil {
			lh = leaveHours[i]
		}
		dayCounts(&pc, p.checks[i], f, v.now, ld, lh)
		if lv != nil {
			v.leaveOfDay(p, i, lv, &k)
		}
		// Consecutive days share their held slice: compute the subtrees once per change.
		if held := p.held[i]; i == 0 || !sameSlice(held, subsOf) {
			subs, subsOf = v.org.subtrees(held), held
		}
		fn(i, &pc, lv, subs)
	}
}

// Checks returns the checks behind one number of an employee's line, by day and time:
// field is a JSON name of PeriodCounts, e.g. "late_minutes" (the Late checks) or
// "absent_days" (every check of the absent days). ENOTFOUND for an employee not in the
// report, EINVALID for an unknown field.
func (r *Period) Checks(userid, field string) ([]kaoqin.Check, error) {
	p, fd, err := r.lookup(userid, field)
	if err != nil {
		return nil, err
	}
	out := []kaoqin.Check{}
	r.view.trace(p, fd, func(i int, cs []kaoqin.Check) { out = append(out, cs...) })
	return out, nil
}

// Days returns the days behind one number of an employee's line: the days that add to it.
func (r *Period) Days(userid, field string) ([]string, error) {
	p, fd, err := r.lookup(userid, field)
	if err != nil {
		return nil, err
	}
	out := []string{}
	r.view.trace(p, fd, func(i int, _ []kaoqin.Check) { out = append(out, r.view.days[i]) })
	return out, nil
}

// Leaves returns the leaves of an employee that overlap the range, by start.
func (r *Period) Leaves(userid string) ([]kaoqin.Leave, error) {
	p, err := r.person(userid)
	if err != nil {
		return nil, err
	}
	return slices.Clone(p.leaves), nil
}

// Who returns the userids behind one number of a department's line (deptID 0: the company
// line): the employees who add to field there, or, for "headcount", who are counted in it.
func (r *Period) Who(deptID int64, field string) ([]string, error) {
	v := r.view
	dept := int32(-1)
	if deptID != 0 {
		i, ok := slices.BinarySearchFunc(r.Departments, deptID, func(d PeriodDepartment, id int64) int { return cmpInt64(d.ID, id) })
		if !ok {
			return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "department %d is not in the period report %s..%s", deptID, r.From, r.To)
		}
		dept = v.org.index[r.Departments[i].ID]
	}
	var fd periodField
	if field != "headcount" {
		var err error
		if fd, err = lookupPeriodField(field); err != nil {
			return nil, err
		}
	}
	ids := []string{}
	for _, p := range v.people {
		var sum PeriodCounts
		counted := false
		v.eachDay(p, func(_ int, pc *PeriodCounts, _ []float64, subs []int32) {
			if dept >= 0 {
				if _, ok := slices.BinarySearch(subs, dept); !ok {
					return
				}
			}
			counted = true
			sum.add(pc)
		})
		if counted && (field == "headcount" || fd.value(&sum) != 0) {
			ids = append(ids, p.userid)
		}
	}
	return ids, nil
}

// trace calls fn with each day of p behind field fd and the checks of that day behind it.
func (v *view) trace(p *person, fd periodField, fn func(i int, cs []kaoqin.Check)) {
	var leaveShare []float64
	if fd.float != nil {
		d, h := v.leaveShares(p)
		leaveShare = d
		if fd.name == "leave_hours" {
			leaveShare = h
		}
	}
	for i := range v.days {
		if !p.in[i] {
			continue
		}
		f, cs := v.classify(p, i), p.checks[i]
		switch {
		case fd.check != nil:
			var mine []kaoqin.Check
			for _, c := range cs {
				if fd.check(c, f, v.now) {
					mine = append(mine, c)
				}
			}
			if len(mine) > 0 {
				fn(i, mine)
			}
		case fd.day != nil:
			if !fd.day(f) {
				continue
			}
			if fd.signedOnly {
				cs = slices.DeleteFunc(slices.Clone(cs), func(c kaoqin.Check) bool { return !c.Signed() })
			}
			fn(i, cs)
		case leaveShare != nil && leaveShare[i] > 0:
			fn(i, cs)
		}
	}
}

func (r *Period) lookup(userid, field string) (*person, periodField, error) {
	fd, err := lookupPeriodField(field)
	if err != nil {
		return nil, fd, err
	}
	p, err := r.person(userid)
	return p, fd, err
}

func (r *Period) person(userid string) (*person, error) {
	p := r.view.byID[userid]
	if p == nil {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "employee %q is not in the period report %s..%s", userid, r.From, r.To)
	}
	return p, nil
}

// Employee returns the line of the employee with userid, if the report holds them.
func (r *Period) Employee(userid string) (*PeriodEmployee, bool) {
	i, ok := slices.BinarySearchFunc(r.Employees, userid, func(e PeriodEmployee, id string) int {
		return strings.Compare(e.UserID, id)
	})
	if !ok {
		return nil, false
	}
	return &r.Employees[i], true
}

// lastHeld returns the departments held on the last day of the view on which p held any.
func lastHeld(p *person) []int64 {
	for i := len(p.held) - 1; i >= 0; i-- {
		if len(p.held[i]) > 0 {
			return p.held[i]
		}
	}
	return nil
}

func dateOf(e *kaoqin.Employee, field func(*kaoqin.Employee) int64, loc *time.Location) string {
	if e == nil || field(e) == 0 {
		return ""
	}
	return kaoqin.DateOfMs(field(e), loc)
}

// sameSlice reports whether a and b are the same slice (not merely equal): consecutive days
// of a person share one when the memberships did not change.
func sameSlice(a, b []int64) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
