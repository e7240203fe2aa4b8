package syncer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

type pullResult struct {
	checkRows, leaveRows int64
	daysCovered          int
	saved                int64 // chunks saved by this pull
}

// pull fetches the plan's chunks that earlier runs have not finished, several at once, saves
// each with its checkpoint in one transaction, and marks each day covered as soon as every
// chunk over it (checks and leave) is in. It stops starting chunks at the first error; when
// DingTalk says the month's quota is spent it cancels the chunks in flight too, since every
// one of them would fail the same way.
func (s *Syncer) pull(ctx context.Context, t *tracker, p *Plan) (pullResult, error) {
	var res pullResult
	var cov *coverage // nil for a pull of some employees only: it covers no day
	if !p.partial {
		cov = newCoverage(p.days, p.jobs, s.loc)
	}
	var todo []*job
	var skipped int64
	var ready []kaoqin.DayCoverage // days whose chunks earlier runs did
	for _, j := range p.jobs {
		if j.doneAt > 0 {
			skipped++
			ready = append(ready, cov.done(j, j.doneAt)...)
			continue
		}
		todo = append(todo, j)
	}
	t.planned(int64(len(p.jobs)), skipped)
	t.phase("attendance", "")
	covered, err := s.markCovered(ctx, append(ready, cov.ready(s.now().UnixMilli())...))
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
				rows, err := s.fetchAndSave(wctx, j, g)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				res.saved++
				if j.kind == kindChecks {
					res.checkRows += rows
				} else {
					res.leaveRows += rows
				}
				mu.Unlock()
				t.chunkDone(j.from+".."+j.to, rows)
				n, err := s.markCovered(wctx, cov.done(j, j.pulledAt))
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

// interleave spreads the few leave chunks among the checks chunks, in order otherwise: leave
// has a path and a limit of its own, so its calls run beside the checks' instead of holding
// every worker at the start while the checks' path idles.
func interleave(jobs []*job) []*job {
	var checks, leave []*job
	for _, j := range jobs {
		if j.kind == kindLeave {
			leave = append(leave, j)
		} else {
			checks = append(checks, j)
		}
	}
	if len(leave) == 0 || len(checks) == 0 {
		return jobs
	}
	every := max(1, len(checks)/len(leave))
	out := make([]*job, 0, len(jobs))
	for i, j := range checks {
		if i%every == 0 && len(leave) > 0 {
			out = append(out, leave[0])
			leave = leave[1:]
		}
		out = append(out, j)
	}
	return append(out, leave...)
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

// fetchAndSave fetches one chunk whole and saves it in one transaction. The checkpoint is
// recorded only when the fetch began after the chunk's last day had ended: only then is the
// data final.
func (s *Syncer) fetchAndSave(ctx context.Context, j *job, g *guard) (int64, error) {
	started := s.now()
	j.pulledAt = started.UnixMilli()
	key := ""
	if _, end := kaoqin.DayBounds(j.to, s.loc); !started.Before(end) {
		key = j.key
	}
	switch j.kind {
	case kindChecks:
		rs, err := s.fetchResults(ctx, j.chunk, g)
		if err != nil {
			return 0, fmt.Errorf("check results %s..%s of %d employees: %w", j.from, j.to, len(j.chunk.UserIDs), err)
		}
		rows, err := s.store.SaveChecks(ctx, kaoqin.CheckBatch{
			Scope:      kaoqin.Scope{UserIDs: j.chunk.UserIDs, From: j.from, To: j.to},
			Checks:     Checks(rs, s.loc),
			Checkpoint: key,
			SyncedAt:   j.pulledAt, // DingTalk's answers reflect at least this moment
		})
		if err != nil {
			return 0, fmt.Errorf("save check results %s..%s: %w", j.from, j.to, err)
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

// fetchResults pages through one chunk's check results, asking the budget before every call:
// the client's ListAll with a budget check between pages.
func (s *Syncer) fetchResults(ctx context.Context, ch dingtalk.Chunk, g *guard) ([]dingtalk.Result, error) {
	o := ch.ResultOptions()
	o.Limit = resultsPage
	return dingtalk.AllPages(PathResults, resultsPage, budgeted(g, func(offset int) ([]dingtalk.Result, *dingtalk.Response, error) {
		o.Offset = offset
		return s.client.Attendance.List(ctx, o)
	}))
}

// fetchLeave pages through one chunk's leave, asking the budget before every call.
func (s *Syncer) fetchLeave(ctx context.Context, o *dingtalk.LeaveStatusOptions, g *guard) ([]dingtalk.LeaveStatus, error) {
	o.Size = leavePage
	return dingtalk.AllPages(PathLeave, leavePage, budgeted(g, func(offset int) ([]dingtalk.LeaveStatus, *dingtalk.Response, error) {
		o.Offset = offset
		return s.client.Attendance.LeaveStatus(ctx, o)
	}))
}

// budgeted makes a page call wait for the budget's consent: a metered call that would take
// the month past the quota, or that the ledger could not book, is never made.
func budgeted[T any](g *guard, page func(offset int) ([]T, *dingtalk.Response, error)) func(int) ([]T, *dingtalk.Response, error) {
	return func(offset int) ([]T, *dingtalk.Response, error) {
		if err := g.take(); err != nil {
			return nil, nil, err
		}
		defer g.release()
		return page(offset)
	}
}

// markCovered records the days; it returns how many.
func (s *Syncer) markCovered(ctx context.Context, days []kaoqin.DayCoverage) (int, error) {
	if len(days) == 0 {
		return 0, nil
	}
	if err := s.store.MarkCovered(ctx, days); err != nil {
		return 0, fmt.Errorf("mark %d days covered: %w", len(days), err)
	}
	return len(days), nil
}
