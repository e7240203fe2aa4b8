package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/syncer"
)

// TestEngine_NightShift: with night shifts, the nightly sync at 02:00 pulls yesterday (and
// today's first pull with it) and leaves yesterday open, once; as soon as yesterday has closed
// (its last check, 08:00 the next morning, plus the late window) a close-out makes it final,
// once.
func TestEngine_NightShift(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// Tuesday the 24th synced on Wednesday morning, while its night shift was still at work.
	f := newEngineFixtureOf(t, 5000, dingtalksim.Config{Seed: 5, Employees: 120, Location: loc, NightShift: true,
		Now: time.Date(2026, 11, 25, 8, 30, 0, 0, loc)}, "2026-11-24", "2026-11-25")
	ctx := context.Background()
	e := f.engine(ctx, Config{Enabled: true, Nightly: 2 * time.Hour, LiveEvery: -1, Tick: time.Hour, LockRetry: time.Hour, ReconcileDays: 7})
	e.Lead(ctx)
	coverage := func(day string) kaoqin.DayCoverage {
		t.Helper()
		cov, err := f.db.Coverage(ctx, day, day)
		if err != nil || len(cov) != 1 {
			t.Fatalf("coverage of %s: %v, %v", day, cov, err)
		}
		return cov[0]
	}
	tick := func(wall string) []kaoqin.SyncRun {
		t.Helper()
		before := len(f.runs(t))
		f.sim.SetNow(f.sim.At(wall))
		e.Tick(ctx)
		runs := f.runs(t)
		return runs[:len(runs)-before]
	}
	if c := coverage("2026-11-24"); c.Closed || c.ClosesAt != f.sim.At("2026-11-25 12:00").UnixMilli() {
		t.Fatalf("the 24th pulled at 08:30 the next morning: %+v, want open until 12:00", c)
	}
	if runs := tick("2026-11-25 11:59"); len(runs) != 0 {
		t.Errorf("at 11:59: %+v, want nothing", runs)
	}
	runs := tick("2026-11-25 12:00")
	if len(runs) != 1 || runs[0].Kind != syncer.KindAttendance || runs[0].From != "2026-11-24" || runs[0].To != "2026-11-24" {
		t.Fatalf("at 12:00: %+v, want the close-out of the 24th", runs)
	}
	if c := coverage("2026-11-24"); !c.Closed {
		t.Errorf("the 24th after its close-out: %+v", c)
	}
	if runs := tick("2026-11-25 12:01"); len(runs) != 0 {
		t.Errorf("after the close-out: %+v, want nothing", runs)
	}

	// 02:00: the nightly sync, once; the 25th stays open, and the 26th has its first pull.
	runs = tick("2026-11-26 02:00")
	if len(runs) != 1 || runs[0].Kind != syncer.KindFull || runs[0].From != "2026-11-25" || runs[0].To != "2026-11-26" {
		t.Fatalf("at 02:00: %+v, want the nightly sync of the 25th and the 26th", runs)
	}
	if c := coverage("2026-11-25"); c.Closed {
		t.Errorf("the nightly sync at 02:00 made the 25th final while its night shift works: %+v", c)
	}
	coverage("2026-11-26")
	if runs := tick("2026-11-26 02:01"); len(runs) != 0 {
		t.Errorf("at 02:01: %+v, want nothing", runs)
	}
	runs = tick("2026-11-26 12:00")
	if len(runs) != 1 || runs[0].Kind != syncer.KindAttendance || runs[0].From != "2026-11-25" || runs[0].Metered == 0 {
		t.Fatalf("at 12:00: %+v, want the close-out of the 25th", runs)
	}
	if c := coverage("2026-11-25"); !c.Closed || c.SyncedAt != f.sim.At("2026-11-26 02:00").UnixMilli() {
		t.Errorf("the 25th after its close-out: %+v", c)
	}
	if runs := tick("2026-11-26 12:30"); len(runs) != 0 {
		t.Errorf("after the close-out: %+v, want nothing", runs)
	}
}

// TestParse_allDay: interval pulls may run all day, for night shifts.
func TestParse_allDay(t *testing.T) {
	t.Parallel()
	cfg, err := Parse(true, "02:00", "10m", "00:00-24:00")
	if err != nil || cfg.HoursStart != 0 || cfg.HoursEnd != 24*time.Hour {
		t.Errorf("00:00-24:00: %+v, %v", cfg, err)
	}
	if _, err := Parse(true, "02:00", "10m", "20:00-08:00"); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("20:00-08:00: %v, want EINVALID", err)
	}
}
