package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

type pullResult struct {
	rows        map[string]int64 // by kind of chunk
	daysCovered int              // of the results (checks and leave)
	saved       int64            // chunks saved by this pull
}

// fill puts the pull's figures in the summary.
func (r pullResult) fill(sum *Summary) {
	sum.CheckRows, sum.LeaveRows = r.rows[kindChecks], r.rows[kindLeave]
	sum.PunchRows, sum.PlanRows = r.rows[kindPunches], r.rows[kindPlans]
	sum.DaysCovered = r.daysCovered
}

// pull fetches the plan's chunks that earlier runs have not finished, several at once, saves
// each with its checkpoint in one transaction, and marks each day covered as soon as every
// chunk over it (checks and leave) is in. It stops starting chunks at the first error; when
// DingTalk says the month's quota is spent it cancels the chunks in flight too, since every
// one of them would fail the same way.
func (s *Syncer) pull(ctx context.Context, t *tracker, p *Plan) (pullResult, error) {
	res := pullResult{rows: map[string]int64{}}
	// The days each kind of coverage marks as its chunks come in. None for a pull of some
	// employees only: it covers no day.
	var cov *coverage
	if !p.partial {
		cs := []string{""}
		for _, cover := range covers[1:] {
			wanted := (cover == kaoqin.CoverPunches && p.Punches) || (cover == kaoqin.CoverPlans && p.Plans)
			if wanted && (len(p.days[cover]) > 0 || len(p.closing[cover]) > 0) {
				cs = append(cs, cover)
			}
		}
		cov = newCoverage(p, s.final, cs)
	}
	var todo []*job
	var skipped int64
	ready := map[string][]kaoqin.DayCoverage{} // days whose chunks earlier runs did, by coverage
	for _, j := range p.jobs {
		if j.doneAt > 0 {
			skipped++
			for c, days := range cov.done(j, j.doneAt) {
				ready[c] = append(ready[c], days...)
			}
			continue
		}
		todo = append(todo, j)
	}
	t.planned(int64(len(p.jobs)), skipped)
	t.phase("attendance", "")
	for c, days := range cov.ready(s.now().UnixMilli()) {
		ready[c] = append(ready[c], days...)
	}
	covered, err := s.markAll(ctx, ready)
	res.daysCovered += covered
	if err != nil {
		return res, err
	}
	todo = interleave(todo)

	g := &guard{quota: s.quota, used0: p.Used, books: s.books, m0: s.books.metered()}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu       sync.Mutex
		firstErr error
		stop     = make(chan struct{})
		stopOnce sync.Once
	)
	fail := func(err error) {
		mu.Lock()
		// A spent quota outranks whatever else went wrong: it is why the rest failed.
		if firstErr == nil || (dingtalk.IsQuotaExhausted(err) && !dingtalk.IsQuotaExhausted(firstErr)) {
			firstErr = err
		}
		mu.Unlock()
		stopOnce.Do(func() { close(stop) })
		if dingtalk.IsQuotaExhausted(err) {
			cancel(err)
		}
	}
	jobs := make(chan *job)
	var wg sync.WaitGroup
	for range min(s.conc, max(len(todo), 1)) {
		wg.Go(func() {
			for j := range jobs {
				rows, err := s.fetchAndSave(wctx, j, g, cov.observe)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				res.saved++
				res.rows[j.kind] += rows
				mu.Unlock()
				t.chunkDone(j.from+".."+j.to, rows)
				n, err := s.markAll(wctx, cov.done(j, j.pulledAt))
				mu.Lock()
				res.daysCovered += n
				mu.Unlock()
				if err == nil {
					// A sync that cannot write its ledger can no longer keep the quota.
					err = s.books.Err()
				}
				if err != nil {
					fail(err)
				}
			}
		})
	}
