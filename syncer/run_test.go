package syncer_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/syncer"
)

func TestRun_interruptedThenResumed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{conc: 2})
	ctx, cancel := context.WithCancel(context.Background())
	e.handler.onAttendance(func(n int64, _ *http.Request) {
		if n == 30 { // two leave chunks and two of checks are done, two of checks are in flight
			cancel()
		}
	})
	_, err := e.s.Run(ctx, syncer.Request{From: rangeFrom, To: rangeTo})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	runs, err := e.db.Runs(context.Background(), 1)
	must(t, err)
	if runs[0].Status != kaoqin.RunInterrupted {
		t.Errorf("run record %+v, want interrupted", runs[0])
	}
	stored := assertWholeChunks(t, e, rangeFrom, rangeTo)

	e.handler.onAttendance(nil)
	sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)
	if sum.Run.ChunksSkipped == 0 || stored == 0 {
		t.Errorf("%d chunks of checks stored before the interruption, %d skipped after", stored, sum.Run.ChunksSkipped)
	}
}

func TestRun_oneSyncAtATime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	// A run a killed process left "running".
	stale := &kaoqin.SyncRun{Kind: syncer.KindFull, StartedAt: testNow.Add(-time.Hour).UnixMilli(), Status: kaoqin.RunRunning}
	must(t, e.db.CreateRun(ctx, stale))

	unlock, ok, err := e.db.TryLock(ctx, syncer.LockName)
	must(t, err)
	if !ok {
		t.Fatal("cannot take the lock")
	}
	_, err = e.s.Run(ctx, syncer.Request{From: rangeFrom, To: rangeTo})
	if kaoqin.ErrorCode(err) != kaoqin.ECONFLICT {
		t.Errorf("err = %v, want ECONFLICT: another sync is running", err)
	}
	if e.handler.all.Load() != 0 {
		t.Error("a sync that could not take the lock called DingTalk")
	}
	unlock()

	e.sync(syncer.Request{OrgOnly: true})
	runs, err := e.db.Runs(ctx, 0)
	must(t, err)
	for _, r := range runs {
		if r.ID == stale.ID && r.Status != kaoqin.RunInterrupted {
			t.Errorf("the stale run is %q, want interrupted", r.Status)
		}
	}
}

func TestRun_todayIsFetchedEveryTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.setNow(time.Date(2026, 11, 20, 10, 0, 0, 0, shanghai))
	first := e.sync(syncer.Request{})
	if first.Run.From != "2026-11-20" || first.Run.To != "2026-11-20" {
		t.Errorf("default range %s..%s, want today", first.Run.From, first.Run.To)
	}
	assertMirrors(t, e.sim, e.db, "2026-11-20", "2026-11-20", false)
	cps, err := e.db.Checkpoints(context.Background(), "")
	must(t, err)
	if len(cps) != 0 {
		t.Errorf("checkpoints for a day not over: %v", cps)
	}

	// Two hours later the same command fetches today again and sees what changed.
	e.setNow(time.Date(2026, 11, 20, 12, 0, 0, 0, shanghai))
	again := e.sync(syncer.Request{})
	if again.Run.Metered < first.Run.Metered-1 || again.Run.ChunksSkipped != 0 {
		t.Errorf("second pull of today: %d metered calls (first %d), %d chunks skipped", again.Run.Metered, first.Run.Metered, again.Run.ChunksSkipped)
	}
	assertMirrors(t, e.sim, e.db, "2026-11-20", "2026-11-20", false)
}

func TestRun_refetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	first := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	again := e.sync(syncer.Request{From: rangeFrom, To: rangeTo, Refetch: true})
	if again.Run.ChunksSkipped != 0 || again.Run.CallsBy[syncer.PathResults] != first.Run.CallsBy[syncer.PathResults] {
		t.Errorf("refetch: %+v; first %+v", again.Run, first.Run)
	}
	if again.CheckRows != 0 {
		t.Errorf("refetching unchanged data wrote %d rows", again.CheckRows)
	}
}

func TestRun_progress(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []syncer.Progress
	e := newEnv(t, envOptions{})
	s, err := syncer.New(syncer.Config{Client: e.client, Store: e.db, Books: e.books, Location: shanghai, Now: e.clock.Now,
		Progress: func(p syncer.Progress) {
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
		}})
	must(t, err)
	sum, err := s.Run(context.Background(), syncer.Request{From: rangeFrom, To: rangeTo})
	must(t, err)
	mu.Lock()
	defer mu.Unlock()
	last := seen[len(seen)-1]
	if last.Phase != "done" || last.ChunksDone != sum.ChunksTotal || last.ChunksTotal != sum.ChunksTotal || last.Calls != sum.Run.Calls {
		t.Errorf("last progress %+v, summary %+v", last, sum)
	}
	var org, att bool
	for i, p := range seen {
		org = org || p.Phase == "org"
		att = att || p.Phase == "attendance"
		if i > 0 && p.ChunksDone < seen[i-1].ChunksDone {
			t.Errorf("chunks done went back: %+v after %+v", p, seen[i-1])
		}
	}
	if !org || !att {
		t.Errorf("phases seen: org %v, attendance %v", org, att)
	}
}

// brokenLedger is a store whose metered-call ledger cannot record check-result calls: the org
// chart and leave are pulled and booked, the first page of check results meets the failure in
// the middle of a chunk of many pages.
type brokenLedger struct{ syncer.Store }

func (b brokenLedger) RecordCall(ctx context.Context, c kaoqin.Call) error {
	if c.Path != syncer.PathResults {
		return b.Store.RecordCall(ctx, c)
	}
	return errors.New("disk full")
}

func TestRun_stopsWhenTheLedgerCannotBeWritten(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	books := syncer.NewBooks(shanghai, nil)
	client := e.clientWithHook(t, books.Hook)
	s, err := syncer.New(syncer.Config{Client: client, Store: brokenLedger{e.db}, Books: books, Location: shanghai,
		Now: e.clock.Now, Concurrency: 1})
	must(t, err)
	_, err = s.Run(context.Background(), syncer.Request{From: rangeFrom, To: rangeTo})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the ledger's failure", err)
	}
	// The first check-result call cannot be booked: it is the last one, although its chunk
	// has many pages to go.
	if n := e.sim.Counters()[syncer.PathResults].Calls; n != 1 {
		t.Errorf("%d check-result calls, want only the one whose record failed", n)
	}
}
