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
	// Plans, punches and punch pulls: the daily report shows a day's plans, and reads a day
	// not final live (live.go). The other reports leave them out.
	Schedules  []kaoqin.Schedule
	Punches    []kaoqin.Punch
	PunchPulls []kaoqin.PunchPull
	// Leave by type, for the period report: its columns (the types with leave in its range,
	// see leavetype.go) and the rows, sorted by UserID, WorkDate, Name.
	LeaveTypes []LeaveTypeColumn
	LeaveTimes []kaoqin.LeaveTime

	users []string // the employees Load read the rows of; nil: everyone
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

// checkRange holds a report's range to kaoqin.CheckRange, today being the day of opts.Now:
// a report is never asked for days DingTalk cannot have, or for more than a year and a day.
// Callers have checked the options.
func (opts Options) checkRange(from, to string) (string, string, error) {
	return kaoqin.CheckRange(from, to, kaoqin.DateOf(opts.Now, opts.Location), kaoqin.MaxRangeDays)
}

// view is the input cut to one range and one scope, grouped by employee and day: what every
// report function works on.
type view struct {
	loc    *time.Location
	now    int64 // unix ms
	days   []string
	bounds []int64 // bounds[i] is the first instant (unix ms) of days[i]; the last is the end
	tail   int64   // the end of the day after the last: a night shift of the last day ends before
	before string  // the day before the first: its night shift reaches into the range
	org    *org
	scope  []bool // per department index; nil: the whole company
	people []*person
	byID   map[string]*person
	slab   *slab
	// The leave-type columns, and each one's index by name.
	leaveCols []LeaveTypeColumn
	leaveCol  map[string]int
}

// person is one employee's rows over the range of a view.
type person struct {
	userid string
	// prevEnd is the last check of the day before the range (unix ms; 0: none known): a night
	// shift of that day reaches into the first day of the range.
	prevEnd int64
	emp     *kaoqin.Employee   // nil when kaoqin has never seen the employee in the contacts
	checks  [][]kaoqin.Check   // per day, sorted by base_check_time then id
	held    [][]int64          // per day: the departments held, sorted; consecutive days share
	in      []bool             // per day: the day belongs to the report (known, and in scope)
	leaves  []kaoqin.Leave     // the leaves overlapping the range, by start
	times   []kaoqin.LeaveTime // leave by type of the range, by date
}

// newView groups in over the days [from, to]. Callers have checked the dates and options.
func newView(in Input, from, to string, opts Options) (*view, error) {
	return newViewIn(newOrg(in.Departments), in, from, to, opts)
}

// newViewIn is newView over the department tree o (that of in.Departments), which a report
// read a slice of the company at a time builds once.
func newViewIn(o *org, in Input, from, to string, opts Options) (*view, error) {
	v := &view{
		loc:    opts.Location,
		now:    opts.Now.UnixMilli(),
		days:   kaoqin.Days(from, to),
		before: kaoqin.AddDays(from, -1),
		org:    o,
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
	_, tail := kaoqin.DayBounds(kaoqin.AddDays(to, 1), v.loc)
	v.tail = tail.UnixMilli()
	dayIndex := make(map[string]int, len(v.days))
	for i, d := range v.days {
		dayIndex[d] = i
	}
	// The store returns memberships and checks sorted by userid: group them, then merge the
	// two lists into the people of the report, in userid order.
	ms := groupBy(sortedBy(in.Memberships, func(a, b *kaoqin.Membership) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), cmpInt64(a.DeptID, b.DeptID), strings.Compare(a.From, b.From))
	}), func(m *kaoqin.Membership) string { return m.UserID })
	cs := groupBy(sortedBy(in.Checks, cmpChecks), func(c *kaoqin.Check) string { return c.UserID })
	v.byID = make(map[string]*person, max(len(ms), len(cs)))
	v.slab = newSlab(len(v.days), mergedLen(ms, cs))
	for i, j := 0, 0; i < len(ms) || j < len(cs); {
		var mine []kaoqin.Membership
		var checks []kaoqin.Check
		var userid string
		switch {
		case j == len(cs) || (i < len(ms) && ms[i][0].UserID < cs[j][0].UserID):
			mine, userid = ms[i], ms[i][0].UserID
			i++
		case i == len(ms) || cs[j][0].UserID < ms[i][0].UserID:
			checks, userid = cs[j], cs[j][0].UserID
			j++
		default:
			mine, checks, userid = ms[i], cs[j], ms[i][0].UserID
			i, j = i+1, j+1
		}
		if p := v.newPerson(userid, mine, checks, dayIndex, from, to); p != nil {
			v.people = append(v.people, p)
			v.byID[userid] = p
		}
	}

	// Employees come sorted by userid too: a merge finds each one's person without the map.
	emps := sortedBy(in.Employees, func(a, b *kaoqin.Employee) int { return strings.Compare(a.UserID, b.UserID) })
	for i, k := 0, 0; i < len(emps) && k < len(v.people); {
		switch p := v.people[k]; strings.Compare(emps[i].UserID, p.userid) {
		case -1:
			i++
		case 1:
			k++
		default:
			p.emp = &emps[i]
			i, k = i+1, k+1
		}
	}
	start, end := v.bounds[0], v.tail
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
	if len(in.LeaveTypes) > 0 {
		v.leaveCols, v.leaveCol = in.LeaveTypes, make(map[string]int, len(in.LeaveTypes))
		for i, c := range in.LeaveTypes {
			v.leaveCol[c.Name] = i
		}
	}
	if len(in.LeaveTimes) > 0 {
		times := sortedBy(in.LeaveTimes, func(a, b *kaoqin.LeaveTime) int {
			return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.WorkDate, b.WorkDate), strings.Compare(a.Name, b.Name))
		})
		for _, g := range groupBy(times, func(t *kaoqin.LeaveTime) string { return t.UserID }) {
			if p := v.byID[g[0].UserID]; p != nil {
				p.times = g
			}
		}
	}
	return v, nil
}

