package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

// TestCoverage_CloseAndSettle: when a day closes and settles is kept with its coverage, for
// the check results and for each kind apart; the times take the later value and Settled, like
// Closed, never goes back.
func TestCoverage_CloseAndSettle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		night := kaoqin.DayCoverage{Day: "2026-11-18", SyncedAt: 100, LastCheckAt: 150, ClosesAt: 300, SettlesAt: 900}
		must(t, db.MarkCovered(ctx, []kaoqin.DayCoverage{night}))
		must(t, db.MarkKindCovered(ctx, kaoqin.CoverPunches, []kaoqin.DayCoverage{night}))
		// The close-out: final, the last pull still due. Then that pull, and an older mark.
		must(t, db.MarkCovered(ctx, []kaoqin.DayCoverage{{Day: "2026-11-18", SyncedAt: 100, Closed: true, LastCheckAt: 150, ClosesAt: 300, SettlesAt: 900}}))
		must(t, db.MarkCovered(ctx, []kaoqin.DayCoverage{
			{Day: "2026-11-18", SyncedAt: 950, Closed: true, LastCheckAt: 140, ClosesAt: 290, SettlesAt: 900, Settled: true},
			{Day: "2026-11-18", SyncedAt: 120},
		}))
		got, err := db.Coverage(ctx, "2026-11-18", "2026-11-18")
		must(t, err)
		want := []kaoqin.DayCoverage{{Day: "2026-11-18", SyncedAt: 950, Closed: true, LastCheckAt: 150, ClosesAt: 300, SettlesAt: 900, Settled: true}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
		must(t, db.MarkCovered(ctx, []kaoqin.DayCoverage{{Day: "2026-11-18", SyncedAt: 960}}))
		if got, _ := db.Coverage(ctx, "2026-11-18", "2026-11-18"); !got[0].Settled || !got[0].Closed {
			t.Errorf("a later mark undid settled or closed: %+v", got)
		}
		kcov, err := db.KindCoverage(ctx, kaoqin.CoverPunches, "2026-11-18", "2026-11-18")
		must(t, err)
		if diff := cmp.Diff([]kaoqin.DayCoverage{night}, kcov); diff != "" {
			t.Errorf("punch coverage (-want +got):\n%s", diff)
		}
	})
}

// TestCoverage_SettledByUpgrade: days covered before migration 17 are settled as they were
// closed: final under the old rule, not pulled again unasked.
func TestCoverage_SettledByUpgrade(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		old := mustOpen(t, dsn, store.WithSchemaVersion(16))
		driver := "sqlite"
		if strings.HasPrefix(dsn, "postgres") {
			driver = "pgx"
		}
		sdb, err := sql.Open(driver, dsn)
		must(t, err)
		for _, q := range []string{
			"INSERT INTO coverage (day, synced_at, closed) VALUES ('2026-11-16', 10, TRUE), ('2026-11-17', 20, FALSE)",
			"INSERT INTO kind_coverage (kind, day, synced_at, closed) VALUES ('punches', '2026-11-16', 10, TRUE)",
		} {
			_, err = sdb.ExecContext(ctx, q)
			must(t, err)
		}
		must(t, sdb.Close())
		must(t, old.Close())

		db := mustOpen(t, dsn)
		got, err := db.Coverage(ctx, "2026-11-16", "2026-11-17")
		must(t, err)
		want := []kaoqin.DayCoverage{{Day: "2026-11-16", SyncedAt: 10, Closed: true, Settled: true}, {Day: "2026-11-17", SyncedAt: 20}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("coverage after the upgrade (-want +got):\n%s", diff)
		}
		kcov, err := db.KindCoverage(ctx, kaoqin.CoverPunches, "2026-11-16", "2026-11-16")
		must(t, err)
		if len(kcov) != 1 || !kcov[0].Settled {
			t.Errorf("punch coverage after the upgrade: %+v", kcov)
		}
	})
}

// TestLastChecks: the latest check of each day, from the checks and the plans (rest days'
// left out); a night shift's is the next morning.
func TestLastChecks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := check(1, "u1", "2026-11-17", 100)
		night := check(2, "u2", "2026-11-17", 500)
		_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Checks: []kaoqin.Check{day, night}})
		must(t, err)
		_, err = db.SaveSchedules(ctx, kaoqin.ScheduleBatch{Schedules: []kaoqin.Schedule{
			{PlanID: 1, UserID: "u3", WorkDate: "2026-11-18", CheckType: kaoqin.OffDuty, PlanCheckTime: 700},
			{PlanID: 2, UserID: "u3", WorkDate: "2026-11-19", CheckType: kaoqin.OnDuty, PlanCheckTime: 900, IsRest: true},
			{PlanID: 3, UserID: "u2", WorkDate: "2026-11-17", CheckType: kaoqin.OffDuty, PlanCheckTime: 400},
		}})
		must(t, err)
		got, err := db.LastChecks(ctx, "2026-11-16", "2026-11-19")
		must(t, err)
		if diff := cmp.Diff(map[string]int64{"2026-11-17": 500, "2026-11-18": 700}, got); diff != "" {
			t.Errorf("last checks (-want +got):\n%s", diff)
		}
		_, err = db.LastChecks(ctx, "2026-11-19", "2026-11-16")
		wantCode(t, err, kaoqin.EINVALID)
	})
}
