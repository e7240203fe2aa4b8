package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

func TestReminderRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := kaoqin.ReminderRule{Name: "上班15分钟提醒", Enabled: true, Channel: kaoqin.ChannelPerson, After: 15, Cap: 1,
			DeptIDs: []int64{12, 34}, QuietFrom: "22:00", QuietTo: "07:00", UpdatedBy: "hr1"}
		must(t, db.SaveReminderRule(ctx, &r))
		robot := kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", Cap: 1, UserIDs: []string{"u1"},
			RobotURL: "https://oapi.dingtalk.com/robot/send?access_token=abc", RobotSecret: "SECxyz"}
		must(t, db.SaveReminderRule(ctx, &robot))
		if r.ID == 0 || robot.ID == r.ID {
			t.Fatalf("ids %d, %d", r.ID, robot.ID)
		}
		got, err := db.ReminderRules(ctx)
		must(t, err)
		want := []kaoqin.ReminderRule{r, robot}
		want[0].UserIDs, want[1].DeptIDs = []string{}, []int64{}
		want[0].UpdatedAt, want[1].UpdatedAt = testNow.UnixMilli(), testNow.UnixMilli()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rules (-want +got):\n%s", diff)
		}

		r.Enabled, r.After, r.Every, r.Cap = false, 20, 30, 3
		must(t, db.SaveReminderRule(ctx, &r))
		got, err = db.ReminderRules(ctx)
		must(t, err)
		if got[0].Enabled || got[0].After != 20 || got[0].Every != 30 || got[0].Cap != 3 || got[1].RobotSecret != "SECxyz" {
			t.Errorf("after the update: %+v", got)
		}
		missing := kaoqin.ReminderRule{ID: 999, Name: "x", Channel: kaoqin.ChannelPerson}
		wantCode(t, db.SaveReminderRule(ctx, &missing), kaoqin.ENOTFOUND)
		must(t, db.DeleteReminderRule(ctx, r.ID))
		wantCode(t, db.DeleteReminderRule(ctx, r.ID), kaoqin.ENOTFOUND)
		if got, _ := db.ReminderRules(ctx); len(got) != 1 || got[0].ID != robot.ID {
			t.Errorf("after the delete: %+v", got)
		}

		must(t, db.SetReminderOptOut(ctx, "u2", true, "hr1"))
		must(t, db.SetReminderOptOut(ctx, "u1", true, "admin"))
		must(t, db.SetReminderOptOut(ctx, "u1", true, "again")) // still the first
		must(t, db.SetReminderOptOut(ctx, "u2", false, "hr1"))
		outs, err := db.ReminderOptOuts(ctx)
		must(t, err)
		if len(outs) != 1 || outs[0] != (kaoqin.ReminderOptOut{UserID: "u1", At: testNow.UnixMilli(), By: "admin"}) {
			t.Errorf("opt-outs %+v", outs)
		}
	})
}

// bigTask is a task id the size DingTalk gives: more than 32 bits.
const bigTask = 256_335_700_281_202

func reminder(key, to string, due int64, about ...string) kaoqin.ReminderMessage {
	return kaoqin.ReminderMessage{Key: key, RuleID: 1, Channel: kaoqin.ChannelPerson, WorkDate: "2026-11-18", To: to,
		About: about, DueAt: due, Title: "t", Text: "text " + key, Body: `{"msgtype":"text"}`}
}

