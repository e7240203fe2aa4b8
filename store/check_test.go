package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

// check returns a check of user on day; id identifies it.
func check(id int64, user, day string, base int64) kaoqin.Check {
	return kaoqin.Check{
		ID: id, RecordID: id * 10, UserID: user, WorkDate: day, CheckType: kaoqin.OnDuty,
		TimeResult: kaoqin.TimeNormal, LocationResult: kaoqin.LocationNormal,
		BaseCheckTime: base, UserCheckTime: base - 60_000, SourceType: "ATM",
		PlanID: id + 1000, GroupID: 7, ApproveID: 0, ProcInstID: "",
	}
}

func TestSaveChecks_ReplaceInScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		scope := kaoqin.Scope{UserIDs: []string{"u1", "u2"}, From: "2026-11-16", To: "2026-11-17"}
		first := []kaoqin.Check{
			check(1, "u1", "2026-11-16", 100), check(2, "u1", "2026-11-17", 200),
			check(3, "u2", "2026-11-16", 100), check(4, "u2", "2026-11-17", 200),
		}
		n, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: first, Checkpoint: "checks:2026-11-16:0"})
		must(t, err)
		if n != 4 {
			t.Errorf("first save wrote %d rows, want 4", n)
		}
		// Outside the scope: another user, and u1 on a day after it.
		outside := []kaoqin.Check{check(5, "u3", "2026-11-16", 100), check(6, "u1", "2026-11-18", 100)}
		_, err = db.SaveChecks(ctx, kaoqin.CheckBatch{
			Scope: kaoqin.Scope{UserIDs: []string{"u3", "u1"}, From: "2026-11-18", To: "2026-11-18"}, Checks: outside[1:]})
		must(t, err)
		_, err = db.SaveChecks(ctx, kaoqin.CheckBatch{
			Scope: kaoqin.Scope{UserIDs: []string{"u3"}, From: "2026-11-16", To: "2026-11-16"}, Checks: outside[:1]})
		must(t, err)

		// The second pull of the same scope lacks check 2 and changes check 3.
		changed := first[2]
		changed.TimeResult = kaoqin.TimeLate
		second := []kaoqin.Check{first[0], changed, first[3]}
		n, err = db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: second})
		must(t, err)
		if n != 2 { // check 3 changed, check 2 deleted
			t.Errorf("second save wrote %d rows, want 2", n)
		}
		got, err := db.Checks(ctx, kaoqin.Filter{From: "2026-11-01", To: "2026-11-30"})
		must(t, err)
		want := []kaoqin.Check{first[0], outside[1], changed, first[3], outside[0]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("checks after second pull (-want +got):\n%s", diff)
		}

		// Rerunning the same batch writes nothing and leaves identical rows.
		n, err = db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: second})
		must(t, err)
		if n != 0 {
			t.Errorf("rerun wrote %d rows, want 0", n)
		}
		again, err := db.Checks(ctx, kaoqin.Filter{From: "2026-11-01", To: "2026-11-30"})
		must(t, err)
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("rerun changed rows (-before +after):\n%s", diff)
		}

		// A pull that returns nothing for the scope empties it.
		n, err = db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: kaoqin.Scope{UserIDs: []string{"u2"}, From: "2026-11-16", To: "2026-11-17"}})
		must(t, err)
		if n != 2 {
			t.Errorf("an empty pull of u2 wrote %d rows, want 2 deletions", n)
		}
		got, err = db.Checks(ctx, kaoqin.Filter{UserIDs: []string{"u2"}})
		must(t, err)
		if len(got) != 0 {
			t.Errorf("u2 still has %d checks after an empty pull", len(got))
		}

		cps, err := db.Checkpoints(ctx, "checks:")
		must(t, err)
		if diff := cmp.Diff(map[string]int64{"checks:2026-11-16:0": testNow.UnixMilli()}, cps); diff != "" {
			t.Errorf("checkpoints (-want +got):\n%s", diff)
		}
	})
}

func TestSaveChecks_MovedCheck(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := check(1, "u1", "2026-11-16", 100)
		_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: kaoqin.Scope{UserIDs: []string{"u1"}, From: "2026-11-16", To: "2026-11-16"}, Checks: []kaoqin.Check{c}})
		must(t, err)
		// A later pull of another scope returns the same id for u2 on another day.
		c.UserID, c.WorkDate = "u2", "2026-11-17"
		_, err = db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: kaoqin.Scope{UserIDs: []string{"u2"}, From: "2026-11-17", To: "2026-11-17"}, Checks: []kaoqin.Check{c}})
		must(t, err)
		got, err := db.Checks(ctx, kaoqin.Filter{})
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Check{c}, got); diff != "" {
			t.Errorf("checks (-want +got):\n%s", diff)
		}
	})
}

