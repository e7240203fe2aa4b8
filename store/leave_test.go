package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

const hour = int64(3_600_000)

func leave(user string, start, end int64) kaoqin.Leave {
	return kaoqin.Leave{UserID: user, StartTime: start, EndTime: end, DurationUnit: kaoqin.LeavePercentDay, DurationPercent: (end - start) / hour * 100 / 8}
}

func TestSaveLeaves_ReplaceInScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// The scope is [100h, 200h) for u1 and u2.
		before := leave("u1", 50*hour, 60*hour)      // before the scope: untouched
		straddles := leave("u1", 90*hour, 110*hour)  // overlaps the scope: replaced
		inside := leave("u2", 120*hour, 130*hour)    // inside: kept by the second pull
		cancelled := leave("u2", 150*hour, 160*hour) // inside: missing from the second pull
		otherUser := leave("u3", 120*hour, 130*hour) // another employee: untouched
		after := leave("u1", 200*hour, 210*hour)     // starts at the scope's end: untouched
		_, err := db.SaveLeaves(ctx, kaoqin.LeaveBatch{Leaves: []kaoqin.Leave{before, after, otherUser}})
		must(t, err)
		batch := kaoqin.LeaveBatch{UserIDs: []string{"u1", "u2"}, Start: 100 * hour, End: 200 * hour,
			Leaves: []kaoqin.Leave{straddles, inside, cancelled}, Checkpoint: "leave:1"}
		n, err := db.SaveLeaves(ctx, batch)
		must(t, err)
		if n != 3 {
			t.Errorf("first pull wrote %d rows, want 3", n)
		}
		changed := inside
		changed.DurationPercent = 50
		batch.Leaves = []kaoqin.Leave{straddles, changed}
		n, err = db.SaveLeaves(ctx, batch)
		must(t, err)
		if n != 2 { // one changed, one deleted
			t.Errorf("second pull wrote %d rows, want 2", n)
		}
		n, err = db.SaveLeaves(ctx, batch)
		must(t, err)
		if n != 0 {
			t.Errorf("rerun wrote %d rows, want 0", n)
		}
		got, err := db.Leaves(ctx, 0, 1000*hour)
		must(t, err)
		want := []kaoqin.Leave{before, straddles, after, changed, otherUser}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("leaves (-want +got):\n%s", diff)
		}
		// Leaves overlapping [110h, 121h): the straddling one ends at 110h, so only u2's and u3's.
		got, err = db.Leaves(ctx, 110*hour, 121*hour)
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Leave{changed, otherUser}, got); diff != "" {
			t.Errorf("leaves of [110h, 121h) (-want +got):\n%s", diff)
		}
		cps, err := db.Checkpoints(ctx, "leave:")
		must(t, err)
		if _, ok := cps["leave:1"]; !ok || len(cps) != 1 {
			t.Errorf("checkpoints = %v, want leave:1", cps)
		}

		_, err = db.SaveLeaves(ctx, kaoqin.LeaveBatch{UserIDs: []string{"u1"}, Start: 5, End: 5})
		wantCode(t, err, kaoqin.EINVALID)
	})
}

func punch(id int64, user, day string, at int64) kaoqin.Punch {
	return kaoqin.Punch{
		ID: id, UserID: user, WorkDate: day, CheckType: kaoqin.OnDuty, TimeResult: kaoqin.TimeNormal,
		LocationResult: kaoqin.LocationOutside, SourceType: "USER", UserCheckTime: at, BaseCheckTime: at + 60_000,
		PlanID: id + 1, GroupID: 2, IsLegal: id%2 == 0, InvalidRecordType: "", LocationMethod: "MAP",
		UserAddress: "北京市", OutsideRemark: "客户现场", DeviceID: "dev", ApproveID: 3, ProcInstID: "proc",
		PlanCheckTime: at + 60_000, ClassID: 5, InvalidRecordMsg: "", Latitude: 39.908823, Longitude: 116.39747, Accuracy: 35.5,
		DeviceSN: "SN1", SSID: "office", MAC: "aa:bb", BaseAddress: "北京市东城区", BaseLatitude: 39.9, BaseLongitude: 116.4,
		BaseAccuracy: 100, BaseSSID: "office", BaseMAC: "aa:bb",
	}
}

