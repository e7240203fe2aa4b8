package syncer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kaoqin/kaoqin"
)

// SyncToday is the live board's pull, for the scheduler of kaoqin serve (at the moments
// Budget.NextPolls gives). Today's first pull fetches everyone's checks and leave for today:
// it is how kaoqin learns who is scheduled, and it covers the day. Later pulls fetch only the
// employees who still matter: scheduled today, with an OnDuty check that is due (its time has
// come) and none signed yet, and not on leave. That set shrinks through the morning, and so
// does the cost. A later pull does not cover the day anew (the others' rows are as the last
// full pull left them); its run record (kind "live") says when it happened.
//
// It takes the sync lock like Run, refuses when the month's budget cannot pay for it, and
// never reads the org chart: the nightly Run keeps that.
func (s *Syncer) SyncToday(ctx context.Context) (*Summary, error) {
	if s.client == nil {
		return nil, errNoClient
	}
	started := time.Now()
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()

	today := s.today()
	p, _, err := s.newPlan(ctx, today, today)
	if err != nil {
		return nil, err
	}
	if !p.OrgKnown {
		return nil, kaoqin.Errorf(kaoqin.ENOTSYNCED, "no org chart stored yet: run kaoqin sync first (contacts calls are free)")
	}
	cov, err := s.store.Coverage(ctx, today, today)
	if err != nil {
		return nil, fmt.Errorf("read today's coverage: %w", err)
	}
	first := len(cov) == 0
	var users []string
	if first {
		users, err = s.rangeUsers(ctx, today, today)
	} else {
		users, err = s.notCheckedIn(ctx, today)
	}
	if err != nil {
		return nil, err
	}
	p.Employees, p.partial = len(users), !first
	if err := s.planAttendance(ctx, p, users, true, first); err != nil {
		return nil, err
	}
	if err := p.Affordable(); err != nil {
		return nil, err
	}

	t := s.newTracker(ctx, KindLive, today, today)
	if err := t.create(ctx); err != nil {
		return nil, err
	}
	sum := &Summary{Quota: s.quota, Employees: len(users), ChunksTotal: int64(len(p.jobs))}
	res, err := s.pull(ctx, t, p)
	sum.CheckRows, sum.LeaveRows, sum.DaysCovered = res.checkRows, res.leaveRows, res.daysCovered
	t.finish(err)
	s.fill(ctx, sum, t, started)
	return sum, err
}

// notCheckedIn returns, sorted, the employees a live poll asks about: scheduled today (some
// check stored for today), an OnDuty check due by now, none signed, and no leave today.
func (s *Syncer) notCheckedIn(ctx context.Context, today string) ([]string, error) {
	checks, err := s.store.Checks(ctx, kaoqin.Filter{From: today, To: today})
	if err != nil {
		return nil, fmt.Errorf("read today's checks: %w", err)
	}
	start, end := kaoqin.DayBounds(today, s.loc)
	leaves, err := s.store.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read today's leave: %w", err)
	}
	onLeave := map[string]bool{}
	for _, l := range leaves {
		onLeave[l.UserID] = true
	}
	now := s.now().UnixMilli()
	due, signed := map[string]bool{}, map[string]bool{}
	for _, c := range checks {
		if c.CheckType != kaoqin.OnDuty {
			continue
		}
		if c.Signed() {
			signed[c.UserID] = true
		} else if c.BaseCheckTime <= now {
			due[c.UserID] = true
		}
	}
	var users []string
	for u := range due {
		if !signed[u] && !onLeave[u] {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	return users, nil
}

// Budget works out the live board's budget for today from the store: the month's ledger, the
// people in the org, and the shifts and checks per person of today's first pull (or of the
// latest day pulled in the last two weeks). See PlanBudget.
func (s *Syncer) Budget(ctx context.Context) (Budget, error) {
	now := s.now()
	today := kaoqin.DateOf(now, s.loc)
	in := BudgetInput{Quota: s.quota, Today: today, Location: s.loc}
	l, err := s.store.Ledger(ctx, kaoqin.MonthOf(now, s.loc))
	if err != nil {
		return Budget{}, fmt.Errorf("read the month's ledger: %w", err)
	}
	in.Used = l.Metered
	users, err := s.rangeUsers(ctx, today, today)
	if err != nil {
		return Budget{}, err
	}
	in.Employees = len(users)
	cov, err := s.store.Coverage(ctx, kaoqin.AddDays(today, -14), today)
	if err != nil {
		return Budget{}, fmt.Errorf("read the coverage: %w", err)
	}
	// The latest covered day with checks tells the shifts.
	for i := len(cov) - 1; i >= 0; i-- {
		checks, err := s.store.Checks(ctx, kaoqin.Filter{From: cov[i].Day, To: cov[i].Day})
		if err != nil {
			return Budget{}, fmt.Errorf("read the checks of %s: %w", cov[i].Day, err)
		}
		if len(checks) > 0 {
			in.Shifts, in.ChecksPerWorkday = shifts(checks, s.loc)
			break
		}
	}
	return PlanBudget(in), nil
}

// shifts returns the distinct shifts of one day's checks (each person's first OnDuty and last
// OffDuty, as wall times) and the checks per scheduled person.
func shifts(checks []kaoqin.Check, loc *time.Location) ([]Shift, float64) {
	type span struct{ on, off int64 }
	people := map[string]*span{}
	for _, c := range checks {
		p := people[c.UserID]
		if p == nil {
			p = &span{}
			people[c.UserID] = p
		}
		switch c.CheckType {
		case kaoqin.OnDuty:
			if p.on == 0 || c.BaseCheckTime < p.on {
				p.on = c.BaseCheckTime
			}
		case kaoqin.OffDuty:
			if c.BaseCheckTime > p.off {
				p.off = c.BaseCheckTime
			}
		}
	}
	var out []Shift
	for _, p := range people {
		if p.on == 0 || p.off == 0 {
			continue
		}
		out = append(out, Shift{OnDuty: timeOfDay(p.on, loc), OffDuty: timeOfDay(p.off, loc)})
	}
	slices.SortFunc(out, func(a, b Shift) int {
		return cmp.Or(cmp.Compare(a.OnDuty, b.OnDuty), cmp.Compare(a.OffDuty, b.OffDuty))
	})
	return slices.Compact(out), float64(len(checks)) / float64(max(len(people), 1))
}

// timeOfDay is the wall time of a unix-ms instant in loc, as a duration since midnight.
func timeOfDay(ms int64, loc *time.Location) time.Duration {
	t := time.UnixMilli(ms).In(loc)
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}
