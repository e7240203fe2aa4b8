package report

import (
	"testing"

	"github.com/kaoqin/kaoqin"
)

func TestClassify(t *testing.T) {
	const day = "2026-11-18"
	now := ms(day, "09:10") // checks after this are not due
	on := func(base, punch, result string, opts ...func(*kaoqin.Check)) kaoqin.Check {
		c := kaoqin.Check{CheckType: kaoqin.OnDuty, TimeResult: result, LocationResult: kaoqin.LocationNormal, BaseCheckTime: ms(day, base)}
		if punch != "" {
			c.UserCheckTime = ms(day, punch)
		} else {
			c.LocationResult = kaoqin.LocationNotSigned
		}
		for _, o := range opts {
			o(&c)
		}
		return c
	}
	off := func(base, punch, result string, opts ...func(*kaoqin.Check)) kaoqin.Check {
		c := on(base, punch, result, opts...)
		c.CheckType = kaoqin.OffDuty
		return c
	}
	const ns = kaoqin.TimeNotSigned
	for _, test := range []struct {
		name    string
		checks  []kaoqin.Check
		onLeave bool
		want    flags
		status  string
	}{
		{"rest day", nil, false, 0, StatusRest},
		{"rest day on leave", nil, true, fOnLeave, StatusLeave},
		{"normal", []kaoqin.Check{on("08:00", "07:55", "Normal"), off("09:00", "09:01", "Normal")}, false,
			fScheduled | fAttended | fCheckedIn | fDueNow, StatusNormal},
		{"late", []kaoqin.Check{on("08:00", "08:05", "Late"), off("09:00", "09:01", "Normal")}, false,
			fScheduled | fAttended | fCheckedIn | fLate | fDueNow, StatusLate},
		{"serious late", []kaoqin.Check{on("08:00", "08:45", "SeriousLate")}, false,
			fScheduled | fAttended | fCheckedIn | fSeriousLate | fDueNow, StatusLate},
		{"absenteeism late", []kaoqin.Check{on("08:00", "09:05", "Absenteeism")}, false,
			fScheduled | fAttended | fCheckedIn | fAbsenteeismLate | fDueNow, StatusLate},
		{"early", []kaoqin.Check{on("07:00", "06:55", "Normal"), off("09:00", "08:30", "Early")}, false,
			fScheduled | fAttended | fCheckedIn | fEarly | fDueNow, StatusEarly},
		{"outside", []kaoqin.Check{on("08:00", "07:55", "Normal", outside)}, false,
			fScheduled | fAttended | fCheckedIn | fOutside | fDueNow, StatusNormal},
		{"missing on duty", []kaoqin.Check{on("08:00", "", ns), off("09:00", "09:01", "Normal")}, false,
			fScheduled | fAttended | fNotCheckedIn | fMissingOnDuty | fDueNow, StatusMissing},
		{"missing off duty", []kaoqin.Check{on("08:00", "07:59", "Normal"), off("09:00", "", ns)}, false,
			fScheduled | fAttended | fCheckedIn | fMissingOffDuty | fDueNow, StatusMissing},
		{"absent: every check due and NotSigned", []kaoqin.Check{on("08:00", "", ns), off("09:00", "", ns)}, false,
			fScheduled | fNotCheckedIn | fAbsent | fDueNow, StatusAbsent},
		{"on leave all day: not absent, not missing, not 'not checked in'",
			[]kaoqin.Check{on("08:00", "", ns), off("09:00", "", ns)}, true,
			fScheduled | fOnLeave | fOnLeaveNotIn, StatusLeave},
		{"half-day leave in the morning: the missing check-in is the leave",
			[]kaoqin.Check{on("08:00", "", ns, approved(1)), off("09:00", "09:02", "Normal")}, true,
			fScheduled | fAttended | fOnLeave | fOnLeaveNotIn, StatusLeave},
		{"half-day leave and late in the afternoon: still late, and both on leave and checked in",
			[]kaoqin.Check{on("08:00", "", ns), on("09:00", "09:05", "Late")}, true,
			fScheduled | fAttended | fCheckedIn | fLate | fOnLeave | fOnLeaveCheckedIn | fDueNow, StatusLate},
		{"in progress: check-in done, check-out to come", []kaoqin.Check{on("09:00", "08:58", "Normal"), off("18:00", "", ns)}, false,
			fScheduled | fAttended | fCheckedIn | fPending | fDueNow, StatusPending},
		{"in progress: not checked in yet, check-out to come: missing, not absent",
			[]kaoqin.Check{on("09:00", "", ns), off("18:00", "", ns)}, false,
			fScheduled | fNotCheckedIn | fMissingOnDuty | fPending | fDueNow, StatusMissing},
		{"shift starting at 14:00 seen at 09:10: scheduled, not due yet",
			[]kaoqin.Check{on("14:00", "", ns), off("22:00", "", ns)}, false,
			fScheduled | fPending | fNotDueYet, StatusPending},
		{"afternoon shift checked in early: checked in although not due",
			[]kaoqin.Check{on("14:00", "09:05", "Normal"), off("22:00", "", ns)}, false,
			fScheduled | fAttended | fCheckedIn | fPending | fDueNow, StatusPending},
		{"a check due exactly now is due", []kaoqin.Check{on("09:10", "", ns)}, false,
			fScheduled | fNotCheckedIn | fAbsent | fDueNow, StatusAbsent},
		{"check-in at 09:00 pulled at 08:55, seen at 09:10: awaiting, not missing",
			[]kaoqin.Check{on("09:00", "", ns, pulled(ms(day, "08:55"))), off("18:00", "", ns, pulled(ms(day, "08:55")))}, false,
			fScheduled | fPending | fAwaiting | fDueNow, StatusPending},
		{"split shift at 09:10: checked in, the rest still to come",
			[]kaoqin.Check{on("08:00", "07:58", "Normal"), off("12:00", "", ns), on("14:00", "", ns), off("18:00", "", ns)}, false,
			fScheduled | fAttended | fCheckedIn | fPending | fDueNow, StatusPending},
		{"split shift: second check-in late, first check-out missing",
			[]kaoqin.Check{on("06:00", "05:58", "Normal"), off("07:00", "", ns), on("08:00", "08:20", "Late"), off("09:00", "09:00", "Normal")}, false,
			fScheduled | fAttended | fCheckedIn | fLate | fMissingOffDuty | fDueNow, StatusMissing},
		{"only a check-out, not signed: absent, and not checked in (it stands for the check-in)",
			[]kaoqin.Check{off("09:00", "", ns)}, false,
			fScheduled | fAbsent | fNotCheckedIn | fDueNow, StatusAbsent},
	} {
		t.Run(test.name, func(t *testing.T) {
			got := classify(test.checks, test.onLeave, now)
			if got != test.want {
				t.Errorf("classify = %s, want %s", flagNames(got), flagNames(test.want))
			}
			if s := got.status(); s != test.status {
				t.Errorf("status = %s, want %s", s, test.status)
			}
		})
	}
}

