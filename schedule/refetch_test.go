package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/syncer"
)

// TestEngine_RefetchAtOnce: a day an event says changed after it was pulled (an
// administrator's edit) is pulled again at the first tick, for the people it names, once the
// day has closed; a mark of today waits for the day's reconciliation. The run is recorded as
// a refetch, and the budget prices refetches by the last two weeks' runs.
func TestEngine_RefetchAtOnce(t *testing.T) {
	t.Parallel()
	f := newEngineFixture(t)
	ctx := context.Background()
	e := f.engine(ctx, Config{Enabled: true, Nightly: -1, LiveEvery: -1, Tick: time.Minute, LockRetry: time.Hour, ReconcileDays: 7})
	e.Lead(ctx)
	users := f.sim.Truth().UserIDs()
	if b, err := f.s.Budget(ctx); err != nil || b.Refetch != 0 {
		t.Fatalf("the budget before any refetch: %+v, %v", b, err)
	}
	before := len(f.runs(t))
	f.sim.Advance(time.Minute)
	marked := f.sim.Now().UnixMilli()
	err := f.db.MarkRefetch(ctx, []kaoqin.Refetch{
		{UserID: users[1], Day: "2026-11-17", Reason: dingtalk.EventBossCheck, MarkedAt: marked},
		{UserID: users[2], Day: "2026-11-17", Reason: dingtalk.EventDailySummary, MarkedAt: marked},
		{UserID: users[3], Day: "2026-11-16", Reason: dingtalk.EventBossCheck, MarkedAt: marked},
		{UserID: users[4], Day: "2026-11-18", Reason: dingtalk.EventBossCheck, MarkedAt: marked},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.sim.Advance(time.Minute)
	e.Tick(ctx)
	runs := f.runs(t)
	if len(runs) != before+1 {
		t.Fatalf("%d runs after the tick, want 1 more", len(runs)-before)
	}
	if r := runs[0]; r.Kind != syncer.KindRefetch || r.Status != kaoqin.RunOK || r.From != "2026-11-16" || r.To != "2026-11-17" || r.Metered != 2 {
		t.Errorf("the refetch: %+v; want 11-16..11-17, a metered call a day", r)
	}
	marks, err := f.db.Refetches(ctx)
	if err != nil || len(marks) != 1 || marks[0].Day != "2026-11-18" {
		t.Errorf("marks left %+v, %v; want today's only", marks, err)
	}
	checks, err := f.db.Checks(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17", UserIDs: []string{users[1], users[5]}})
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) == 0 || checks[0].UserID != users[1] {
		t.Fatalf("no check of %s on 11-17 to tell by: %+v", users[1], checks)
	}
	for _, c := range checks {
		if again := c.SyncedAt > marked; again != (c.UserID == users[1]) {
			t.Errorf("%s's check of 11-17 pulled at %v, marked at %v", c.UserID, time.UnixMilli(c.SyncedAt), time.UnixMilli(marked))
		}
	}

	f.sim.Advance(time.Minute)
	e.Tick(ctx)
	if n := len(f.runs(t)); n != before+1 {
		t.Errorf("a tick with today's mark alone ran %d more", n-before-1)
	}
	if b, err := f.s.Budget(ctx); err != nil || b.Refetch != 1 {
		t.Errorf("the budget after a refetch of 2 calls: refetch %d a day, %v; want 1", b.Refetch, err)
	}
}
