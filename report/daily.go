package report

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Counts are the daily counts of spec/reports.md, for one department subtree or the company:
// each is a number of unique employees.
type Counts struct {
	Headcount       int `json:"headcount"`
	Scheduled       int `json:"scheduled"`
	CheckedIn       int `json:"checked_in"`
	NotCheckedIn    int `json:"not_checked_in"`
	Late            int `json:"late"`
	SeriousLate     int `json:"serious_late"`
	AbsenteeismLate int `json:"absenteeism_late"`
	Early           int `json:"early"`
	MissingOnDuty   int `json:"missing_on_duty"`
	MissingOffDuty  int `json:"missing_off_duty"`
	Absent          int `json:"absent"`
	OnLeave         int `json:"on_leave"`
	Outside         int `json:"outside"`
	// The shift-aware board: scheduled = checked_in + not_checked_in + awaiting + not_due_yet
	// + on_leave_not_checked_in, each employee in exactly one of them.
	NotDueYet           int `json:"not_due_yet"`
	Awaiting            int `json:"awaiting"`
	OnLeaveCheckedIn    int `json:"on_leave_checked_in"`
	OnLeaveNotCheckedIn int `json:"on_leave_not_checked_in"`
	DueNow              int `json:"due_now"`
	// OvernightOnDuty counts the employees still on duty in a night shift of the day before
	// (checked in, the check-out still to come): their shift counts on that day, not in this
	// day's other counts.
	OvernightOnDuty int `json:"overnight_on_duty"`
}

// dailyFields maps each daily count to the flag an employee needs to be in it; headcount
// needs none.
var dailyFields = []dailyField{
	{"headcount", 0, func(c *Counts) *int { return &c.Headcount }},
	{"scheduled", fScheduled, func(c *Counts) *int { return &c.Scheduled }},
	{"checked_in", fCheckedIn, func(c *Counts) *int { return &c.CheckedIn }},
	{"not_checked_in", fNotCheckedIn, func(c *Counts) *int { return &c.NotCheckedIn }},
	{"late", fLate, func(c *Counts) *int { return &c.Late }},
	{"serious_late", fSeriousLate, func(c *Counts) *int { return &c.SeriousLate }},
	{"absenteeism_late", fAbsenteeismLate, func(c *Counts) *int { return &c.AbsenteeismLate }},
	{"early", fEarly, func(c *Counts) *int { return &c.Early }},
	{"missing_on_duty", fMissingOnDuty, func(c *Counts) *int { return &c.MissingOnDuty }},
	{"missing_off_duty", fMissingOffDuty, func(c *Counts) *int { return &c.MissingOffDuty }},
	{"absent", fAbsent, func(c *Counts) *int { return &c.Absent }},
	{"on_leave", fOnLeave, func(c *Counts) *int { return &c.OnLeave }},
	{"outside", fOutside, func(c *Counts) *int { return &c.Outside }},
	{"not_due_yet", fNotDueYet, func(c *Counts) *int { return &c.NotDueYet }},
	{"awaiting", fAwaiting, func(c *Counts) *int { return &c.Awaiting }},
	{"on_leave_checked_in", fOnLeaveCheckedIn, func(c *Counts) *int { return &c.OnLeaveCheckedIn }},
	{"on_leave_not_checked_in", fOnLeaveNotIn, func(c *Counts) *int { return &c.OnLeaveNotCheckedIn }},
	{"due_now", fDueNow, func(c *Counts) *int { return &c.DueNow }},
	{"overnight_on_duty", fOvernight, func(c *Counts) *int { return &c.OvernightOnDuty }},
}

type dailyField struct {
	name string
	flag flags
	get  func(*Counts) *int
}

// addCounts adds o to c.
func (c *Counts) addCounts(o *Counts) {
	c.Headcount += o.Headcount
	for _, fd := range dailyFields[1:] {
		*fd.get(c) += *fd.get(o)
	}
}