func TestSavePunches_ReplaceInScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		scope := kaoqin.Scope{UserIDs: []string{"u1"}, From: "2026-11-16", To: "2026-11-16"}
		late, early, outside := punch(1, "u1", "2026-11-16", 2000), punch(2, "u1", "2026-11-16", 1000), punch(3, "u1", "2026-11-17", 500)
		_, err := db.SavePunches(ctx, kaoqin.PunchBatch{Punches: []kaoqin.Punch{outside}})
		must(t, err)
		n, err := db.SavePunches(ctx, kaoqin.PunchBatch{Scope: scope, Punches: []kaoqin.Punch{late, early}, Checkpoint: "punch:1"})
		must(t, err)
		if n != 2 {
			t.Errorf("wrote %d rows, want 2", n)
		}
		got, err := db.Punches(ctx, kaoqin.Filter{From: "2026-11-16", To: "2026-11-17"})
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Punch{outside, early, late}, got); diff != "" {
			t.Errorf("punches, by time (-want +got):\n%s", diff)
		}
		n, err = db.SavePunches(ctx, kaoqin.PunchBatch{Scope: scope, Punches: []kaoqin.Punch{late}})
		must(t, err)
		if n != 1 {
			t.Errorf("second pull wrote %d rows, want 1 (a deletion)", n)
		}
		got, err = db.Punches(ctx, kaoqin.Filter{UserIDs: []string{"u1"}})
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Punch{outside, late}, got); diff != "" {
			t.Errorf("punches after the second pull (-want +got):\n%s", diff)
		}
		// BriefPunches: the same punches, with what the daily report reads only; of one day, too
		// (read without the day's column).
		refused := punch(4, "u1", "2026-11-17", 700)
		refused.InvalidRecordType = "Security"
		_, err = db.SavePunches(ctx, kaoqin.PunchBatch{Punches: []kaoqin.Punch{refused}})
		must(t, err)
		brief := func(ps ...kaoqin.Punch) (out []kaoqin.Punch) {
			for _, p := range ps {
				out = append(out, kaoqin.Punch{ID: p.ID, UserID: p.UserID, WorkDate: p.WorkDate, CheckType: p.CheckType,
					LocationResult: p.LocationResult, SourceType: p.SourceType, UserCheckTime: p.UserCheckTime,
					PlanID: p.PlanID, InvalidRecordType: p.InvalidRecordType})
			}
			return out
		}
		got, err = db.BriefPunches(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17"})
		must(t, err)
		if diff := cmp.Diff(brief(outside, refused), got); diff != "" {
			t.Errorf("brief punches of a day (-want +got):\n%s", diff)
		}
		got, err = db.BriefPunches(ctx, kaoqin.Filter{UserIDs: []string{"u1"}})
		must(t, err)
		want := brief(outside, refused, late)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("brief punches (-want +got):\n%s", diff)
		}
	})
}

