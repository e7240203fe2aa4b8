package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

func TestRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first := &kaoqin.SyncRun{Kind: "org+attendance", From: "2026-11-01", To: "2026-11-07", StartedAt: 1000}
		must(t, db.CreateRun(ctx, first))
		if first.ID == 0 || first.Status != kaoqin.RunRunning {
			t.Fatalf("CreateRun left ID %d, Status %q", first.ID, first.Status)
		}
		second := &kaoqin.SyncRun{Kind: "live"} // starts now
		must(t, db.CreateRun(ctx, second))
		if second.ID == first.ID || second.StartedAt != testNow.UnixMilli() {
			t.Errorf("second run: ID %d (first %d), StartedAt %d", second.ID, first.ID, second.StartedAt)
		}

		first.Status, first.FinishedAt, first.Error = kaoqin.RunFailed, 5000, "钉钉 said 90018"
		first.Rows, first.Calls, first.Metered, first.Throttled, first.Retried = 1400, 40, 30, 2, 3
		first.CallsBy = map[string]int64{"/attendance/list": 30, "/topapi/v2/department/listsub": 10}
		first.ChunksDone, first.ChunksSkipped = 6, 1
		must(t, db.UpdateRun(ctx, first))

		runs, err := db.Runs(ctx, 0)
		must(t, err)
		if diff := cmp.Diff([]kaoqin.SyncRun{*second, *first}, runs); diff != "" {
			t.Errorf("runs, newest first (-want +got):\n%s", diff)
		}
		runs, err = db.Runs(ctx, 1)
		must(t, err)
		if len(runs) != 1 || runs[0].ID != second.ID {
			t.Errorf("Runs(1) = %+v, want the newest only", runs)
		}
		wantCode(t, db.UpdateRun(ctx, &kaoqin.SyncRun{ID: 999, Kind: "x"}), kaoqin.ENOTFOUND)
	})
}

func TestCheckpoints(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Checkpoints are recorded by the batches they belong to.
		for _, key := range []string{"checks:2026-11-16:0", "checks:2026-11-16:1", "checks:2026-11-23:0", "Checks:x", "checks%", "leave:2026-11"} {
			_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Checkpoint: key})
			must(t, err)
		}
		keys := func(prefix string) []string {
			t.Helper()
			cps, err := db.Checkpoints(ctx, prefix)
			must(t, err)
			var ks []string
			for k, at := range cps {
				if at != testNow.UnixMilli() {
					t.Errorf("checkpoint %s done at %d, want %d", k, at, testNow.UnixMilli())
				}
				ks = append(ks, k)
			}
			return ks
		}
		sorted := cmpopts.SortSlices(func(a, b string) bool { return a < b })
		if diff := cmp.Diff([]string{"checks:2026-11-16:0", "checks:2026-11-16:1"}, keys("checks:2026-11-16:"), sorted); diff != "" {
			t.Errorf("checkpoints of a day (-want +got):\n%s", diff)
		}
		// No wildcards, no case folding.
		if diff := cmp.Diff([]string{"checks%"}, keys("checks%"), sorted); diff != "" {
			t.Errorf("checkpoints of 'checks%%' (-want +got):\n%s", diff)
		}
		if got := keys("checks"); len(got) != 4 {
			t.Errorf("checkpoints of 'checks': %v, want 4 (not Checks:x)", got)
		}
		if got := keys(""); len(got) != 6 {
			t.Errorf("all checkpoints: %v, want 6", got)
		}
		must(t, db.DeleteCheckpoints(ctx, "checks:2026-11-16"))
		if diff := cmp.Diff([]string{"Checks:x", "checks%", "checks:2026-11-23:0", "leave:2026-11"}, keys(""), sorted); diff != "" {
			t.Errorf("checkpoints after the delete (-want +got):\n%s", diff)
		}
	})
}

func TestLedger(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, c := range []kaoqin.Call{
			{Month: "2026-11", Path: "/attendance/list", Metered: true},
			{Month: "2026-11", Path: "/attendance/list", Metered: true, Errcode: 90020},
			{Month: "2026-11", Path: "/attendance/list", Throttled: true, Errcode: 90018},
			{Month: "2026-11", Path: "/topapi/v2/user/list"},
			{Month: "2026-10", Path: "/attendance/list", Metered: true},
		} {
			must(t, db.RecordCall(ctx, c))
		}
		got, err := db.Ledger(ctx, "2026-11")
		must(t, err)
		want := kaoqin.MonthLedger{Month: "2026-11", Calls: 4, Metered: 2, Throttled: 1, Failed: 2,
			ByPath:    map[string]int64{"/attendance/list": 3, "/topapi/v2/user/list": 1},
			MeteredBy: map[string]int64{"/attendance/list": 2}, PushesBy: map[string]int64{}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ledger (-want +got):\n%s", diff)
		}
		got, err = db.Ledger(ctx, "2026-12")
		must(t, err)
		if diff := cmp.Diff(kaoqin.MonthLedger{Month: "2026-12", ByPath: map[string]int64{}, MeteredBy: map[string]int64{}, PushesBy: map[string]int64{}}, got); diff != "" {
			t.Errorf("a month without calls (-want +got):\n%s", diff)
		}
		wantCode(t, db.RecordCall(ctx, kaoqin.Call{Path: "/x"}), kaoqin.EINVALID)
	})
}

// TestConcurrentWriters writes from many goroutines at once: on SQLite they must queue for
// the one writer rather than fail with SQLITE_BUSY, on PostgreSQL survive row locks; every
// call is counted and every batch lands.
func TestConcurrentWriters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const workers, calls = 16, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*(calls+2))
		for w := range workers {
			wg.Go(func() {
				for i := range calls {
					errs <- db.RecordCall(ctx, kaoqin.Call{Month: "2026-11", Path: fmt.Sprintf("/path/%d", i%3), Metered: i%2 == 0})
				}
				// Each worker replaces its own user's checks, and all of them a shared user's
				// (the same batch, so whichever lands last, the result is the same).
				user := fmt.Sprintf("u%02d", w)
				_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{
					Scope:  kaoqin.Scope{UserIDs: []string{user}, From: "2026-11-16", To: "2026-11-16"},
					Checks: []kaoqin.Check{check(int64(100+w), user, "2026-11-16", 1), check(int64(200+w), user, "2026-11-16", 2)},
				})
				errs <- err
				_, err = db.SaveChecks(ctx, kaoqin.CheckBatch{
					Scope:  kaoqin.Scope{UserIDs: []string{"shared"}, From: "2026-11-16", To: "2026-11-16"},
					Checks: []kaoqin.Check{check(1, "shared", "2026-11-16", 1), check(2, "shared", "2026-11-16", 2)},
				})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		l, err := db.Ledger(ctx, "2026-11")
		must(t, err)
		if l.Calls != workers*calls || l.Metered != workers*13 || l.ByPath["/path/0"] != workers*9 {
			t.Errorf("ledger = %+v, want %d calls, %d metered, %d on /path/0", l, workers*calls, workers*13, workers*9)
		}
		checks, err := db.Checks(ctx, kaoqin.Filter{})
		must(t, err)
		if len(checks) != 2*workers+2 {
			t.Errorf("got %d checks, want %d", len(checks), 2*workers+2)
		}
	})
}
