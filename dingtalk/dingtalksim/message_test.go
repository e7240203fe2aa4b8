package dingtalksim

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWorkNotifications(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	truth := s.Truth()
	ids := truth.UserIDs()
	agent := itoa(int(DefaultAgentID))
	msg := `{"msgtype":"markdown","markdown":{"title":"考勤提醒","text":"### 今日缺卡\n请补卡"}}`

	wantErr(t, s.post("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":1,"userid_list":"`+ids[0]+`","msg":`+msg+`}`), 400002, "agent_id")
	wantErr(t, s.post("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":`+agent+`,"msg":`+msg+`}`), 40035, "userid_list")
	wantErr(t, s.post("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":`+agent+`,"userid_list":"`+strings.Join(ids[:101], ",")+`","msg":`+msg+`}`), 41029, "")
	wantErr(t, s.post("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":`+agent+`,"userid_list":"`+ids[0]+`","msg":{"msgtype":"poem"}}`), 40008, "")
	wantErr(t, s.post("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":`+agent+`,"userid_list":"`+ids[0]+`","msg":{"msgtype":"text"}}`), 40035, "msg.text")

	send := func(users string) int64 {
		var r struct {
			TaskID int64 `json:"task_id"`
		}
		s.ok("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":`+agent+`,"userid_list":"`+users+`","msg":`+msg+`}`, &r)
		return r.TaskID
	}
	first := send(ids[0] + "," + ids[1] + ",nobody")
	second := send(ids[1] + "," + ids[2]) // the same content again for ids[1] today
	if first == second || first == 0 {
		t.Fatalf("task ids %d, %d", first, second)
	}
	var r struct {
		SendResult struct {
			Invalid   []string `json:"invalid_user_id_list"`
			Forbidden []string `json:"forbidden_user_id_list"`
			Unread    []string `json:"unread_user_id_list"`
		} `json:"send_result"`
	}
	s.ok("/topapi/message/corpconversation/getsendresult", `{"agent_id":`+agent+`,"task_id":`+strconv.FormatInt(second, 10)+`}`, &r)
	if !slices.Equal(r.SendResult.Forbidden, []string{ids[1]}) || !slices.Equal(r.SendResult.Unread, []string{ids[2]}) || len(r.SendResult.Invalid) != 0 {
		t.Errorf("send result of the second task: %+v", r.SendResult)
	}
	wantErr(t, s.post("/topapi/message/corpconversation/getsendresult", `{"agent_id":`+agent+`,"task_id":1}`), 400002, "task_id")

	notes := s.Notifications()
	if len(notes) != 2 || notes[0].TaskID != first || notes[0].MsgType != "markdown" || !slices.Equal(notes[0].Invalid, []string{"nobody"}) ||
		!slices.Equal(notes[0].Delivered, ids[:2]) || !strings.Contains(string(notes[0].Msg), "今日缺卡") || !notes[0].At.Equal(wednesday) {
		t.Errorf("recorded notifications: %+v", notes)
	}
	if c := s.Counters()["/topapi/message/corpconversation/asyncsend_v2"]; c.Metered != 7 {
		t.Errorf("work notifications are metered: %+v", c)
	}
}

func TestRobot(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	s.AddRobot("plainrobot", "")
	send := func(token string, ts int64, sign, body string) string {
		q := url.Values{"access_token": {token}}
		if ts != 0 {
			q.Set("timestamp", strconv.FormatInt(ts, 10))
			q.Set("sign", sign)
		}
		_, b, _ := s.do("POST", "/robot/send?"+q.Encode(), "application/json", body)
		return b
	}
	now := s.clock.Now().UnixMilli()
	text := `{"msgtype":"text","text":{"content":"3 人未打卡"},"at":{"atMobiles":["13800000000"],"isAtAll":false}}`

	if b := send(DefaultRobotToken, now, RobotSign(DefaultRobotSecret, now), text); b != `{"errcode":0,"errmsg":"ok"}` {
		t.Fatalf("signed send: %s", b)
	}
	wantErr(t, send(DefaultRobotToken, now, RobotSign("SECwrong", now), text), 310000, "sign not match")
	old := now - int64(time.Hour/time.Millisecond) - 1000
	wantErr(t, send(DefaultRobotToken, old, RobotSign(DefaultRobotSecret, old), text), 310000, "invalid timestamp")
	wantErr(t, send(DefaultRobotToken, 0, "", text), 310000, "invalid timestamp")
	wantErr(t, send("unknown", now, "x", text), 300005, "token is not exist")
	wantErr(t, send(DefaultRobotToken, now, RobotSign(DefaultRobotSecret, now), `{"msgtype":"markdown","markdown":{"title":"t"}}`), 40035, "markdown")
	wantErr(t, send(DefaultRobotToken, now, RobotSign(DefaultRobotSecret, now), `{"msgtype":"video"}`), 40008, "")

	got := s.RobotMessages()
	if len(got) != 1 || got[0].Text != "3 人未打卡" || got[0].Robot != DefaultRobotToken || !slices.Equal(got[0].AtMobiles, []string{"13800000000"}) {
		t.Errorf("recorded robot messages: %+v", got)
	}

	// 20 a minute, then 10 minutes of refusals.
	for i := range 20 {
		if b := send("plainrobot", 0, "", text); errcode(t, b) != 0 {
			t.Fatalf("message %d: %s", i+1, b)
		}
	}
	wantErr(t, send("plainrobot", 0, "", text), 410100, "限流")
	s.clock.Add(9 * time.Minute)
	wantErr(t, send("plainrobot", 0, "", text), 410100, "限流")
	s.clock.Add(61 * time.Second)
	if b := send("plainrobot", 0, "", text); errcode(t, b) != 0 {
		t.Errorf("after 10 minutes: %s", b)
	}
	c := s.Counters()["/robot/send"]
	if c.Throttled != 2 || c.Metered != 0 || c.Calls != 30 {
		t.Errorf("robot counters %+v", c)
	}
}
