package dingtalk

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The bodies below are the samples of DingTalk's event pages (Stream and HTTP forms).
func TestEvent_Decode(t *testing.T) {
	checkStream := `{"dataList":[{"address":"中国科学院xxx物理研究所","corpId":"dingxxxx","checkTime":1570791880000,
		"locationResult":"Normal","groupId":"4C63xxxx","latitude":30.285230848524307,"bizId":"FF62xxxx","locationMethod":"MAP",
		"userId":"0126xxxx","deviceSN":"160xxxxx6KN0294","checkByUser":true,"longitude":120.01713514539931}]}`
	p := decodeOK(t, Event{ID: "e1", Type: EventCheckRecord, Data: json.RawMessage(checkStream)})
	want := CheckRecord{UserID: "0126xxxx", CheckTime: 1570791880000, GroupID: "4C63xxxx", BizID: "FF62xxxx", CorpID: "dingxxxx",
		LocationResult: "Normal", LocationMethod: "MAP", Address: "中国科学院xxx物理研究所", Latitude: 30.285230848524307,
		Longitude: 120.01713514539931, DeviceSN: "160xxxxx6KN0294", CheckByUser: true}
	if len(p.CheckRecords) != 1 || p.CheckRecords[0] != want {
		t.Errorf("check record %+v", p.CheckRecords)
	}

	// The HTTP form: fields at the top level; old pages spell DataList, ids may be numbers,
	// checkTime a string, and a replay says checkByUser false.
	http := []byte(`{"EventType":"attendance_check_record","EventTime":1663143335567,"CorpId":"ding9f","BizId":"1663",
		"eventId":"c7c7120f","DataList":[{"userId":"u1","checkTime":"1570791880000","groupId":123,"checkByUser":false}]}`)
	e, err := ParseCallback(http)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "c7c7120f" || e.Type != EventCheckRecord || e.BornAt != 1663143335567 || e.CorpID != "ding9f" {
		t.Errorf("callback head %+v", e)
	}
	p = decodeOK(t, e)
	if r := p.CheckRecords[0]; r.UserID != "u1" || r.CheckTime != 1570791880000 || r.GroupID != "123" || r.CheckByUser {
		t.Errorf("HTTP check record %+v", r)
	}

	p = decodeOK(t, Event{Type: EventUserModify, Data: json.RawMessage(`{"timeStamp":"1608017258073","diffInfo":{"prev":{"name":"测试01"},"curr":{"name":"测试1"},"userid":"user123456"},"userId":["user123456"]}`)})
	if !slices.Equal(p.UserIDs, []string{"user123456"}) {
		t.Errorf("user_modify_org users %v", p.UserIDs)
	}
	p = decodeOK(t, Event{Type: EventDeptCreate, Data: json.RawMessage(`{"timeStamp":"1","deptId":[123,"456"]}`)})
	if !slices.Equal(p.DeptIDs, []int64{123, 456}) {
		t.Errorf("dept ids %v", p.DeptIDs)
	}
	p = decodeOK(t, Event{Type: EventApproveStatus, Data: json.RawMessage(`{"approveType":"LEAVE","processInstanceId":"xxxx-fdr","mainProcessInstanceId":"xxxx-fdr","corpId":"dingxxxx","processCode":"xxxx","status":"finish"}`)})
	if p.ApproveType != "LEAVE" || p.ProcessInstanceID != "xxxx-fdr" || p.ApproveStatus != "finish" {
		t.Errorf("approval %+v", p)
	}
	p = decodeOK(t, Event{Type: EventBossCheck, Data: json.RawMessage(`{"workDate":"2020-11-10 00:00:00","action":"attend_bossCheck_update","planId":123,"userId":"001"}`)})
	if p.WorkDate.String() != "2020-11-10" || p.PlanID != 123 || !slices.Equal(p.UserIDs, []string{"001"}) {
		t.Errorf("boss check %+v", p)
	}
	p = decodeOK(t, Event{Type: EventDailySummary, Data: json.RawMessage(`{"workDate":"2023-12-12","userId":"1234"}`)})
	if p.WorkDate.String() != "2023-12-12" || p.UserIDs[0] != "1234" {
		t.Errorf("daily summary %+v", p)
	}
	// A work date as an instant is read in the org's zone.
	p = decodeOK(t, Event{Type: EventDailySummary, Data: json.RawMessage(`{"workDate":1702310400000,"userId":"1234"}`)})
	if p.WorkDate.String() != "2023-12-12" {
		t.Errorf("work date from ms: %s", p.WorkDate)
	}

	for _, bad := range []Event{
		{Type: EventCheckRecord, Data: json.RawMessage(`{"dataList":[]}`)},
		{Type: EventCheckRecord, Data: json.RawMessage(`{"dataList":[{"userId":"","checkTime":1}]}`)},
		{Type: EventCheckRecord, Data: json.RawMessage(`{"dataList":[{"userId":"u","checkTime":"soon"}]}`)},
		{Type: EventUserAdd, Data: json.RawMessage(`{"userId":[]}`)},
		{Type: EventDeptRemove, Data: json.RawMessage(`{"deptId":["x"]}`)},
		{Type: EventApproveStatus, Data: json.RawMessage(`{"approveType":"LEAVE"}`)},
		{Type: EventBossCheck, Data: json.RawMessage(`{"workDate":"2020/11/10","userId":"u"}`)},
		{Type: EventBossCheck, Data: json.RawMessage(`{"workDate":"2020-11-10","userId":["a","b"]}`)},
		{Type: EventCheckRecord, Data: json.RawMessage(`[1,2]`)},
		{Type: "chat_disband", Data: json.RawMessage(`{}`)},
	} {
		if p, err := bad.Decode(shanghai); err == nil {
			t.Errorf("%s %s decoded: %+v", bad.Type, bad.Data, p)
		}
	}
	for _, bad := range []string{``, `[]`, `{"EventType":""}`, `{"EventType":1}`, `not json`} {
		if e, err := ParseCallback([]byte(bad)); err == nil {
			t.Errorf("ParseCallback(%q) = %+v", bad, e)
		}
	}
	if !IsContactsEvent(EventUserLeave) || !IsContactsEvent(EventDeptRemove) || IsContactsEvent(EventCheckRecord) || IsContactsEvent(EventBossCheck) {
		t.Error("IsContactsEvent")
	}
}