// add counts one employee's classified day.
func (c *Counts) add(f flags) {
	c.Headcount++
	if f == 0 {
		return
	}
	for _, fd := range dailyFields[1:] {
		if f.has(fd.flag) {
			*fd.get(c)++
		}
	}
}

// Daily is the daily report of spec/reports.md. Marshalled as JSON it is the contract;
// the unexported index behind it answers Who.
type Daily struct {
	Kind        string `json:"kind"` // "daily"
	Date        string `json:"date"`
	Timezone    string `json:"timezone"`
	GeneratedAt Time   `json:"generated_at"`
	// SyncedAt is when the day's attendance was last pulled from DingTalk; Final is true when
	// that happened after the day had closed: ended, and its last check's late window passed (a
	// night shift's day closes the next morning). Otherwise the day is reported as it stood then.
	SyncedAt Time `json:"synced_at"`
	Final    bool `json:"final"`
	// Scope is Options.DeptIDs: the subtrees the report is limited to (absent: the company).
	Scope []int64 `json:"scope,omitempty"`
	// Company totals every employee of the report: with no scope, everyone known for the day
	// (members of some department, and anyone with checks); with a scope, the unique members
	// of its subtrees.
	Company     Counts            `json:"company"`
	Departments []DailyDepartment `json:"departments"` // sorted by ID
	Employees   []DailyEmployee   `json:"employees"`   // sorted by UserID

	loc  *time.Location
	org  *org
	rows []dailyRow // parallel to Employees
}

// DailyDepartment is one department's line: counts over the unique members of its subtree.
type DailyDepartment struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// ParentID is 0 at the top of the report: the company's root, or in a scoped report (a
	// manager's) one of the scope's departments, whose parent is not the report's to show. The
	// JSON tells them apart: 0 for the root, null for a scope's top (see parent.go).
	ParentID int64  `json:"parent_id"`
	Counts   Counts `json:"counts"`
	// NotCheckedIn are the people behind Counts.NotCheckedIn, sorted by userid.
	NotCheckedIn []Person `json:"not_checked_in"`
}

// Person names an employee.
type Person struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
}

// DailyEmployee is one employee's day: where they belonged and their checks.
type DailyEmployee struct {
	UserID        string  `json:"userid"`
	Name          string  `json:"name"`
	JobNumber     string  `json:"job_number,omitempty"`
	DepartmentIDs []int64 `json:"department_ids"` // held that day, sorted; [] for none
	OnLeave       bool    `json:"on_leave"`
	Status        string  `json:"status"` // one of the Status constants
	Plans         []Plan  `json:"plans"`  // by time; [] on a rest day or without an attendance group
	// The shift-aware board, at the moment of the report: Presence is one of the Presence
	// constants; ShiftStart the first check-in's time; LateMinutes the minutes late of the
	// check-ins (provisional readings included); OverdueMinutes since the first check-in due
	// and not signed (overdue and awaiting only); NextOffDuty the next check-out still to come.
	Presence       string  `json:"presence"`
	ShiftStart     Time    `json:"shift_start"`
	LateMinutes    int     `json:"late_minutes"`
	OverdueMinutes int     `json:"overdue_minutes"`
	NextOffDuty    Time    `json:"next_off_duty"`
	Checks         []Check `json:"checks"` // by scheduled time
	// Overnight is their night shift of the day before, while it is still going on (a
	// 22:00-06:00 shift on the board of 02:30); absent otherwise.
	Overnight *Overnight `json:"overnight,omitempty"`
}

type dailyRow struct {
	flags flags
	subs  []int32 // department indexes whose subtree holds the employee that day
}

