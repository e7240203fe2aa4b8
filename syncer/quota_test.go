package syncer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/syncer"
)

func TestRun_refusesWhenThePlanExceedsTheBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{quota: 10})
	_, err := e.s.Run(context.Background(), syncer.Request{From: rangeFrom, To: rangeTo})
	if kaoqin.ErrorCode(err) != kaoqin.EQUOTA {
		t.Fatalf("err = %v, want EQUOTA", err)
	}
	msg := kaoqin.ErrorMessage(err)
	for _, want := range []string{"needs about", "only 10 of this month's 10 are left", "2026-12-01", "KAOQIN_DINGTALK_MONTHLY_QUOTA"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if n := e.sim.Counters().Total().Metered; n != 0 {
		t.Errorf("%d metered calls made before refusing", n)
	}
	checks, err := e.db.Checks(context.Background(), kaoqin.Filter{From: rangeFrom, To: rangeTo})
	must(t, err)
	cov, err := e.db.Coverage(context.Background(), rangeFrom, rangeTo)
	must(t, err)
	if len(checks) != 0 || len(cov) != 0 {
		t.Errorf("refused, yet wrote %d checks and %d covered days", len(checks), len(cov))
	}

	// With the org chart stored (free), the refusal comes before anything at all is written.
	e.sync(syncer.Request{OrgOnly: true})
	runs, err := e.db.Runs(context.Background(), 0)
	must(t, err)
	_, err = e.s.Run(context.Background(), syncer.Request{From: rangeFrom, To: rangeTo})
	if kaoqin.ErrorCode(err) != kaoqin.EQUOTA {
		t.Fatalf("second time: err = %v, want EQUOTA", err)
	}
	again, err := e.db.Runs(context.Background(), 0)
	must(t, err)
	if len(again) != len(runs) {
		t.Errorf("the refused sync left a run record")
	}
}

// assertWholeChunks fails the test unless every chunk of 50 users × 7 days of the range is
// either stored exactly as DingTalk has it or not stored at all: no half-written chunk. It
// returns how many chunks are stored.
func assertWholeChunks(t *testing.T, e *env, from, to string) (stored int) {
	t.Helper()
	users := e.sim.Truth().UserIDs()
	for _, ch := range dingtalk.PlanChunks(users, dingtalk.MustParseDate(from), dingtalk.MustParseDate(to),
		dingtalk.MaxResultUsers, dingtalk.MaxResultDays) {
		cf, ct := ch.From.String(), ch.To.String()
		got, err := e.db.Checks(context.Background(), kaoqin.Filter{From: cf, To: ct, UserIDs: ch.UserIDs})
		must(t, err)
		if len(got) == 0 {
			continue
		}
		stored++
		diff(t, "checks of chunk "+cf+".."+ct, pulled(t, got, 0, e.sim.Now().UnixMilli()), truthChecks(e.sim, ch.UserIDs, cf, ct))
	}
	return stored
}

func TestRun_stopsAtDingTalksQuota(t *testing.T) {
	t.Parallel()
	// DingTalk's quota is the org's: other apps have spent all but 20 calls of it, which
	// kaoqin's books cannot know. One chunk at a time: a chunk of leave and two of checks fit,
	// the fourth chunk meets 90020 halfway.
	e := newEnv(t, envOptions{sim: dingtalksim.Config{MonthlyQuota: 5000}, quota: 5000, conc: 1})
	e.sim.SetQuotaUsed(4980)
	_, err := e.s.Run(context.Background(), syncer.Request{From: rangeFrom, To: rangeTo})
	if kaoqin.ErrorCode(err) != kaoqin.EQUOTA {
		t.Fatalf("err = %v, want EQUOTA", err)
	}
	msg := kaoqin.ErrorMessage(err)
	for _, want := range []string{"90020", "other apps", "2026-12-01"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if saved := assertWholeChunks(t, e, rangeFrom, rangeTo); saved == 0 {
		t.Error("no chunk was saved before the quota ran out: the test proves little")
	}
	runs, err := e.db.Runs(context.Background(), 1)
	must(t, err)
	if runs[0].Status != kaoqin.RunFailed || !strings.Contains(runs[0].Error, "90020") {
		t.Errorf("run record %+v", runs[0])
	}

	// Next month (here: more quota), the same command finishes without fetching again what
	// was saved.
	first := e.sim.Counters()[syncer.PathResults].Metered
	e.sim.SetQuotaUsed(0)
	sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)
	if sum.Run.ChunksSkipped == 0 {
		t.Error("the rerun skipped no chunk")
	}
	clean := newEnv(t, envOptions{})
	clean.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	total := e.sim.Counters()[syncer.PathResults].Metered
	if want := clean.sim.Counters()[syncer.PathResults].Metered; total-first >= want {
		t.Errorf("the rerun made %d calls to %s, as many as a clean sync (%d)", total-first, syncer.PathResults, want)
	}
}

func TestRun_stopsBeforeGoingPastItsQuota(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{conc: 2})
	// Store a weekend only: the plan then expects about one page a chunk, while workdays
	// need several, and the budget runs out halfway through the sync.
	e.sync(syncer.Request{From: "2026-11-14", To: "2026-11-15"})
	used := e.sim.Counters().Total().Metered
	p, err := e.s.Plan(context.Background(), syncer.Request{From: rangeFrom, To: rangeTo})
	must(t, err)
	quota := used + p.ExpectedMetered
	e2 := e.withQuota(t, quota)
	_, err = e2.Run(context.Background(), syncer.Request{From: rangeFrom, To: rangeTo})
	if kaoqin.ErrorCode(err) != kaoqin.EQUOTA || !strings.Contains(kaoqin.ErrorMessage(err), "stopped before going past") {
		t.Fatalf("err = %v, want EQUOTA: stopped before going past the quota", err)
	}
	if n := e.sim.Counters().Total().Metered; n > quota {
		t.Errorf("%d metered calls, past the quota of %d", n, quota)
	}
	assertWholeChunks(t, e, rangeFrom, rangeTo)
}

// withQuota returns another Syncer over the same client, books and store, with another quota.
func (e *env) withQuota(t *testing.T, quota int64) *syncer.Syncer {
	s, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai,
		Now: e.clock.Now, MonthlyQuota: quota, Concurrency: 2})
	must(t, err)
	return s
}
