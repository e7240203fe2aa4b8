package dingtalk_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// jitter makes half the requests, at random, reach the simulator max later than the client
// sent them, as a network's queues do: it moves the shared service clock between the client's
// send and the simulator's gateway. Every 101 calls the caller also pauses for up to a second,
// so that the client's calls do not keep one phase against DingTalk's windows for the whole run.
func jitter(env *simEnv, seed uint64, max time.Duration) {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 1))
	n := 0
	env.setArrive(func(*http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n%101 == 0 {
			env.clock.Advance(time.Duration(rng.Int64N(int64(time.Second))))
		}
		if rng.IntN(2) == 0 {
			env.clock.Advance(max)
		}
	})
}

// The client runs at the simulator's own QPS, and half its calls reach the simulator 45 ms
// late. DingTalk counts calls in fixed 1-second windows by arrival: calls spaced exactly 1/QPS
// apart then put QPS+1 calls into a window whenever the last call before a window's edge is
// late and the one a second after it is not, which is a 90018. The client must leave enough
// room that this never happens.
func TestSim_Limiter_JitterCausesNo90018(t *testing.T) {
	t.Parallel()
	cfg := simCompany()
	cfg.QPS = dingtalk.DefaultQPS
	env := newSimEnv(t, cfg)
	jitter(env, 1, 45*time.Millisecond)
	f := newFixture(t, env.sim)
	const calls = 600 // half a minute of windows at 20 a second
	for range calls {
		ids, _, err := env.c.Users.ListIDs(context.Background(), f.big.ID)
		env.must(err)
		if len(ids) != len(f.big.Members) {
			t.Fatalf("listid: %d ids, truth %d", len(ids), len(f.big.Members))
		}
	}
	ctr := env.sim.Counters()["/topapi/user/listid"]
	if ctr.Throttled != 0 || ctr.Calls != calls {
		t.Errorf("%d of %d calls were throttled (88 + 90018): the client's spacing leaves no room for arrival jitter", ctr.Throttled, ctr.Calls)
	}
}

// The same for a group robot, whose limit is 20 messages in any minute and whose penalty is
// 10 minutes of refusals.
func TestSim_Limiter_RobotJitterCausesNoPenalty(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	jitter(env, 2, 2*time.Second)
	robot, err := dingtalk.NewRobot(env.url+"/robot/send?access_token="+dingtalksim.DefaultRobotToken, dingtalksim.DefaultRobotSecret,
		dingtalk.WithClock(env.clock.Now), dingtalk.WithSleep(env.clock.Sleep), dingtalk.WithCallHook(env.record))
	env.must(err)
	for i := range 60 {
		err := robot.Send(context.Background(), &dingtalk.RobotMessage{MsgType: "text", Text: &dingtalk.Text{Content: "提醒 " + string(rune('A'+i%26))}})
		if err != nil {
			env.noteErr(err)
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if got := len(env.sim.RobotMessages()); got != 60 {
		t.Errorf("the group got %d messages, want 60", got)
	}
	if n := env.sim.Counters()["/robot/send"].Throttled; n != 0 {
		t.Errorf("%d robot calls were throttled", n)
	}
}