// ComputeDaily computes the daily report of day from in. It fails with ENOTSYNCED if the
// day has not been synced, EINVALID for a bad date and ENOTFOUND for an unknown department.
func ComputeDaily(in Input, day string, opts Options) (*Daily, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if _, _, err := opts.checkRange(day, day); err != nil {
		return nil, err
	}
	cov, err := coverage(in.Coverage, day, day)
	if err != nil {
		return nil, err
	}
	v, err := newView(in, day, day, opts)
	if err != nil {
		return nil, err
	}
	d := &Daily{
		Kind:        "daily",
		Date:        day,
		Timezone:    v.loc.String(),
		GeneratedAt: Time{opts.Now.In(v.loc)},
		SyncedAt:    at(cov[0].SyncedAt, v.loc),
		Final:       cov[0].Closed,
		Scope:       slices.Clone(opts.DeptIDs),
		loc:         v.loc,
		org:         v.org,
	}
	// Each employee's line is computed apart from the others': two halves of the people at
	// once (the machines kaoqin runs on have few cores, and a 100,000-person day is worth two),
	// their department counts added up after.
	plans := dayPlans(in, day)
	live := !cov[0].Closed // plans and punches count on a day not final; on a final one they are shown
	punches, pulls := dayPunches(in, day), dayPulls(in, day)
	night := newOvernight(in, day, v)
	d.Employees = make([]DailyEmployee, len(v.people))
	d.rows = make([]dailyRow, len(v.people))
	parts := make([]dailyPart, min(2, max(1, len(v.people)/splitAt)))
	var wg sync.WaitGroup
	for k := range parts {
		lo, hi := k*len(v.people)/len(parts), (k+1)*len(v.people)/len(parts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[k] = d.computeLines(v, lo, hi, plans.from(v, lo), punches.from(v, lo), pulls.from(v, lo), night.from(v, lo), live, cov[0].SyncedAt)
		}()
	}
	wg.Wait()
	counts := make([]Counts, len(v.org.depts))
	notIn := make([][]Person, len(v.org.depts))
	for _, part := range parts {
		d.Company.addCounts(&part.company)
		for i := range counts {
			counts[i].addCounts(&part.counts[i])
			notIn[i] = append(notIn[i], part.notIn[i]...) // in people order: the halves in turn
		}
	}
	for i, dept := range v.org.depts {
		if !v.included(int32(i), v.bounds[0]) {
			continue
		}
		d.Departments = append(d.Departments, DailyDepartment{
			ID:           dept.ID,
			Name:         dept.Name,
			ParentID:     v.org.parentOf(int32(i)),
			Counts:       counts[i],
			NotCheckedIn: nonNil(notIn[i]), // people are visited by userid: already sorted
		})
	}
	if d.Departments == nil {
		d.Departments = []DailyDepartment{}
	}
	return d, nil
}

// splitAt is how many people of a daily report it takes to compute it in two halves at once.
var splitAt = 10_000

// dailyPart is what computing the lines of some of a daily report's people adds up.
type dailyPart struct {
	company Counts
	counts  []Counts   // per department
	notIn   [][]Person // per department
}

