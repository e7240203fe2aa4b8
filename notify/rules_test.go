package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/notify"
	"github.com/kaoqin/kaoqin/syncer"
)

// lateAt returns who had not checked in for their 09:00 check-in by moment (and is not on
// leave), from the simulator's plans and punches.
func lateAt(sim *dingtalksim.Server, moment string) []string {
	return expectedLate(sim, at("09:00"), at(moment).Sub(at("09:00")))
}

// TestRules_RepeatsQuietHoursOptOut: a rule "15 minutes after the shift start, then every 30
// minutes, at most 3" reminds each person at each moment they are still not in, the n-th
// message saying so; its quiet hours silence the moments in them; a person who opted out
// gets nothing.
func TestRules_RepeatsQuietHoursOptOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.morningSync()
	e.rule(kaoqin.ReminderRule{Name: "催卡", Channel: kaoqin.ChannelPerson, After: 15, Every: 30, Cap: 3, QuietFrom: "10:00", QuietTo: "12:00"})
	first := lateAt(e.sim, "09:15")
	if len(first) < 4 {
		t.Fatalf("%d people late: the test needs more", len(first))
	}
	out := lateAt(e.sim, "11:00")[0] // never in this morning
	must(t, e.db.SetReminderOptOut(context.Background(), out, true, "hr"))
	e.morning(at("11:00"))

	inboxes := e.sim.Inboxes()
	for _, moment := range []string{"09:15", "09:45", "10:15"} {
		n := map[string]int{"09:15": 1, "09:45": 2, "10:15": 3}[moment]
		for _, u := range lateAt(e.sim, moment) {
			got := slices.IndexFunc(inboxes[u], func(m dingtalksim.InboxMessage) bool { return strings.Contains(m.Text, "11月18日 "+moment) })
			switch {
			case u == out || moment == "10:15": // opted out; in the quiet hours
				if got >= 0 {
					t.Errorf("%s got the %s reminder: %q", u, moment, inboxes[u][got].Text)
				}
			case got < 0:
				t.Errorf("%s, still not in at %s, got no reminder then: %+v", u, moment, inboxes[u])
			case n > 1 && !strings.Contains(inboxes[u][got].Text, fmt.Sprintf("（第%d次提醒）", n)):
				t.Errorf("%s's reminder %d: %q", u, n, inboxes[u][got].Text)
			}
		}
	}
	total := 0
	for u, msgs := range inboxes {
		total += len(msgs)
		if !slices.Contains(first, u) {
			t.Errorf("%s was in by 09:15 and got %d messages", u, len(msgs))
		}
	}
	second := lateAt(e.sim, "09:45")
	if want := len(first) + len(second) - 2; total != want {
		t.Errorf("%d messages in all, want %d", total, want)
	}
	// The day at 11:00: what went out, the opted-out person's three moments, the quiet 10:15s.
	p, err := e.n.Preview(context.Background(), at("11:00"))
	must(t, err)
	if p.Count[notify.SkipQuiet] == 0 || p.Count[notify.SkipOptedOut] != 3 || p.Count[kaoqin.ReminderDelivered] != total {
		t.Errorf("preview counts %v, want quiet hours, 3 opted out and %d delivered", p.Count, total)
	}
}

// TestRules_DingTalkDropsAreNotDelivered: a person who had DingTalk's 500 messages of the day,
// and one who got the same text earlier that day, get nothing from DingTalk although the
// call succeeds: getsendresult says so (143105, 143106) and the reminders are recorded as
// failed, not delivered.
func TestRules_DingTalkDropsAreNotDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.morningSync()
	e.rule(kaoqin.ReminderRule{Name: "上班提醒", Channel: kaoqin.ChannelPerson, After: 15})
	late := lateAt(e.sim, "09:15")
	capped, dup := late[0], late[1]
	ctx := context.Background()
	send := func(user, text string) {
		_, _, err := e.client.Messages.Send(ctx, &dingtalk.WorkNotification{AgentID: dingtalksim.DefaultAgentID, UserIDs: []string{user}, Msg: dingtalk.TextMessage(text)})
		must(t, err)
	}
	for i := range dingtalksim.MaxMessagesPerDay {
		send(capped, fmt.Sprintf("another app's message %d", i))
	}
	send(dup, "【上班提醒】11月18日 09:15：还没有看到您 09:00 的上班打卡，请尽快在钉钉打卡；已请假、出差或外出请忽略。")
	e.morning(at("09:20"))

	msgs, err := e.db.Reminders(ctx, kaoqin.ReminderFilter{From: day, To: day})
	must(t, err)
	reasons := map[string]string{}
	for _, m := range msgs {
		if m.State != kaoqin.ReminderDelivered {
			reasons[m.To] = m.State + ": " + m.Reason
		}
	}
	if len(msgs) != len(late) || len(reasons) != 2 || !strings.Contains(reasons[capped], "failed: daily_cap") ||
		!strings.Contains(reasons[dup], "failed: duplicate") {
		t.Errorf("%d messages; not delivered: %v", len(msgs), reasons)
	}
}

