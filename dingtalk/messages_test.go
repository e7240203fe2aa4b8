package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMessagesService_Send(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/message/corpconversation/asyncsend_v2", func(w http.ResponseWriter, r *http.Request) {
		// The reference's example.
		testJSONBody(t, r, `{"agent_id":123456,"userid_list":"u1,u2","msg":{"msgtype":"markdown","markdown":{"title":"考勤提醒","text":"### 今日缺卡\n请补卡"}}}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","task_id":256271667526,"request_id":"4jzllmte0wau"}`)
	})
	id, resp, err := env.client.Messages.Send(context.Background(), &WorkNotification{
		AgentID: 123456, UserIDs: []string{"u1", "u2"}, Msg: MarkdownMessage("考勤提醒", "### 今日缺卡\n请补卡"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if id != 256271667526 || resp.RequestID != "4jzllmte0wau" {
		t.Errorf("task %d, response %+v", id, resp)
	}
	if calls := env.Calls(); len(calls) != 1 || !calls[0].Metered {
		t.Errorf("a work notification must be metered: %+v", calls)
	}
}

func TestMessagesService_Send_ToDepartmentsText(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/message/corpconversation/asyncsend_v2", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"agent_id":1,"dept_id_list":"2,3","msg":{"msgtype":"text","text":{"content":"hi"}}}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","task_id":"7","request_id":"r"}`)
	})
	id, _, err := env.client.Messages.Send(context.Background(), &WorkNotification{AgentID: 1, DeptIDs: []int64{2, 3}, Msg: TextMessage("hi")})
	if err != nil || id != 7 {
		t.Fatalf("got %d, %v", id, err)
	}
}

func TestMessagesService_Send_Invalid(t *testing.T) {
	t.Parallel()
	env := setup(t)
	users := make([]string, 101)
	for i := range users {
		users[i] = fmt.Sprint(i)
	}
	for name, n := range map[string]*WorkNotification{
		"NoAgent":      {UserIDs: []string{"u"}, Msg: TextMessage("x")},
		"NoRecipients": {AgentID: 1, Msg: TextMessage("x")},
		"TooMany":      {AgentID: 1, UserIDs: users, Msg: TextMessage("x")},
		"NoMsgType":    {AgentID: 1, ToAllUser: true},
		"TooBig":       {AgentID: 1, ToAllUser: true, Msg: TextMessage(strings.Repeat("字", 700))},
	} {
		if _, _, err := env.client.Messages.Send(context.Background(), n); !IsInvalidParam(err) {
			t.Errorf("%s: error %v, want invalid", name, err)
		}
	}
}

func TestMessagesService_SendResult(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/message/corpconversation/getsendresult", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"agent_id":123456,"task_id":256271667526}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","request_id":"r","send_result":{
			"invalid_user_id_list":["bad"],"forbidden_user_id_list":["f1"],"failed_user_id_list":[],
			"read_user_id_list":["u1"],"unread_user_id_list":["u2"],"invalid_dept_id_list":[9],
			"forbidden_list":[{"code":"143105","count":1,"userid":"f1"}]}}`)
	})
	got, _, err := env.client.Messages.SendResult(context.Background(), 123456, 256271667526)
	if err != nil {
		t.Fatal(err)
	}
	want := &SendResult{
		InvalidUserIDs: []string{"bad"}, ForbiddenUserIDs: []string{"f1"}, FailedUserIDs: []string{},
		ReadUserIDs: []string{"u1"}, UnreadUserIDs: []string{"u2"}, InvalidDeptIDs: []FlexInt{9},
		ForbiddenList: []Forbidden{{Code: "143105", Count: 1, UserID: "f1"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
