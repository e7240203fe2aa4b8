package dingtalk_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// An answer slower than the client's HTTP timeout is a transient failure: the client gives
// up on it, retries, and the network error it logs names no token.
func TestSim_Gateway_SlowAnswerTimesOut(t *testing.T) {
	t.Parallel()
	cfg := simCompany()
	// The slow answer never comes: the simulator waits until the client hangs up.
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		<-ctx.Done()
		return ctx.Err()
	}
	// Two seconds, not less: the retry's real answer must come within the same timeout on a
	// loaded two-core CI machine, or it too times out.
	env := newSimEnv(t, cfg, dingtalk.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}))
	env.sim.FailNext("/attendance/list", dingtalksim.Fault{Kind: dingtalksim.FaultSlow, Delay: time.Hour}, 1)
	f := newFixture(t, env.sim)
	ch := dingtalk.Chunk{UserIDs: f.big.Members[:50], DateRange: dingtalk.DateRange{From: dingtalk.MustParseDate("2026-11-09"), To: dingtalk.MustParseDate("2026-11-15")}}
	rows, err := env.c.Attendance.ListAll(context.Background(), ch.ResultOptions())
	env.must(err)
	compareRows(t, "results after a timeout", env.sim.Truth().Results(ch.UserIDs, ch.From.String(), ch.To.String()),
		sliceMap(rows, simResult), func(r dingtalksim.Result) int64 { return r.ID })
	var timedOut []error
	for _, ci := range env.Calls() {
		if ci.Err != nil {
			timedOut = append(timedOut, ci.Err)
		}
	}
	// The secrets check at the end of the test reads the timeout's text, which quotes the URL.
	if len(timedOut) != 1 || !dingtalk.IsTransient(timedOut[0]) {
		t.Errorf("failed attempts %v, want one timeout", timedOut)
	}
}

// A throttle with a penalty end ("处罚将在 … 结束") is retried once the penalty is over.
func TestSim_Gateway_ThrottleRetriedAfterPenalty(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	env.sim.FailNext("/topapi/v2/user/list", dingtalksim.Fault{Kind: dingtalksim.FaultThrottle}, 1)
	env.sim.FailNext("/attendance/listRecord", dingtalksim.Fault{Kind: dingtalksim.FaultThrottle}, 1)
	p := env.pullAll(context.Background())
	checkTruth(t, env.sim, p)
	calls := env.Calls()
	throttled := 0
	for i, ci := range calls {
		if ci.Err == nil {
			continue
		}
		var e *dingtalk.APIError
		if !errors.As(ci.Err, &e) || callCode(ci) != 90018 || !ci.Throttled {
			t.Errorf("attempt %d failed with %v, want 90018", i, ci.Err)
			continue
		}
		throttled++
		if e.RetryAfter <= 0 || e.RetryAfter > time.Second {
			t.Errorf("%s: RetryAfter %v, want the rest of the current second", ci.Path, e.RetryAfter)
		}
		for _, next := range calls[i+1:] {
			if next.Path == ci.Path {
				if next.Attempt != ci.Attempt+1 || next.At.Sub(ci.At) < e.RetryAfter {
					t.Errorf("%s: retried as attempt %d after %v, want attempt %d after at least %v",
						ci.Path, next.Attempt, next.At.Sub(ci.At), ci.Attempt+1, e.RetryAfter)
				}
				break
			}
		}
	}
	if throttled != 2 {
		t.Errorf("%d throttled attempts, want 2", throttled)
	}
}

// An IP ban (HTML, or JSON with "status":1111) is not retried: the client stops at once and
// says how long to wait; the ban covers every path until it ends.
func TestSim_Gateway_IPBan(t *testing.T) {
	t.Parallel()
	for _, kind := range []dingtalksim.FaultKind{dingtalksim.FaultIPBan, dingtalksim.FaultIPBanJSON} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, simCompany())
			ctx := context.Background()
			f := newFixture(t, env.sim)
			env.sim.FailNext("/attendance/list", dingtalksim.Fault{Kind: kind}, 1)
			_, err := collect(env, env.c.Attendance.Results(ctx, f.big.Members, dingtalk.MustParseDate(pullFrom), dingtalk.MustParseDate(pullTo)))
			var e *dingtalk.APIError
			if !errors.As(err, &e) || !e.IPBlocked || e.RetryAfter != 5*time.Minute || !dingtalk.IsThrottled(err) {
				t.Fatalf("err = %#v, want an IP ban of 5 minutes", err)
			}
			if !strings.Contains(err.Error(), "blocks this IP") {
				t.Errorf("the error does not say the IP is blocked: %v", err)
			}
			if n := env.sim.Counters()["/attendance/list"].Calls; n != 1 {
				t.Errorf("%d calls during a ban, want 1: a ban must not be retried", n)
			}
			_, _, err = env.c.Users.ListIDs(ctx, f.big.ID)
			env.noteErr(err)
			if !errors.As(err, &e) || !e.IPBlocked {
				t.Errorf("another path during the ban: err = %v, want the ban", err)
			}
			env.clock.Advance(5*time.Minute + time.Second)
			ids, _, err := env.c.Users.ListIDs(ctx, f.big.ID)
			env.must(err)
			if len(ids) != len(f.big.Members) {
				t.Errorf("after the ban: %d ids, truth %d", len(ids), len(f.big.Members))
			}
		})
	}
}

// A wrong AppSecret is refused at /gettoken (40096): the call fails at once with an error that
// says to check the credentials, and does not quote the secret it sent.
func TestSim_Gateway_WrongSecret(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	const wrong = "not-the-secret-0123456789"
	env.mu.Lock()
	env.secrets[wrong] = "the wrong AppSecret"
	env.mu.Unlock()
	c, err := dingtalk.NewClient(env.sim.Config().AppKey, wrong, dingtalk.WithBaseURL(env.url),
		dingtalk.WithClock(env.clock.Now), dingtalk.WithSleep(env.clock.Sleep), dingtalk.WithCallHook(env.record))
	env.must(err)
	_, _, err = c.Users.ListIDs(context.Background(), dingtalk.RootDepartmentID)
	env.noteErr(err)
	if !dingtalk.IsAuth(err) || apiCode(err) != 40096 || !strings.Contains(err.Error(), "AppSecret") {
		t.Errorf("err = %v, want 40096 saying to check the AppKey and AppSecret", err)
	}
	ctrs := env.sim.Counters()
	if ctrs["/gettoken"].Calls != 1 || ctrs["/topapi/user/listid"].Calls != 0 {
		t.Errorf("calls %+v: want one refused token fetch and nothing else", ctrs)
	}
}