// TestRules_Digest: at 09:30 each department's managers get one message listing their
// subtree's people not in; people on leave and people in are not listed.
func TestRules_Digest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.morningSync()
	e.rule(kaoqin.ReminderRule{Name: "部门未到", Channel: kaoqin.ChannelDigest, At: "09:30"})
	e.morning(at("09:40"))
	late := lateAt(e.sim, "09:30")
	name := map[string]string{}
	for _, u := range e.sim.Truth().Users() {
		name[u.UserID] = u.Name
	}
	truth := e.sim.Truth()
	digests := 0
	for u, msgs := range e.sim.Inboxes() {
		if len(msgs) != 1 {
			t.Errorf("%s got %d digests", u, len(msgs))
			continue
		}
		digests++
		text := msgs[0].Text
		// Whom this manager leads: their departments' subtrees.
		var mine []string
		for _, d := range truth.Departments() {
			if !slices.Contains(d.Managers, u) {
				continue
			}
			for _, sub := range truth.Subtree(d.ID) {
				dd, _ := truth.Department(sub)
				for _, m := range dd.Members {
					if slices.Contains(late, m) && !slices.Contains(mine, m) {
						mine = append(mine, m)
					}
				}
			}
		}
		if len(mine) == 0 {
			t.Errorf("%s got a digest and leads nobody late: %q", u, text)
		}
		for _, m := range mine {
			if !strings.Contains(text, name[m]) {
				t.Errorf("%s's digest does not name %s (%s): %q", u, m, name[m], text)
			}
		}
		if !strings.Contains(text, fmt.Sprintf("未到 %d 人", len(mine))) {
			t.Errorf("%s's digest does not count %d people: %q", u, len(mine), text)
		}
	}
	if digests == 0 {
		t.Fatal("no digest was sent")
	}
}

// TestRemindNow: reminders from the board go to the people asked who are due and not in,
// within the asker's departments, at most BoardCap a day and BoardGap apart.
func TestRemindNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.morningSync()
	e.set(at("09:20"))
	if _, err := e.s.SyncToday(context.Background()); err != nil {
		t.Fatal(err)
	}
	late := lateAt(e.sim, "09:20")
	ctx := context.Background()
	in := ""
	for _, u := range e.sim.Truth().UserIDs() {
		if d, _ := e.sim.Truth().Day(u, day); d.Leave == nil && !slices.Contains(late, u) && len(d.Schedules) > 0 {
			in = u
			break
		}
	}
	hr := &kaoqin.User{Name: "hr1", Role: kaoqin.RoleHR}
	res, err := e.n.RemindNow(ctx, hr, []string{late[0], late[1], in, "nobody"}, "10.0.0.1")
	must(t, err)
	if !slices.Equal(res.Planned, []string{late[0], late[1]}) || res.Skipped[in] != notify.BoardIn || res.Skipped["nobody"] != notify.BoardOutOfScope {
		t.Errorf("remind now: %+v", res)
	}
	res, err = e.n.RemindNow(ctx, hr, []string{late[0]}, "")
	must(t, err)
	if res.Skipped[late[0]] != notify.BoardJustRemined {
		t.Errorf("again at once: %+v", res)
	}
	// A manager reminds only their subtree.
	u0, _ := e.sim.Truth().User(late[2])
	var other string
	for _, u := range late {
		uu, _ := e.sim.Truth().User(u)
		if !slices.ContainsFunc(uu.DeptIDs, func(d int64) bool { return slices.Contains(e.sim.Truth().Subtree(u0.DeptIDs[0]), d) }) {
			other = u
			break
		}
	}
	mgr := &kaoqin.User{Name: "mgr", Role: kaoqin.RoleManager, DeptIDs: []int64{u0.DeptIDs[0]}}
	res, err = e.n.RemindNow(ctx, mgr, []string{late[2], other}, "")
	must(t, err)
	if !slices.Equal(res.Planned, []string{late[2]}) || res.Skipped[other] != notify.BoardOutOfScope {
		t.Errorf("a manager: %+v", res)
	}
	must(t, e.n.Tick(ctx))
	for _, u := range []string{late[0], late[1], late[2]} {
		if msgs := e.sim.Inbox(u); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "从考勤看板提醒您") {
			t.Errorf("%s's inbox: %+v", u, msgs)
		}
	}
	e.set(at("09:31"))
	res, err = e.n.RemindNow(ctx, hr, []string{late[0]}, "")
	must(t, err)
	e.set(at("09:42"))
	res2, err := e.n.RemindNow(ctx, hr, []string{late[0]}, "")
	must(t, err)
	if len(res.Planned) != 1 || res2.Skipped[late[0]] != notify.BoardCapped {
		t.Errorf("the second and third of the day: %+v, %+v", res, res2)
	}
	audit, err := e.db.Audit(ctx, 0)
	must(t, err)
	asked := 0
	for _, a := range audit {
		if a.Action == "remind_now" {
			asked++
		}
	}
	if asked != 5 {
		t.Errorf("%d remind-now requests in the audit log, want 5", asked)
	}
}

