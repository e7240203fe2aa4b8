package report

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Plans and live punches: what the daily report of a day in progress knows besides DingTalk's
// check results (spec/reports.md, "Live punches"; spec/punches.md, "Plans in the daily report").
//
// Plans say who is due when before anyone has punched: a plan (排班) without a check result yet
// stands for a check still to come. Punches are evidence seen before DingTalk's verdict: a
// punch newer than the pull that brought a NotSigned check's result answers that check, which
// then counts as signed, provisionally: Normal at or before its time (an OffDuty check: at or
// after it), Late after it (an OffDuty check: Early before it), as spec/reports.md says, until a
// pull brings DingTalk's own result. (DingTalk itself may count lateness in whole minutes; a
// check-in at 09:00:40 for 09:00 then reads Late by 0 minutes, which the pages word as "under a
// minute".) And a punch pull tells when kaoqin last knew every punch of a person: a check
// whose time had come by then and that no punch answers was missed, even though its result was
// pulled before its time.
//
// How a punch feeds the board, whatever brought it (listRecord, a Stream or HTTP event): save it
// as a kaoqin.Punch of its user and work date with a UserCheckTime and an ID unique among
// punches (kaoqin.AttendanceStore.SavePunches; a batch with an empty Scope only adds rows).
// CheckType, PlanID and LocationResult are used when known. The next daily report of that day
// reads it: nothing else is needed. A source that knows a person had no other punch up to some
// moment (a listRecord pull, a Stream connection that was up) says so with PunchBatch.SyncedAt,
// so that a check-in due by then without a punch reads as not checked in rather than awaiting.
//
// All of this applies to days not final (not pulled after they ended): on a final day
// DingTalk's results are the whole truth, and the plans are only shown.
//
// Work dates are DingTalk's: a check, a plan and a punch belong to the work date DingTalk gives
// them, which is where a night shift crossing midnight will be handled (dayRows).

// Plan is one planned check point of an employee's day, as the daily report shows it.
type Plan struct {
	CheckType     string `json:"check_type"`
	PlanCheckTime Time   `json:"plan_check_time"`
	GroupID       int64  `json:"group_id"`
	ClassID       int64  `json:"class_id"` // DingTalk's shift (班次)
}

// Presence says where an employee stands on the day, at the moment of the report: one word per
// employee of the daily report, with the counts of the shift-aware board behind it.
const (
	PresenceIn       = "in"       // checked in, on time
	PresenceLate     = "late"     // checked in, late (Late, SeriousLate or Absenteeism)
	PresenceOverdue  = "overdue"  // not checked in, and DingTalk (or a punch pull) says a check-in is due
	PresenceAwaiting = "awaiting" // a check-in time has come since kaoqin last heard; no punch seen yet
	PresenceNotDue   = "not_due"  // scheduled, the first check-in still to come
	PresenceOnLeave  = "on_leave" // on leave and not checked in
	PresenceAbsent   = "absent"   // every check due and NotSigned (旷工)
	PresenceRest     = "rest"     // nothing scheduled
)

// presenceOf sums up a classified day in one Presence word.
func (f flags) presence() string {
	switch {
	case !f.has(fScheduled) && f.has(fOnLeave):
		return PresenceOnLeave
	case !f.has(fScheduled):
		return PresenceRest
	case f.has(fCheckedIn) && f.has(fLate|fSeriousLate|fAbsenteeismLate):
		return PresenceLate
	case f.has(fCheckedIn):
		return PresenceIn
	case f.has(fOnLeave):
		return PresenceOnLeave
	case f.has(fAbsent):
		return PresenceAbsent
	case f.has(fNotCheckedIn):
		return PresenceOverdue
	case f.has(fAwaiting):
		return PresenceAwaiting
	}
	return PresenceNotDue
}

// liveDay is one employee's day as the shift-aware board reads it.
type liveDay struct {
	// checks are DingTalk's results with the live readings applied, and a placeholder for each
	// plan without a result, sorted by scheduled time: what classify reads.
	checks []kaoqin.Check
	// provisional[i] is true when checks[i] is a punch's reading; placeholder[i] when it stands
	// for a plan DingTalk has given no result for. Both nil when neither happens.
	provisional, placeholder []bool
	buf                      *liveBuf // where the slices live, if readLive was given one
}