// TestSavePunches_Pulls: a pull records, for each employee and day of its scope, when it
// began; a later pull wins, an earlier one (a slow chunk saved late) does not go back, and a
// batch without SyncedAt (an event's punch, a closed day) records nothing.
func TestSavePunches_Pulls(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		scope := kaoqin.Scope{UserIDs: []string{"u2", "u1", "u2"}, From: "2026-11-16", To: "2026-11-17"}
		_, err := db.SavePunches(ctx, kaoqin.PunchBatch{Scope: scope, SyncedAt: 500})
		must(t, err)
		_, err = db.SavePunches(ctx, kaoqin.PunchBatch{Scope: kaoqin.Scope{UserIDs: []string{"u1"}, From: "2026-11-17", To: "2026-11-17"}, SyncedAt: 900})
		must(t, err)
		_, err = db.SavePunches(ctx, kaoqin.PunchBatch{Scope: kaoqin.Scope{UserIDs: []string{"u2"}, From: "2026-11-16", To: "2026-11-16"}, SyncedAt: 100})
		must(t, err)
		_, err = db.SavePunches(ctx, kaoqin.PunchBatch{Scope: kaoqin.Scope{UserIDs: []string{"u3"}, From: "2026-11-16", To: "2026-11-16"}})
		must(t, err)
		_, err = db.SavePunches(ctx, kaoqin.PunchBatch{Punches: []kaoqin.Punch{punch(9, "u4", "2026-11-16", 7)}, SyncedAt: 1000})
		must(t, err)
		got, err := db.PunchPulls(ctx, kaoqin.Filter{From: "2026-11-16", To: "2026-11-17"})
		must(t, err)
		want := []kaoqin.PunchPull{
			{UserID: "u1", WorkDate: "2026-11-16", SyncedAt: 500}, {UserID: "u1", WorkDate: "2026-11-17", SyncedAt: 900},
			{UserID: "u2", WorkDate: "2026-11-16", SyncedAt: 500}, {UserID: "u2", WorkDate: "2026-11-17", SyncedAt: 500},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("punch pulls (-want +got):\n%s", diff)
		}
		got, err = db.PunchPulls(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17", UserIDs: []string{"u1"}})
		must(t, err)
		if diff := cmp.Diff(want[1:2], got); diff != "" {
			t.Errorf("u1's pulls of 11-17 (-want +got):\n%s", diff)
		}
	})
}

// TestKindCoverage: punches and plans are covered apart from the check results and from
// each other, merged like MarkCovered merges.
func TestKindCoverage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		must(t, db.MarkKindCovered(ctx, kaoqin.CoverPunches, []kaoqin.DayCoverage{
			{Day: "2026-11-16", SyncedAt: 10, Closed: true}, {Day: "2026-11-17", SyncedAt: 20}}))
		must(t, db.MarkKindCovered(ctx, kaoqin.CoverPunches, []kaoqin.DayCoverage{
			{Day: "2026-11-16", SyncedAt: 5}, {Day: "2026-11-17", SyncedAt: 30, Closed: true}}))
		must(t, db.MarkKindCovered(ctx, kaoqin.CoverPlans, []kaoqin.DayCoverage{{Day: "2026-11-18", SyncedAt: 40}}))
		got, err := db.KindCoverage(ctx, kaoqin.CoverPunches, "2026-11-01", "2026-11-30")
		must(t, err)
		want := []kaoqin.DayCoverage{{Day: "2026-11-16", SyncedAt: 10, Closed: true}, {Day: "2026-11-17", SyncedAt: 30, Closed: true}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("punch coverage (-want +got):\n%s", diff)
		}
		got, err = db.KindCoverage(ctx, kaoqin.CoverPlans, "2026-11-01", "2026-11-30")
		must(t, err)
		if diff := cmp.Diff([]kaoqin.DayCoverage{{Day: "2026-11-18", SyncedAt: 40}}, got); diff != "" {
			t.Errorf("plan coverage (-want +got):\n%s", diff)
		}
		if cov, err := db.Coverage(ctx, "2026-11-01", "2026-11-30"); err != nil || len(cov) != 0 {
			t.Errorf("the check results' coverage = %v, %v; want none", cov, err)
		}
		wantCode(t, db.MarkKindCovered(ctx, "checks", []kaoqin.DayCoverage{{Day: "2026-11-18"}}), kaoqin.EINVALID)
		_, err = db.KindCoverage(ctx, kaoqin.CoverPlans, "2026-11-30", "2026-11-01")
		wantCode(t, err, kaoqin.EINVALID)
	})
}