// newPerson builds the rows of one employee over the view, or returns nil when the employee
// has no day in the report (not known on any day, or never in scope).
func (v *view) newPerson(userid string, mine []kaoqin.Membership, checks []kaoqin.Check, dayIndex map[string]int, from, to string) *person {
	n := len(v.days)
	p := v.slab.person()
	p.userid = userid
	if slices.ContainsFunc(mine, func(m kaoqin.Membership) bool { return m.Overlaps(from, to) }) {
		var prev, scratch []int64
		for i, d := range v.days {
			scratch = scratch[:0]
			for _, m := range mine {
				if m.Holds(d) && !slices.Contains(scratch, m.DeptID) {
					scratch = append(scratch, m.DeptID)
				}
			}
			slices.Sort(scratch)
			// Consecutive days with the same departments share one slice: the subtrees are
			// then computed once per change.
			if i == 0 || !slices.Equal(scratch, prev) {
				prev = slices.Clone(scratch)
			}
			p.held[i] = prev
		}
	}
	for lo := 0; lo < len(checks); {
		hi := lo + 1
		for hi < len(checks) && checks[hi].WorkDate == checks[lo].WorkDate {
			hi++
		}
		if i, ok := dayIndex[checks[lo].WorkDate]; ok {
			p.checks[i] = checks[lo:hi:hi]
		} else if checks[lo].WorkDate == v.before {
			p.prevEnd = checks[hi-1].BaseCheckTime
		}
		lo = hi
	}
	known := false
	for i := range n {
		if v.scope == nil {
			p.in[i] = len(p.held[i]) > 0 || len(p.checks[i]) > 0
		} else {
			p.in[i] = v.org.inScope(v.scope, p.held[i])
		}
		known = known || p.in[i]
	}
	if !known {
		v.slab.unget()
		return nil
	}
	return p
}

// slab allocates the people of a view and their per-day slices in a few large blocks rather
// than several small ones each: a daily report of 100,000 people makes 100,000 of them.
type slab struct {
	days   int
	people []person
	checks [][]kaoqin.Check
	held   [][]int64
	in     []bool
	next   int
}

func newSlab(days, maxPeople int) *slab {
	return &slab{days: days, people: make([]person, maxPeople), checks: make([][]kaoqin.Check, maxPeople*days),
		held: make([][]int64, maxPeople*days), in: make([]bool, maxPeople*days)}
}