// liveBuf is where readLive works, for a caller that reads many days one after the other (the
// daily report's 100,000 lines): reused, it spares each of them its eight slices. What readLive
// and shown return is valid until the next readLive with the same liveBuf.
type liveBuf struct {
	checks, sorted, shown              []kaoqin.Check
	provisional, placeholder, prov, ph []bool
	shownProv                          []bool
	verdictAt                          []int64
	order                              []int
}

// grow returns s with length n, cleared, reusing its array when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// shown returns the checks the report lists: DingTalk's, and the placeholders a punch answered.
func (l liveDay) shown() (checks []kaoqin.Check, provisional []bool) {
	if l.placeholder == nil {
		return l.checks, l.provisional
	}
	if l.buf != nil {
		checks, provisional = l.buf.shown[:0], l.buf.shownProv[:0]
	}
	for i, c := range l.checks {
		if !l.placeholder[i] || l.provisional[i] {
			checks = append(checks, c)
			provisional = append(provisional, l.provisional[i])
		}
	}
	if l.buf != nil {
		l.buf.shown, l.buf.shownProv = checks, provisional
	}
	return checks, provisional
}

// readLive applies plans, punches and the latest punch pull of one employee's day in progress
// to DingTalk's checks of it. coveredAt is when the day's results were last pulled for everyone.
// checks, plans and punches are the employee's of that day only. buf, if not nil, is where it
// works (see liveBuf).
func readLive(buf *liveBuf, checks []kaoqin.Check, plans []kaoqin.Schedule, punches []kaoqin.Punch, pulledAt, coveredAt int64) liveDay {
	if len(plans) == 0 && len(punches) == 0 && pulledAt == 0 {
		return liveDay{checks: checks}
	}
	b := buf
	if b == nil {
		b = new(liveBuf) // every slice new
	}
	l := liveDay{checks: append(b.checks[:0], checks...), buf: buf}
	for _, p := range plans {
		if p.IsRest || slices.ContainsFunc(checks, func(c kaoqin.Check) bool { return planned(c, p) }) {
			continue
		}
		l.checks = append(l.checks, kaoqin.Check{
			UserID: p.UserID, WorkDate: p.WorkDate, CheckType: p.CheckType,
			TimeResult: kaoqin.TimeNotSigned, LocationResult: kaoqin.LocationNotSigned,
			BaseCheckTime: p.PlanCheckTime, UserCheckTime: p.PlanCheckTime,
			PlanID: p.PlanID, GroupID: p.GroupID, ApproveID: p.ApproveID,
			SyncedAt: coveredAt, // DingTalk listed no result for it when the day was pulled
		})
	}
	b.checks = l.checks
	n := len(checks)
	l.provisional = grow(b.provisional, len(l.checks))
	l.placeholder = grow(b.placeholder, len(l.checks))
	for i := n; i < len(l.checks); i++ {
		l.placeholder[i] = true
	}
	// verdictAt is when DingTalk last judged each check: a punch after it is news.
	verdictAt := grow(b.verdictAt, len(l.checks))
	b.provisional, b.placeholder, b.verdictAt = l.provisional, l.placeholder, verdictAt
	for i, c := range l.checks {
		verdictAt[i] = c.SyncedAt
		if l.placeholder[i] {
			verdictAt[i] = 0 // no result at all: any punch answers it
		}
	}
	for _, p := range punches {
		if !p.Valid() {
			continue
		}
		i := l.target(p)
		if i < 0 {
			continue
		}
		c := &l.checks[i]
		if c.Signed() && !l.provisional[i] || p.UserCheckTime <= verdictAt[i] {
			continue // DingTalk's verdict stands: it judged this check after the punch
		}
		if l.provisional[i] && (c.CheckType != kaoqin.OffDuty || p.UserCheckTime <= c.UserCheckTime) {
			continue // a check-in keeps its first punch, a check-out takes the last
		}
		l.read(i, p)
	}
	// A punch pull is news too: a check due by then that no punch answered was missed.
	for i := range l.checks {
		if c := &l.checks[i]; !c.Signed() && pulledAt > c.SyncedAt {
			c.SyncedAt = pulledAt
		}
	}
	order := grow(b.order, len(l.checks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Compare(l.checks[i].BaseCheckTime, l.checks[j].BaseCheckTime)
	})
	sorted := grow(b.sorted, len(order))
	prov, ph := grow(b.prov, len(order)), grow(b.ph, len(order))
	for k, i := range order {
		sorted[k], prov[k], ph[k] = l.checks[i], l.provisional[i], l.placeholder[i]
	}
	b.order, b.sorted, b.prov, b.ph = order, sorted, prov, ph
	l.checks, l.provisional, l.placeholder = sorted, prov, ph
	return l
}

