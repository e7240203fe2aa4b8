package dingtalksim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Truth tells what the company really is, in the simulator's own types, so that tests can
// compare what a client or a sync stored against it row by row. Attendance comes exactly as
// the endpoints would answer at the current company clock.
type Truth struct{ s *Server }

// Truth returns the simulator's view of the company.
func (s *Server) Truth() Truth { return Truth{s} }

// Department is a department as the org chart has it now.
type Department struct {
	ID               int64
	ParentID         int64 // 0 for the root
	Name             string
	SourceIdentifier string
	Order            int64
	Managers         []string
	Members          []string // direct members, in listing order
	HideDept         bool
	CreateDeptGroup  bool
	OuterDept        bool
}

// User is a person as the org chart has them (removed people keep Removed and Until).
type User struct {
	UserID    string
	UnionID   string
	Name      string
	Mobile    string
	JobNumber string
	Title     string
	Email     string
	WorkPlace string
	DeptIDs   []int64
	HiredDate int64 // unix ms
	// Contact details an org push sets.
	Telephone  string
	OrgEmail   string
	Remark     string
	Extension  string // JSON object
	HideMobile bool
	Senior     bool
	Manager    string          // manager_userid
	Orders     map[int64]int64 // orders in departments set by create or update (dept_order_list)
	Admin      bool
	Boss       bool
	GroupID    int64
	Removed    bool
	Since      string // first day with attendance, "" for people generated with the company
	Until      string // last day with attendance, "" while they are in the company
}

func (t Truth) dept(d *dept) Department {
	var members []string
	for _, u := range t.s.org.members[d.id] {
		members = append(members, u.userid)
	}
	return Department{ID: d.id, ParentID: d.parent, Name: d.name, SourceIdentifier: d.sourceID, Order: d.order,
		Managers: slices.Clone(d.managers), Members: members, HideDept: d.hide, CreateDeptGroup: d.createGroup, OuterDept: d.outer}
}

func exportUser(u *user) User {
	out := User{UserID: u.userid, UnionID: u.unionid, Name: u.name, Mobile: u.mobile, JobNumber: u.jobNumber,
		Title: u.title, Email: u.email, WorkPlace: u.workPlace, DeptIDs: slices.Clone(u.depts), HiredDate: u.hired,
		Admin: u.admin, Boss: u.boss, GroupID: u.group.id, Removed: u.removed,
		Telephone: u.telephone, OrgEmail: u.orgEmail, Remark: u.remark, Extension: u.extension, HideMobile: u.hideMobile,
		Senior: u.senior, Manager: u.manager, Orders: maps.Clone(u.orders)}
	if u.since != 0 {
		out.Since = u.since.String()
	}
	if u.until != 0 {
		out.Until = u.until.String()
	}
	return out
}

// Departments returns every department by id (the root, id 1, first).
func (t Truth) Departments() []Department {
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	var out []Department
	for _, d := range t.s.org.depts {
		out = append(out, t.dept(d))
	}
	slices.SortFunc(out, func(a, b Department) int { return int(a.ID - b.ID) })
	return out
}

// Department returns one department.
func (t Truth) Department(id int64) (Department, bool) {
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	d := t.s.org.depts[id]
	if d == nil {
		return Department{}, false
	}
	return t.dept(d), true
}

// Subtree returns id and the ids of all departments below it.
func (t Truth) Subtree(id int64) []int64 {
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	if t.s.org.depts[id] == nil {
		return nil
	}
	return t.s.org.subtree(id)
}

// Users returns the people in the company now, by userid.
func (t Truth) Users() []User {
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	var out []User
	for _, u := range t.s.org.allSorted() {
		if !u.removed {
			out = append(out, exportUser(u))
		}
	}
	return out
}

// UserIDs returns the userids of the people in the company now, sorted.
func (t Truth) UserIDs() []string {
	var out []string
	for _, u := range t.Users() {
		out = append(out, u.UserID)
	}
	return out
}

// User returns one person, also one who was removed.
func (t Truth) User(userid string) (User, bool) {
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	u := t.s.org.users[userid]
	if u == nil {
		return User{}, false
	}
	return exportUser(u), true
}

// Group is an attendance group and its judging settings.
type Group struct {
	ID                     int64
	Name                   string
	ClassID                int64
	ClassName              string
	Checks                 []string // "09:00 OnDuty", "18:00 OffDuty", ...
	PermitLateMinutes      int
	SeriousLateMinutes     int
	AbsenteeismLateMinutes int
}

// Groups returns the attendance groups.
func (t Truth) Groups() []Group {
	var out []Group
	for _, g := range t.s.co.groups {
		gr := Group{ID: g.id, Name: g.name, ClassID: g.classID, ClassName: g.className,
			PermitLateMinutes: g.permitLate, SeriousLateMinutes: g.seriousLate, AbsenteeismLateMinutes: g.absenteeismLate}
		for _, sec := range g.sections {
			gr.Checks = append(gr.Checks, hhmm(sec.on)+" OnDuty", hhmm(sec.off)+" OffDuty")
		}
		out = append(out, gr)
	}
	return out
}

// DayKind returns what kind of day date (YYYY-MM-DD) is in the company calendar.
func (t Truth) DayKind(date string) DayKind { return dayKind(mustDate(date)) }

