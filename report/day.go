package report

import "github.com/kaoqin/kaoqin"

// flags classify one employee's work day per spec/reports.md. Every count of every report is
// a sum of these, so the rules live here and nowhere else.
type flags uint32

const (
	fScheduled       flags = 1 << iota // at least one check
	fAttended                          // at least one signed check
	fCheckedIn                         // at least one signed OnDuty check
	fNotCheckedIn                      // a due OnDuty check, none signed, not on leave
	fLate                              // an OnDuty check Late
	fSeriousLate                       // an OnDuty check SeriousLate
	fAbsenteeismLate                   // an OnDuty check Absenteeism (旷工迟到)
	fEarly                             // an OffDuty check Early
	fMissingOnDuty                     // a due OnDuty check NotSigned, not absent, not on leave
	fMissingOffDuty                    // a due OffDuty check NotSigned, not absent, not on leave
	fAbsent                            // every check due and NotSigned, not on leave (旷工)
	fOnLeave                           // a leave overlaps the day
	fOutside                           // a check with locationResult Outside (外勤)
	fPending                           // a NotSigned check not due yet: the day is in progress

	// The shift-aware board. Every scheduled employee is in exactly one of checked_in,
	// not_checked_in, awaiting, not_due_yet and on_leave_not_checked_in.
	fNotDueYet        // scheduled, not checked in, not on leave, no check-in time come yet
	fAwaiting         // scheduled, not checked in, not on leave: a check-in time has come since the latest pull, no punch seen
	fOnLeaveCheckedIn // on leave and checked in (a half-day leave)
	fOnLeaveNotIn     // scheduled, on leave, not checked in
	fDueNow           // checked in, or a check-in time has come and not on leave: checked_in + not_checked_in + awaiting

	// fOvernight marks an employee on duty in a night shift of the day before (overnight.go):
	// it is counted apart, and says nothing of the day's own status or presence.
	fOvernight
)

func (f flags) has(g flags) bool { return f&g != 0 }

// due reports whether DingTalk had to judge c when it last said something about it: its
// scheduled time had come by the pull that brought it (SyncedAt), and by now (unix ms). A
// NotSigned check that is not due is pending and counts nowhere: DingTalk's NotSigned for a
// check still to come means "not yet", and data pulled at 08:55 cannot say who missed 09:00.
// Checks of unknown pull time (SyncedAt 0) are judged against now.
func due(c kaoqin.Check, now int64) bool {
	asOf := now
	if c.SyncedAt > 0 && c.SyncedAt < asOf {
		asOf = c.SyncedAt
	}
	return c.BaseCheckTime <= asOf
}

// classify classifies one employee's checks of one work day. The check-ins of a day are its
// OnDuty checks (every check, on a day that has none).
func classify(checks []kaoqin.Check, onLeave bool, now int64) flags {
	var f flags
	if onLeave {
		f |= fOnLeave
	}
	if len(checks) == 0 {
		return f
	}
	f |= fScheduled
	allDueUnsigned := true
	var missOn, missOff, hasOn bool
	for _, c := range checks {
		signed, isDue := c.Signed(), due(c, now)
		switch {
		case signed:
			f |= fAttended
			allDueUnsigned = false
		case !isDue:
			f |= fPending
			allDueUnsigned = false
		}
		if c.LocationResult == kaoqin.LocationOutside {
			f |= fOutside
		}
		switch c.CheckType {
		case kaoqin.OnDuty:
			hasOn = true
			if signed {
				f |= fCheckedIn
			} else if isDue {
				missOn = true
			}
			switch c.TimeResult {
			case kaoqin.TimeLate:
				f |= fLate
			case kaoqin.TimeSeriousLate:
				f |= fSeriousLate
			case kaoqin.TimeAbsenteeism:
				f |= fAbsenteeismLate
			}
		case kaoqin.OffDuty:
			if !signed && isDue {
				missOff = true
			}
			if c.TimeResult == kaoqin.TimeEarly {
				f |= fEarly
			}
		}
	}
	if onLeave {
		if f.has(fCheckedIn) {
			return f | fOnLeaveCheckedIn | fDueNow
		}
		return f | fOnLeaveNotIn
	}
	switch inDue, inStarted := checkInsDue(checks, hasOn, now); {
	case f.has(fCheckedIn):
	case inDue:
		f |= fNotCheckedIn
	case inStarted:
		f |= fAwaiting
	default:
		f |= fNotDueYet
	}
	if f.has(fCheckedIn | fNotCheckedIn | fAwaiting) {
		f |= fDueNow
	}
	if allDueUnsigned {
		return f | fAbsent
	}
	if missOn {
		f |= fMissingOnDuty
	}
	if missOff {
		f |= fMissingOffDuty
	}
	return f
}

// checkInsDue reports whether an unsigned check-in is due (DingTalk has said NotSigned after
// its time: not checked in), and whether the time of one has come by now at all (if not due,
// kaoqin has heard nothing since: awaiting).
func checkInsDue(checks []kaoqin.Check, hasOn bool, now int64) (isDue, started bool) {
	for _, c := range checks {
		if (hasOn && c.CheckType != kaoqin.OnDuty) || c.Signed() {
			continue
		}
		isDue = isDue || due(c, now)
		started = started || c.BaseCheckTime <= now
	}
	return isDue, started
}

// Day statuses, one per employee and day, worst first: the colour of a calendar cell and the
// status column of the employee sheets.
const (
	StatusAbsent  = "absent"  // every check NotSigned, not on leave
	StatusMissing = "missing" // a check NotSigned (缺卡)
	StatusLate    = "late"    // Late, SeriousLate or Absenteeism on duty
	StatusEarly   = "early"   // left early
	StatusLeave   = "leave"   // on leave, nothing worse
	StatusPending = "pending" // a check still to come today, nothing worse so far
	StatusNormal  = "normal"
	StatusRest    = "rest" // no check scheduled, not on leave
)

// status sums up a classified day in one word.
func (f flags) status() string {
	switch {
	case !f.has(fScheduled) && f.has(fOnLeave):
		return StatusLeave
	case !f.has(fScheduled):
		return StatusRest
	case f.has(fAbsent):
		return StatusAbsent
	case f.has(fMissingOnDuty | fMissingOffDuty):
		return StatusMissing
	case f.has(fLate | fSeriousLate | fAbsenteeismLate):
		return StatusLate
	case f.has(fEarly):
		return StatusEarly
	case f.has(fOnLeave):
		return StatusLeave
	case f.has(fPending):
		return StatusPending
	}
	return StatusNormal
}

// lateMinutes is how late a signed check was, in whole minutes rounded down.
func lateMinutes(c kaoqin.Check) int {
	return wholeMinutes(c.UserCheckTime - c.BaseCheckTime)
}

// earlyMinutes is how early a signed check was, in whole minutes rounded down.
func earlyMinutes(c kaoqin.Check) int {
	return wholeMinutes(c.BaseCheckTime - c.UserCheckTime)
}

func wholeMinutes(ms int64) int {
	if ms <= 0 {
		return 0
	}
	return int(ms / 60_000)
}
