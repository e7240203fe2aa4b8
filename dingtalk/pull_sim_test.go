package dingtalk_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// Every iterator against the simulator returns exactly the simulator's truth: departments,
// users of each department (full and simple), results, punch records, leave and schedules.
func TestSim_Pull_MatchesTruth(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	checkPremises(t, env.sim)
	p := env.pullAll(context.Background())
	checkTruth(t, env.sim, p)

	// A clean run needs no retry and one token.
	for _, ci := range env.Calls() {
		if ci.Attempt != 1 || ci.Err != nil {
			t.Errorf("a clean run retried or failed: %+v", ci)
		}
	}
	if n := env.sim.Counters()["/gettoken"].Calls; n != 1 {
		t.Errorf("%d token fetches, want 1", n)
	}
}

// With 5% of calls failing (errcode -1, an HTTP 502 page, a slow answer), the pull is still
// exactly the truth: failed calls are retried with the same body, and a page retried is not
// counted twice.
func TestSim_Pull_Faults(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	env.sim.SetFaultRate(0.05, dingtalksim.FaultBusy, dingtalksim.FaultBadGateway, dingtalksim.FaultSlow)
	// Each kind at least once, whatever the draw: on a token fetch too.
	env.sim.FailNext("/gettoken", dingtalksim.Fault{Kind: dingtalksim.FaultBadGateway}, 1)
	env.sim.FailNext("/attendance/list", dingtalksim.Fault{Kind: dingtalksim.FaultBusy}, 1)
	env.sim.FailNext("/topapi/v2/user/list", dingtalksim.Fault{Kind: dingtalksim.FaultBusy}, 1)
	env.sim.FailNext("/attendance/listRecord", dingtalksim.Fault{Kind: dingtalksim.FaultSlow}, 1)
	p := env.pullAll(context.Background())
	checkTruth(t, env.sim, p)

	total := env.sim.Counters().Total()
	kinds := map[string]int{}
	retried := 0
	for _, ci := range env.Calls() {
		switch {
		case ci.Errcode == -1:
			kinds["busy"]++
		case ci.HTTPStatus == http.StatusBadGateway:
			kinds["502"]++
		case ci.Err != nil:
			t.Errorf("an attempt failed for another reason than an injected fault: %v", ci.Err)
		}
		if ci.Attempt > 1 {
			retried++
		}
	}
	// Slow answers succeed: they show as faulted calls the client did not see fail.
	slow := int(total.Faulted) - kinds["busy"] - kinds["502"]
	t.Logf("%d calls, %d faulted: %v, %d slow; %d retries", total.Calls, total.Faulted, kinds, slow, retried)
	if kinds["busy"] < 2 || kinds["502"] < 1 || slow < 1 {
		t.Errorf("not every fault kind happened (%v, %d slow)", kinds, slow)
	}
	// Every failed attempt is followed by exactly one more attempt of the same call.
	if retried != kinds["busy"]+kinds["502"] {
		t.Errorf("%d retries after %d failed attempts: each failure should be retried once", retried, kinds["busy"]+kinds["502"])
	}
}

// A simulator that allows fewer calls a second than the client makes: 90018 (and 88 +
// sub_code 90018 on topapi paths) happen, are retried after the window passes, and the pull
// is still exactly the truth. DingTalk does not meter throttled calls.
func TestSim_Pull_Throttled(t *testing.T) {
	t.Parallel()
	cfg := simCompany()
	cfg.QPS = 4 // the client makes 20 a second per path
	env := newSimEnv(t, cfg)
	p := env.pullAll(context.Background())
	checkTruth(t, env.sim, p)

	legacy, topapi := 0, 0
	for _, ci := range env.Calls() {
		switch {
		case ci.Errcode == 90018 && ci.Throttled:
			legacy++
		case ci.Errcode == 88 && ci.SubCode == "90018" && ci.Throttled:
			topapi++
		case ci.Err != nil:
			t.Errorf("an attempt failed for another reason than throttling: %v", ci.Err)
		}
	}
	ctrs := env.sim.Counters()
	total := ctrs.Total()
	if legacy == 0 || topapi == 0 {
		t.Errorf("throttled attempts: %d legacy 90018, %d topapi 88+90018; want both", legacy, topapi)
	}
	if int(total.Throttled) != legacy+topapi {
		t.Errorf("the simulator throttled %d calls, the client saw %d", total.Throttled, legacy+topapi)
	}
	list := ctrs["/attendance/list"]
	if list.Metered != list.Calls-list.Throttled {
		t.Errorf("/attendance/list: %d calls, %d throttled, %d metered: throttled calls must not be metered", list.Calls, list.Throttled, list.Metered)
	}
}

