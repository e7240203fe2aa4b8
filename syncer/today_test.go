package syncer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/syncer"
)

// polled records the userids of every call of one path.
type polled struct {
	path  string
	mu    sync.Mutex
	users map[string]bool
	calls int
}

func (p *polled) hook(_ int64, r *http.Request) {
	if r.URL.Path != p.path {
		return
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	var body struct {
		UserIDList []string `json:"userIdList"`
		UserIDs    []string `json:"userIds"`
	}
	json.Unmarshal(b, &body)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	for _, u := range append(body.UserIDList, body.UserIDs...) {
		p.users[u] = true
	}
}

func (p *polled) reset(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.path, p.users, p.calls = path, map[string]bool{}, 0
}

func (p *polled) sorted() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Sorted(maps.Keys(p.users))
}

// notInYet is who, by the simulator's truth, has an OnDuty check due by dueBy, had it not
// signed when the day was first pulled (at firstPull), is not on leave, and was not seen
// punching by an earlier poll (seen).
func notInYet(e *env, today string, firstPull, dueBy time.Time, seen map[string]bool) []string {
	users := e.sim.Truth().UserIDs()
	onLeave := map[string]bool{}
	for _, l := range e.sim.Truth().Leaves(users, today, today) {
		onLeave[l.UserID] = true
	}
	var out []string
	for _, u := range users {
		day, _ := e.sim.Truth().Day(u, today)
		due, signed := false, false
		for _, r := range day.FinalResults {
			if r.CheckType != kaoqin.OnDuty {
				continue
			}
			due = due || r.BaseCheckTime <= dueBy.UnixMilli()
			signed = signed || (r.TimeResult != kaoqin.TimeNotSigned && r.UserCheckTime <= firstPull.UnixMilli())
		}
		if due && !signed && !onLeave[u] && !seen[u] {
			out = append(out, u)
		}
	}
	return out
}

// TestSyncToday: the first pull of the day brings everyone's checks, leave and plans; polls
// then ask listRecord about the people with a check-in due and nothing seen, fewer and fewer,
// and the daily report reads what they brought: a punch as a provisional check-in, none as not
// checked in.
func TestSyncToday(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{quota: 5000})
	ctx := context.Background()
	day := func(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, shanghai) }
	p := &polled{}
	p.reset(syncer.PathResults)
	e.handler.onAttendance(p.hook)

	e.setNow(day(8, 30))
	if _, err := e.s.SyncToday(ctx); kaoqin.ErrorCode(err) != kaoqin.ENOTSYNCED {
		t.Fatalf("a live pull without an org chart: %v, want ENOTSYNCED", err)
	}
	e.sync(syncer.Request{OrgOnly: true})

	// The first pull of the day: everyone, leave and plans, no punches.
	first, err := e.s.SyncToday(ctx)
	must(t, err)
	if got := p.sorted(); len(got) != 120 || first.Run.Kind != syncer.KindLive || first.DaysCovered != 1 ||
		first.Run.CallsBy[syncer.PathLeave] == 0 || first.PlanRows == 0 || first.Run.CallsBy[syncer.PathRecords] != 0 {
		t.Fatalf("first pull: %d people asked, summary %+v", len(got), first)
	}
	assertMirrors(t, e.sim, e.db, "2026-11-20", "2026-11-20", false)
	cov, err := e.db.Coverage(ctx, "2026-11-20", "2026-11-20")
	must(t, err)
	// Before anyone punched, the board knows who is due when.
	opts := report.Options{Location: shanghai, Now: day(8, 31)}
	d, err := report.LoadDaily(ctx, e.db, "2026-11-20", opts)
	must(t, err)
	if d.Company.Scheduled == 0 || d.Company.NotDueYet+d.Company.CheckedIn+d.Company.OnLeaveNotCheckedIn != d.Company.Scheduled {
		t.Errorf("at 08:31: %+v: want everyone scheduled not due yet, in or on leave", d.Company)
	}

	// Then only those not in yet, fewer and fewer through the morning: their punches.
	lastCount, seen := 121, map[string]bool{}
	for _, at := range []time.Time{day(9, 10), day(9, 30), day(10, 0)} {
		want := notInYet(e, "2026-11-20", day(8, 30), at, seen)
		e.setNow(at)
		p.reset(syncer.PathRecords)
		sum, err := e.s.SyncToday(ctx)
		must(t, err)
		got := p.sorted()
		if !slices.Equal(got, want) {
			t.Errorf("%s: polled %d people %v, want %d %v", at.Format("15:04"), len(got), got, len(want), want)
		}
		if len(got) > lastCount || len(got) == 0 && at.Before(day(10, 0)) {
			t.Errorf("%s: polled %d people after %d", at.Format("15:04"), len(got), lastCount)
		}
		t.Logf("%s: %d people polled in %d listRecord calls (attendance/list would take %d)", at.Format("15:04"), len(got),
			sum.Run.CallsBy[syncer.PathRecords], syncer.PollCost(int64(len(got)), 2, false))
		lastCount = len(got)
		if sum.Run.CallsBy[syncer.PathLeave] != 0 || sum.Run.CallsBy[syncer.PathResults] != 0 || sum.DaysCovered != 0 ||
			sum.Run.CallsBy[syncer.PathRecords] != syncer.PollCost(int64(len(got)), 2, true) {
			t.Errorf("%s: a poll fetched more than punches, or covered the day: %+v", at.Format("15:04"), sum)
		}
		// The people polled have their punches as DingTalk has them now, and a pull record.
		stored, err := e.db.Punches(ctx, kaoqin.Filter{From: "2026-11-20", To: "2026-11-20", UserIDs: got})
		must(t, err)
		diff(t, "punches of the polled people", stored, truthPunches(e.sim, got, "2026-11-20", "2026-11-20"))
		pulls, err := e.db.PunchPulls(ctx, kaoqin.Filter{From: "2026-11-20", To: "2026-11-20", UserIDs: got})
		must(t, err)
		if len(pulls) != len(got) || len(pulls) > 0 && pulls[0].SyncedAt != at.UnixMilli() {
			t.Errorf("%s: punch pulls %+v", at.Format("15:04"), pulls)
		}
		// The board reads them: whoever punched is in (provisionally), whoever did not is
		// not checked in, nobody polled is left awaiting.
		d, err := report.LoadDaily(ctx, e.db, "2026-11-20", report.Options{Location: shanghai, Now: at})
		must(t, err)
		for _, u := range got {
			emp, _ := d.Employee(u)
			punched := slices.ContainsFunc(stored, func(x kaoqin.Punch) bool { return x.UserID == u && x.Valid() })
			in := emp.Presence == report.PresenceIn || emp.Presence == report.PresenceLate
			if in != punched || emp.Presence == report.PresenceAwaiting {
				t.Errorf("%s: %s punched %v, reads %s", at.Format("15:04"), u, punched, emp.Presence)
			}
			if punched {
				seen[u] = true
			}
		}
	}
	again, err := e.db.Coverage(ctx, "2026-11-20", "2026-11-20")
	must(t, err)
	if len(again) != 1 || again[0] != cov[0] {
		t.Errorf("polls changed today's coverage: %+v, was %+v", again, cov)
	}

	// With plans, the first pull comes before the shift, and 9:10 is a poll of everyone.
	b, err := e.s.Budget(ctx)
	must(t, err)
	if !slices.Equal(b.Polls, []time.Duration{hm(8, 30), hm(9, 10), hm(9, 30), hm(10, 0), hm(17, 30)}) || b.Used == 0 || b.Nightly == 0 {
		t.Errorf("budget %+v", b)
	}
}

