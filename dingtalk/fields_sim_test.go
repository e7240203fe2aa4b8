package dingtalk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// TestSim_EveryFieldKnown reads the simulator's raw answers and checks that every key it
// sends, at every depth, is a field of the client's type for that answer, spelled exactly the
// same. encoding/json would match "unionId" to `json:"unionid"` silently, and drop a key the
// client does not know, so a disagreement here would otherwise only show as a zero value.
func TestSim_EveryFieldKnown(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, simCompany())
	ctx := context.Background()
	tr := env.sim.Truth()
	users := tr.Users()
	f := newFixture(t, env.sim)
	split, leaveUser := f.split.UserID, f.leave.UserID
	leaveDay := env.sim.Date(time.UnixMilli(f.leave.StartTime))
	big := f.big.ID
	ids := tr.UserIDs()[:50]
	from, to := dingtalk.MustParseDate("2026-11-12"), dingtalk.MustParseDate("2026-11-18")
	loc := env.c.Location()
	ch := dingtalk.Chunk{UserIDs: ids, DateRange: dingtalk.DateRange{From: from, To: to}}
	taskID, _, err := env.c.Messages.Send(ctx, &dingtalk.WorkNotification{AgentID: env.sim.Config().AgentID,
		UserIDs: ids[:3], Msg: dingtalk.TextMessage("考勤提醒")})
	env.must(err)

	cases := []struct {
		path string
		body any
		into any // the client type of the whole answer
	}{
		{"/attendance/list", map[string]any{"workDateFrom": leaveDay + " 00:00:00", "workDateTo": leaveDay + " 00:00:00", "userIdList": []string{leaveUser}, "offset": 0, "limit": 50},
			struct {
				HasMore      bool              `json:"hasMore"`
				RecordResult []dingtalk.Result `json:"recordresult"`
			}{}},
		{"/attendance/listRecord", map[string]any{"userIds": ids, "checkDateFrom": "2026-11-12 00:00:00", "checkDateTo": "2026-11-18 23:59:59"},
			struct {
				RecordResult []dingtalk.Record `json:"recordresult"`
			}{}},
		{"/topapi/attendance/getleavestatus", map[string]any{"userid_list": strings.Join(tr.UserIDs()[:100], ","),
			"start_time": ch.LeaveStatusOptions(loc).Start.UnixMilli(), "end_time": ch.LeaveStatusOptions(loc).End.UnixMilli(), "offset": 0, "size": 20},
			topResult[struct {
				HasMore     bool                   `json:"has_more"`
				LeaveStatus []dingtalk.LeaveStatus `json:"leave_status"`
			}]{}},
		{"/topapi/attendance/schedule/listbyusers", map[string]any{"op_user_id": env.boss(), "userids": strings.Join(append(ids[:49:49], leaveUser), ","),
			"from_date_time": ch.ScheduleOptions("", loc).From.UnixMilli(), "to_date_time": ch.ScheduleOptions("", loc).To.UnixMilli()},
			topResult[[]dingtalk.UserSchedule]{}},
		{"/topapi/attendance/listschedule", map[string]any{"workDate": "2026-11-18 00:00:00", "offset": 0, "size": 200},
			topResult[struct {
				Schedules []dingtalk.DaySchedule `json:"schedules"`
				HasMore   bool                   `json:"has_more"`
			}]{}},
		{"/topapi/attendance/getsimplegroups", map[string]any{"offset": 0, "size": 10},
			topResult[struct {
				HasMore bool             `json:"has_more"`
				Groups  []dingtalk.Group `json:"groups"`
			}]{}},
		{"/topapi/attendance/getusergroup", map[string]any{"userid": split}, topResult[dingtalk.UserGroup]{}},
		{"/topapi/attendance/getusergroup", map[string]any{"userid": ids[0]}, topResult[dingtalk.UserGroup]{}},
		{"/topapi/attendance/getupdatedata", map[string]any{"userid": leaveUser, "work_date": leaveDay + " 00:00:00"}, topResult[dingtalk.UpdateData]{}},
		{"/topapi/attendance/getupdatedata", map[string]any{"userid": ids[1], "work_date": "2026-11-17 00:00:00"}, topResult[dingtalk.UpdateData]{}},
		{"/topapi/attendance/getleaveapproveduration", map[string]any{"userid": ids[0], "from_date": "2026-11-17 09:00:00", "to_date": "2026-11-17 18:00:00"},
			topResult[struct {
				DurationInMinutes dingtalk.FlexInt `json:"duration_in_minutes"`
			}]{}},
		{"/topapi/v2/department/listsub", map[string]any{"dept_id": 1}, topResult[[]dingtalk.Department]{}},
		{"/topapi/v2/department/listsubid", map[string]any{"dept_id": 1}, topResult[struct {
			DeptIDList []dingtalk.FlexInt `json:"dept_id_list"`
		}]{}},
		{"/topapi/v2/department/get", map[string]any{"dept_id": big}, topResult[dingtalk.Department]{}},
		{"/topapi/user/listsimple", map[string]any{"dept_id": big, "cursor": 0, "size": 100}, topResult[userPage[dingtalk.SimpleUser]]{}},
		{"/topapi/v2/user/list", map[string]any{"dept_id": big, "cursor": 0, "size": 100}, topResult[userPage[dingtalk.User]]{}},
		{"/topapi/user/listid", map[string]any{"dept_id": big}, topResult[struct {
			UserIDList []string `json:"userid_list"`
		}]{}},
		{"/topapi/v2/user/get", map[string]any{"userid": ids[2]}, topResult[dingtalk.User]{}},
		{"/topapi/v2/user/getbymobile", map[string]any{"mobile": users[3].Mobile}, topResult[struct {
			UserID string `json:"userid"`
		}]{}},
		{"/topapi/v2/user/create", map[string]any{"name": "字段", "mobile": "13900009999", "dept_id_list": fmt.Sprint(big)}, topResult[dingtalk.CreatedUser]{}},
		{"/topapi/message/corpconversation/getsendresult", map[string]any{"agent_id": env.sim.Config().AgentID, "task_id": taskID},
			struct {
				SendResult dingtalk.SendResult `json:"send_result"`
			}{}},
	}
	for _, tc := range cases {
		req, err := env.c.NewRequest("POST", tc.path, tc.body)
		env.must(err)
		var raw json.RawMessage
		_, err = env.c.Do(ctx, req, &raw)
		env.must(err)
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		var problems []string
		unknownKeys(v, reflect.TypeOf(tc.into), tc.path, &problems)
		sort.Strings(problems)
		for _, p := range slices.Compact(problems) {
			t.Errorf("%s", p)
		}
	}
}

