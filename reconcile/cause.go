package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/syncer"
)

// explain asks DingTalk for the check results and leave of the people who differ, over the
// days that differ, as they are now, and gives each differing day its likely cause. When the
// month's budget no longer allows it (what is left beyond the nightly syncs' reserve), the
// days are left "unverified" and a note says so.
func (r *Reconciler) explain(ctx context.Context, reader *syncer.ReportReader, p *Plan, differing []*person, res *Result) error {
	var users []string
	first, last := "", ""
	checks, scheduled := 0, 0
	for _, x := range differing {
		if !x.found {
			continue
		}
		users = append(users, x.UserID)
		for _, days := range x.differs {
			for _, d := range days {
				if first == "" || d.Date < first {
					first = d.Date
				}
				last = max(last, d.Date)
			}
		}
		for _, d := range x.days.Days {
			if len(d.Checks) > 0 {
				checks, scheduled = checks+len(d.Checks), scheduled+1
			}
		}
	}
	if len(users) == 0 {
		return nil
	}
	perDay := 2.0
	if scheduled > 0 {
		perDay = float64(checks) / float64(scheduled)
	}
	span := len(kaoqin.Days(first, last))
	res.Calls.Verify = syncer.ChecksCalls(len(users), span, perDay) +
		int64((len(users)+dingtalk.MaxLeaveUsers-1)/dingtalk.MaxLeaveUsers)*int64((span+dingtalk.MaxLeaveDays-1)/dingtalk.MaxLeaveDays)

	unverified := func(why string) error {
		res.Notes = append(res.Notes, why)
		for _, x := range differing {
			for _, days := range x.differs {
				for i := range days {
					if x.found {
						days[i].Cause = CauseUnverified
					}
				}
			}
		}
		return nil
	}
	if _, quota, used, err := r.s.Quota(ctx); err != nil {
		return err
	} else if quota > 0 && res.Calls.Verify > quota-used-p.Reserved {
		return unverified(fmt.Sprintf("the differences were not checked against DingTalk's results: that takes about %d more metered calls, "+
			"and the month has %d left beyond the nightly syncs' reserve; sync the days again with --refetch, or reconcile again after the quota resets",
			res.Calls.Verify, max(0, quota-used-p.Reserved)))
	}
	now, err := reader.Checks(ctx, users, first, last)
	if err == nil {
		var leaves []kaoqin.Leave
		if leaves, err = reader.Leaves(ctx, users, first, last); err == nil {
			res.Calls.Verified = true
			diagnose(differing, now, leaves, r.loc)
			return nil
		}
	}
	if kaoqin.ErrorCode(err) == kaoqin.EQUOTA {
		return unverified("the differences were not all checked against DingTalk's results: " + kaoqin.ErrorMessage(err))
	}
	return err
}

// diagnose gives each differing day of the people its cause, from DingTalk's results and leave
// as they are now (now, leaves) against what kaoqin stored.
func diagnose(people []*person, now []kaoqin.Check, leaves []kaoqin.Leave, loc *time.Location) {
	type key struct{ user, day string }
	current := map[key][]kaoqin.Check{}
	for _, c := range now {
		k := key{c.UserID, c.WorkDate}
		current[k] = append(current[k], c)
	}
	currentLeaves := map[string][]kaoqin.Leave{}
	for _, l := range leaves {
		currentLeaves[l.UserID] = append(currentLeaves[l.UserID], l)
	}
	for _, x := range people {
		if !x.found {
			continue
		}
		for field, days := range x.differs {
			for i := range days {
				dd := &days[i]
				var stored report.EmployeeDay
				if d, ok := x.days.Day(dd.Date); ok {
					stored = *d
				}
				start, end := kaoqin.DayBounds(dd.Date, loc)
				var nowLeaves []kaoqin.Leave
				for _, l := range currentLeaves[x.UserID] {
					if l.Overlaps(start.UnixMilli(), end.UnixMilli()) {
						nowLeaves = append(nowLeaves, l)
					}
				}
				cause(dd, field, stored, current[key{x.UserID, dd.Date}], nowLeaves, loc)
			}
		}
	}
}

