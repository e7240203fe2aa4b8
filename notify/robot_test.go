package notify_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// TestRobot_NeverMoreThan20AMinute: two robot rules post a summary of each of 19 departments
// to one group at 10:00, 38 messages: they go out signed, each once, never more than 20 in a
// minute (DingTalk would ban the robot for 10 minutes), and a robot with a wrong secret is
// recorded as failed with DingTalk's code.
func TestRobot_NeverMoreThan20AMinute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{employees: 1000, noRefresh: true})
	e.morningSync()
	var depts []int64
	for _, d := range e.org().Departments {
		if d.ParentID != 0 {
			depts = append(depts, d.ID)
		}
	}
	if len(depts) < 15 {
		t.Fatalf("%d departments: the test needs more", len(depts))
	}
	for _, name := range []string{"部门播报", "部门播报二"} {
		e.rule(kaoqin.ReminderRule{Name: name, Channel: kaoqin.ChannelRobot, At: "10:00", DeptIDs: depts,
			RobotURL: e.robotURL(), RobotSecret: dingtalksim.DefaultRobotSecret})
	}
	e.sim.AddRobot("otherrobot", "SECright")
	e.rule(kaoqin.ReminderRule{Name: "错误的签名", Channel: kaoqin.ChannelRobot, At: "10:00",
		RobotURL: e.srv.URL + "/robot/send?access_token=otherrobot", RobotSecret: "SECwrong"})

	var mu sync.Mutex
	var posts []time.Time // service clock of every call to the default robot
	e.handler.on("/robot/send", func(r *http.Request) {
		if r.URL.Query().Get("access_token") == dingtalksim.DefaultRobotToken {
			mu.Lock()
			posts = append(posts, e.real.Now())
			mu.Unlock()
		}
	}, nil)
	e.set(at("10:00"))
	for range 300 {
		must(t, e.n.Tick(context.Background()))
		if len(e.sim.RobotInbox(dingtalksim.DefaultRobotToken)) == 2*len(depts) {
			break
		}
		e.real.Add(time.Second)
	}
	got := e.sim.RobotInbox(dingtalksim.DefaultRobotToken)
	if len(got) != 2*len(depts) {
		t.Fatalf("%d robot messages posted, want %d", len(got), 2*len(depts))
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.Text] {
			t.Errorf("posted twice: %q", m.Text)
		}
		seen[m.Text] = true
		if m.MsgUUID == "" || !strings.Contains(m.Text, "应到") || !strings.Contains(m.Text, "11月18日 10:00") {
			t.Errorf("message %+v", m)
		}
	}
	if c := e.sim.Counters()["/robot/send"]; c.Throttled != 0 {
		t.Errorf("DingTalk throttled the robot %d times", c.Throttled)
	}
	for i := range posts {
		n := 0
		for _, p := range posts[i:] {
			if p.Sub(posts[i]) < time.Minute {
				n++
			}
		}
		if n > 20 {
			t.Fatalf("%d messages in the minute from %s", n, posts[i].Format(time.TimeOnly))
		}
	}
	msgs, err := e.db.Reminders(context.Background(), kaoqin.ReminderFilter{From: day, To: day})
	must(t, err)
	failed := 0
	for _, m := range msgs {
		switch {
		case m.State == kaoqin.ReminderFailed && strings.Contains(m.Reason, "310000"):
			failed++
		case m.State != kaoqin.ReminderDelivered:
			t.Errorf("message %s: %s %s", m.Key, m.State, m.Reason)
		}
	}
	if failed != 1 {
		t.Errorf("%d messages of the robot with a wrong secret failed with 310000, want 1", failed)
	}
	t.Logf("%d robot messages posted over %s of real time", len(posts), posts[len(posts)-1].Sub(posts[0]).Round(time.Second))
}