dispatch:
	for _, j := range todo {
		select {
		case jobs <- j:
		case <-stop:
			break dispatch
		case <-wctx.Done():
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()

	if err := ctx.Err(); err != nil {
		return res, err // interrupted: the caller says how to go on
	}
	if firstErr == nil {
		return res, nil
	}
	return res, s.explain(firstErr, res.saved, int64(len(todo)))
}

// interleave spreads the chunks of each kind evenly through the list, in order otherwise:
// every kind has a path and a limit of its own, so their calls run side by side instead of
// one kind holding every worker while the other paths idle.
func interleave(jobs []*job) []*job {
	var kinds []string
	byKind := map[string][]*job{}
	for _, j := range jobs {
		if byKind[j.kind] == nil {
			kinds = append(kinds, j.kind)
		}
		byKind[j.kind] = append(byKind[j.kind], j)
	}
	if len(kinds) < 2 {
		return jobs
	}
	// Each kind's k-th chunk goes at position (k + 0.5) / n of the run: merged by that.
	type slot struct {
		at float64
		j  *job
	}
	slots := make([]slot, 0, len(jobs))
	for _, k := range kinds {
		js := byKind[k]
		for i, j := range js {
			slots = append(slots, slot{(float64(i) + 0.5) / float64(len(js)), j})
		}
	}
	slices.SortStableFunc(slots, func(a, b slot) int { return cmp.Compare(a.at, b.at) })
	out := make([]*job, len(slots))
	for i, sl := range slots {
		out[i] = sl.j
	}
	return out
}

// explain turns the error that stopped a pull into the line the user reads.
func (s *Syncer) explain(err error, saved, todo int64) error {
	month := kaoqin.MonthOf(s.now(), s.loc)
	spent := int64(-1)
	if l, lerr := s.store.Ledger(context.Background(), month); lerr == nil {
		spent = l.Metered
	}
	switch {
	case dingtalk.IsQuotaExhausted(err):
		return kaoqin.Errorf(kaoqin.EQUOTA,
			"DingTalk says the org's monthly quota of metered API calls is spent (errcode 90020); the sync stopped with %d of %d chunks saved. "+
				"The quota is the org's: other apps of the org spend it too (kaoqin's ledger counts %d this month). It resets on %s: run the same command again then",
			saved, todo, spent, nextMonth(month))
	case errors.Is(err, errBudget):
		return kaoqin.Errorf(kaoqin.EQUOTA,
			"stopped before going past KAOQIN_DINGTALK_MONTHLY_QUOTA (%d metered calls; %d spent this month, by kaoqin's ledger) with %d of %d chunks saved; "+
				"run the same command again after the quota resets on %s, or raise KAOQIN_DINGTALK_MONTHLY_QUOTA if the org has bought more",
			s.quota, spent, saved, todo, nextMonth(month))
	}
	var e *dingtalk.APIError
	if errors.As(err, &e) || dingtalk.IsTransient(err) {
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "%v; %d of %d chunks are saved: run the same command again to continue where it stopped",
			err, saved, todo)
	}
	return err
}