func TestSaveChecks_DuplicateInBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := check(1, "u1", "2026-11-16", 100)
		b := a
		b.TimeResult = kaoqin.TimeLate
		_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Checks: []kaoqin.Check{a, b}})
		must(t, err)
		got, err := db.Checks(ctx, kaoqin.Filter{})
		must(t, err)
		if diff := cmp.Diff([]kaoqin.Check{b}, got); diff != "" {
			t.Errorf("the later copy should win (-want +got):\n%s", diff)
		}
	})
}

func TestSaveChecks_Invalid(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for name, b := range map[string]kaoqin.CheckBatch{
			"ErrScopeBackwards": {Scope: kaoqin.Scope{UserIDs: []string{"u1"}, From: "2026-11-17", To: "2026-11-16"}},
			"ErrScopeBadDay":    {Scope: kaoqin.Scope{UserIDs: []string{"u1"}, From: "2026-11-16", To: "16/11/2026"}},
			"ErrNoUser":         {Checks: []kaoqin.Check{check(1, "", "2026-11-16", 1)}},
			"ErrBadWorkDate":    {Checks: []kaoqin.Check{check(1, "u1", "2026-13-01", 1)}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := db.SaveChecks(ctx, b)
				wantCode(t, err, kaoqin.EINVALID)
			})
		}
		got, err := db.Checks(ctx, kaoqin.Filter{})
		must(t, err)
		if len(got) != 0 {
			t.Errorf("invalid batches wrote %d checks", len(got))
		}
	})
}

func TestChecks_Filter(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var all []kaoqin.Check
		id := int64(1)
		// Users whose ids sort differently by bytes and by a natural collation.
		for _, u := range []string{"b", "B", "a", "a10", "a9", "张三"} {
			for _, day := range []string{"2026-11-16", "2026-11-17"} {
				// Two check points a day, saved latest first.
				all = append(all, check(id, u, day, 2000), check(id+1, u, day, 1000))
				id += 2
			}
		}
		_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Checks: all})
		must(t, err)

		got, err := db.Checks(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-17", UserIDs: []string{"a9", "张三", "nobody"}})
		must(t, err)
		var gotIDs []int64
		for _, c := range got {
			gotIDs = append(gotIDs, c.ID)
		}
		// a9's checks 19, 20 on the 17th (base 2000, 1000), then 张三's 23, 24.
		if diff := cmp.Diff([]int64{20, 19, 24, 23}, gotIDs); diff != "" {
			t.Errorf("filtered check ids (-want +got):\n%s", diff)
		}

		got, err = db.Checks(ctx, kaoqin.Filter{})
		must(t, err)
		var users []string
		for _, c := range got {
			if len(users) == 0 || users[len(users)-1] != c.UserID {
				users = append(users, c.UserID)
			}
		}
		if diff := cmp.Diff([]string{"B", "a", "a10", "a9", "b", "张三"}, users); diff != "" {
			t.Errorf("users in byte order (-want +got):\n%s", diff)
		}

		got, err = db.Checks(ctx, kaoqin.Filter{UserIDs: []string{}})
		must(t, err)
		if len(got) != 0 {
			t.Errorf("an empty UserIDs list selected %d checks, want none", len(got))
		}

		_, err = db.Checks(ctx, kaoqin.Filter{From: "yesterday"})
		wantCode(t, err, kaoqin.EINVALID)
		_, err = db.Punches(ctx, kaoqin.Filter{From: "2026-11-17", To: "2026-11-16"})
		wantCode(t, err, kaoqin.EINVALID)
	})
}