// TestRules_BudgetKeepsTheNightlyReconciliation: work notifications are metered; when what is
// left of the month's quota is the nightly reconciliation of the days left, reminders wait
// (recorded, not sent) rather than spend it.
func TestRules_BudgetKeepsTheNightlyReconciliation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRefresh: true})
	e.morningSync()
	e.rule(kaoqin.ReminderRule{Name: "上班提醒", Channel: kaoqin.ChannelPerson, After: 15})
	ctx := context.Background()
	b, err := e.s.Budget(ctx)
	must(t, err)
	tight, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.app.Now,
		MonthlyQuota: b.Used + int64(b.DaysLeft)*b.Nightly + 1})
	must(t, err)
	n, err := notify.New(notify.Options{Store: e.db, Client: e.client, AgentID: dingtalksim.DefaultAgentID, Location: shanghai,
		Now: e.app.Now, Clock: e.real.Now, Budget: tight.AllowNotifications})
	must(t, err)
	e.set(at("09:15"))
	must(t, n.Tick(ctx))
	if got := len(e.sim.Inboxes()); got != 0 || n.Stats().SkippedQuota == 0 {
		t.Errorf("%d people reminded, %d put off: want none sent", got, n.Stats().SkippedQuota)
	}
	msgs, err := e.db.Reminders(ctx, kaoqin.ReminderFilter{States: []string{kaoqin.ReminderPlanned}})
	must(t, err)
	if len(msgs) == 0 {
		t.Error("the reminders are not kept for later")
	}
	// With the quota of the month, they go, and the budget reserves what reminders spend a day.
	must(t, e.n.Tick(ctx))
	if len(e.sim.Inboxes()) != len(msgs) {
		t.Errorf("%d reminded once the budget allows, want %d", len(e.sim.Inboxes()), len(msgs))
	}
	b, err = e.s.Budget(ctx)
	must(t, err)
	if b.Notifications != 1 { // 2 calls (a send and its result) over 18 days
		t.Errorf("the budget reserves %d calls a day for reminders, want 1", b.Notifications)
	}
}

// TestFreshness_EventsCarryThePunches: while DingTalk's events bring the punches (marked known
// every minute until two minutes before), a reminder waits for the mark to pass its moment
// rather than pay for a pull, and then reminds exactly who had not punched by the moment.
func TestFreshness_EventsCarryThePunches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.morningSync()
	e.rule(kaoqin.ReminderRule{Name: "上班提醒", Channel: kaoqin.ChannelPerson, After: 15})
	ctx := context.Background()
	pulls := 0
	n, err := notify.New(notify.Options{Store: e.db, Client: e.client, AgentID: dingtalksim.DefaultAgentID, Location: shanghai,
		Now: e.app.Now, Clock: e.real.Now, EventsLive: func() bool { return true },
		Refresh: func(context.Context) error { pulls++; return nil }})
	must(t, err)
	ids := e.sim.Truth().UserIDs()
	start, _ := kaoqin.DayBounds(day, shanghai)
	mark := func(until time.Time) { // what the events intake records: every punch until then, known
		for i := 0; i < len(ids); i += 50 {
			users := ids[i:min(i+50, len(ids))]
			recs, _, err := e.client.Attendance.ListRecord(ctx, &dingtalk.RecordOptions{UserIDs: users, From: start, To: until})
			must(t, err)
			_, err = e.db.SavePunches(ctx, kaoqin.PunchBatch{Scope: kaoqin.Scope{UserIDs: users, From: day, To: day},
				Punches: syncer.Punches(recs, shanghai), SyncedAt: until.UnixMilli()})
			must(t, err)
		}
	}
	var sentAt time.Time
	for tm := at("09:10"); !tm.After(at("09:20")); tm = tm.Add(time.Minute) {
		e.set(tm)
		mark(tm.Add(-2 * time.Minute))
		must(t, n.Tick(ctx))
		if sentAt.IsZero() && len(e.sim.Inboxes()) > 0 {
			sentAt = tm
		}
	}
	if pulls != 0 || !sentAt.Equal(at("09:17")) {
		t.Errorf("%d pulls asked for; reminders went at %s: want none, and 09:17 (the mark of 09:15)", pulls, sentAt.Format("15:04"))
	}
	checkInboxes(t, e.sim, expectedLate(e.sim, at("09:00"), 15*time.Minute))
}
