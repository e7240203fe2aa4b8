package web

import (
	"context"
	"errors"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// notSyncedError is a report's ENOTSYNCED with the days that are missing, so that the pages
// can list them and offer the sync page, and the API can return them.
type notSyncedError struct {
	err     error
	missing []string
}

func (e *notSyncedError) Error() string { return e.err.Error() }
func (e *notSyncedError) Unwrap() error { return e.err }

func asNotSynced(err error, target **notSyncedError) bool { return errors.As(err, target) }

// explain adds the missing days of [from, to] to an ENOTSYNCED error; other errors pass.
func (s *Server) explain(ctx context.Context, err error, from, to string) error {
	if kaoqin.ErrorCode(err) != kaoqin.ENOTSYNCED {
		return err
	}
	cov, cerr := s.store.Coverage(ctx, from, to)
	if cerr != nil {
		return err
	}
	return &notSyncedError{err: err, missing: missingDays(cov, from, to)}
}

// missingDays returns the days of [from, to] that cov does not hold.
func missingDays(cov []kaoqin.DayCoverage, from, to string) []string {
	have := make(map[string]bool, len(cov))
	for _, c := range cov {
		have[c.Day] = true
	}
	var missing []string
	for _, d := range kaoqin.Days(from, to) {
		if !have[d] {
			missing = append(missing, d)
		}
	}
	return missing
}

// daily returns the daily report of day for the scope depts, from the cache when the data has
// not changed.
func (s *Server) daily(ctx context.Context, day string, depts []int64) (*report.Daily, error) {
	version, _, err := s.dataVersion(ctx, day, day)
	if err != nil {
		return nil, err
	}
	// The computation serves every request waiting for it: one leaving must not cancel it.
	v, err := s.cache.get(cacheKey("daily", day, day, depts), version, func() (any, error) {
		return report.LoadDaily(context.WithoutCancel(ctx), s.store, day, s.options(depts))
	})
	if err != nil {
		return nil, s.explain(ctx, err, day, day)
	}
	return v.(*report.Daily), nil
}

// dailyJSON returns the daily report of day for the scope depts as JSON, cached with the
// report: a 10,000-person company's report is about 6 MB of JSON, and encoding it for every
// request would cost more than computing it once.
func (s *Server) dailyJSON(ctx context.Context, day string, depts []int64) (*jsonBlob, error) {
	version, _, err := s.dataVersion(ctx, day, day)
	if err != nil {
		return nil, err
	}
	v, err := s.cache.get(cacheKey("dailyjson", day, day, depts), version, func() (any, error) {
		d, err := s.daily(ctx, day, depts)
		if err != nil {
			return nil, err
		}
		return newJSONBlob(d)
	})
	if err != nil {
		return nil, err
	}
	return v.(*jsonBlob), nil
}

// series returns the daily counts of [from, to] for the scope depts, cached like daily.
func (s *Server) series(ctx context.Context, from, to string, depts []int64) (*report.Series, error) {
	version, _, err := s.dataVersion(ctx, from, to)
	if err != nil {
		return nil, err
	}
	v, err := s.cache.get(cacheKey("series", from, to, depts), version, func() (any, error) {
		return report.LoadSeries(context.WithoutCancel(ctx), s.store, from, to, s.options(depts))
	})
	if err != nil {
		return nil, s.explain(ctx, err, from, to)
	}
	return v.(*report.Series), nil
}

// period opens the period report of [from, to] for the scope depts, to be computed as it is
// walked or written: its memory does not grow with the company. It is not cached: it is asked
// rarely, and an export must be computed from what the store holds when it is asked.
func (s *Server) period(ctx context.Context, from, to string, depts []int64) (*report.PeriodStream, error) {
	r, err := report.OpenPeriod(ctx, s.store, from, to, s.options(depts))
	if err != nil {
		return nil, s.explain(ctx, err, from, to)
	}
	return r, nil
}

// calendar returns one employee's calendar of [from, to], limited to the scope depts.
func (s *Server) calendar(ctx context.Context, userid, from, to string, depts []int64) (*report.Calendar, error) {
	c, err := report.LoadCalendar(ctx, s.store, userid, from, to, s.options(depts))
	if err != nil {
		return nil, s.explain(ctx, err, from, to)
	}
	return c, nil
}

// coveredTail returns the latest stretch of consecutive synced days ending at to and
// starting no earlier than from: the range a chart can show without refusing. ok is false if
// to itself has not been synced.
func (s *Server) coveredTail(ctx context.Context, from, to string) (start string, missing []string, ok bool, err error) {
	cov, err := s.store.Coverage(ctx, from, to)
	if err != nil {
		return "", nil, false, err
	}
	have := make(map[string]bool, len(cov))
	for _, c := range cov {
		have[c.Day] = true
	}
	if !have[to] {
		return "", missingDays(cov, from, to), false, nil
	}
	start = to
	for d := kaoqin.AddDays(to, -1); d >= from && have[d]; d = kaoqin.AddDays(d, -1) {
		start = d
	}
	if start != from {
		missing = missingDays(cov, from, kaoqin.AddDays(start, -1))
	}
	return start, missing, true, nil
}