func schedule(plan int64, user, day string, at int64, rest bool) kaoqin.Schedule {
	return kaoqin.Schedule{PlanID: plan, UserID: user, WorkDate: day, CheckType: kaoqin.OffDuty, PlanCheckTime: at,
		GroupID: 4, ShiftID: 5, IsRest: rest, ApproveID: 6}
}

func TestSaveSchedules_ReplaceInScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		scope := kaoqin.Scope{UserIDs: []string{"u1", "u2"}, From: "2026-11-16", To: "2026-11-17"}
		a, b, c := schedule(10, "u2", "2026-11-16", 100, false), schedule(11, "u1", "2026-11-17", 100, true), schedule(12, "u1", "2026-11-16", 200, false)
		other := schedule(13, "u3", "2026-11-16", 100, false)
		_, err := db.SaveSchedules(ctx, kaoqin.ScheduleBatch{Schedules: []kaoqin.Schedule{other}})
		must(t, err)
		_, err = db.SaveSchedules(ctx, kaoqin.ScheduleBatch{Scope: scope, Schedules: []kaoqin.Schedule{a, b, c}})
		must(t, err)
		got, err := db.Schedules(ctx, kaoqin.Filter{From: "2026-11-16", To: "2026-11-17"})
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Schedule{c, b, a, other}, got); diff != "" {
			t.Errorf("schedules (-want +got):\n%s", diff)
		}
		// A changed schedule: u1's rest day on the 17th is now a work day, plan 12 is gone.
		b.IsRest = false
		n, err := db.SaveSchedules(ctx, kaoqin.ScheduleBatch{Scope: scope, Schedules: []kaoqin.Schedule{a, b}, Checkpoint: "sched:1"})
		must(t, err)
		if n != 2 {
			t.Errorf("wrote %d rows, want 2", n)
		}
		got, err = db.Schedules(ctx, kaoqin.Filter{From: "2026-11-16", To: "2026-11-16"})
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Schedule{a, other}, got); diff != "" {
			t.Errorf("schedules of the 16th (-want +got):\n%s", diff)
		}
		got, err = db.Schedules(ctx, kaoqin.Filter{UserIDs: []string{"u1"}})
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Schedule{b}, got); diff != "" {
			t.Errorf("u1's schedules (-want +got):\n%s", diff)
		}
	})
}

func TestCoverage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		must(t, db.MarkCovered(ctx, []kaoqin.DayCoverage{
			{Day: "2026-11-16", SyncedAt: 100, Closed: true},
			{Day: "2026-11-17", SyncedAt: 100},
			{Day: "2026-11-20", SyncedAt: 100},
		}))
		// A live pull after the final one: SyncedAt moves on, Closed stays true. An older mark
		// does not move SyncedAt back. A day marked twice in one call is merged.
		must(t, db.MarkCovered(ctx, []kaoqin.DayCoverage{
			{Day: "2026-11-16", SyncedAt: 200, Closed: false},
			{Day: "2026-11-17", SyncedAt: 50, Closed: true},
			{Day: "2026-11-18", SyncedAt: 300},
			{Day: "2026-11-18", SyncedAt: 250, Closed: true},
		}))
		got, err := db.Coverage(ctx, "2026-11-16", "2026-11-18")
		must(t, err)
		want := []kaoqin.DayCoverage{
			{Day: "2026-11-16", SyncedAt: 200, Closed: true},
			{Day: "2026-11-17", SyncedAt: 100, Closed: true},
			{Day: "2026-11-18", SyncedAt: 300, Closed: true},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
		wantCode(t, db.MarkCovered(ctx, []kaoqin.DayCoverage{{Day: "today"}}), kaoqin.EINVALID)
		_, err = db.Coverage(ctx, "2026-11-18", "2026-11-16")
		wantCode(t, err, kaoqin.EINVALID)
	})
}
