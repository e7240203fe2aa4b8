package report

import (
	"time"

	"github.com/kaoqin/kaoqin"
)

// Night shifts. DingTalk files both checks of a shift under the work date on which it begins:
// a 22:00-06:00 shift of the 7th is the 7th's, its check-out at 06:00 on the 8th included. So
// reports count each night shift once, on its work date, like any shift. The board of the 8th
// is a day's board too, but in its small hours and morning the 7th's night shift is still at
// work: the daily report of a day lists them (DailyEmployee.Overnight) and counts the ones on
// duty (overnight_on_duty), apart from the day's own counts.

// Overnight is an employee whose shift of the work date before is still going on at the moment
// of the report: a night shift begun the evening before, whose last check is still to come.
type Overnight struct {
	WorkDate   string `json:"work_date"`   // the day before the report's
	ShiftStart Time   `json:"shift_start"` // its first check-in
	ShiftEnd   Time   `json:"shift_end"`   // its last check, the next morning
	// Presence is the shift's, as that day's report says it now: in, late, overdue, awaiting,
	// on_leave or absent.
	Presence string `json:"presence"`
	// OnDuty is true when they checked in (provisional readings included) and have not
	// checked out: counted in overnight_on_duty.
	OnDuty    bool `json:"on_duty"`
	CheckedIn Time `json:"checked_in"` // the check-in's punch; null when not checked in
}

// overnight reads the night shifts of the work date before a daily report's.
type overnight struct {
	day    string // the work date before
	start  int64  // the report's day's first instant: a shift ending after it runs overnight
	now    int64
	loc    *time.Location
	cov    kaoqin.DayCoverage
	checks *dayRows[kaoqin.Check]
	plans  *dayRows[kaoqin.Schedule]
	punch  *dayRows[kaoqin.Punch]
	pulls  *dayRows[kaoqin.PunchPull]
	leaves map[string][]kaoqin.Leave
}

// newOvernight returns the reader of the night shifts of the day before day, or nil when that
// day is not covered by in or none of its shifts is still going on at v.now.
func newOvernight(in Input, day string, v *view) *overnight {
	prev := kaoqin.AddDays(day, -1)
	o := &overnight{day: prev, start: v.bounds[0], now: v.now, loc: v.loc}
	found := false
	for _, c := range in.Coverage {
		if c.Day == prev {
			o.cov, found = c, true
		}
	}
	if !found || (o.cov.LastCheckAt != 0 && (o.cov.LastCheckAt < o.start || o.cov.LastCheckAt <= o.now)) {
		return nil
	}
	o.checks = newDayRows(in.Checks, prev, func(c *kaoqin.Check) string { return c.UserID }, func(c *kaoqin.Check) string { return c.WorkDate })
	o.plans, o.punch, o.pulls = dayPlans(in, prev), dayPunches(in, prev), dayPulls(in, prev)
	o.leaves = map[string][]kaoqin.Leave{}
	for _, l := range in.Leaves {
		o.leaves[l.UserID] = append(o.leaves[l.UserID], l)
	}
	return o
}

// from returns a reader of its own starting at v's person lo (nil for nil), as dayRows.from.
func (o *overnight) from(v *view, lo int) *overnight {
	if o == nil {
		return nil
	}
	c := *o
	c.checks, c.plans, c.punch, c.pulls = o.checks.from(v, lo), o.plans.from(v, lo), o.punch.from(v, lo), o.pulls.from(v, lo)
	return &c
}

// of returns userid's shift of the day before if it is still going on, and whether they are
// on duty in it. Calls must come in userid order.
func (o *overnight) of(userid string) (*Overnight, bool) {
	if o == nil {
		return nil, false
	}
	checks, plans, punches := o.checks.of(userid), o.plans.of(userid), o.punch.of(userid)
	checks = sortedBy(checks, func(a, b *kaoqin.Check) int { return cmpInt64(a.BaseCheckTime, b.BaseCheckTime) })
	pulledAt := latestPull(o.pulls.of(userid))
	if len(checks) == 0 && len(plans) == 0 {
		return nil, false
	}
	ld := liveDay{checks: checks}
	if !o.cov.Closed {
		ld = readLive(nil, checks, plans, punches, pulledAt, o.cov.SyncedAt)
	}
	cs := ld.checks
	if len(cs) == 0 {
		return nil, false
	}
	first, last := cs[0], cs[len(cs)-1]
	if last.BaseCheckTime < o.start || last.BaseCheckTime <= o.now {
		return nil, false // over, or no night shift
	}
	onLeave := false
	for _, l := range o.leaves[userid] {
		onLeave = onLeave || l.Overlaps(first.BaseCheckTime, last.BaseCheckTime+1)
	}
	f := classify(cs, onLeave, o.now)
	sh := shiftOf(cs, f, o.now, last.BaseCheckTime+1)
	on := &Overnight{WorkDate: o.day, ShiftStart: at(sh.start, o.loc), ShiftEnd: at(last.BaseCheckTime, o.loc), Presence: f.presence()}
	for _, c := range cs {
		if c.CheckType == kaoqin.OnDuty && c.Signed() {
			on.CheckedIn = at(c.UserCheckTime, o.loc)
			break
		}
	}
	on.OnDuty = f.has(fCheckedIn) && !last.Signed()
	return on, on.OnDuty
}