// TestSyncToday_withoutPunches: with punches turned off, polls re-pull the check results.
func TestSyncToday_withoutPunches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{quota: 5000})
	s, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now,
		MonthlyQuota: 5000, NoPunches: true, NoPlans: true})
	must(t, err)
	ctx := context.Background()
	e.setNow(time.Date(2026, 11, 20, 8, 30, 0, 0, shanghai))
	e.sync(syncer.Request{OrgOnly: true})
	first, err := s.SyncToday(ctx)
	must(t, err)
	if first.PlanRows != 0 || first.Run.CallsBy[syncer.PathByUsers]+first.Run.CallsBy[syncer.PathDaySched] != 0 {
		t.Errorf("plans pulled although turned off: %+v", first)
	}
	at := time.Date(2026, 11, 20, 9, 10, 0, 0, shanghai)
	e.setNow(at)
	sum, err := s.SyncToday(ctx)
	must(t, err)
	if sum.Run.CallsBy[syncer.PathRecords] != 0 || sum.Run.CallsBy[syncer.PathResults] == 0 {
		t.Errorf("poll without punches: %+v", sum.Run.CallsBy)
	}
	b, err := s.Budget(ctx)
	must(t, err)
	if b.Polls[0] != hm(9, 10) {
		t.Errorf("without plans the first pull is at 9:10: %v", b.Polls)
	}
}

func TestSyncToday_refusedOverBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{quota: 3})
	e.setNow(time.Date(2026, 11, 20, 8, 30, 0, 0, shanghai))
	e.sync(syncer.Request{OrgOnly: true})
	_, err := e.s.SyncToday(context.Background())
	if kaoqin.ErrorCode(err) != kaoqin.EQUOTA {
		t.Errorf("err = %v, want EQUOTA", err)
	}
	if n := e.sim.Counters().Total().Metered; n != 0 {
		t.Errorf("%d metered calls", n)
	}
}
