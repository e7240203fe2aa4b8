package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

// TestEvents_ExactlyOnce: many receivers (goroutines, or processes on PostgreSQL) deliver the
// same events at once; each event is kept once, every delivery is booked, and the duplicates
// are told apart.
func TestEvents_ExactlyOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const events, copies = 40, 5
		var fresh sync.Map
		var wg sync.WaitGroup
		for c := range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range events {
					e := &kaoqin.Event{ID: fmt.Sprintf("ev%02d", i), Type: "attendance_check_record", Source: kaoqin.SourceStream,
						Data: []byte(`{"dataList":[]}`), ReceivedAt: testNow.UnixMilli()}
					ok, err := db.ReceiveEvent(ctx, e, kaoqin.Push{Month: "2026-11", Kind: e.Type, Counted: true}, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						if _, dup := fresh.LoadOrStore(e.ID, c); dup {
							t.Errorf("%s received fresh twice", e.ID)
						}
					}
				}
			}()
		}
		wg.Wait()
		for i := range events {
			if _, ok := fresh.Load(fmt.Sprintf("ev%02d", i)); !ok {
				t.Errorf("ev%02d never fresh", i)
			}
		}
		_, err := db.ReceiveEvent(ctx, &kaoqin.Event{ID: "c1", Type: "user_add_org", ReceivedAt: testNow.UnixMilli()},
			kaoqin.Push{Month: "2026-11", Kind: "user_add_org"}, time.Minute)
		must(t, err)
		l, err := db.Ledger(ctx, "2026-11")
		must(t, err)
		if l.Pushes != events*copies || l.PushDuplicates != events*(copies-1) || l.PushesBy["attendance_check_record"] != events*copies || l.PushesBy["user_add_org"] != 1 {
			t.Errorf("ledger %+v", l)
		}
		c, err := db.EventCounts(ctx, 0)
		must(t, err)
		if c.Received != events+1 || c.Pending != events+1 || c.LastReceivedAt != testNow.UnixMilli() {
			t.Errorf("counts %+v", c)
		}
	})
}

// TestEvents_LeaseAndFinish: a pending event is its receiver's until the lease runs out; then
// one claimer takes it; handling it moves the version once.
func TestEvents_LeaseAndFinish(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := testNow.UnixMilli()
		for i, id := range []string{"a", "b"} {
			e := &kaoqin.Event{ID: id, Type: "user_add_org", Data: []byte(`{"userId":["x"]}`), ReceivedAt: now + int64(i)}
			_, err := db.ReceiveEvent(ctx, e, kaoqin.Push{Month: "2026-11", Kind: e.Type}, 30*time.Second)
			must(t, err)
		}
		got, err := db.ClaimEvents(ctx, now+1000, time.Minute, 10)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("claimed %d events still leased", len(got))
		}
		v0, err := db.EventsVersion(ctx)
		must(t, err)
		must(t, db.FinishEvent(ctx, "a", "", false))
		must(t, db.FinishEvent(ctx, "a", "", false)) // twice: once
		v1, err := db.EventsVersion(ctx)
		must(t, err)
		if v1 != v0+1 {
			t.Errorf("version %d then %d, want one step", v0, v1)
		}
		// b's receiver died: after the lease, one of two claimers takes it.
		var wg sync.WaitGroup
		var mu sync.Mutex
		var taken []kaoqin.Event
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				evs, err := db.ClaimEvents(ctx, now+31_000, time.Minute, 10)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				taken = append(taken, evs...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(taken) != 1 || taken[0].ID != "b" || taken[0].Attempts != 1 || string(taken[0].Data) != `{"userId":["x"]}` {
			t.Fatalf("claimed %+v", taken)
		}
		must(t, db.FinishEvent(ctx, "b", "DingTalk is away", false)) // a failed try gives the lease up
		again, err := db.ClaimEvents(ctx, now+32_000, time.Minute, 10)
		must(t, err)
		if len(again) != 1 || again[0].Attempts != 2 {
			t.Fatalf("after a failure: %+v", again)
		}
		must(t, db.FinishEvent(ctx, "b", "still away", true))
		c, err := db.EventCounts(ctx, 0)
		must(t, err)
		if c.Pending != 0 || c.Failed != 1 {
			t.Errorf("counts %+v", c)
		}
		n, err := db.PurgeEvents(ctx, now+10)
		must(t, err)
		if n != 2 {
			t.Errorf("purged %d, want both handled events", n)
		}
	})
}

