package report

import (
	"slices"

	"github.com/kaoqin/kaoqin"
)

// StatusNone marks a calendar day on which the employee does not belong to the report: before
// they joined, after they left, or, with a scope, while in another department.
const StatusNone = "none"

// Calendar is one employee's days over a range: the dashboard's heatmap.
type Calendar struct {
	UserID    string        `json:"userid"`
	Name      string        `json:"name"`
	JobNumber string        `json:"job_number,omitempty"`
	From      string        `json:"from"`
	To        string        `json:"to"`
	Timezone  string        `json:"timezone"`
	Days      []CalendarDay `json:"days"`
}

// CalendarDay is one cell of the heatmap.
type CalendarDay struct {
	Date          string  `json:"date"`
	Status        string  `json:"status"` // a Status constant, or StatusNone
	DepartmentIDs []int64 `json:"department_ids"`
	OnLeave       bool    `json:"on_leave"`
	Checks        []Check `json:"checks"`
}

// ComputeCalendar computes the calendar of the employee userid over [from, to]. With a
// scope, the employee must have belonged to it on some day of the range (ENOTFOUND
// otherwise, as for an employee kaoqin does not know), and the other days show StatusNone.
func ComputeCalendar(in Input, userid, from, to string, opts Options) (*Calendar, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	from, to, err := opts.checkRange(from, to)
	if err != nil {
		return nil, err
	}
	if _, err := coverage(in.Coverage, from, to); err != nil {
		return nil, err
	}
	v, err := newView(in, from, to, opts)
	if err != nil {
		return nil, err
	}
	p := v.byID[userid]
	if p == nil {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "employee %q has no attendance or membership in %s..%s", userid, from, to)
	}
	c := &Calendar{UserID: userid, Name: p.name(), JobNumber: p.jobNumber(), From: from, To: to,
		Timezone: v.loc.String(), Days: make([]CalendarDay, len(v.days))}
	for i, d := range v.days {
		day := CalendarDay{Date: d, Status: StatusNone, DepartmentIDs: []int64{}, Checks: []Check{}}
		if p.in[i] {
			ld := calendarDay(in, userid, d, p.checks[i])
			f := classify(ld.checks, v.onLeave(p, i), v.now)
			day.Status = f.status()
			day.DepartmentIDs = nonNil(v.org.visible(v.scope, slices.Clone(p.held[i])))
			day.OnLeave = f.has(fOnLeave)
			shown, provisional := ld.shown()
			day.Checks = newChecks(shown, v.loc, v.now)
			for k, prov := range provisional {
				day.Checks[k].Provisional = prov
			}
		}
		c.Days[i] = day
	}
	return c, nil
}

// calendarDay reads the employee's day d as the daily report does: on a day not final, DingTalk's
// checks with the plans, punches and punch pulls of in applied (live.go), so that the calendar
// says checked in when the board does; on a final day, DingTalk's checks alone.
func calendarDay(in Input, userid, d string, checks []kaoqin.Check) liveDay {
	i := slices.IndexFunc(in.Coverage, func(c kaoqin.DayCoverage) bool { return c.Day == d })
	if i < 0 || in.Coverage[i].Closed {
		return liveDay{checks: checks}
	}
	plans, punches := dayPlans(in, d).of(userid), dayPunches(in, d).of(userid)
	pulledAt := latestPull(dayPulls(in, d).of(userid))
	return readLive(nil, checks, plans, punches, pulledAt, in.Coverage[i].SyncedAt)
}