// cause sets dd's cause: a leave approved or revoked after kaoqin's pull, a result changed
// after it, or, when DingTalk's results and leave are what kaoqin holds, a rule of DingTalk's.
func cause(dd *DayDifference, field string, stored report.EmployeeDay, now []kaoqin.Check, nowLeaves []kaoqin.Leave, loc *time.Location) {
	var pulled int64
	for _, c := range stored.Checks {
		pulled = max(pulled, c.SyncedAt)
	}
	after := func(c string) {
		dd.Cause = c
		dd.Fix = fmt.Sprintf("kaoqin sync --from %s --to %s --refetch", dd.Date, dd.Date)
		if pulled > 0 {
			dd.PulledAt = time.UnixMilli(pulled).In(loc).Format(time.RFC3339)
		}
	}
	// A leave that kaoqin lacks, or holds and DingTalk no longer has.
	if !sameLeaves(stored.Leaves, nowLeaves) {
		after(CauseApproval)
		dd.Was, dd.Now = leaveWord(len(stored.Leaves) > 0), leaveWord(len(nowLeaves) > 0)
		return
	}
	byID := map[int64]kaoqin.Check{}
	for _, c := range stored.Checks {
		byID[c.ID] = c
	}
	for _, c := range now {
		s, ok := byID[c.ID]
		switch {
		case !ok:
			after(CauseEdited)
			dd.CheckType, dd.Now, dd.Source = c.CheckType, c.TimeResult, c.SourceType
			return
		case c.ApproveID != 0 && s.ApproveID == 0:
			after(CauseApproval)
			dd.CheckType, dd.Was, dd.Now, dd.Source = c.CheckType, s.TimeResult, c.TimeResult, c.SourceType
			return
		case c.TimeResult != s.TimeResult || c.UserCheckTime != s.UserCheckTime || c.LocationResult != s.LocationResult:
			after(CauseEdited)
			dd.CheckType, dd.Was, dd.Now, dd.Source = c.CheckType, s.TimeResult, c.TimeResult, c.SourceType
			return
		}
		delete(byID, c.ID)
	}
	for _, s := range byID { // a check DingTalk no longer has: the day was rescheduled
		after(CauseEdited)
		dd.CheckType, dd.Was = s.CheckType, s.TimeResult
		return
	}
	dd.Cause = CauseRule
	hasAbsenteeism := false
	for _, c := range stored.Checks {
		hasAbsenteeism = hasAbsenteeism || (c.CheckType == kaoqin.OnDuty && c.TimeResult == kaoqin.TimeAbsenteeism)
	}
	switch {
	case field == "absent_days" && dd.DingTalk > dd.Kaoqin && hasAbsenteeism:
		dd.Rule = RuleAbsenteeismLate
	case field == "leave_days" && dd.DingTalk > dd.Kaoqin && len(stored.Checks) == 0:
		dd.Rule = RuleLeaveOnRestDay
	}
}

func leaveWord(on bool) string {
	if on {
		return "leave"
	}
	return "no leave"
}

// sameLeaves reports whether two sets of leave are the same (DingTalk gives leave no id: the
// person, start and end are its key).
func sameLeaves(a, b []kaoqin.Leave) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[kaoqin.Leave]int{}
	for _, l := range a {
		seen[kaoqin.Leave{UserID: l.UserID, StartTime: l.StartTime, EndTime: l.EndTime}]++
	}
	for _, l := range b {
		k := kaoqin.Leave{UserID: l.UserID, StartTime: l.StartTime, EndTime: l.EndTime}
		if seen[k] == 0 {
			return false
		}
		seen[k]--
	}
	return true
}
