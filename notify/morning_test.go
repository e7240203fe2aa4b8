package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// expectedLate returns who a rule "After minutes after the shift start" reminds about the
// check-in at shift, from the simulator's plans and punches: scheduled that day, not on
// leave, and no punch for that check-in by its moment.
func expectedLate(sim *dingtalksim.Server, shift time.Time, after time.Duration) []string {
	moment := shift.Add(after).UnixMilli()
	var want []string
	for _, u := range sim.Truth().Users() {
		d, _ := sim.Truth().Day(u.UserID, day)
		if d.Leave != nil {
			continue
		}
		for _, r := range d.FinalResults {
			if r.CheckType != "OnDuty" || r.BaseCheckTime != shift.UnixMilli() || r.ApproveID != 0 {
				continue
			}
			if r.TimeResult == "NotSigned" || r.UserCheckTime > moment {
				want = append(want, u.UserID)
			}
		}
	}
	slices.Sort(want)
	return want
}

// morning runs the application from the clock's time to until, a minute at a time: a live
// pull every ten minutes (as kaoqin serve's schedule does) and a notifier tick every minute.
func (e *env) morning(until time.Time, ticks ...func()) {
	e.t.Helper()
	ctx := context.Background()
	for t := e.app.Now().Add(time.Minute); !t.After(until); t = t.Add(time.Minute) {
		e.set(t)
		if t.Minute()%10 == 0 {
			if _, err := e.s.SyncToday(ctx); err != nil {
				e.t.Fatalf("live pull at %s: %v", t.Format("15:04"), err)
			}
		}
		if err := e.n.Tick(ctx); err != nil {
			e.t.Fatalf("tick at %s: %v", t.Format("15:04"), err)
		}
		for _, f := range ticks {
			f()
		}
	}
}

// inbox returns each person's work notifications, by userid.
func inbox(sim *dingtalksim.Server) map[string][]dingtalksim.InboxMessage {
	return sim.Inboxes()
}

// checkInboxes fails the test unless exactly the people of want got exactly one message each
// from the simulator, naming their 09:00 check-in and the moment 09:15.
func checkInboxes(t *testing.T, sim *dingtalksim.Server, want []string) {
	t.Helper()
	got := inbox(sim)
	for _, u := range want {
		msgs := got[u]
		if len(msgs) != 1 {
			t.Errorf("%s got %d messages, want 1: %+v", u, len(msgs), msgs)
			continue
		}
		if !strings.Contains(msgs[0].Text, "09:00 的上班打卡") || !strings.Contains(msgs[0].Text, "11月18日 09:15") {
			t.Errorf("%s's message: %q", u, msgs[0].Text)
		}
		delete(got, u)
	}
	for u, msgs := range got {
		t.Errorf("%s got %d messages and should have none: %q", u, len(msgs), msgs[0].Text)
	}
}

// TestMorning_ShiftStartPlus15 plays the morning of a 1,000-person company with one rule, "15
// minutes after a person's shift start, still not in": the simulator's inboxes hold exactly one
// message for each person its plans and punches say was not in by 09:15, and nothing else.
func TestMorning_ShiftStartPlus15(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{employees: 1000})
	e.morningSync()
	e.rule(kaoqin.ReminderRule{Name: "上班提醒", Channel: kaoqin.ChannelPerson, After: 15})
	before := e.sim.Counters()
	e.morning(at("10:30"))
	want := expectedLate(e.sim, at("09:00"), 15*time.Minute)
	if len(want) < 30 {
		t.Fatalf("only %d people late by 09:15: the simulated morning is not what the test needs", len(want))
	}
	checkInboxes(t, e.sim, want)

	msgs, err := e.db.Reminders(context.Background(), kaoqin.ReminderFilter{From: day, To: day})
	must(t, err)
	if len(msgs) != len(want) {
		t.Errorf("%d messages recorded, want %d", len(msgs), len(want))
	}
	for _, m := range msgs {
		if m.State != kaoqin.ReminderDelivered || m.SentAt != at("09:15").UnixMilli() || m.DueAt != at("09:15").UnixMilli() {
			t.Errorf("message %+v", m)
			break
		}
	}
	c := e.sim.Counters()
	sends := c["/topapi/message/corpconversation/asyncsend_v2"].Metered - before["/topapi/message/corpconversation/asyncsend_v2"].Metered
	results := c["/topapi/message/corpconversation/getsendresult"].Metered - before["/topapi/message/corpconversation/getsendresult"].Metered
	if wantCalls := int64((len(want) + 99) / 100); sends != wantCalls || results != wantCalls {
		t.Errorf("%d asyncsend_v2 and %d getsendresult calls for %d messages, want %d each (100 people a call)", sends, results, len(want), wantCalls)
	}
	st := e.n.Stats()
	t.Logf("1,000 people, a rule at shift start + 15 min: %d messages; %d asyncsend_v2 + %d getsendresult metered calls; %d pull(s) asked for before judging; all metered calls of the morning: %d",
		len(want), sends, results, st.Refreshes, c.Total().Metered-before.Total().Metered)
	if st.Refreshes != 1 {
		t.Errorf("%d pulls asked for before judging, want 1 (at 09:15, the data being of 09:10)", st.Refreshes)
	}
	audit, err := e.db.Audit(context.Background(), 0)
	must(t, err)
	n := 0
	for _, a := range audit {
		if a.Action == "remind" {
			n++
		}
	}
	if n != len(want) {
		t.Errorf("%d messages in the audit log, want %d", n, len(want))
	}
}