// Day is one person's day: as the endpoints answer it now, and as it will be once over.
type Day struct {
	UserID       string
	Date         string
	Kind         DayKind
	Outcome      Outcome
	Outside      bool   // one punch outside the office
	ExtraPunch   bool   // a second OnDuty punch, not matched to a check
	InvalidPunch bool   // a punch refused by DingTalk (isLegal N, invalidRecordType Security or Other)
	Trip         string // "出差" or "外出": every check made by the approval (sourceType APPROVE)
	Edited       string // "admin" (BOSS) or "make_up" (a 补卡 approval, APPROVE): a missing check filled in
	AutoOff      bool   // the check-out is an automatic punch (AUTO_CHECK)
	FarPunch     bool   // a phone punch about 3 km from the office, judged in range (weak GPS)
	SharedDevice bool   // phone punches made on the phone of the colleague with the next serial
	SameMinute   bool   // the person punches in at 08:58 and some seconds on every normal day
	Overtime     bool   // an approved overtime in the evening
	Leave        *Leave
	Schedules    []Schedule
	Results      []Result // attendance/list now
	Records      []Record // attendance/listRecord now
	FinalResults []Result // the results once the whole day has happened
	FinalRecords []Record // the records once the whole day has happened
}

// Day returns one person's day; ok is false for an unknown userid.
func (t Truth) Day(userid, date string) (Day, bool) {
	ps := t.s.people([]string{userid})
	if len(ps) == 0 {
		return Day{}, false
	}
	d := mustDate(date)
	dp := t.s.co.plan(ps[0], d)
	now := t.s.Now()
	today := civilOf(now)
	day := Day{UserID: userid, Date: date, Kind: dp.kind, Outcome: dp.outcome, Outside: dp.outside,
		ExtraPunch: dp.extra, InvalidPunch: dp.invalid, Edited: dp.edited, AutoOff: dp.autoOff, FarPunch: dp.far,
		SharedDevice: dp.shared, SameMinute: sameMinuteHabit(ps[0].seq), Overtime: dp.overtime != nil,
		Schedules:    t.s.co.schedules(dp),
		FinalResults: t.s.co.results(dp, 1<<62), FinalRecords: t.s.co.records(dp, 1<<62)}
	if dp.leave != nil {
		lv := dp.leave.Leave
		day.Leave = &lv
	}
	if dp.trip != nil {
		day.Trip = dp.trip.tag
	}
	if d <= today && servable(d, today) {
		day.Results, day.Records = t.s.amendResults(t.s.co.results(dp, now.UnixMilli()), now.UnixMilli()), t.s.co.records(dp, now.UnixMilli())
	}
	return day, true
}

// Results returns what attendance/list answers for these people and inclusive dates, all
// pages together (no 7-day or 50-user limit here).
func (t Truth) Results(userIDs []string, from, to string) []Result {
	var out []Result
	t.eachDay(userIDs, from, to, func(day Day) { out = append(out, day.Results...) })
	return out
}

// Records returns the punch records of these people's work dates from..to: what
// attendance/listRecord answers from the start of from to the end of to, except that a night
// shift's punches after midnight go with the work date the shift began on (DingTalk files them
// so; listRecord selects by the time of the punch).
func (t Truth) Records(userIDs []string, from, to string) []Record {
	var out []Record
	t.eachDay(userIDs, from, to, func(day Day) { out = append(out, day.Records...) })
	return out
}

// Schedules returns the plans of these people over the dates, rest days included.
func (t Truth) Schedules(userIDs []string, from, to string) []Schedule {
	var out []Schedule
	t.eachDay(userIDs, from, to, func(day Day) { out = append(out, day.Schedules...) })
	return out
}

// Leaves returns the approved leaves of these people overlapping the dates, as
// getleavestatus lists them.
func (t Truth) Leaves(userIDs []string, from, to string) []Leave {
	d0, d1 := mustDate(from), mustDate(to)
	lo, hi := t.s.co.dayStart(d0), t.s.co.dayStart(d1+1)-1
	var out []Leave
	for _, p := range t.s.people(dedupe(userIDs)) {
		for _, lv := range t.s.co.leaves(p, d0, d1) {
			if lv.StartTime <= hi && lv.EndTime >= lo {
				out = append(out, lv.Leave)
			}
		}
	}
	return append(out, t.s.lateLeaves(t.s.people(dedupe(userIDs)), lo, hi, t.s.Now().UnixMilli())...)
}

func (t Truth) eachDay(userIDs []string, from, to string, f func(Day)) {
	d0, d1 := mustDate(from), mustDate(to)
	for _, id := range dedupe(userIDs) {
		for d := d0; d <= d1; d++ {
			if day, ok := t.Day(id, d.String()); ok {
				f(day)
			}
		}
	}
}

func mustDate(s string) civil {
	d, err := parseDate(s)
	if err != nil {
		panic("dingtalksim: " + err.Error()) // a test passing a malformed date
	}
	return d
}

// Date returns the calendar day of t in the company's time zone, as YYYY-MM-DD.
func (s *Server) Date(t time.Time) string { return civilOf(t.In(s.cfg.Location)).String() }

// At returns the instant of a wall-clock time ("2026-11-18 08:50" or with seconds) in the
// company's time zone.
func (s *Server) At(wall string) time.Time {
	layout := "2006-01-02 15:04"
	if strings.Count(wall, ":") == 2 {
		layout = wireTime
	}
	t, err := time.ParseInLocation(layout, wall, s.cfg.Location)
	if err != nil {
		panic(fmt.Sprintf("dingtalksim: wall time %q: want 2006-01-02 15:04[:05]", wall))
	}
	return t
}