func decodeOK(t *testing.T, e Event) *EventPayload {
	t.Helper()
	p, err := e.Decode(shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FuzzEventDecode feeds the decoder any body, as an HTTP push's message and as Stream data of
// every type: it must never panic, and what it accepts keeps the promises callers rely on.
func FuzzEventDecode(f *testing.F) {
	for _, s := range []string{
		`{"EventType":"attendance_check_record","eventId":"x","dataList":[{"userId":"u","checkTime":1570791880000,"checkByUser":true}]}`,
		`{"EventType":"user_add_org","eventId":"y","userId":["a","b"]}`,
		`{"EventType":"org_dept_remove","deptId":[1]}`,
		`{"EventType":"attend_bossCheck_change","workDate":"2020-11-10 00:00:00","planId":"12","userId":"u"}`,
		`{"EventType":"attendance_approve_status_change","approveType":"LEAVE","processInstanceId":"p","status":"finish"}`,
		`{"dataList":[{"userId":"u","checkTime":"1e3"}]}`,
		`{"userId":"u","workDate":1702310400000}`,
	} {
		f.Add([]byte(s))
	}
	types := []string{EventCheckRecord, EventApproveStatus, EventBossCheck, EventDailySummary, EventUserAdd,
		EventUserModify, EventUserLeave, EventDeptCreate, EventDeptModify, EventDeptRemove}
	f.Fuzz(func(t *testing.T, body []byte) {
		if e, err := ParseCallback(body); err == nil {
			if e.Type == "" {
				t.Fatal("accepted a message without EventType")
			}
			check(t, e)
		}
		for _, typ := range types {
			check(t, Event{ID: "f", Type: typ, Data: body})
		}
	})
}

func check(t *testing.T, e Event) {
	p, err := e.Decode(shanghai)
	if err != nil {
		if p != nil {
			t.Fatalf("%s: a failure returned a payload", e.Type)
		}
		return
	}
	switch e.Type {
	case EventCheckRecord:
		if len(p.CheckRecords) == 0 {
			t.Fatal("a punch event without records")
		}
		for _, r := range p.CheckRecords {
			if r.UserID == "" || r.CheckTime <= 0 {
				t.Fatalf("record without user or time: %+v", r)
			}
		}
	case EventUserAdd, EventUserModify, EventUserLeave:
		if len(p.UserIDs) == 0 || slices.Contains(p.UserIDs, "") {
			t.Fatalf("users %q", p.UserIDs)
		}
	case EventDeptCreate, EventDeptModify, EventDeptRemove:
		if len(p.DeptIDs) == 0 {
			t.Fatal("no departments")
		}
	case EventBossCheck, EventDailySummary:
		if len(p.UserIDs) != 1 || strings.TrimSpace(p.UserIDs[0]) == "" || p.WorkDate.IsZero() {
			t.Fatalf("day change %+v", p)
		}
	case EventApproveStatus:
		if p.ProcessInstanceID == "" || p.ApproveStatus == "" {
			t.Fatalf("approval %+v", p)
		}
	}
}
