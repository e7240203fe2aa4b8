package dingtalk

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// The iterators below respect every DingTalk limit so that callers never have to: they page,
// chunk users and days, and stop at the first error, which they yield last. Each call they
// make goes through the client's limiter and retries like any other.

// Walk yields every department under rootID, breadth first, by calling listsub once per
// department. It does not yield the root itself (Get it). Departments with a negative id (the
// "-1" of home-school contact trees) are skipped, and a department seen before is not visited
// again, so a cycle in DingTalk's answers cannot loop.
func (s *DepartmentsService) Walk(ctx context.Context, rootID int64, lang Language) iter.Seq2[Department, error] {
	return func(yield func(Department, error) bool) {
		seen := map[int64]bool{rootID: true}
		queue := []int64{rootID}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			subs, _, err := s.ListSub(ctx, id, lang)
			if err != nil {
				yield(Department{}, fmt.Errorf("walk departments under %d: %w", id, err))
				return
			}
			for _, d := range subs {
				did := int64(d.ID)
				if did <= 0 || seen[did] {
					continue
				}
				seen[did] = true
				if !yield(d, nil) {
					return
				}
				queue = append(queue, did)
			}
		}
	}
}

// All yields every user of one department (not of its sub-departments) with details, page
// after page. It stops with an error if DingTalk hands out a cursor it gave before, rather
// than loop. opts may set the page size, order and language; its Cursor is the start.
func (s *UsersService) All(ctx context.Context, deptID int64, opts *ListUsersOptions) iter.Seq2[User, error] {
	return allUsers(ctx, deptID, opts, s.List)
}

// AllSimple is All with ids and names only (listsimple).
func (s *UsersService) AllSimple(ctx context.Context, deptID int64, opts *ListUsersOptions) iter.Seq2[SimpleUser, error] {
	return allUsers(ctx, deptID, opts, s.ListSimple)
}

func allUsers[T any](ctx context.Context, deptID int64, opts *ListUsersOptions,
	list func(context.Context, int64, *ListUsersOptions) ([]T, *Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		var o ListUsersOptions
		if opts != nil {
			o = *opts // the caller's options stay as they were
		}
		seen := map[int64]bool{o.Cursor: true}
		for {
			users, resp, err := list(ctx, deptID, &o)
			if err != nil {
				yield(zero, fmt.Errorf("list users of department %d: %w", deptID, err))
				return
			}
			for _, u := range users {
				if !yield(u, nil) {
					return
				}
			}
			if !resp.HasMore {
				return
			}
			if seen[resp.NextCursor] {
				yield(zero, fmt.Errorf("dingtalk: list users of department %d: DingTalk gave next_cursor %d a second time; stopping rather than looping", deptID, resp.NextCursor))
				return
			}
			seen[resp.NextCursor] = true
			o.Cursor = resp.NextCursor
		}
	}
}

// ResultOptions returns the options that fetch the chunk's punch results.
func (ch Chunk) ResultOptions() *ResultOptions {
	return &ResultOptions{UserIDs: ch.UserIDs, From: ch.From, To: ch.To}
}

// RecordOptions returns the options that fetch the punch records of the chunk's days in loc:
// from the first second of From to the last second of To (within 7×24 hours).
func (ch Chunk) RecordOptions(loc *time.Location) *RecordOptions {
	return &RecordOptions{UserIDs: ch.UserIDs, From: ch.From.Start(loc), To: ch.To.AddDays(1).Start(loc).Add(-time.Second)}
}

// LeaveStatusOptions returns the options that fetch the leave overlapping the chunk's days in
// loc: from the first to the last millisecond.
func (ch Chunk) LeaveStatusOptions(loc *time.Location) *LeaveStatusOptions {
	return &LeaveStatusOptions{UserIDs: ch.UserIDs, Start: ch.From.Start(loc), End: endOfDay(ch.To, loc)}
}

// ScheduleOptions returns the options that fetch the planned check points of the chunk's days
// in loc, on behalf of opUserID.
func (ch Chunk) ScheduleOptions(opUserID string, loc *time.Location) *ScheduleOptions {
	return &ScheduleOptions{OpUserID: opUserID, UserIDs: ch.UserIDs, From: ch.From.Start(loc), To: endOfDay(ch.To, loc)}
}

