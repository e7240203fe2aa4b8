package schedule

import (
	"context"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/syncer"
)

// The nightly pull of leave by type (年假, 事假... from DingTalk's report, one person a call):
// once a day, after the nightly sync has run, for the people on leave since the first day of
// last month (a pay period of the 26th to the 25th spans two months), with no more calls than
// today may spend beyond the month's reserve and its live polls. What it cannot afford waits
// for the next night; what earlier nights pulled after the days ended is not pulled again.

// leaveTypes runs the day's pull of leave by type, if it is due.
func (e *Engine) leaveTypes(ctx context.Context, now time.Time) {
	today := kaoqin.DateOf(now, e.loc)
	nightlyDone, err := e.ranToday(ctx, today, func(r kaoqin.SyncRun) bool {
		return r.Kind != syncer.KindLive && r.Kind != syncer.KindLeaveTypes
	})
	if err != nil || !nightlyDone {
		return
	}
	if ran, err := e.ranToday(ctx, today, func(r kaoqin.SyncRun) bool { return r.Kind == syncer.KindLeaveTypes }); err != nil || ran {
		return
	}
	var maxCalls int64
	b, err := e.s.Budget(ctx)
	if err != nil {
		e.log.Warn("leave by type: work out the budget", "err", err)
		return
	}
	if b.Quota > 0 {
		// What today may spend beyond the month's reserve, less what its live polls will.
		if maxCalls = b.PerDay - b.PollCosts; maxCalls < 3 {
			e.log.Info("leave by type skipped today: the month's budget leaves nothing beyond the nightly syncs and the live polls",
				"per_day", b.PerDay, "poll_costs", b.PollCosts)
			return
		}
	}
	yesterday := kaoqin.AddDays(today, -1)
	from := kaoqin.AddDays(today[:8]+"01", -1)[:8] + "01" // the first day of last month
	req := syncer.LeaveTypesRequest{From: from, To: yesterday, MaxCalls: maxCalls}
	e.do(ctx, "leave-types", func(ctx context.Context) (*syncer.Summary, error) { return e.s.RunLeaveTypes(ctx, req) })
}
