package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/syncer"
)

// TestEngine_LeaveTypes pulls leave by type once a night, after the nightly sync, and not when
// the month's budget leaves nothing beyond the nightly syncs and the live polls.
func TestEngine_LeaveTypes(t *testing.T) {
	t.Parallel()
	f := newEngineFixture(t)
	ctx := context.Background()
	cfg := Config{Enabled: true, Nightly: 2 * time.Hour, LiveEvery: -1, HoursStart: 8 * time.Hour, HoursEnd: 19 * time.Hour,
		Tick: time.Hour, LockRetry: time.Hour, ReconcileDays: 7, LeaveTypes: true}
	e := f.engine(ctx, cfg)
	e.Lead(ctx) // 08:50 on the 18th: the day's sync has run; leave by type up to yesterday
	runs := f.runs(t)
	if runs[0].Kind != syncer.KindLeaveTypes || runs[0].From != "2026-10-01" || runs[0].To != "2026-11-17" {
		t.Fatalf("the first tick's runs: %+v", runs[0])
	}
	e.Tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLeaveTypes); n != 1 {
		t.Fatalf("%d pulls of leave by type on one day, want 1", n)
	}
	f.sim.SetNow(time.Date(2026, 11, 19, 2, 30, 0, 0, f.loc))
	e.Tick(ctx)
	runs = f.runs(t)
	if len(runs) < 2 || runs[0].Kind != syncer.KindLeaveTypes || runs[1].Kind != syncer.KindFull || runs[0].To != "2026-11-18" {
		t.Fatalf("runs after the night: %+v", runs[:min(2, len(runs))])
	}
	times, err := f.db.LeaveTimes(ctx, kaoqin.Filter{From: "2026-11-16", To: "2026-11-18"})
	if err != nil {
		t.Fatal(err)
	}
	leaves := f.sim.Truth().Leaves(f.sim.Truth().UserIDs(), "2026-11-16", "2026-11-18")
	if len(leaves) == 0 || len(times) == 0 {
		t.Fatalf("%d leaves, %d leave times stored", len(leaves), len(times))
	}
	f.sim.Advance(time.Hour)
	e.Tick(ctx)
	if n := countKind(f.runs(t), syncer.KindLeaveTypes); n != 2 {
		t.Errorf("%d pulls of leave by type over two days, want 2", n)
	}

	// A month whose budget is all kept for the nightly syncs: no pull.
	tight := newEngineFixtureQuota(t, 60)
	e = tight.engine(ctx, cfg)
	tight.sim.SetNow(time.Date(2026, 11, 19, 2, 30, 0, 0, tight.loc))
	e.Lead(ctx)
	if n := countKind(tight.runs(t), syncer.KindLeaveTypes); n != 0 {
		t.Errorf("%d pulls of leave by type with no budget to spare", n)
	}
	if countKind(tight.runs(t), syncer.KindFull) != 2 { // the fixture's, and the night's
		t.Errorf("the nightly sync did not run: %+v", tight.runs(t))
	}
}