// fetchAndSave fetches one chunk whole and saves it in one transaction, telling observe the
// latest check (or plan) of each of its days. The checkpoint is recorded when the fetch began
// after the chunk's last day had ended, with the time it began; the next plan counts it only if
// that was after the days closed (final.go).
func (s *Syncer) fetchAndSave(ctx context.Context, j *job, g *guard, observe func(day string, at int64)) (int64, error) {
	started := s.now()
	j.pulledAt = started.UnixMilli()
	key := ""
	_, end := kaoqin.DayBounds(j.to, s.loc)
	if !started.Before(end) {
		key = j.key
	}
	scope := kaoqin.Scope{UserIDs: j.chunk.UserIDs, From: j.from, To: j.to}
	// A pull of days that may still change (not closed yet, by what the store knew when the
	// pull was planned) says when the punches were known: a check due by then with no punch
	// was missed. A night shift's day is one of them until the morning after.
	live := int64(0)
	if j.pulledAt < j.closes || started.Before(end) {
		live = j.pulledAt
	}
	switch j.kind {
	case kindChecks:
		rs, err := s.fetchResults(ctx, j.chunk, g)
		if err != nil {
			return 0, fmt.Errorf("check results %s..%s of %d employees: %w", j.from, j.to, len(j.chunk.UserIDs), err)
		}
		checks := Checks(rs, s.loc)
		for _, c := range checks {
			observe(c.WorkDate, c.BaseCheckTime)
		}
		rows, err := s.store.SaveChecks(ctx, kaoqin.CheckBatch{
			Scope:      scope,
			Checks:     checks,
			Checkpoint: key,
			SyncedAt:   j.pulledAt, // DingTalk's answers reflect at least this moment
		})
		if err != nil {
			return 0, fmt.Errorf("save check results %s..%s: %w", j.from, j.to, err)
		}
		return rows, nil
	case kindPunches:
		var rs []dingtalk.Record
		err := budgeted(g, func(int) error {
			var err error
			rs, _, err = s.client.Attendance.ListRecord(ctx, recordOptions(j.chunk, s.loc))
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("punch records %s..%s of %d employees: %w", j.from, j.to, len(j.chunk.UserIDs), err)
		}
		// The day after's punches of its own shifts are another chunk's; the night before's
		// morning punches are the chunk before's.
		punches := slices.DeleteFunc(Punches(rs, s.loc), func(p kaoqin.Punch) bool { return p.WorkDate < j.from || p.WorkDate > j.to })
		rows, err := s.store.SavePunches(ctx, kaoqin.PunchBatch{Scope: scope, Punches: punches, Checkpoint: key, SyncedAt: live})
		if err != nil {
			return 0, fmt.Errorf("save punch records %s..%s: %w", j.from, j.to, err)
		}
		return rows, nil
	case kindPlans:
		plans, err := s.fetchPlans(ctx, j, g)
		if err != nil {
			return 0, fmt.Errorf("plans %s..%s of %d employees: %w", j.from, j.to, len(j.chunk.UserIDs), err)
		}
		for _, p := range plans {
			if !p.IsRest {
				observe(p.WorkDate, p.PlanCheckTime)
			}
		}
		rows, err := s.store.SaveSchedules(ctx, kaoqin.ScheduleBatch{Scope: scope, Schedules: plans, Checkpoint: key})
		if err != nil {
			return 0, fmt.Errorf("save plans %s..%s: %w", j.from, j.to, err)
		}
		return rows, nil
	default:
		opts := j.chunk.LeaveStatusOptions(s.loc)
		ls, err := s.fetchLeave(ctx, opts, g)
		if err != nil {
			return 0, fmt.Errorf("leave %s..%s of %d employees: %w", j.from, j.to, len(j.chunk.UserIDs), err)
		}
		start, _ := kaoqin.DayBounds(j.from, s.loc)
		_, end := kaoqin.DayBounds(j.to, s.loc)
		rows, err := s.store.SaveLeaves(ctx, kaoqin.LeaveBatch{
			UserIDs: j.chunk.UserIDs, Start: start.UnixMilli(), End: end.UnixMilli(),
			Leaves: Leaves(ls), Checkpoint: key,
		})
		if err != nil {
			return 0, fmt.Errorf("save leave %s..%s: %w", j.from, j.to, err)
		}
		return rows, nil
	}
}

// recordOptions asks listRecord for the punches of a chunk's work dates: from the start of its
// first day to the end of the day after its last (within 7 x 24 hours: punch chunks span at
// most 6 days), since a night shift's check-out the next morning belongs to the day it began.
func recordOptions(ch dingtalk.Chunk, loc *time.Location) *dingtalk.RecordOptions {
	o := ch.RecordOptions(loc)
	o.To = ch.To.AddDays(2).Start(loc).Add(-time.Second)
	return o
}

// fetchPlans fetches one chunk's plans: listbyusers for its people and days, or listschedule
// page after page for the whole company on one day, keeping the chunk's people.
func (s *Syncer) fetchPlans(ctx context.Context, j *job, g *guard) ([]kaoqin.Schedule, error) {
	if !j.daily {
		var rows []dingtalk.UserSchedule
		// On behalf of the administrator the plan found once (opUser reads every employee: a
		// 100,000-person month has 10,000 of these calls).
		err := budgeted(g, func(int) (err error) {
			rows, _, err = s.client.Attendance.ListByUsers(ctx, j.chunk.ScheduleOptions(j.opUser, s.loc))
			return err
		})
		if err != nil {
			return nil, err
		}
		out := make([]kaoqin.Schedule, len(rows))
		for i, r := range rows {
			out[i] = Schedule(r, s.loc)
		}
		return out, nil
	}
	rows, err := dingtalk.AllPages(PathDaySched, schedulePage, budgetedPage(g, func(offset int) ([]dingtalk.DaySchedule, *dingtalk.Response, error) {
		return s.client.Attendance.ListSchedule(ctx, j.chunk.From, offset, schedulePage)
	}))
	if err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(j.chunk.UserIDs))
	for _, u := range j.chunk.UserIDs {
		keep[u] = true
	}
	out := make([]kaoqin.Schedule, 0, len(rows))
	for _, r := range rows {
		if keep[r.UserID] {
			out = append(out, DaySchedule(r, j.from))
		}
	}
	return out, nil
}