// TestBriefChecks: the checks of Checks, every field but the record id, group and source, of a
// range and of one day (read without the day's column); Checks of one day is whole too.
func TestBriefChecks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		approved := check(3, "u1", "2026-11-17", 1000)
		approved.ApproveID, approved.ProcInstID, approved.TimeResult = 55, "proc-1", kaoqin.TimeLate
		all := []kaoqin.Check{check(1, "u1", "2026-11-16", 1000), check(2, "u2", "2026-11-16", 1000), approved}
		scope := kaoqin.Scope{UserIDs: []string{"u1", "u2"}, From: "2026-11-16", To: "2026-11-17"}
		_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: all, SyncedAt: 777})
		must(t, err)
		for i := range all {
			all[i].SyncedAt = 777
		}
		brief := func(cs ...kaoqin.Check) []kaoqin.Check {
			out := slices.Clone(cs)
			for i := range out {
				out[i].RecordID, out[i].GroupID, out[i].SourceType = 0, 0, ""
			}
			return out
		}
		for _, f := range []struct {
			filter kaoqin.Filter
			want   []kaoqin.Check
		}{
			{kaoqin.Filter{From: "2026-11-16", To: "2026-11-17"}, []kaoqin.Check{all[0], all[2], all[1]}},
			{kaoqin.Filter{From: "2026-11-17", To: "2026-11-17"}, []kaoqin.Check{all[2]}},
			{kaoqin.Filter{From: "2026-11-16", To: "2026-11-16", UserIDs: []string{"u2"}}, []kaoqin.Check{all[1]}},
		} {
			got, err := db.Checks(ctx, f.filter)
			must(t, err)
			if diff := cmp.Diff(f.want, got); diff != "" {
				t.Errorf("checks of %+v (-want +got):\n%s", f.filter, diff)
			}
			got, err = db.BriefChecks(ctx, f.filter)
			must(t, err)
			if diff := cmp.Diff(brief(f.want...), got); diff != "" {
				t.Errorf("brief checks of %+v (-want +got):\n%s", f.filter, diff)
			}
		}
	})
}

// TestChecks_ManyUsers selects by more user ids than SQLite allows placeholders.
func TestChecks_ManyUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 33000 // more than SQLite's 32,766 placeholders
		users := make([]string, n)
		checks := make([]kaoqin.Check, n)
		for i := range n {
			users[i] = fmt.Sprintf("user%06d", i)
			checks[i] = check(int64(i+1), users[i], "2026-11-16", 1000)
		}
		scope := kaoqin.Scope{UserIDs: users, From: "2026-11-16", To: "2026-11-16"}
		_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: checks})
		must(t, err)
		got, err := db.Checks(ctx, kaoqin.Filter{From: "2026-11-16", To: "2026-11-16", UserIDs: users[:n-1]})
		must(t, err)
		if len(got) != n-1 {
			t.Fatalf("got %d checks, want %d", len(got), n-1)
		}
		for i, c := range got { // (read in blocks on PostgreSQL: in order across them)
			if c.UserID != users[i] {
				t.Fatalf("check %d is %s's, want %s's", i, c.UserID, users[i])
			}
		}
		// Replacing the scope with all but the first check deletes exactly that one.
		w, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: checks[1:]})
		must(t, err)
		if w != 1 {
			t.Errorf("second save wrote %d rows, want 1", w)
		}
	})
}

// TestSaveChecks_StampsSyncedAt: every check of a pulled scope gets the pull's time, also the
// ones whose content did not change (which are not counted as written); checks outside the
// scope keep theirs.
func TestSaveChecks_StampsSyncedAt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		scope := kaoqin.Scope{UserIDs: []string{"alice"}, From: "2026-11-02", To: "2026-11-02"}
		other := kaoqin.Scope{UserIDs: []string{"bob"}, From: "2026-11-02", To: "2026-11-02"}
		_, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: other, Checks: []kaoqin.Check{check(9, "bob", "2026-11-02", 5)}, SyncedAt: 100})
		must(t, err)
		a := []kaoqin.Check{check(1, "alice", "2026-11-02", 5), check(2, "alice", "2026-11-02", 6)}
		_, err = db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: a, SyncedAt: 200})
		must(t, err)
		n, err := db.SaveChecks(ctx, kaoqin.CheckBatch{Scope: scope, Checks: a, SyncedAt: 300})
		must(t, err)
		if n != 0 {
			t.Errorf("a rerun with new pull time wrote %d rows, want 0", n)
		}
		got, err := db.Checks(ctx, kaoqin.Filter{})
		must(t, err)
		want := map[int64]int64{1: 300, 2: 300, 9: 100}
		for _, c := range got {
			if c.SyncedAt != want[c.ID] {
				t.Errorf("check %d synced_at %d, want %d", c.ID, c.SyncedAt, want[c.ID])
			}
		}
	})
}
