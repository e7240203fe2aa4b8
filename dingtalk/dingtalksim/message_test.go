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

// TestWorkNotifications_Limits: the same content reaches a person once a day (143106), at
// most 500 messages a day reach them (143105); both calls still answer success, and only
// getsendresult and the person's inbox tell. A new day starts both afresh.
func TestWorkNotifications_Limits(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{MonthlyQuota: -1})
	ids := s.Truth().UserIDs()
	agent := itoa(int(DefaultAgentID))
	send := func(users, text string) int64 {
		t.Helper()
		var r struct {
			TaskID int64 `json:"task_id"`
		}
		s.ok("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":`+agent+`,"userid_list":"`+users+`","msg":{"msgtype":"text","text":{"content":"`+text+`"}}}`, &r)
		return r.TaskID
	}
	type fl struct {
		Code   string `json:"code"`
		UserID string `json:"userid"`
	}
	result := func(task int64) (unread []string, forbidden []fl) {
		t.Helper()
		var r struct {
			SendResult struct {
				Unread    []string `json:"unread_user_id_list"`
				Forbidden []fl     `json:"forbidden_list"`
			} `json:"send_result"`
		}
		s.ok("/topapi/message/corpconversation/getsendresult", `{"agent_id":`+agent+`,"task_id":`+strconv.FormatInt(task, 10)+`}`, &r)
		return r.SendResult.Unread, r.SendResult.Forbidden
	}

	for i := range MaxMessagesPerDay {
		send(ids[0], "提醒 "+strconv.Itoa(i))
	}
	task := send(ids[0]+","+ids[1], "提醒 0") // a duplicate for ids[0], new for ids[1]
	if unread, forbidden := result(task); !slices.Equal(unread, []string{ids[1]}) || !slices.Equal(forbidden, []fl{{CodeDuplicate, ids[0]}}) {
		t.Errorf("a duplicate: unread %v, forbidden %v", unread, forbidden)
	}
	task = send(ids[0]+","+ids[1], "第501条")
	if unread, forbidden := result(task); !slices.Equal(unread, []string{ids[1]}) || !slices.Equal(forbidden, []fl{{CodeDailyCap, ids[0]}}) {
		t.Errorf("over the daily cap: unread %v, forbidden %v", unread, forbidden)
	}
	inbox := s.Inbox(ids[0])
	if len(inbox) != MaxMessagesPerDay || inbox[0].Text != "提醒 0" || inbox[499].Text != "提醒 499" || !inbox[0].At.Equal(wednesday) {
		t.Fatalf("ids[0]'s inbox: %d messages, first %+v", len(inbox), inbox[0])
	}
	if got := s.Inbox(ids[1]); len(got) != 2 || got[0].Text != "提醒 0" || got[1].Text != "第501条" {
		t.Errorf("ids[1]'s inbox: %+v", got)
	}

	// The next day: the same content, and a 501st message, arrive.
	s.SetNow(wednesday.Add(24 * time.Hour))
	task = send(ids[0], "提醒 0")
	if unread, forbidden := result(task); !slices.Equal(unread, []string{ids[0]}) || len(forbidden) != 0 {
		t.Errorf("the next day: unread %v, forbidden %v", unread, forbidden)
	}
	if n := len(s.Inbox(ids[0])); n != MaxMessagesPerDay+1 {
		t.Errorf("ids[0] has %d messages after the next day's, want %d", n, MaxMessagesPerDay+1)
	}
	var got struct {
		Messages []InboxMessage `json:"messages"`
	}
	_, body, _ := s.do("GET", "/_sim/inbox?userid="+ids[1], "", "")
	decode(t, body, &got)
	if len(got.Messages) != 2 || got.Messages[1].Text != "第501条" {
		t.Errorf("GET /_sim/inbox?userid=: %s", body)
	}
}

// TestRobot_MsgUUID: a retried message (the same msgUuid) is answered like the first and
// posted once; it still counts toward the robot's 20 a minute.
func TestRobot_MsgUUID(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	s.AddRobot("plainrobot", "")
	send := func(body string) string {
		_, b, _ := s.do("POST", "/robot/send?access_token=plainrobot", "application/json", body)
		return b
	}
	msg := `{"msgtype":"text","text":{"content":"10:00 考勤播报"},"msgUuid":"u-1"}`
	for range 3 {
		if b := send(msg); errcode(t, b) != 0 {
			t.Fatalf("send: %s", b)
		}
	}
	if got := s.RobotInbox("plainrobot"); len(got) != 1 || got[0].MsgUUID != "u-1" || got[0].Text != "10:00 考勤播报" {
		t.Errorf("the robot's group: %+v", got)
	}
	for i := range 17 {
		if b := send(`{"msgtype":"text","text":{"content":"` + strconv.Itoa(i) + `"}}`); errcode(t, b) != 0 {
			t.Fatalf("message %d: %s", i+4, b)
		}
	}
	wantErr(t, send(`{"msgtype":"text","text":{"content":"21st"}}`), 410100, "限流")
	if n := len(s.RobotInbox("plainrobot")); n != 18 {
		t.Errorf("%d messages posted, want 18", n)
	}
	if n := len(s.RobotInbox(DefaultRobotToken)); n != 0 {
		t.Errorf("another robot's group has %d messages", n)
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
	// Each posted message spends a Webhook & Stream push; refused ones do not.
	if used := s.EventStats().QuotaUsed; used != 22 {
		t.Errorf("pushes counted %d, want 22 (the messages posted)", used)
	}
}
