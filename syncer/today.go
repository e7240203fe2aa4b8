package syncer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// SyncToday is the live board's pull, for the scheduler of kaoqin serve (at the moments
// Budget.NextPolls gives, or every interval). Today's first pull fetches everyone's checks,
// leave and plans for today: it is how kaoqin learns who is scheduled when, and it covers the
// day. Later pulls, polls, ask only about the employees who still matter: with a check-in due
// by now (a check or a plan), none signed, no punch seen today, and not on leave. That set
// shrinks through the morning, and so does the cost. A poll fetches their punch records
// (listRecord: one call per 50 people, no pages), which the daily report reads as provisional
// check-ins and, where none came, as check-ins missed; with punches turned off it fetches their
// check results (attendance/list: pages of 50 rows, two or four a person). A poll does not
// cover the day anew (the others' rows are as the last full pull left them); its run record
// (kind "live") says when it happened.
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
	w := s.wants(Request{}, true)
	if first {
		users, err = s.rangeUsers(ctx, today, today)
		w.punches = false // the check results say who is in so far; polls bring punches
	} else {
		users, err = s.notCheckedIn(ctx, today, false)
		w = wants{checks: !w.punches, punches: w.punches} // listRecord when punches are on: see PollCost
		if err == nil && w.punches {
			// Yesterday's night shift is at work still: its late ones too. listRecord costs a
			// call per 50 people whatever the days, so they join the same calls.
			var night []string
			if night, err = s.overnightNotIn(ctx, today); len(night) > 0 {
				users = append(users, night...)
				slices.Sort(users)
				users = slices.Compact(users)
				p.From = kaoqin.AddDays(today, -1)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	p.Employees, p.partial = len(users), !first
	if err := s.planAttendance(ctx, p, users, true, w); err != nil {
		return nil, err
	}
	if err := p.Affordable(); err != nil {
		return nil, err
	}

	t := s.newTracker(ctx, KindLive, p.From, today)
	if err := t.create(ctx); err != nil {
		return nil, err
	}
	sum := &Summary{Quota: s.quota, Employees: len(users), ChunksTotal: int64(len(p.jobs))}
	res, err := s.pull(ctx, t, p)
	res.fill(sum)
	t.finish(err)
	s.fill(ctx, sum, t, started)
	return sum, err
}

// PollCost is the metered calls of a live poll of n people with checksPerDay checks each:
// with listRecord one call per 50 people whatever they punched; with attendance/list, per 50
// people, a page per 50 of their check results of the day. listRecord is never dearer, and
// cheaper as soon as people have more than one check a day, so polls use it when punches are
// pulled at all.
func PollCost(n int64, checksPerDay float64, records bool) int64 {
	if n <= 0 {
		return 0
	}
	if records {
		return ceilDiv(n, resultsBatch)
	}
	full, rest := n/resultsBatch, n%resultsBatch
	calls := full * pages(resultsBatch, checksPerDay)
	if rest > 0 {
		calls += pages(rest, checksPerDay)
	}
	return calls
}

// overnightNotIn returns the employees of yesterday's night shift that a live poll of today
// asks about: yesterday is not final, and they are not checked in (see notCheckedIn) on a
// shift that ends after today began and has not closed yet.
func (s *Syncer) overnightNotIn(ctx context.Context, today string) ([]string, error) {
	yesterday := kaoqin.AddDays(today, -1)
	cov, err := s.store.Coverage(ctx, yesterday, yesterday)
	if err != nil {
		return nil, fmt.Errorf("read yesterday's coverage: %w", err)
	}
	start, _ := kaoqin.DayBounds(today, s.loc)
	if len(cov) == 0 || cov[0].Closed || cov[0].LastCheckAt < start.UnixMilli() ||
		s.now().UnixMilli() >= s.final.closesAt(yesterday, cov[0].LastCheckAt) {
		return nil, nil
	}
	return s.notCheckedIn(ctx, yesterday, true)
}

// notCheckedIn returns, sorted, the employees a live poll asks about: a check-in due by now
// (an OnDuty check or plan of day whose time has come), no OnDuty check signed, no valid
// punch seen that day, and no leave that day. overnight keeps only the ones whose shift ends
// after the day does (a night shift).
func (s *Syncer) notCheckedIn(ctx context.Context, today string, overnight bool) ([]string, error) {
	f := kaoqin.Filter{From: today, To: today}
	checks, err := s.store.Checks(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read today's checks: %w", err)
	}
	plans, err := s.store.Schedules(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read today's plans: %w", err)
	}
	punches, err := s.store.Punches(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read today's punches: %w", err)
	}
	start, end := kaoqin.DayBounds(today, s.loc)
	leaves, err := s.store.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read today's leave: %w", err)
	}
	out := map[string]bool{}
	for _, l := range leaves {
		out[l.UserID] = true
	}
	for _, p := range punches {
		if p.Valid() {
			out[p.UserID] = true
		}
	}
	now := s.now().UnixMilli()
	due := map[string]bool{}
	for _, c := range checks {
		if c.CheckType != kaoqin.OnDuty {
			continue
		}
		if c.Signed() {
			out[c.UserID] = true
		} else if c.BaseCheckTime <= now {
			due[c.UserID] = true
		}
	}
	for _, p := range plans {
		if !p.IsRest && p.CheckType == kaoqin.OnDuty && p.PlanCheckTime <= now {
			due[p.UserID] = true
		}
	}
	night := map[string]bool{} // a check or plan after the day's end
	if overnight {
		for _, c := range checks {
			night[c.UserID] = night[c.UserID] || c.BaseCheckTime >= end.UnixMilli()
		}
		for _, p := range plans {
			night[p.UserID] = night[p.UserID] || (!p.IsRest && p.PlanCheckTime >= end.UnixMilli())
		}
	}
	var users []string
	for u := range due {
		if !out[u] && (!overnight || night[u]) {
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
	in := BudgetInput{Quota: s.quota, Today: today, Location: s.loc, Punches: !s.noPunches, Plans: !s.noPlans,
		LastPull: s.final.age > 0}
	l, err := s.store.Ledger(ctx, kaoqin.MonthOf(now, s.loc))
	if err != nil {
		return Budget{}, fmt.Errorf("read the month's ledger: %w", err)
	}
	in.Used = l.Metered
	in.Notifications = notificationsPerDay(l, now.In(s.loc).Day())
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
			in.Shifts, in.ChecksPerWorkday, in.Overnight = shifts(checks, s.loc)
			plans, err := s.store.Schedules(ctx, kaoqin.Filter{From: cov[i].Day, To: cov[i].Day})
			if err != nil {
				return Budget{}, fmt.Errorf("read the plans of %s: %w", cov[i].Day, err)
			}
			if len(plans) > 0 {
				in.PlansPerDay = float64(len(plans)) / float64(max(len(users), 1))
			}
			break
		}
	}
	if in.Refetch, err = s.refetchPerDay(ctx, today); err != nil {
		return Budget{}, err
	}
	return PlanBudget(in), nil
}

// refetchPerDay is the metered calls a day of the last two weeks' refetches (runs of kind
// KindRefetch) cost, rounded up.
func (s *Syncer) refetchPerDay(ctx context.Context, today string) (int64, error) {
	runs, err := s.store.Runs(ctx, 1000)
	if err != nil {
		return 0, fmt.Errorf("read the latest runs: %w", err)
	}
	since, _ := kaoqin.DayBounds(kaoqin.AddDays(today, -14), s.loc)
	var metered int64
	for _, r := range runs {
		if r.Kind == KindRefetch && r.StartedAt >= since.UnixMilli() {
			metered += r.Metered
		}
	}
	return ceilDiv(metered, 14), nil
}

// notificationsPerDay is what work notifications (reminders) spent a day so far this month:
// their metered calls over the days of the month up to today.
func notificationsPerDay(l kaoqin.MonthLedger, dayOfMonth int) int64 {
	var n int64
	for path, calls := range l.MeteredBy {
		if strings.HasPrefix(path, "/topapi/message/corpconversation/") {
			n += calls
		}
	}
	return ceilDiv(n, int64(max(dayOfMonth, 1)))
}

// shifts returns the distinct shifts of one day's checks (each person's first OnDuty and last
// OffDuty, as wall times), the checks per scheduled person, and how many people's shift ends
// after the day does (a night shift).
func shifts(checks []kaoqin.Check, loc *time.Location) ([]Shift, float64, int) {
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
	overnight := 0
	for _, p := range people {
		if p.on == 0 || p.off == 0 {
			continue
		}
		out = append(out, Shift{OnDuty: timeOfDay(p.on, loc), OffDuty: timeOfDay(p.off, loc)})
		if kaoqin.DateOfMs(p.off, loc) > kaoqin.DateOfMs(p.on, loc) {
			overnight++
		}
	}
	slices.SortFunc(out, func(a, b Shift) int {
		return cmp.Or(cmp.Compare(a.OnDuty, b.OnDuty), cmp.Compare(a.OffDuty, b.OffDuty))
	})
	return slices.Compact(out), float64(len(checks)) / float64(max(len(people), 1)), overnight
}

// timeOfDay is the wall time of a unix-ms instant in loc, as a duration since midnight.
func timeOfDay(ms int64, loc *time.Location) time.Duration {
	t := time.UnixMilli(ms).In(loc)
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}