// TestReminders_ExactlyOnceBookkeeping: a message is recorded once whoever records it, claimed
// by one of several senders at once, claimed again only when its claim went stale, and updated
// only by the sender that holds it (or, once sent, by the confirmation of its task).
func TestReminders_ExactlyOnceBookkeeping(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		msgs := []kaoqin.ReminderMessage{reminder("a", "u1", 100, "u1"), reminder("b", "u2", 200, "u2"),
			reminder("digest", "boss", 150, "u1", "u2", "u1")}
		added, err := db.PlanReminders(ctx, msgs)
		must(t, err)
		if len(added) != 3 || added[0].ID == 0 || added[0].State != kaoqin.ReminderPlanned {
			t.Fatalf("added %+v", added)
		}
		again, err := db.PlanReminders(ctx, append(msgs, reminder("c", "u3", 300)))
		must(t, err)
		if len(again) != 1 || again[0].Key != "c" {
			t.Fatalf("planned again: %+v", again)
		}

		// Eight senders claim everything at once: each message goes to one.
		var ids []int64
		for _, m := range append(added, again...) {
			ids = append(ids, m.ID)
		}
		var mu sync.Mutex
		owner := map[int64]string{}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				by := fmt.Sprintf("sender%d", i)
				claimed, err := db.ClaimReminders(ctx, ids, by, 1000, 0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, m := range claimed {
					if prev, ok := owner[m.ID]; ok {
						t.Errorf("message %d claimed by %s and %s", m.ID, prev, by)
					}
					owner[m.ID] = by
					if m.State != kaoqin.ReminderSending || m.Attempts != 1 || m.ClaimedBy != by || m.ClaimedAt != 1000 {
						t.Errorf("claimed %+v", m)
					}
				}
			})
		}
		wg.Wait()
		if len(owner) != 4 {
			t.Fatalf("%d of 4 messages claimed", len(owner))
		}
		a := added[0].ID
		// Not stale yet: nobody takes it over; stale: the next sender does.
		if c, _ := db.ClaimReminders(ctx, []int64{a}, "late", 2000, 1000); len(c) != 0 {
			t.Errorf("a fresh claim was taken over: %+v", c)
		}
		c, err := db.ClaimReminders(ctx, []int64{a}, "rescuer", 5000, 1001)
		must(t, err)
		if len(c) != 1 || c[0].Attempts != 2 || c[0].ClaimedBy != "rescuer" {
			t.Fatalf("a stale claim: %+v", c)
		}
		// The first sender comes back: its update no longer applies; the rescuer's does.
		first := owner[a]
		n, err := db.UpdateReminders(ctx, []kaoqin.ReminderUpdate{
			{ID: a, If: kaoqin.ReminderSending, IfClaimedBy: first, State: kaoqin.ReminderSent, TaskID: 7, SentAt: 10},
			{ID: a, If: kaoqin.ReminderSending, IfClaimedBy: "rescuer", State: kaoqin.ReminderSent, TaskID: bigTask, SentAt: 11},
		})
		must(t, err)
		if n != 1 {
			t.Errorf("%d updates applied, want the rescuer's only", n)
		}
		// Confirmation by task: the wrong task does nothing; delivered stays delivered.
		n, err = db.UpdateReminders(ctx, []kaoqin.ReminderUpdate{
			{ID: a, If: kaoqin.ReminderSent, IfTaskID: 7, State: kaoqin.ReminderFailed, Reason: "x"},
			{ID: a, If: kaoqin.ReminderSent, IfTaskID: bigTask, State: kaoqin.ReminderDelivered, DoneAt: 12},
			{ID: a, If: kaoqin.ReminderDelivered, State: kaoqin.ReminderFailed, Reason: "duplicate"},
		})
		must(t, err)
		if n != 1 {
			t.Errorf("%d confirmations applied, want 1", n)
		}
		got, err := db.Reminders(ctx, kaoqin.ReminderFilter{UserID: "u1"})
		must(t, err)
		if len(got) != 2 || got[0].ID != a || got[0].State != kaoqin.ReminderDelivered || got[0].TaskID != bigTask || got[0].SentAt != 11 ||
			got[0].DoneAt != 12 || got[0].Text != "text a" || !slices.Equal(got[0].About, []string{"u1"}) ||
			got[1].Key != "digest" || !slices.Equal(got[1].About, []string{"u1", "u2"}) {
			t.Errorf("u1's reminders: %+v", got)
		}

		// Filters.
		count := func(f kaoqin.ReminderFilter) int {
			t.Helper()
			got, err := db.Reminders(ctx, f)
			must(t, err)
			return len(got)
		}
		for _, tc := range []struct {
			f    kaoqin.ReminderFilter
			want int
		}{
			{kaoqin.ReminderFilter{}, 4},
			{kaoqin.ReminderFilter{From: "2026-11-18", To: "2026-11-18"}, 4},
			{kaoqin.ReminderFilter{From: "2026-11-19"}, 0},
			{kaoqin.ReminderFilter{States: []string{kaoqin.ReminderSending}}, 3},
			{kaoqin.ReminderFilter{States: []string{}}, 0},
			{kaoqin.ReminderFilter{Recipient: "boss"}, 1},
			{kaoqin.ReminderFilter{UserID: "u2"}, 2},
			{kaoqin.ReminderFilter{ClaimedSince: 5000}, 1},
			{kaoqin.ReminderFilter{RuleID: 2}, 0},
			{kaoqin.ReminderFilter{Limit: 2}, 2},
		} {
			if got := count(tc.f); got != tc.want {
				t.Errorf("%+v: %d messages, want %d", tc.f, got, tc.want)
			}
		}
		bad := reminder("", "u1", 1)
		_, err = db.PlanReminders(ctx, []kaoqin.ReminderMessage{bad})
		wantCode(t, err, kaoqin.EINVALID)
	})
}

// TestDepartments_Managers: a department's managers are stored with it, and a change of
// managers alone is a change.
func TestDepartments_Managers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := dept(2, 1, "研发")
		d.Managers = []string{"boss", "deputy"}
		snap := kaoqin.OrgSnapshot{Day: "2026-11-18", At: 1, Departments: []kaoqin.Department{dept(1, 0, "公司"), d}}
		_, err := db.SaveOrg(ctx, snap)
		must(t, err)
		snap.Departments[1].Managers = []string{"deputy"}
		ch, err := db.SaveOrg(ctx, snap)
		must(t, err)
		if ch.DepartmentsUpdated != 1 {
			t.Errorf("a change of managers: %+v", ch)
		}
		got, err := db.Departments(ctx)
		must(t, err)
		if len(got) != 2 || got[0].Managers != nil || !slices.Equal(got[1].Managers, []string{"deputy"}) {
			t.Errorf("departments %+v", got)
		}
	})
}

func TestRecordRobotPush(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		must(t, db.RecordRobotPush(ctx, "2026-12"))
		must(t, db.RecordRobotPush(ctx, "2026-12"))
		must(t, db.RecordRobotPush(ctx, "2026-11"))
		l, err := db.Ledger(ctx, "2026-12")
		must(t, err)
		if l.Pushes != 2 || l.PushesBy["robot"] != 2 {
			t.Errorf("December's pushes %d, robot %d; want 2 and 2", l.Pushes, l.PushesBy["robot"])
		}
		if err := db.RecordRobotPush(ctx, "12/2026"); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
			t.Errorf("a bad month: %v, want EINVALID", err)
		}
	})
}