// computeLines sets the lines of people [lo, hi) of v in d, and returns their counts; the
// day's plans, punches and pulls are handed out from the first of them on.
func (d *Daily) computeLines(v *view, lo, hi int, dayPlans *dayRows[kaoqin.Schedule], dayPunches *dayRows[kaoqin.Punch],
	dayPulls *dayRows[kaoqin.PunchPull], night *overnight, live bool, coveredAt int64) dailyPart {
	part := dailyPart{counts: make([]Counts, len(v.org.depts)), notIn: make([][]Person, len(v.org.depts))}
	total := 0
	for _, p := range v.people[lo:hi] {
		total += len(p.checks[0])
	}
	alloc := newCheckAlloc(total)
	plans := &planAlloc{plans: make([]Plan, 0, total), loc: v.loc}
	buf := new(liveBuf) // (each line's checks are copied out of it, by alloc.make)
	for k, p := range v.people[lo:hi] {
		ps := dayPlans.of(p.userid)
		ld := liveDay{checks: p.checks[0]}
		if live {
			ld = readLive(buf, p.checks[0], ps, dayPunches.of(p.userid), latestPull(dayPulls.of(p.userid)), coveredAt)
		}
		f := classify(ld.checks, v.onLeave(p, 0), v.now)
		_, dayEnd := v.span(p, 0)
		sh := shiftOf(ld.checks, f, v.now, dayEnd)
		on, onDuty := night.of(p.userid)
		if onDuty {
			f |= fOvernight
		}
		shown, provisional := ld.shown()
		checks := alloc.make(shown, v.loc, v.now)
		for i, prov := range provisional {
			checks[i].Provisional = prov
		}
		subs := v.org.subtrees(p.held[0])
		part.company.add(f)
		for _, s := range subs {
			part.counts[s].add(f)
			if f.has(fNotCheckedIn) {
				part.notIn[s] = append(part.notIn[s], Person{UserID: p.userid, Name: p.name()})
			}
		}
		d.rows[lo+k] = dailyRow{flags: f, subs: subs}
		d.Employees[lo+k] = DailyEmployee{
			UserID:         p.userid,
			Name:           p.name(),
			JobNumber:      p.jobNumber(),
			DepartmentIDs:  nonNil(v.org.visible(v.scope, p.held[0])),
			OnLeave:        f.has(fOnLeave),
			Status:         f.status(),
			Plans:          newPlans(ps, plans),
			Presence:       f.presence(),
			ShiftStart:     at(sh.start, v.loc),
			LateMinutes:    sh.lateMin,
			OverdueMinutes: sh.overdueMin,
			NextOffDuty:    at(sh.nextOff, v.loc),
			Checks:         checks,
			Overnight:      on,
		}
	}
	return part
}

// Who returns the userids behind one number of the report, sorted: the employees counted in
// field (a JSON name of Counts, e.g. "late") of department deptID, or of the company line
// when deptID is 0. It fails with ENOTFOUND for a department not in the report and EINVALID
// for an unknown field.
func (d *Daily) Who(deptID int64, field string) ([]string, error) {
	fi := slices.IndexFunc(dailyFields, func(f dailyField) bool { return f.name == field })
	if fi < 0 {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "unknown daily count %q: want one of %s", field, dailyFieldNames())
	}
	want := dailyFields[fi].flag
	dept := int32(-1)
	if deptID != 0 {
		if _, ok := d.department(deptID); !ok {
			return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "department %d is not in the daily report of %s", deptID, d.Date)
		}
		dept = d.org.index[deptID]
	}
	ids := []string{}
	for i, r := range d.rows {
		if dept >= 0 {
			if _, ok := slices.BinarySearch(r.subs, dept); !ok {
				continue
			}
		}
		if want == 0 || r.flags.has(want) {
			ids = append(ids, d.Employees[i].UserID)
		}
	}
	return ids, nil
}

// DepartmentLabels names the report's departments for lists of people and places where the
// tree is not shown: each by as much of its path within the report's scope as tells it apart
// ("一组", or "华东销售部/一组" when the scope holds another 一组). The exports' department
// column uses the same names.
func (d *Daily) DepartmentLabels() map[int64]string {
	ids := make([]int64, len(d.Departments))
	for i, x := range d.Departments {
		ids[i] = x.ID
	}
	return d.org.labelsOf(ids)
}

// Employee returns the employee with userid, if the report holds them.
func (d *Daily) Employee(userid string) (*DailyEmployee, bool) {
	i, ok := slices.BinarySearchFunc(d.Employees, userid, func(e DailyEmployee, id string) int {
		return strings.Compare(e.UserID, id)
	})
	if !ok {
		return nil, false
	}
	return &d.Employees[i], true
}

func (d *Daily) department(id int64) (*DailyDepartment, bool) {
	i, ok := slices.BinarySearchFunc(d.Departments, id, func(x DailyDepartment, id int64) int {
		return cmpInt64(x.ID, id)
	})
	if !ok {
		return nil, false
	}
	return &d.Departments[i], true
}

func dailyFieldNames() string {
	names := make([]string, len(dailyFields))
	for i, f := range dailyFields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// nonNil returns s, or an empty slice for nil: JSON arrays are [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
