package store_test

import (
	"context"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

func TestLeaveTimes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		lt := func(u, day, name string, v float64) kaoqin.LeaveTime {
			return kaoqin.LeaveTime{UserID: u, WorkDate: day, Name: name, Value: v}
		}
		n, err := db.SaveLeaveTimes(ctx, kaoqin.LeaveTimeBatch{UserID: "u1", From: "2026-11-01", To: "2026-11-30", PulledAt: 100,
			Times: []kaoqin.LeaveTime{lt("u1", "2026-11-03", "年假", 1), lt("u1", "2026-11-04", "事假", 3.5),
				lt("u1", "2026-11-05", "病假", 0), lt("u1", "2026-11-04", "事假", 4.25)}}) // the last of a key wins; 0 is not stored
		must(t, err)
		if n != 2 {
			t.Errorf("rows = %d, want 2", n)
		}
		_, err = db.SaveLeaveTimes(ctx, kaoqin.LeaveTimeBatch{UserID: "u2", From: "2026-11-01", To: "2026-11-10", PulledAt: 100,
			Times: []kaoqin.LeaveTime{lt("u2", "2026-11-10", "年假", 0.5)}})
		must(t, err)
		got, err := db.LeaveTimes(ctx, kaoqin.Filter{From: "2026-11-01", To: "2026-11-30"})
		must(t, err)
		want := []kaoqin.LeaveTime{lt("u1", "2026-11-03", "年假", 1), lt("u1", "2026-11-04", "事假", 4.25), lt("u2", "2026-11-10", "年假", 0.5)}
		if d := gocmp.Diff(want, got); d != "" {
			t.Errorf("leave times (-want +got):\n%s", d)
		}
		names, err := db.LeaveTimeNames(ctx, "2026-11-04", "2026-11-30")
		must(t, err)
		if d := gocmp.Diff([]string{"事假", "年假"}, names); d != "" {
			t.Errorf("names (-want +got):\n%s", d)
		}

		// A later pull of part of u1's days replaces those days only.
		n, err = db.SaveLeaveTimes(ctx, kaoqin.LeaveTimeBatch{UserID: "u1", From: "2026-11-04", To: "2026-11-06", PulledAt: 200,
			Times: []kaoqin.LeaveTime{lt("u1", "2026-11-06", "调休", 2)}})
		must(t, err)
		if n != 2 { // 事假 of the 4th deleted, 调休 of the 6th inserted
			t.Errorf("rows = %d, want 2", n)
		}
		got, err = db.LeaveTimes(ctx, kaoqin.Filter{From: "2026-11-01", To: "2026-11-30", UserIDs: []string{"u1"}})
		must(t, err)
		want = []kaoqin.LeaveTime{lt("u1", "2026-11-03", "年假", 1), lt("u1", "2026-11-06", "调休", 2)}
		if d := gocmp.Diff(want, got); d != "" {
			t.Errorf("after the second pull (-want +got):\n%s", d)
		}
		pulls, err := db.LeaveTimePulls(ctx, kaoqin.Filter{From: "2026-11-05", To: "2026-11-05", UserIDs: []string{"u1", "u2"}})
		must(t, err)
		wantPulls := []kaoqin.LeaveTimePull{{UserID: "u1", From: "2026-11-01", To: "2026-11-30", PulledAt: 100},
			{UserID: "u1", From: "2026-11-04", To: "2026-11-06", PulledAt: 200}, {UserID: "u2", From: "2026-11-01", To: "2026-11-10", PulledAt: 100}}
		if d := gocmp.Diff(wantPulls, pulls); d != "" {
			t.Errorf("pulls (-want +got):\n%s", d)
		}

		// Bad batches write nothing.
		for _, b := range []kaoqin.LeaveTimeBatch{
			{From: "2026-11-01", To: "2026-11-02"},
			{UserID: "u1", From: "2026-11-03", To: "2026-11-02"},
			{UserID: "u1", From: "2026-11-01", To: "2026-11-02", Times: []kaoqin.LeaveTime{lt("u1", "2026-11-03", "年假", 1)}},
			{UserID: "u1", From: "2026-11-01", To: "2026-11-05", Times: []kaoqin.LeaveTime{lt("u2", "2026-11-03", "年假", 1)}},
		} {
			_, err := db.SaveLeaveTimes(ctx, b)
			wantCode(t, err, kaoqin.EINVALID)
		}
		if after, _ := db.LeaveTimes(ctx, kaoqin.Filter{}); len(after) != 3 {
			t.Errorf("bad batches changed the rows: %v", after)
		}

		types := []kaoqin.LeaveType{{Name: "年假", Unit: "day", Position: 0}, {Name: "事假", Unit: "hour", Position: 1}, {Name: "婚假", Position: 2}}
		must(t, db.SaveLeaveTypes(ctx, types))
		must(t, db.SaveLeaveTypes(ctx, types[:2]))
		gotTypes, err := db.LeaveTypes(ctx)
		must(t, err)
		if d := gocmp.Diff(types[:2], gotTypes); d != "" {
			t.Errorf("leave types (-want +got):\n%s", d)
		}
	})
}

func TestReconciliations(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := &kaoqin.Reconciliation{By: "hr1", From: "2026-11-01", To: "2026-11-15", DeptIDs: []int64{5, 7}, Sample: 20,
			Status: kaoqin.ReconcileRunning}
		must(t, db.CreateReconciliation(ctx, r))
		if r.ID == 0 || r.CreatedAt != testNow.UnixMilli() {
			t.Fatalf("created %+v", r)
		}
		second := &kaoqin.Reconciliation{By: "cli", From: "2026-10-01", To: "2026-10-31", Status: kaoqin.ReconcileRunning}
		must(t, db.CreateReconciliation(ctx, second))
		r.Status, r.FinishedAt, r.People, r.Differences, r.Calls, r.Metered = kaoqin.ReconcileOK, 42, 20, 3, 45, 44
		r.Result = []byte(`{"differences":[{"userid":"u1"}]}`)
		must(t, db.UpdateReconciliation(ctx, r))
		got, err := db.Reconciliation(ctx, r.ID)
		must(t, err)
		if d := gocmp.Diff(r, got); d != "" {
			t.Errorf("reconciliation (-want +got):\n%s", d)
		}
		list, err := db.Reconciliations(ctx, 10)
		must(t, err)
		if len(list) != 2 || list[0].ID != second.ID || list[1].Result != nil || list[1].Differences != 3 {
			t.Errorf("list: %+v", list)
		}
		_, err = db.Reconciliation(ctx, 999)
		wantCode(t, err, kaoqin.ENOTFOUND)
		wantCode(t, db.UpdateReconciliation(ctx, &kaoqin.Reconciliation{ID: 999}), kaoqin.ENOTFOUND)
		wantCode(t, db.CreateReconciliation(ctx, &kaoqin.Reconciliation{Status: "running"}), kaoqin.EINVALID)
	})
}