func TestEventLinksAndRefetch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		must(t, db.SaveEventLink(ctx, kaoqin.EventLink{Instance: "i1", Source: "stream", Connected: true, Since: 5, SeenAt: 10, LastEventAt: 9}))
		must(t, db.SaveEventLink(ctx, kaoqin.EventLink{Instance: "i1", Source: "stream", Connected: false, Since: 20, SeenAt: 20, Error: "closed"}))
		must(t, db.SaveEventLink(ctx, kaoqin.EventLink{Instance: "i0", Source: "http", SeenAt: 3}))
		links, err := db.EventLinks(ctx)
		must(t, err)
		want := []kaoqin.EventLink{{Instance: "i0", Source: "http", SeenAt: 3},
			{Instance: "i1", Source: "stream", Since: 20, SeenAt: 20, LastEventAt: 9, Error: "closed"}}
		if !slices.Equal(links, want) {
			t.Errorf("links %+v", links)
		}

		must(t, db.MarkRefetch(ctx, []kaoqin.Refetch{{UserID: "u1", Day: "2026-11-17", Reason: "attend_bossCheck_change", MarkedAt: 1},
			{UserID: "u2", Day: "2026-11-16", MarkedAt: 1}}))
		marks, err := db.Refetches(ctx)
		must(t, err)
		if len(marks) != 2 || marks[0].UserID != "u2" {
			t.Fatalf("marks %+v", marks)
		}
		// u1's day is marked again while the first mark is being fetched: it stays.
		must(t, db.MarkRefetch(ctx, []kaoqin.Refetch{{UserID: "u1", Day: "2026-11-17", MarkedAt: 2}}))
		must(t, db.ClearRefetches(ctx, marks))
		marks, err = db.Refetches(ctx)
		must(t, err)
		if len(marks) != 1 || marks[0].UserID != "u1" || marks[0].MarkedAt != 2 {
			t.Errorf("after clearing: %+v", marks)
		}
		wantCode(t, db.MarkRefetch(ctx, []kaoqin.Refetch{{UserID: "u1", Day: "17/11"}}), kaoqin.EINVALID)
	})
}

// TestPatchOrg: contacts events change part of the org chart with the rules of a full sync.
func TestPatchOrg(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := db.PatchOrg(ctx, kaoqin.OrgPatch{Day: "2026-11-18", Employees: []kaoqin.Employee{{UserID: "x"}}})
		wantCode(t, err, kaoqin.ENOTSYNCED)
		depts := []kaoqin.Department{{ID: 1, Name: "公司"}, {ID: 2, ParentID: 1, Name: "销售部"}, {ID: 3, ParentID: 1, Name: "研发部"}}
		_, err = db.SaveOrg(ctx, kaoqin.OrgSnapshot{Day: "2026-11-01", At: 1000, Departments: depts, Employees: []kaoqin.Employee{
			{UserID: "alice", Name: "Alice", DeptIDs: []int64{2}}, {UserID: "bob", Name: "Bob", DeptIDs: []int64{3}}}})
		must(t, err)
		ch, err := db.PatchOrg(ctx, kaoqin.OrgPatch{Day: "2026-11-18", At: 5000,
			Departments:  []kaoqin.Department{{ID: 3, ParentID: 1, Name: "研发中心"}, {ID: 4, ParentID: 1, Name: "新部门"}},
			Employees:    []kaoqin.Employee{{UserID: "carol", Name: "Carol", DeptIDs: []int64{4}}, {UserID: "alice", Name: "Alice", DeptIDs: []int64{3}}},
			Left:         []string{"bob"},
			RemovedDepts: []int64{2}})
		must(t, err)
		want := kaoqin.OrgChange{DepartmentsAdded: 1, DepartmentsUpdated: 1, DepartmentsRemoved: 1, EmployeesAdded: 1, EmployeesLeft: 1,
			MembershipsOpened: 2, MembershipsClosed: 2}
		if ch != want {
			t.Errorf("change %+v, want %+v", ch, want)
		}
		emps, err := db.Employees(ctx)
		must(t, err)
		got := map[string]kaoqin.Employee{}
		for _, e := range emps {
			got[e.UserID] = e
		}
		if !slices.Equal(got["alice"].DeptIDs, []int64{3}) || got["bob"].LeftAt != 5000 || !slices.Equal(got["carol"].DeptIDs, []int64{4}) {
			t.Errorf("employees %+v", emps)
		}
		ms, err := db.Memberships(ctx, "2026-11-17", "2026-11-18")
		must(t, err)
		var alice []kaoqin.Membership
		for _, m := range ms {
			if m.UserID == "alice" {
				alice = append(alice, m)
			}
		}
		wantMs := []kaoqin.Membership{{UserID: "alice", DeptID: 2, To: "2026-11-17"}, {UserID: "alice", DeptID: 3, From: "2026-11-18"}}
		if !slices.Equal(alice, wantMs) {
			t.Errorf("alice's memberships %+v, want %+v", alice, wantMs)
		}
		// The same patch again changes nothing.
		ch, err = db.PatchOrg(ctx, kaoqin.OrgPatch{Day: "2026-11-18", At: 6000,
			Employees: []kaoqin.Employee{{UserID: "alice", Name: "Alice", DeptIDs: []int64{3}}}, Left: []string{"bob"}})
		must(t, err)
		if ch != (kaoqin.OrgChange{}) {
			t.Errorf("a repeated patch changed %+v", ch)
		}
	})
}