// person returns the next person, cleared.
func (s *slab) person() *person {
	i, n := s.next, s.days
	s.next++
	p := &s.people[i]
	*p = person{checks: s.checks[i*n : (i+1)*n : (i+1)*n], held: s.held[i*n : (i+1)*n : (i+1)*n], in: s.in[i*n : (i+1)*n : (i+1)*n]}
	clear(p.checks)
	clear(p.held)
	clear(p.in)
	return p
}

// unget gives back the person last returned.
func (s *slab) unget() { s.next-- }

// groupBy splits s, sorted by key, into runs of equal keys.
func groupBy[T any](s []T, key func(*T) string) [][]T {
	n := 0
	for i := range s {
		if i == 0 || key(&s[i]) != key(&s[i-1]) {
			n++
		}
	}
	groups := make([][]T, 0, n)
	for lo := 0; lo < len(s); {
		hi := lo + 1
		for hi < len(s) && key(&s[hi]) == key(&s[lo]) {
			hi++
		}
		groups = append(groups, s[lo:hi:hi])
		lo = hi
	}
	return groups
}

// mergedLen is the number of distinct userids of the two grouped lists.
func mergedLen(ms [][]kaoqin.Membership, cs [][]kaoqin.Check) int {
	n, i, j := 0, 0, 0
	for ; i < len(ms) && j < len(cs); n++ {
		switch strings.Compare(ms[i][0].UserID, cs[j][0].UserID) {
		case -1:
			i++
		case 1:
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return n + len(ms) - i + len(cs) - j
}

// span is the time of p's work date i, [lo, hi) in unix ms: the calendar day, except that a
// night shift's day runs until its last check the next morning, and the next day starts
// after it. A work date's leave is the leave that overlaps its span: a night's leave counts
// on the night's work date, not also on the morning's.
func (v *view) span(p *person, i int) (lo, hi int64) {
	lo, hi = v.bounds[i], v.bounds[i+1]
	prev := p.prevEnd
	if i > 0 {
		if cs := p.checks[i-1]; len(cs) > 0 {
			prev = cs[len(cs)-1].BaseCheckTime
		} else {
			prev = 0
		}
	}
	if prev >= lo {
		lo = prev + 1
	}
	if cs := p.checks[i]; len(cs) > 0 {
		hi = max(hi, cs[len(cs)-1].BaseCheckTime+1)
	}
	return lo, hi
}

// onLeave reports whether a leave of p overlaps the span of day i.
func (v *view) onLeave(p *person, i int) bool {
	lo, hi := v.span(p, i)
	for _, l := range p.leaves {
		if l.Overlaps(lo, hi) {
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
func (v *view) included(i int32, start int64) bool { return v.org.included(v.scope, i, start) }

// included is view.included for a scope of o.
func (o *org) included(scope []bool, i int32, start int64) bool {
	if scope != nil && !scope[i] {
		return false
	}
	d := o.depts[i]
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

// cmpChecks orders checks as the store returns them: by userid, work date, time and id.
func cmpChecks(a, b *kaoqin.Check) int {
	return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.WorkDate, b.WorkDate),
		cmpInt64(a.BaseCheckTime, b.BaseCheckTime), cmpInt64(a.ID, b.ID))
}

// merged returns the rows of a and b, each sorted by cmp, as one list sorted by cmp: the rows
// of another day added to a day's, without sorting the day's 200,000 checks of a large company
// again.
func merged[T any](a, b []T, cmp func(a, b *T) int) []T {
	if len(b) == 0 {
		return a
	}
	out := make([]T, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if cmp(&b[0], &a[0]) < 0 {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// sortedBy returns s sorted by cmp, copying it only when it is not sorted already (the store
// returns rows in the order reports need). cmp takes pointers: rows are large, and the check
// visits every one of them.
func sortedBy[T any](s []T, cmp func(a, b *T) int) []T {
	sorted := true
	for i := 1; i < len(s) && sorted; i++ {
		sorted = cmp(&s[i-1], &s[i]) <= 0
	}
	if sorted {
		return s
	}
	// Sorted by index: the comparison gets pointers into s. Sorting s itself would hand it
	// copies of two elements each time (a check is 200 bytes), which escape to the heap: a
	// day of 100,000 people with a few checks out of order cost 3 GB and 4 s that way.
	idx := make([]int32, len(s))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(i, j int32) int { return cmp(&s[i], &s[j]) })
	out := make([]T, len(s))
	for k, i := range idx {
		out[k] = s[i]
	}
	return out
}
