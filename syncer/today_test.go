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
	"github.com/kaoqin/kaoqin/syncer"
)

// polled records the userids of every attendance/list call.
type polled struct {
	mu    sync.Mutex
	users map[string]bool
	calls int
}

func (p *polled) hook(_ int64, r *http.Request) {
	if r.URL.Path != syncer.PathResults {
		return
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	var body struct {
		UserIDList []string `json:"userIdList"`
	}
	json.Unmarshal(b, &body)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	for _, u := range body.UserIDList {
		p.users[u] = true
	}
}

func (p *polled) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users, p.calls = map[string]bool{}, 0
}

func (p *polled) sorted() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Sorted(maps.Keys(p.users))
}

// notInYet is who, by the simulator's truth at its clock, has no OnDuty check signed and no
// leave today, and an OnDuty check due by dueBy.
func notInYet(e *env, today string, dueBy time.Time) []string {
	users := e.sim.Truth().UserIDs()
	onLeave := map[string]bool{}
	for _, l := range e.sim.Truth().Leaves(users, today, today) {
		onLeave[l.UserID] = true
	}
	now := dueBy.UnixMilli()
	due, signed := map[string]bool{}, map[string]bool{}
	for _, r := range e.sim.Truth().Results(users, today, today) {
		if r.CheckType != kaoqin.OnDuty {
			continue
		}
		if r.TimeResult != kaoqin.TimeNotSigned {
			signed[r.UserID] = true
		} else if r.BaseCheckTime <= now {
			due[r.UserID] = true
		}
	}
	var out []string
	for u := range due {
		if !signed[u] && !onLeave[u] {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

func TestSyncToday(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{quota: 5000})
	ctx := context.Background()
	day := func(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, shanghai) }
	p := &polled{}
	p.reset()
	e.handler.onAttendance(p.hook)

	e.setNow(day(8, 30))
	if _, err := e.s.SyncToday(ctx); kaoqin.ErrorCode(err) != kaoqin.ENOTSYNCED {
		t.Fatalf("a live pull without an org chart: %v, want ENOTSYNCED", err)
	}
	e.sync(syncer.Request{OrgOnly: true})

	// The first pull of the day: everyone, and leave.
	first, err := e.s.SyncToday(ctx)
	must(t, err)
	if got := p.sorted(); len(got) != 120 || first.Run.Kind != syncer.KindLive || first.DaysCovered != 1 || first.Run.CallsBy[syncer.PathLeave] == 0 {
		t.Fatalf("first pull: %d people asked, summary %+v", len(got), first)
	}
	assertMirrors(t, e.sim, e.db, "2026-11-20", "2026-11-20", false)
	cov, err := e.db.Coverage(ctx, "2026-11-20", "2026-11-20")
	must(t, err)

	// Then only those not in yet, fewer and fewer through the morning.
	var lastCount int = 121
	for _, at := range []time.Time{day(9, 10), day(9, 30), day(10, 0)} {
		want := notInYet(e, "2026-11-20", at) // as the last pull left them, due by now
		e.setNow(at)
		p.reset()
		sum, err := e.s.SyncToday(ctx)
		must(t, err)
		got := p.sorted()
		if !slices.Equal(got, want) {
			t.Errorf("%s: polled %d people %v, want %d %v", at.Format("15:04"), len(got), got, len(want), want)
		}
		if len(got) > lastCount || len(got) == 0 && at.Before(day(10, 0)) {
			t.Errorf("%s: polled %d people after %d", at.Format("15:04"), len(got), lastCount)
		}
		t.Logf("%s: %d people polled in %d calls", at.Format("15:04"), len(got), sum.Run.CallsBy[syncer.PathResults])
		lastCount = len(got)
		if sum.Run.CallsBy[syncer.PathLeave] != 0 || sum.DaysCovered != 0 {
			t.Errorf("%s: a poll fetched leave or covered the day: %+v", at.Format("15:04"), sum)
		}
		// The people polled are as DingTalk has them now.
		stored, err := e.db.Checks(ctx, kaoqin.Filter{From: "2026-11-20", To: "2026-11-20", UserIDs: got})
		must(t, err)
		diff(t, "checks of the polled people", pulled(t, stored, at.UnixMilli(), at.UnixMilli()), truthChecks(e.sim, got, "2026-11-20", "2026-11-20"))
	}
	again, err := e.db.Coverage(ctx, "2026-11-20", "2026-11-20")
	must(t, err)
	if len(again) != 1 || again[0] != cov[0] {
		t.Errorf("polls changed today's coverage: %+v, was %+v", again, cov)
	}

	b, err := e.s.Budget(ctx)
	must(t, err)
	if !slices.Equal(b.Polls, []time.Duration{hm(9, 10), hm(9, 30), hm(10, 0), hm(17, 30)}) || b.Used == 0 || b.Nightly == 0 {
		t.Errorf("budget %+v", b)
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