// planned reports whether check c is DingTalk's result for plan p.
func planned(c kaoqin.Check, p kaoqin.Schedule) bool {
	if c.PlanID != 0 && p.PlanID != 0 {
		return c.PlanID == p.PlanID
	}
	return c.CheckType == p.CheckType && c.BaseCheckTime == p.PlanCheckTime
}

// target returns the index of the check punch p belongs to, or -1: the check of its plan, or
// else the check nearest in time (of its check type, when the punch has one). A punch whose
// nearest check is already signed by DingTalk is an extra punch and answers nothing.
func (l *liveDay) target(p kaoqin.Punch) int {
	if p.PlanID != 0 {
		if i := slices.IndexFunc(l.checks, func(c kaoqin.Check) bool { return c.PlanID == p.PlanID }); i >= 0 {
			return i
		}
	}
	best, dist := -1, int64(0)
	for i, c := range l.checks {
		if p.CheckType != "" && c.CheckType != p.CheckType {
			continue
		}
		d := c.BaseCheckTime - p.UserCheckTime
		if d < 0 {
			d = -d
		}
		if best < 0 || d < dist {
			best, dist = i, d
		}
	}
	return best
}

// read makes check i the provisional reading of punch p.
func (l *liveDay) read(i int, p kaoqin.Punch) {
	c := &l.checks[i]
	c.TimeResult = kaoqin.TimeNormal
	switch {
	case c.CheckType == kaoqin.OffDuty && p.UserCheckTime < c.BaseCheckTime:
		c.TimeResult = kaoqin.TimeEarly
	case c.CheckType != kaoqin.OffDuty && p.UserCheckTime > c.BaseCheckTime:
		c.TimeResult = kaoqin.TimeLate
	}
	c.LocationResult = cmp.Or(p.LocationResult, kaoqin.LocationNormal)
	if c.LocationResult == kaoqin.LocationNotSigned {
		c.LocationResult = kaoqin.LocationNormal
	}
	c.UserCheckTime = p.UserCheckTime
	c.SourceType = p.SourceType
	c.RecordID = max(p.ID, 0)
	l.provisional[i] = true
}

// shift is the shift-aware board's figures of one employee's day, at now (unix ms).
type shift struct {
	start, nextOff      int64 // unix ms; 0: none
	lateMin, overdueMin int
}

// shiftOf works out the figures from a day's checks (placeholders included) and its flags.
// dayEnd bounds the minutes overdue of a day that is over.
func shiftOf(checks []kaoqin.Check, f flags, now, dayEnd int64) shift {
	var s shift
	hasOn := slices.ContainsFunc(checks, func(c kaoqin.Check) bool { return c.CheckType == kaoqin.OnDuty })
	var overdueFrom int64
	for _, c := range checks {
		checkIn := !hasOn || c.CheckType == kaoqin.OnDuty
		if checkIn && (s.start == 0 || c.BaseCheckTime < s.start) {
			s.start = c.BaseCheckTime
		}
		switch c.TimeResult {
		case kaoqin.TimeLate, kaoqin.TimeSeriousLate, kaoqin.TimeAbsenteeism:
			if c.CheckType == kaoqin.OnDuty {
				s.lateMin += lateMinutes(c)
			}
		}
		if c.CheckType == kaoqin.OffDuty && !c.Signed() && c.BaseCheckTime > now && (s.nextOff == 0 || c.BaseCheckTime < s.nextOff) {
			s.nextOff = c.BaseCheckTime
		}
		if checkIn && !c.Signed() && c.BaseCheckTime <= now && (overdueFrom == 0 || c.BaseCheckTime < overdueFrom) {
			overdueFrom = c.BaseCheckTime
		}
	}
	if f.has(fNotCheckedIn|fAwaiting) && !f.has(fAbsent) && overdueFrom != 0 {
		s.overdueMin = wholeMinutes(min(now, dayEnd) - overdueFrom)
	}
	return s
}