func pulled(at int64) func(*kaoqin.Check) { return func(c *kaoqin.Check) { c.SyncedAt = at } }

func TestMinutes(t *testing.T) {
	base := ms("2026-11-18", "09:00")
	for _, test := range []struct {
		punch       int64
		late, early int
	}{
		{base + 59_999, 0, 0}, // under a minute: rounded down to 0
		{base + 60_000, 1, 0}, // exactly one minute
		{base + 7*60_000 + 12_000, 7, 0},
		{base - 30*60_000 - 500, 0, 30}, // 30 min 0.5 s early: 30
		{0, 0, 0},                       // no punch time: nothing, never negative
	} {
		c := kaoqin.Check{BaseCheckTime: base, UserCheckTime: test.punch}
		if test.punch == 0 {
			c.BaseCheckTime = 0
		}
		if got := lateMinutes(c); got != test.late {
			t.Errorf("lateMinutes(%d ms) = %d, want %d", test.punch-base, got, test.late)
		}
		if got := earlyMinutes(c); got != test.early {
			t.Errorf("earlyMinutes(%d ms) = %d, want %d", test.punch-base, got, test.early)
		}
	}
}

func flagNames(f flags) string {
	names := []string{"scheduled", "attended", "checked_in", "not_checked_in", "late", "serious_late",
		"absenteeism_late", "early", "missing_on_duty", "missing_off_duty", "absent", "on_leave", "outside", "pending",
		"not_due_yet", "awaiting", "on_leave_checked_in", "on_leave_not_checked_in", "due_now"}
	s := ""
	for i, n := range names {
		if f.has(1 << i) {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	if s == "" {
		return "0"
	}
	return s
}