// eachChunk runs fetch on every chunk and yields the rows; it yields a bad range as an error.
func eachChunk[T any](chunks []Chunk, from, to Date, fetch func(Chunk) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if from.IsZero() || to.IsZero() || to.Before(from) {
			yield(zero, fmt.Errorf("dingtalk: bad date range %s..%s: %w", from, to, ErrInvalidArgument))
			return
		}
		for _, ch := range chunks {
			rows, err := fetch(ch)
			if err != nil {
				yield(zero, fmt.Errorf("chunk %s of %d users: %w", ch.DateRange, len(ch.UserIDs), err))
				return
			}
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// Results yields the punch results of any number of users over any range of work dates
// [from, to], in the chunks PlanChunks(userIDs, from, to, MaxResultUsers, MaxResultDays) gives,
// each one paged to the end. Each chunk costs one metered call per page.
func (s *AttendanceService) Results(ctx context.Context, userIDs []string, from, to Date) iter.Seq2[Result, error] {
	chunks := PlanChunks(userIDs, from, to, MaxResultUsers, MaxResultDays)
	return eachChunk(chunks, from, to, func(ch Chunk) ([]Result, error) {
		return s.ListAll(ctx, ch.ResultOptions())
	})
}

// Records yields the punch records of any number of users over the days [from, to] in the
// client's location, one listRecord call per chunk of 50 users × 7 days. listRecord bounds
// punches by time, not work date: a night shift's punch after midnight belongs to the next
// day's window.
func (s *AttendanceService) Records(ctx context.Context, userIDs []string, from, to Date) iter.Seq2[Record, error] {
	chunks := PlanChunks(userIDs, from, to, MaxResultUsers, MaxResultDays)
	loc := s.client.Location()
	return eachChunk(chunks, from, to, func(ch Chunk) ([]Record, error) {
		rows, _, err := s.ListRecord(ctx, ch.RecordOptions(loc))
		return rows, err
	})
}

// LeaveStatuses yields the approved leave overlapping [from, to] of any number of users, in
// chunks of 100 users × 180 days, each paged 20 rows at a time. A leave that spans two chunks'
// windows is yielded once per window.
func (s *AttendanceService) LeaveStatuses(ctx context.Context, userIDs []string, from, to Date) iter.Seq2[LeaveStatus, error] {
	chunks := PlanChunks(userIDs, from, to, MaxLeaveUsers, MaxLeaveDays)
	loc := s.client.Location()
	return eachChunk(chunks, from, to, func(ch Chunk) ([]LeaveStatus, error) {
		return s.LeaveStatusAll(ctx, ch.LeaveStatusOptions(loc))
	})
}

// Schedules yields the planned check points of any number of users over [from, to], one
// listbyusers call per chunk of 50 users × 7 days, on behalf of opUserID.
func (s *AttendanceService) Schedules(ctx context.Context, opUserID string, userIDs []string, from, to Date) iter.Seq2[UserSchedule, error] {
	chunks := PlanChunks(userIDs, from, to, MaxScheduleUsers, MaxScheduleDays)
	loc := s.client.Location()
	return eachChunk(chunks, from, to, func(ch Chunk) ([]UserSchedule, error) {
		rows, _, err := s.ListByUsers(ctx, ch.ScheduleOptions(opUserID, loc))
		return rows, err
	})
}

// AllPages calls page at offsets 0, size, 2×size... until DingTalk says no more rows follow,
// and returns every row: the loop behind ListAll and LeaveStatusAll, exported for a caller
// that must do something between pages (kaoqin's syncer asks its quota budget before every
// metered call). It refuses an answer that promises more rows but sends none, and gives up
// after a thousand pages rather than loop on a broken answer.
func AllPages[T any](path string, size int, page func(offset int) ([]T, *Response, error)) ([]T, error) {
	var all []T
	for n := 0; ; n++ {
		if n == MaxPages {
			return nil, fmt.Errorf("dingtalk: %s: still more rows after %d pages; giving up", path, MaxPages)
		}
		offset := n * size
		rows, resp, err := page(offset)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
		if !resp.HasMore {
			return all, nil
		}
		if len(rows) == 0 {
			return nil, &APIError{Path: path, HTTPStatus: resp.HTTPStatus, RequestID: resp.RequestID,
				Message: fmt.Sprintf("hasMore is true but the page at offset %d is empty", offset)}
		}
	}
}