// fetchResults pages through one chunk's check results, asking the budget before every call:
// the client's ListAll with a budget check between pages.
func (s *Syncer) fetchResults(ctx context.Context, ch dingtalk.Chunk, g *guard) ([]dingtalk.Result, error) {
	o := ch.ResultOptions()
	o.Limit = resultsPage
	return dingtalk.AllPages(PathResults, resultsPage, budgetedPage(g, func(offset int) ([]dingtalk.Result, *dingtalk.Response, error) {
		o.Offset = offset
		return s.client.Attendance.List(ctx, o)
	}))
}

// fetchLeave pages through one chunk's leave, asking the budget before every call.
func (s *Syncer) fetchLeave(ctx context.Context, o *dingtalk.LeaveStatusOptions, g *guard) ([]dingtalk.LeaveStatus, error) {
	o.Size = leavePage
	return dingtalk.AllPages(PathLeave, leavePage, budgetedPage(g, func(offset int) ([]dingtalk.LeaveStatus, *dingtalk.Response, error) {
		o.Offset = offset
		return s.client.Attendance.LeaveStatus(ctx, o)
	}))
}

// budgetedPage makes a page call wait for the budget's consent: a metered call that would
// take the month past the quota, or that the ledger could not book, is never made.
func budgetedPage[T any](g *guard, page func(offset int) ([]T, *dingtalk.Response, error)) func(int) ([]T, *dingtalk.Response, error) {
	return func(offset int) ([]T, *dingtalk.Response, error) {
		if err := g.take(); err != nil {
			return nil, nil, err
		}
		defer g.release()
		return page(offset)
	}
}

// budgeted makes one metered call, call(0), with the budget's consent.
func budgeted(g *guard, call func(int) error) error {
	if err := g.take(); err != nil {
		return err
	}
	defer g.release()
	return call(0)
}

// markAll records the days of each coverage; it returns how many days of the results it marked.
func (s *Syncer) markAll(ctx context.Context, days map[string][]kaoqin.DayCoverage) (int, error) {
	n := 0
	for _, cover := range covers {
		k, err := s.markCovered(ctx, cover, days[cover])
		if cover == "" {
			n = k
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// markCovered records the days of a coverage ("" the results, or a kind); it returns how many.
func (s *Syncer) markCovered(ctx context.Context, cover string, days []kaoqin.DayCoverage) (int, error) {
	if len(days) == 0 {
		return 0, nil
	}
	var err error
	if cover == "" {
		err = s.store.MarkCovered(ctx, days)
	} else {
		err = s.store.MarkKindCovered(ctx, cover, days)
	}
	if err != nil {
		return 0, fmt.Errorf("mark %d days covered: %w", len(days), err)
	}
	return len(days), nil
}