// newPlans returns a day's plans as the report shows them: rest-day rows left out, by time.
func newPlans(ps []kaoqin.Schedule, a *planAlloc) []Plan {
	lo := len(a.plans)
	for _, p := range ps {
		if p.IsRest {
			continue
		}
		a.plans = append(a.plans, Plan{CheckType: p.CheckType, PlanCheckTime: at(p.PlanCheckTime, a.loc),
			GroupID: p.GroupID, ClassID: p.ShiftID})
	}
	out := a.plans[lo:len(a.plans):len(a.plans)]
	slices.SortStableFunc(out, func(x, y Plan) int { return x.PlanCheckTime.Compare(y.PlanCheckTime.Time) })
	return out
}

// planAlloc makes the Plans of many employees out of one block.
type planAlloc struct {
	plans []Plan
	loc   *time.Location
}

// dayRows hands out the rows of one work date, employee after employee, from rows sorted by
// userid: the daily report visits its people in userid order, so a cursor finds each one's
// rows without a map. The work date of a row is DingTalk's.
type dayRows[T any] struct {
	rows []T
	i    int
	day  string
	user func(*T) string
	date func(*T) string
}

// dayPlans, dayPunches and dayPulls are the plans, punches and punch pulls of in on day, by
// employee: what a day in progress is read with (readLive).
func dayPlans(in Input, day string) *dayRows[kaoqin.Schedule] {
	return newDayRows(in.Schedules, day, func(s *kaoqin.Schedule) string { return s.UserID }, func(s *kaoqin.Schedule) string { return s.WorkDate })
}

func dayPunches(in Input, day string) *dayRows[kaoqin.Punch] {
	return newDayRows(in.Punches, day, func(p *kaoqin.Punch) string { return p.UserID }, func(p *kaoqin.Punch) string { return p.WorkDate })
}

func dayPulls(in Input, day string) *dayRows[kaoqin.PunchPull] {
	return newDayRows(in.PunchPulls, day, func(p *kaoqin.PunchPull) string { return p.UserID }, func(p *kaoqin.PunchPull) string { return p.WorkDate })
}

// latestPull is when the latest of an employee's punch pulls of a day began; 0 if none.
func latestPull(pulls []kaoqin.PunchPull) int64 {
	var at int64
	for _, pl := range pulls {
		at = max(at, pl.SyncedAt)
	}
	return at
}

func newDayRows[T any](rows []T, day string, user, date func(*T) string) *dayRows[T] {
	rows = sortedBy(rows, func(a, b *T) int { return strings.Compare(user(a), user(b)) })
	return &dayRows[T]{rows: rows, day: day, user: user, date: date}
}

// from returns a cursor of its own starting at the rows of v's person lo: another part of the
// people can be handed their rows at the same time.
func (d *dayRows[T]) from(v *view, lo int) *dayRows[T] {
	c := *d
	if lo < len(v.people) {
		first := v.people[lo].userid
		c.i = sort.Search(len(c.rows), func(i int) bool { return c.user(&c.rows[i]) >= first })
	}
	return &c
}

// of returns userid's rows of the day; calls must come in userid order.
func (d *dayRows[T]) of(userid string) []T {
	for d.i < len(d.rows) && d.user(&d.rows[d.i]) < userid {
		d.i++
	}
	lo := d.i
	for d.i < len(d.rows) && d.user(&d.rows[d.i]) == userid {
		d.i++
	}
	mine := d.rows[lo:d.i:d.i]
	for k := range mine {
		if d.date(&mine[k]) != d.day {
			return slices.DeleteFunc(slices.Clone(mine), func(r T) bool { return d.date(&r) != d.day })
		}
	}
	return mine
}
