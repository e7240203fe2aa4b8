package report

import (
	"strings"

	"github.com/kaoqin/kaoqin"
)

// PeriodCounts are the period counts of spec/reports.md, for one employee, one department
// subtree or the company, plus two extras measuring leave as DingTalk does.
type PeriodCounts struct {
	ScheduledDays        int `json:"scheduled_days"`
	AttendedDays         int `json:"attended_days"`
	LateCount            int `json:"late_count"`
	LateMinutes          int `json:"late_minutes"`
	SeriousLateCount     int `json:"serious_late_count"`
	SeriousLateMinutes   int `json:"serious_late_minutes"`
	AbsenteeismLateCount int `json:"absenteeism_late_count"`
	EarlyCount           int `json:"early_count"`
	EarlyMinutes         int `json:"early_minutes"`
	MissingOnDutyCount   int `json:"missing_on_duty_count"`
	MissingOffDutyCount  int `json:"missing_off_duty_count"`
	AbsentDays           int `json:"absent_days"`
	// LeaveDays are scheduled days (days with a check) on which a leave overlaps the day: a
	// leave from Friday to Monday is 2 leave days, as DingTalk's own duration says.
	LeaveDays    int `json:"leave_days"`
	OutsideCount int `json:"outside_count"`
	// LeaveDurationDays is DingTalk's own measure of the leave in days (the duration_percent
	// of percent_day leaves, / 100), spread over the scheduled days each leave covers; a leave
	// that sticks out of the range counts its part inside, at most one day per scheduled day
	// it covers. Rounded to 0.01.
	LeaveDurationDays float64 `json:"leave_duration_days"`
	// LeaveHours is the same for percent_hour leaves, in hours.
	LeaveHours float64 `json:"leave_hours"`
}

// periodField is one field of PeriodCounts and the rule that fills it: a day field counts 1
// per day that passes day; a check field adds amount for each check that passes check. The
// counting and the traceability (Period.Checks) both go through these, so they cannot differ.
type periodField struct {
	name  string
	int   func(*PeriodCounts) *int
	float func(*PeriodCounts) *float64
	// day: the day counts (day fields), or the day's checks are behind the number.
	day func(f flags) bool
	// check: the check counts (check fields); amount is what it adds (nil: 1).
	check  func(c kaoqin.Check, f flags, now int64) bool
	amount func(c kaoqin.Check) int
	// signedOnly: of a day field's checks, only the signed ones are behind the number.
	signedOnly bool
}

func isCheck(typ, result string) func(kaoqin.Check, flags, int64) bool {
	return func(c kaoqin.Check, _ flags, _ int64) bool { return c.CheckType == typ && c.TimeResult == result }
}

func isMissing(typ string) func(kaoqin.Check, flags, int64) bool {
	return func(c kaoqin.Check, f flags, now int64) bool {
		return c.CheckType == typ && !c.Signed() && due(c, now) && !f.has(fAbsent|fOnLeave)
	}
}

var periodFields = []periodField{
	{name: "scheduled_days", int: func(c *PeriodCounts) *int { return &c.ScheduledDays },
		day: func(f flags) bool { return f.has(fScheduled) }},
	{name: "attended_days", int: func(c *PeriodCounts) *int { return &c.AttendedDays },
		day: func(f flags) bool { return f.has(fAttended) }, signedOnly: true},
	{name: "late_count", int: func(c *PeriodCounts) *int { return &c.LateCount },
		check: isCheck(kaoqin.OnDuty, kaoqin.TimeLate)},
	{name: "late_minutes", int: func(c *PeriodCounts) *int { return &c.LateMinutes },
		check: isCheck(kaoqin.OnDuty, kaoqin.TimeLate), amount: lateMinutes},
	{name: "serious_late_count", int: func(c *PeriodCounts) *int { return &c.SeriousLateCount },
		check: isCheck(kaoqin.OnDuty, kaoqin.TimeSeriousLate)},
	{name: "serious_late_minutes", int: func(c *PeriodCounts) *int { return &c.SeriousLateMinutes },
		check: isCheck(kaoqin.OnDuty, kaoqin.TimeSeriousLate), amount: lateMinutes},
	{name: "absenteeism_late_count", int: func(c *PeriodCounts) *int { return &c.AbsenteeismLateCount },
		check: isCheck(kaoqin.OnDuty, kaoqin.TimeAbsenteeism)},
	{name: "early_count", int: func(c *PeriodCounts) *int { return &c.EarlyCount },
		check: isCheck(kaoqin.OffDuty, kaoqin.TimeEarly)},
	{name: "early_minutes", int: func(c *PeriodCounts) *int { return &c.EarlyMinutes },
		check: isCheck(kaoqin.OffDuty, kaoqin.TimeEarly), amount: earlyMinutes},
	{name: "missing_on_duty_count", int: func(c *PeriodCounts) *int { return &c.MissingOnDutyCount },
		check: isMissing(kaoqin.OnDuty)},
	{name: "missing_off_duty_count", int: func(c *PeriodCounts) *int { return &c.MissingOffDutyCount },
		check: isMissing(kaoqin.OffDuty)},
	{name: "absent_days", int: func(c *PeriodCounts) *int { return &c.AbsentDays },
		day: func(f flags) bool { return f.has(fAbsent) }},
	{name: "leave_days", int: func(c *PeriodCounts) *int { return &c.LeaveDays },
		day: func(f flags) bool { return f.has(fOnLeave) && f.has(fScheduled) }},
	{name: "outside_count", int: func(c *PeriodCounts) *int { return &c.OutsideCount },
		check: func(c kaoqin.Check, _ flags, _ int64) bool { return c.LocationResult == kaoqin.LocationOutside }},
	{name: "leave_duration_days", float: func(c *PeriodCounts) *float64 { return &c.LeaveDurationDays }},
	{name: "leave_hours", float: func(c *PeriodCounts) *float64 { return &c.LeaveHours }},
}