// Tokens expire in the middle of a pull: the simulator drops them between pages, and a short
// token life runs out while a slow answer keeps the service clock moving. The client drops the
// rejected token, fetches another and retries once; the pull is still exactly the truth.
func TestSim_Pull_TokenExpiry(t *testing.T) {
	t.Parallel()
	cfg := simCompany()
	cfg.TokenTTL = 10 * time.Second
	env := newSimEnv(t, cfg)
	var n atomic.Int64
	env.setOnCall(func(ci dingtalk.CallInfo) {
		if ci.Err != nil || ci.Path == "/gettoken" {
			return // the one retry with a new token is not sabotaged
		}
		switch k := n.Add(1); {
		case k%13 == 0:
			// The next call of this path answers after 15 s: the token the client sends is
			// fresh by its own clock and expired when the gateway looks at it.
			env.sim.FailNext(ci.Path, dingtalksim.Fault{Kind: dingtalksim.FaultSlow, Delay: 15 * time.Second}, 1)
		case k%7 == 0:
			env.sim.ExpireTokens()
		}
	})
	p := env.pullAll(context.Background())
	checkTruth(t, env.sim, p)

	rejected := map[string]int{}
	for _, ci := range env.Calls() {
		switch code := callCode(ci); {
		case code == 40014:
			rejected[ci.Path]++
		case ci.Err != nil:
			t.Errorf("an attempt failed for another reason than an expired token: %v", ci.Err)
		}
	}
	fetches := env.sim.Counters()["/gettoken"].Calls
	t.Logf("tokens rejected: %v; %d token fetches", rejected, fetches)
	for _, path := range []string{"/attendance/list", "/attendance/listRecord", "/topapi/v2/user/list",
		"/topapi/user/listsimple", "/topapi/attendance/schedule/listbyusers"} {
		if rejected[path] == 0 {
			t.Errorf("no token was rejected on %s", path)
		}
	}
	if want := int64(sum(rejected)); fetches < want {
		t.Errorf("%d token fetches after %d rejections: every rejection needs a new token", fetches, want)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// A simulator with a small monthly quota stops a pull with 90020 after exactly that many
// metered calls; the client does not retry it, and says what it means.
func TestSim_Pull_QuotaExhausted(t *testing.T) {
	t.Parallel()
	const quota = 20 // more than the pages of one chunk, fewer than two chunks'
	cfg := simCompany()
	cfg.MonthlyQuota = quota
	env := newSimEnv(t, cfg)
	ids := env.sim.Truth().UserIDs()
	rows, err := collect(env, env.c.Attendance.Results(context.Background(), ids,
		dingtalk.MustParseDate(pullFrom), dingtalk.MustParseDate(pullTo)))
	if !dingtalk.IsQuotaExhausted(err) {
		t.Fatalf("err = %v, want 90020", err)
	}
	if dingtalk.IsTransient(err) || dingtalk.IsThrottled(err) {
		t.Errorf("90020 must not look retryable: %v", err)
	}
	if !strings.Contains(err.Error(), "monthly quota") {
		t.Errorf("the error does not say the monthly quota is spent: %v", err)
	}
	var apiErr *dingtalk.APIError
	if !errors.As(err, &apiErr) || apiErr.Path != "/attendance/list" {
		t.Errorf("err = %#v, want an *APIError for /attendance/list", err)
	}

	ctr := env.sim.Counters()["/attendance/list"]
	if ctr.Metered != quota || env.sim.QuotaUsed() != quota {
		t.Errorf("metered %d, quota used %d; want exactly %d", ctr.Metered, env.sim.QuotaUsed(), quota)
	}
	if ctr.Calls != quota+1 {
		t.Errorf("%d calls of /attendance/list, want %d metered and 1 refused: 90020 was retried", ctr.Calls, quota)
	}
	refused := 0
	for _, ci := range env.Calls() {
		if ci.Errcode == 90020 {
			refused++
			if ci.Attempt != 1 || !ci.Metered || ci.Throttled {
				t.Errorf("the refused attempt: %+v", ci)
			}
		}
	}
	if refused != 1 {
		t.Errorf("%d attempts answered 90020, want 1", refused)
	}
	// What came before the refusal is whole chunks of the truth (never part of one), in
	// the order PlanChunks gives, each row once.
	got := sliceMap(rows, simResult)
	var want []dingtalksim.Result
	chunks := dingtalk.PlanChunks(ids, dingtalk.MustParseDate(pullFrom), dingtalk.MustParseDate(pullTo), dingtalk.MaxResultUsers, dingtalk.MaxResultDays)
	for _, ch := range chunks {
		if len(want) >= len(got) {
			break
		}
		want = append(want, env.sim.Truth().Results(ch.UserIDs, ch.From.String(), ch.To.String())...)
	}
	if len(got) == 0 {
		t.Errorf("no rows before the refusal: raise the quota above one chunk's pages")
	}
	compareRows(t, "results before the refusal", want, got, func(r dingtalksim.Result) int64 { return r.ID })
}
