package dingtalksim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// punchesOf reads the dataList entries of the punch events in log.
func punchesOf(t *testing.T, log []SimEvent) []checkRecordJSON {
	t.Helper()
	var out []checkRecordJSON
	for _, ev := range log {
		if ev.Type != "attendance_check_record" {
			continue
		}
		var d struct {
			DataList []checkRecordJSON `json:"dataList"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil || len(d.DataList) == 0 {
			t.Fatalf("event %s: %s", ev.ID, ev.Data)
		}
		for _, r := range d.DataList {
			if ev.BornAt.UnixMilli() < r.CheckTime {
				t.Errorf("event %s born %s before its punch at %d", ev.ID, ev.BornAt, r.CheckTime)
			}
		}
		out = append(out, d.DataList...)
	}
	return out
}

// TestEvents_TheMorningPunches: as the company clock runs through a morning, every punch
// listRecord serves becomes one attendance_check_record, at most one push per person per
// minute, with DingTalk's string ids; leaves are announced by approval events whose
// process instance the workflow API knows.
func TestEvents_TheMorningPunches(t *testing.T) {
	s := newSim(t, Config{Seed: 7, Employees: 150, Now: time.Date(2026, 11, 18, 7, 0, 0, 0, shanghai)})
	for range 12 { // 07:00 to 10:00 in 15-minute steps
		s.Advance(15 * time.Minute)
		s.PumpEvents()
	}
	log := s.EventLog()
	got := punchesOf(t, log)
	ids := s.Truth().UserIDs()
	want := s.Truth().Records(ids, "2026-11-18", "2026-11-18")
	if len(want) < 100 || len(got) != len(want) {
		t.Fatalf("%d punches in events, listRecord has %d", len(got), len(want))
	}
	key := func(user string, at int64) string { return user + "@" + time.UnixMilli(at).String() }
	have := map[string]int{}
	for _, r := range got {
		have[key(r.UserID, r.CheckTime)]++
		if r.GroupID == "" || strings.Trim(r.GroupID, "0123456789") == "" || r.BizID == "" || !r.CheckByUser || r.CorpID != s.Config().CorpID {
			t.Errorf("record %+v: want DingTalk's string ids", r)
		}
	}
	for _, r := range want {
		if have[key(r.UserID, r.UserCheckTime)] != 1 {
			t.Errorf("punch %s at %d is in %d events", r.UserID, r.UserCheckTime, have[key(r.UserID, r.UserCheckTime)])
		}
	}
	last := map[string]time.Time{}
	approvals := 0
	for _, ev := range log {
		switch ev.Type {
		case "attendance_check_record":
			u := ev.UserIDs[0]
			if prev, ok := last[u]; ok && ev.BornAt.Sub(prev) < time.Minute {
				t.Errorf("%s pushed twice within a minute: %s and %s", u, prev, ev.BornAt)
			}
			last[u] = ev.BornAt
		case "attendance_approve_status_change":
			approvals++
			var d approveEvent
			json.Unmarshal(ev.Data, &d)
			var r struct {
				ProcessInstance struct {
					OriginatorUserID string `json:"originator_userid"`
					Status           string `json:"status"`
				} `json:"process_instance"`
			}
			s.ok("/topapi/processinstance/get", `{"process_instance_id":"`+d.ProcessInstanceID+`"}`, &r)
			if r.ProcessInstance.OriginatorUserID != ev.UserIDs[0] || r.ProcessInstance.Status != "COMPLETED" || d.Status != "finish" {
				t.Errorf("approval %s: %+v", ev.Data, r)
			}
		}
	}
	if approvals == 0 {
		t.Error("no leave was announced")
	}
	if b := s.post("/topapi/processinstance/get", `{"process_instance_id":"nope"}`); errcode(t, b) != 400002 {
		t.Errorf("unknown instance: %s", b)
	}
	// Nothing new when the clock has not moved; nothing for the past after SkipEvents.
	n := len(s.EventLog())
	s.PumpEvents()
	s.SetNow(time.Date(2026, 11, 18, 17, 0, 0, 0, shanghai))
	s.SkipEvents()
	s.PumpEvents()
	if len(s.EventLog()) != n {
		t.Errorf("%d events after SkipEvents, want %d", len(s.EventLog()), n)
	}
}

// TestEvents_OrgWrites: writes through the API and the helpers make contacts events, which
// do not count against the push quota.
func TestEvents_OrgWrites(t *testing.T) {
	s := newSim(t, Config{Seed: 3, Employees: 40, Events: EventsConfig{NoDay: true}})
	s.PumpEvents() // the baseline
	u, err := s.AddUser(NewUser{Name: "新同事", DeptIDs: []int64{1}})
	if err != nil {
		t.Fatal(err)
	}
	dept, err := s.AddDepartment(1, "事件测试部")
	if err != nil {
		t.Fatal(err)
	}
	old := s.Truth().UserIDs()[0]
	if err := s.Transfer(old, dept); err != nil {
		t.Fatal(err)
	}
	leaver := s.Truth().UserIDs()[1]
	if err := s.RemoveUser(leaver); err != nil {
		t.Fatal(err)
	}
	s.ok("/topapi/v2/department/update", `{"dept_id":`+itoa(int(dept))+`,"name":"事件测试二部"}`, nil)
	s.clock.Add(time.Second) // past the org scan's pause
	s.PumpEvents()
	var got []string
	for _, ev := range s.EventLog() {
		var d struct {
			UserID []string `json:"userId"`
			DeptID []int64  `json:"deptId"`
		}
		json.Unmarshal(ev.Data, &d)
		if len(d.UserID) > 0 {
			got = append(got, ev.Type+":"+d.UserID[0])
		} else {
			got = append(got, ev.Type+":"+itoa(int(d.DeptID[0])))
		}
	}
	slices.Sort(got)
	want := []string{"org_dept_create:" + itoa(int(dept)), "user_add_org:" + u.UserID, "user_leave_org:" + leaver, "user_modify_org:" + old}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if st := s.EventStats(); st.QuotaUsed != 0 {
		t.Errorf("contacts events counted: %+v", st)
	}
}

// TestGateway_Tickets: connections/open checks the app and the subscriptions; a ticket
// opens one connection, within 90 s.
func TestGateway_Tickets(t *testing.T) {
	s := newSim(t, Config{Employees: 10, Events: EventsConfig{NoDay: true}})
	open := func(body string) (int, map[string]string) {
		code, b, _ := s.do("POST", "/v1.0/gateway/connections/open", "application/json", body)
		var m map[string]string
		json.Unmarshal([]byte(b), &m)
		return code, m
	}
	good := `{"clientId":"` + DefaultAppKey + `","clientSecret":"` + DefaultAppSecret + `","subscriptions":[{"type":"EVENT","topic":"*"}],"ua":"t","localIp":""}`
	for _, tc := range []struct {
		body string
		code int
		want string
	}{
		{`{"clientId":"` + DefaultAppKey + `","clientSecret":"wrong","subscriptions":[{"type":"EVENT","topic":"*"}]}`, 401, "InvalidAuthentication"},
		{`{"clientId":"` + DefaultAppKey + `","clientSecret":"` + DefaultAppSecret + `","subscriptions":[{"type":"EVENT","topic":"user_add_org"}]}`, 400, "InvalidParameter"},
		{`{"clientId":"` + DefaultAppKey + `","clientSecret":"` + DefaultAppSecret + `"}`, 400, "MissingParameter"},
		{`not json`, 400, "InvalidParameter"},
	} {
		if code, m := open(tc.body); code != tc.code || m["code"] != tc.want || m["requestid"] == "" {
			t.Errorf("%s: %d %v", tc.body, code, m)
		}
	}
	code, m := open(good)
	if code != 200 || !strings.HasPrefix(m["endpoint"], "ws://") || !strings.HasSuffix(m["endpoint"], "/connect") || len(m["ticket"]) < 32 {
		t.Fatalf("open: %d %v", code, m)
	}
	dial := func(ticket string) int {
		req, _ := http.NewRequest("GET", s.url+"/connect?ticket="+ticket, nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := dial(m["ticket"]); code != http.StatusSwitchingProtocols {
		t.Errorf("first use of the ticket: %d", code)
	}
	if code := dial(m["ticket"]); code != http.StatusUnauthorized {
		t.Errorf("second use of the ticket: %d, want 401", code)
	}
	_, m = open(good)
	s.clock.Add(91 * time.Second)
	if code := dial(m["ticket"]); code != http.StatusUnauthorized {
		t.Errorf("a ticket 91 s old: %d, want 401", code)
	}
	if code := dial("made-up"); code != http.StatusUnauthorized {
		t.Errorf("a made-up ticket: %d, want 401", code)
	}
}