// topResult is a topapi answer: the payload under "result".
type topResult[T any] struct {
	Result T `json:"result"`
}

type userPage[T any] struct {
	HasMore    bool             `json:"has_more"`
	NextCursor dingtalk.FlexInt `json:"next_cursor"`
	List       []T              `json:"list"`
}

// tolerated are keys the simulator sends that the reference does not list and the client has
// no use for.
var tolerated = map[string]bool{
	"/topapi/attendance/getsimplegroups.result.groups[].dept_ids": true,
}

// envelopeKeys are the keys of DingTalk's envelopes, which Do reads itself.
var envelopeKeys = map[string]bool{"errcode": true, "errmsg": true, "request_id": true}

// unknownKeys reports every key of v that the type t has no field for, exactly spelled.
func unknownKeys(v any, t reflect.Type, at string, problems *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return // FlexInt, DateTime...: decoded as a whole
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			*problems = append(*problems, fmt.Sprintf("%s: an object where the client expects %s", at, t))
			return
		}
		fields := jsonFields(t)
		for k, val := range x {
			if envelopeKeys[k] && !strings.Contains(at, ".") {
				continue
			}
			f, ok := fields[k]
			if !ok && tolerated[at+"."+k] {
				continue
			}
			if !ok {
				var near []string
				for name := range fields {
					if strings.EqualFold(name, k) {
						near = append(near, name)
					}
				}
				if len(near) > 0 {
					*problems = append(*problems, fmt.Sprintf("%s: the simulator sends %q, the client's field is %q", at, k, near[0]))
				} else {
					*problems = append(*problems, fmt.Sprintf("%s: the simulator sends %q, which the client does not read", at, k))
				}
				continue
			}
			unknownKeys(val, f, at+"."+k, problems)
		}
	case []any:
		if t.Kind() != reflect.Slice {
			*problems = append(*problems, fmt.Sprintf("%s: an array where the client expects %s", at, t))
			return
		}
		for _, e := range x {
			unknownKeys(e, t.Elem(), at+"[]", problems)
		}
	}
}

// jsonFields maps the JSON names of a struct's fields (embedded ones included) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