// Check fields, split out once so that the hot loop does not test kinds.
var periodCheckFields, periodDayFields []periodField

func init() {
	for _, f := range periodFields {
		switch {
		case f.check != nil:
			periodCheckFields = append(periodCheckFields, f)
		case f.day != nil:
			periodDayFields = append(periodDayFields, f)
		}
	}
}

func lookupPeriodField(name string) (periodField, error) {
	for _, f := range periodFields {
		if f.name == name {
			return f, nil
		}
	}
	names := make([]string, len(periodFields))
	for i, f := range periodFields {
		names[i] = f.name
	}
	return periodField{}, kaoqin.Errorf(kaoqin.EINVALID, "unknown period count %q: want one of %s", name, strings.Join(names, ", "))
}

// dayCounts sets pc to the counts of one classified day of one employee. leaveDays and
// leaveHours are the day's shares of the employee's leaves.
func dayCounts(pc *PeriodCounts, checks []kaoqin.Check, f flags, now int64, leaveDays, leaveHours float64) {
	*pc = PeriodCounts{}
	for _, fd := range periodDayFields {
		if fd.day(f) {
			*fd.int(pc)++
		}
	}
	for _, c := range checks {
		for _, fd := range periodCheckFields {
			if fd.check(c, f, now) {
				if fd.amount != nil {
					*fd.int(pc) += fd.amount(c)
				} else {
					*fd.int(pc)++
				}
			}
		}
	}
	pc.LeaveDurationDays, pc.LeaveHours = leaveDays, leaveHours
}

// add adds o to c.
func (c *PeriodCounts) add(o *PeriodCounts) {
	c.ScheduledDays += o.ScheduledDays
	c.AttendedDays += o.AttendedDays
	c.LateCount += o.LateCount
	c.LateMinutes += o.LateMinutes
	c.SeriousLateCount += o.SeriousLateCount
	c.SeriousLateMinutes += o.SeriousLateMinutes
	c.AbsenteeismLateCount += o.AbsenteeismLateCount
	c.EarlyCount += o.EarlyCount
	c.EarlyMinutes += o.EarlyMinutes
	c.MissingOnDutyCount += o.MissingOnDutyCount
	c.MissingOffDutyCount += o.MissingOffDutyCount
	c.AbsentDays += o.AbsentDays
	c.LeaveDays += o.LeaveDays
	c.OutsideCount += o.OutsideCount
	c.LeaveDurationDays += o.LeaveDurationDays
	c.LeaveHours += o.LeaveHours
}

// round rounds the leave measures to hundredths, once a sum is complete.
func (c *PeriodCounts) round() {
	c.LeaveDurationDays = round2(c.LeaveDurationDays)
	c.LeaveHours = round2(c.LeaveHours)
}

func (c *PeriodCounts) isZero() bool { return *c == PeriodCounts{} }

// value returns field fd of c as a number.
func (fd periodField) value(c *PeriodCounts) float64 {
	if fd.int != nil {
		return float64(*fd.int(c))
	}
	return *fd.float(c)
}
