package syncer

import (
	"context"
	"fmt"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// PathUpdateData is getupdatedata's path: one employee-day, one metered call.
const PathUpdateData = "/topapi/attendance/getupdatedata"

// FetchDay fetches one employee's work day with getupdatedata (one metered call: results,
// punches and approvals together) and keeps it in the store, for a day in dispute or one the
// store lacks. It refuses when the month's budget has no call left (EQUOTA) and takes no sync
// lock: one call does not wait for a sync.
func (s *Syncer) FetchDay(ctx context.Context, userid, day string) (*kaoqin.DayDetail, error) {
	if s.client == nil {
		return nil, errNoClient
	}
	today := s.today()
	day, err := kaoqin.CheckDate(day, today)
	if err != nil {
		return nil, err
	}
	if day > today || day < kaoqin.AddDays(today, -180) {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "DingTalk serves the days from %s to today (%s): %s has nothing to fetch", kaoqin.AddDays(today, -180), today, day)
	}
	if userid == "" {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "no userid: name the employee whose day to fetch")
	}
	l, err := s.store.Ledger(ctx, kaoqin.MonthOf(s.now(), s.loc))
	if err != nil {
		return nil, fmt.Errorf("read the month's ledger: %w", err)
	}
	g := &guard{quota: s.quota, used0: l.Metered, books: s.books, m0: s.books.metered()}
	var u *dingtalk.UpdateData
	fetched := s.now().UnixMilli()
	err = budgeted(g, func(int) error {
		var err error
		u, _, err = s.client.Attendance.UpdateData(ctx, userid, date(day))
		return err
	})
	if err != nil {
		return nil, s.explain(err, 0, 1)
	}
	d := DayDetail(u, userid, day, fetched)
	if err := s.store.SaveDayDetail(ctx, d); err != nil {
		return nil, err
	}
	s.log.Info("syncer: fetched one day with getupdatedata", "userid", userid, "day", day,
		"results", len(d.Results), "punches", len(d.Punches), "approvals", len(d.Approvals))
	return &d, nil
}
