package syncer_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/syncer"
)

// fastSimSleep makes the simulator's slow answers come after a few milliseconds instead of
// seconds: the client sees them late all the same.
func fastSimSleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(min(d, 5*time.Millisecond)):
		return nil
	}
}

func TestRun_survivesFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{
		sim:       dingtalksim.Config{Sleep: fastSimSleep},
		fastSleep: true,
		retry:     &dingtalk.RetryPolicy{MaxRetries: 10, BaseDelay: time.Second, MaxDelay: 2 * time.Second},
	})
	// 5% of all calls fail at random (system busy, bad gateway, slow answers), and a few
	// certainly do, so that the test never passes on luck.
	e.sim.SetFaultRate(0.05, dingtalksim.FaultBusy, dingtalksim.FaultBadGateway, dingtalksim.FaultSlow)
	e.sim.FailNext(syncer.PathResults, dingtalksim.Fault{Kind: dingtalksim.FaultBusy}, 2)
	e.sim.FailNext(syncer.PathLeave, dingtalksim.Fault{Kind: dingtalksim.FaultBadGateway}, 1)
	e.sim.FailNext(syncer.PathUserList, dingtalksim.Fault{Kind: dingtalksim.FaultSlow, Delay: time.Second}, 1)
	e.sim.FailNext(syncer.PathListSub, dingtalksim.Fault{Kind: dingtalksim.FaultBusy}, 1)

	sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)

	c := e.sim.Counters().Total()
	if c.Faulted < 5 {
		t.Fatalf("only %d faults: the test proves little", c.Faulted)
	}
	// Slow answers arrive and are not retried; the four certain busy and bad-gateway answers
	// are.
	if sum.Run.Retried < 4 {
		t.Errorf("retried %d calls, but at least 4 failed (%d faults in all)", sum.Run.Retried, c.Faulted)
	}
	// Faults may or may not be metered by DingTalk; kaoqin counts them, on the safe side.
	if sum.Run.Metered < c.Metered {
		t.Errorf("books count %d metered calls, fewer than DingTalk's %d", sum.Run.Metered, c.Metered)
	}
}

func TestRun_survivesThrottling(t *testing.T) {
	t.Parallel()
	// DingTalk allows 8 calls a second per path; the client does not hold itself back, so
	// DingTalk throttles it (90018) and the client waits and retries.
	e := newEnv(t, envOptions{
		sim:             dingtalksim.Config{QPS: 8, Employees: 60},
		conc:            8,
		realClientClock: true,
		retry:           &dingtalk.RetryPolicy{MaxRetries: 12, BaseDelay: 200 * time.Millisecond, MaxDelay: 2 * time.Second},
	})
	sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)

	c := e.sim.Counters().Total()
	if c.Throttled == 0 {
		t.Fatal("DingTalk throttled nothing: the test proves nothing")
	}
	if sum.Run.Throttled != c.Throttled {
		t.Errorf("books count %d throttled calls, DingTalk %d", sum.Run.Throttled, c.Throttled)
	}
	// Throttled calls are not metered, by DingTalk or by the books.
	if sum.Run.Metered != c.Metered {
		t.Errorf("books count %d metered calls, DingTalk %d", sum.Run.Metered, c.Metered)
	}
}

func TestRun_survivesTokenExpiry(t *testing.T) {
	t.Parallel()
	// Tokens live 20 seconds of the simulator's service clock, which runs a quarter of a second
	// for every reading (a few a call): a token expires every twenty calls or so, in the
	// middle of the sync.
	var mu sync.Mutex
	service := time.Now()
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		service = service.Add(250 * time.Millisecond)
		return service
	}
	e := newEnv(t, envOptions{sim: dingtalksim.Config{TokenTTL: 20 * time.Second, Clock: tick, IPLimit: -1}})
	sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)

	if n := sum.Run.CallsBy[syncer.PathToken]; n < 3 {
		t.Errorf("%d token fetches: the token never expired mid-run", n)
	}
}

func TestRun_survivesEverythingAtOnce(t *testing.T) {
	t.Parallel()
	// 5% faults (slow answers among them), DingTalk's QPS limit below the client's pace, and
	// tokens of 20 seconds that expire every ten attendance calls, all in one sync.
	e := newEnv(t, envOptions{
		sim:             dingtalksim.Config{QPS: 8, Employees: 60, TokenTTL: 20 * time.Second, Sleep: fastSimSleep},
		realClientClock: true,
		retry:           &dingtalk.RetryPolicy{MaxRetries: 12, BaseDelay: 200 * time.Millisecond, MaxDelay: 2 * time.Second},
	})
	e.sim.SetFaultRate(0.05, dingtalksim.FaultBusy, dingtalksim.FaultBadGateway, dingtalksim.FaultSlow)
	e.sim.FailNext(syncer.PathResults, dingtalksim.Fault{Kind: dingtalksim.FaultBusy}, 1)
	// Every tenth check-results call: the client retries a rejected token once, so expiries
	// must not come so close together that the retry meets the next one.
	var results atomic.Int64
	e.handler.onAttendance(func(_ int64, r *http.Request) {
		if r.URL.Path == syncer.PathResults && results.Add(1)%10 == 0 {
			e.sim.ExpireTokens()
		}
	})
	sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
	assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)
	c := e.sim.Counters().Total()
	if c.Faulted == 0 || c.Throttled == 0 || sum.Run.CallsBy[syncer.PathToken] < 2 {
		t.Errorf("faulted %d, throttled %d, token fetches %d: not everything happened", c.Faulted, c.Throttled, sum.Run.CallsBy[syncer.PathToken])
	}
	if sum.Run.Metered < c.Metered {
		t.Errorf("books count %d metered calls, fewer than DingTalk's %d", sum.Run.Metered, c.Metered)
	}
}
