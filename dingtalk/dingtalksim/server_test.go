package dingtalksim

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestGetToken(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	secret := url.QueryEscape(DefaultAppSecret)

	for _, q := range []string{"", "?appkey=" + DefaultAppKey, "?appsecret=" + secret} {
		_, body, _ := s.do("GET", "/gettoken"+q, "", "")
		if body != `{"errcode":40035,"errmsg":"缺少参数 corpid or appkey"}` {
			t.Errorf("gettoken%s: %s", q, body)
		}
	}
	_, body, _ := s.do("GET", "/gettoken?appkey="+DefaultAppKey+"&appsecret=wrong", "", "")
	if body != `{"errcode":40096,"errmsg":"不合法的appKey或appSecret"}` {
		t.Errorf("bad secret: %s", body)
	}
	_, body, _ = s.do("POST", "/gettoken?appkey="+DefaultAppKey+"&appsecret="+secret, "application/json", "{}")
	wantErr(t, body, 43001, "需要GET请求")

	_, body, h := s.do("GET", "/gettoken?appkey="+DefaultAppKey+"&appsecret="+secret, "", "")
	var r struct {
		Errcode     int    `json:"errcode"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	decode(t, body, &r)
	if r.Errcode != 0 || len(r.AccessToken) != 32 || r.ExpiresIn != 7200 {
		t.Errorf("token answer: %s", body)
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if strings.Contains(body, DefaultAppSecret) {
		t.Error("the answer echoes the secret")
	}
}

func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{TokenTTL: 100 * time.Second})
	fetch := func() string {
		_, body, _ := s.do("GET", "/gettoken?appkey="+DefaultAppKey+"&appsecret="+url.QueryEscape(DefaultAppSecret), "", "")
		var r struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
		}
		decode(t, body, &r)
		if r.ExpiresIn != 100 {
			t.Errorf("expires_in %d, want 100", r.ExpiresIn)
		}
		return r.AccessToken
	}
	use := func(tok string) (legacy, top string) {
		_, legacy, _ = s.do("POST", "/attendance/listRecord?access_token="+tok, "application/json",
			`{"userIds":["x"],"checkDateFrom":"2026-11-18 00:00:00","checkDateTo":"2026-11-18 10:00:00"}`)
		_, top, _ = s.do("POST", "/topapi/v2/department/listsubid?access_token="+tok, "application/json", `{"dept_id":1}`)
		return legacy, top
	}

	first := fetch()
	s.clock.Add(90 * time.Second)
	if again := fetch(); again != first {
		t.Fatalf("a token within its life was replaced: %s then %s", first, again)
	}
	s.clock.Add(90 * time.Second) // 180 s after issue, 90 s after the extension
	if l, tp := use(first); errcode(t, l) != 0 || errcode(t, tp) != 0 {
		t.Fatalf("extended token refused: %s / %s", l, tp)
	}
	s.clock.Add(11 * time.Second) // 101 s after the extension: expired
	l, tp := use(first)
	if l != `{"errcode":40014,"errmsg":"不合法的access_token"}` {
		t.Errorf("expired token on a legacy path: %s", l)
	}
	if got := withoutRequestID(t, tp); got != `{"errcode":88,"errmsg":"ding talk error[subcode=40014,submsg=不合法的access_token]","sub_code":"40014","sub_msg":"不合法的access_token"}` {
		t.Errorf("expired token on a topapi path: %s", got)
	}
	if next := fetch(); next == first {
		t.Error("an expired token was handed out again")
	}

	old := s.tok()
	s.ExpireTokens()
	l, _ = use(old)
	wantErr(t, l, 40014, "access_token")
}

func TestMissingToken(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	_, body, _ := s.do("POST", "/attendance/list", "application/json", "{}")
	if body != `{"errcode":41001,"errmsg":"缺少access_token参数"}` {
		t.Errorf("legacy: %s", body)
	}
	_, body, h := s.do("POST", "/topapi/v2/user/get", "application/json", `{"userid":"x"}`)
	if got := withoutRequestID(t, body); got != `{"errcode":88,"errmsg":"ding talk error[subcode=40000,submsg=access_token is blank]","sub_code":"40000","sub_msg":"access_token is blank"}` {
		t.Errorf("topapi: %s", got)
	}
	if ct := h.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("topapi Content-Type %q", ct)
	}
}

func TestEnvelopes(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	tok := s.tok()

	_, body, _ := s.do("POST", "/topapi/v2/nothing?access_token="+tok, "application/json", "{}")
	if body != `{"errcode":22,"errmsg":"Invalid method[submsg=不合法ApiName]"}` {
		t.Errorf("unknown path: %s", body)
	}
	_, body, _ = s.do("GET", "/topapi/v2/department/listsubid?access_token="+tok, "", "")
	wantErr(t, body, 43002, "POST")

	// topapi success: result + request_id; legacy success: data at the top level.
	body = s.post("/topapi/v2/department/get", `{"dept_id":1}`)
	if !strings.HasPrefix(body, `{"errcode":0,"errmsg":"ok","result":{"dept_id":1,"name":"`) || !requestIDField.MatchString(body) {
		t.Errorf("topapi success: %s", body)
	}
	body = s.post("/attendance/list", `{"workDateFrom":"2026-11-18 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":["nobody"],"offset":0,"limit":50}`)
	if body != `{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[]}` {
		t.Errorf("legacy success for an unknown userid: %s", body)
	}
	// topapi flat answers (work notifications) keep their data at the top level.
	body = s.post("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":`+itoa(int(DefaultAgentID))+`,"userid_list":"nobody","msg":{"msgtype":"text","text":{"content":"hi"}}}`)
	if !strings.HasPrefix(body, `{"errcode":0,"errmsg":"ok","task_id":`) || !requestIDField.MatchString(body) {
		t.Errorf("asyncsend: %s", body)
	}
	// topapi failures that are not gateway failures keep their errcode at the top level.
	body = s.post("/topapi/v2/department/get", `{"dept_id":42}`)
	if got := withoutRequestID(t, body); got != `{"errcode":60003,"errmsg":"部门不存在"}` {
		t.Errorf("topapi failure: %s", got)
	}
}

func TestBodiesMustBeJSON(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	tok := s.tok()
	for _, path := range []string{"/attendance/list", "/topapi/v2/user/list", "/topapi/attendance/getleavestatus", "/topapi/v2/department/create"} {
		_, body, _ := s.do("POST", path+"?access_token="+tok, "application/x-www-form-urlencoded", "offset=0&limit=50")
		wantErr(t, body, 43009, "post参数需要json类型")
		_, body, _ = s.do("POST", path+"?access_token="+tok, "application/json", "offset=0")
		wantErr(t, body, 43009, "post参数需要json类型")
		_, body, _ = s.do("POST", path+"?access_token="+tok, "application/json", "")
		wantErr(t, body, 43009, "post参数需要json类型")
	}
}

func TestRequiredFieldsEvenWhenZero(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	id := s.Truth().UserIDs()[0]
	type field struct{ name, value string }
	cases := []struct {
		path   string
		fields []field
	}{
		{"/attendance/list", []field{{"workDateFrom", `"2026-11-16 00:00:00"`}, {"workDateTo", `"2026-11-18 00:00:00"`}, {"userIdList", `["` + id + `"]`}, {"offset", "0"}, {"limit", "50"}}},
		{"/attendance/listRecord", []field{{"userIds", `["` + id + `"]`}, {"checkDateFrom", `"2026-11-18 00:00:00"`}, {"checkDateTo", `"2026-11-18 10:00:00"`}}},
		{"/topapi/v2/user/list", []field{{"dept_id", "1"}, {"cursor", "0"}, {"size", "100"}}},
		{"/topapi/user/listsimple", []field{{"dept_id", "1"}, {"cursor", "0"}, {"size", "100"}}},
		{"/topapi/attendance/getleavestatus", []field{{"userid_list", `"` + id + `"`}, {"start_time", "1763395200000"}, {"end_time", "1763481600000"}, {"offset", "0"}, {"size", "20"}}},
		{"/topapi/attendance/getupdatedata", []field{{"userid", `"` + id + `"`}, {"work_date", `"2026-11-17 00:00:00"`}}},
		{"/topapi/attendance/getusergroup", []field{{"userid", `"` + id + `"`}}},
		{"/topapi/attendance/listschedule", []field{{"workDate", `"2026-11-17 00:00:00"`}}},
		{"/topapi/v2/department/listsubid", []field{{"dept_id", "1"}}},
		{"/topapi/message/corpconversation/getsendresult", []field{{"agent_id", itoa(int(DefaultAgentID))}, {"task_id", "1"}}},
	}
	body := func(fs []field, skip int) string {
		var parts []string
		for i, f := range fs {
			if i != skip {
				parts = append(parts, `"`+f.name+`":`+f.value)
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	for _, c := range cases {
		if !strings.HasSuffix(c.path, "getsendresult") { // task 1 does not exist
			s.ok(c.path, body(c.fields, -1), nil)
		}
		for i, f := range c.fields {
			wantErr(t, s.post(c.path, body(c.fields, i)), 40035, "缺少参数 "+f.name)
		}
	}
	// A number sent as a string is refused.
	wantErr(t, s.post("/topapi/v2/user/list", `{"dept_id":"1","cursor":0,"size":10}`), 40035, "dept_id")
}

func TestLimits(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	ids := s.Truth().UserIDs()
	users := func(n int) string { return quote(ids[:n]) }
	comma := func(n int) string { return strings.Join(ids[:n], ",") }
	day := int64(86400_000)
	start := s.At("2026-11-01 00:00").UnixMilli()
	cases := []struct {
		name, path, body string
		code             int
	}{
		{"list 50 users", "/attendance/list", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":` + users(50) + `,"offset":0,"limit":50}`, 0},
		{"list 51 users", "/attendance/list", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":` + users(51) + `,"offset":0,"limit":50}`, 40035},
		{"list limit 51", "/attendance/list", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":` + users(1) + `,"offset":0,"limit":51}`, 40035},
		{"list limit 0", "/attendance/list", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":` + users(1) + `,"offset":0,"limit":0}`, 40035},
		{"list 8 days", "/attendance/list", `{"workDateFrom":"2026-11-11 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":` + users(1) + `,"offset":0,"limit":50}`, 41041},
		{"list bad time", "/attendance/list", `{"workDateFrom":"2026-11-11","workDateTo":"2026-11-18 00:00:00","userIdList":` + users(1) + `,"offset":0,"limit":50}`, 40035},
		{"record 7x24h", "/attendance/listRecord", `{"checkDateFrom":"2026-11-11 09:00:00","checkDateTo":"2026-11-18 09:00:00","userIds":` + users(50) + `}`, 0},
		{"record 7x24h+1s", "/attendance/listRecord", `{"checkDateFrom":"2026-11-11 09:00:00","checkDateTo":"2026-11-18 09:00:01","userIds":` + users(1) + `}`, 41041},
		{"record 51 users", "/attendance/listRecord", `{"checkDateFrom":"2026-11-17 09:00:00","checkDateTo":"2026-11-18 09:00:00","userIds":` + users(51) + `}`, 40035},
		{"leave 100 users", "/topapi/attendance/getleavestatus", `{"userid_list":"` + comma(100) + `","start_time":` + itoa(int(start)) + `,"end_time":` + itoa(int(start+180*day)) + `,"offset":0,"size":20}`, 0},
		{"leave 101 users", "/topapi/attendance/getleavestatus", `{"userid_list":"` + comma(101) + `","start_time":` + itoa(int(start)) + `,"end_time":` + itoa(int(start+day)) + `,"offset":0,"size":20}`, 400002},
		{"leave 181 days", "/topapi/attendance/getleavestatus", `{"userid_list":"` + comma(1) + `","start_time":` + itoa(int(start)) + `,"end_time":` + itoa(int(start+181*day)) + `,"offset":0,"size":20}`, 400002},
		{"leave size 21", "/topapi/attendance/getleavestatus", `{"userid_list":"` + comma(1) + `","start_time":` + itoa(int(start)) + `,"end_time":` + itoa(int(start+day)) + `,"offset":0,"size":21}`, 400002},
		{"user list size 100", "/topapi/v2/user/list", `{"dept_id":1,"cursor":0,"size":100}`, 0},
		{"user list size 101", "/topapi/v2/user/list", `{"dept_id":1,"cursor":0,"size":101}`, 40069},
		{"simple list size 0", "/topapi/user/listsimple", `{"dept_id":1,"cursor":0,"size":0}`, 40069},
		{"user list cursor -1", "/topapi/v2/user/list", `{"dept_id":1,"cursor":-1,"size":10}`, 40068},
		{"listschedule 200", "/topapi/attendance/listschedule", `{"workDate":"2026-11-17 00:00:00","offset":0,"size":200}`, 0},
		{"listschedule 201", "/topapi/attendance/listschedule", `{"workDate":"2026-11-17 00:00:00","offset":0,"size":201}`, 400002},
		{"groups size 11", "/topapi/attendance/getsimplegroups", `{"offset":0,"size":11}`, 400002},
		{"byusers 51", "/topapi/attendance/schedule/listbyusers", `{"op_user_id":"` + ids[0] + `","userids":"` + comma(51) + `","from_date_time":` + itoa(int(start)) + `,"to_date_time":` + itoa(int(start+day)) + `}`, 400002},
		{"byusers 8 days", "/topapi/attendance/schedule/listbyusers", `{"op_user_id":"` + ids[0] + `","userids":"` + comma(1) + `","from_date_time":` + itoa(int(start)) + `,"to_date_time":` + itoa(int(start+8*day)) + `}`, 400002},
	}
	for _, c := range cases {
		if got := errcode(t, s.post(c.path, c.body)); got != c.code {
			t.Errorf("%s: errcode %d, want %d", c.name, got, c.code)
		}
	}
}

func TestQPSWindows(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{QPS: 3})
	s.AddApp("dingotherapp", "other-secret")
	_, body, _ := s.do("GET", "/gettoken?appkey=dingotherapp&appsecret=other-secret", "", "")
	var other struct {
		AccessToken string `json:"access_token"`
	}
	decode(t, body, &other)
	listRecord := `{"userIds":["x"],"checkDateFrom":"2026-11-18 00:00:00","checkDateTo":"2026-11-18 10:00:00"}`

	for i := range 3 {
		if b := s.post("/attendance/listRecord", listRecord); errcode(t, b) != 0 {
			t.Fatalf("call %d: %s", i+1, b)
		}
	}
	b := s.post("/attendance/listRecord", listRecord)
	wantErr(t, b, 90018, "apiPath(attendance/listRecord)")
	if !strings.Contains(b, "处罚将在 2026-11-18 10:00:01 结束") {
		t.Errorf("throttle message without its end: %s", b)
	}
	for i := range 3 {
		b := s.post("/topapi/v2/department/listsubid", `{"dept_id":1}`)
		if i < 3 && errcode(t, b) != 0 {
			t.Fatalf("another path shares the window: %s", b)
		}
	}
	wantSub(t, s.post("/topapi/v2/department/listsubid", `{"dept_id":1}`), "90018")
	_, b, _ = s.do("POST", "/attendance/listRecord?access_token="+other.AccessToken, "application/json", listRecord)
	if errcode(t, b) != 0 {
		t.Errorf("another app shares the window: %s", b)
	}

	s.clock.Add(time.Second)
	if b := s.post("/attendance/listRecord", listRecord); errcode(t, b) != 0 {
		t.Errorf("next second still throttled: %s", b)
	}
	c := s.Counters()["/attendance/listRecord"]
	if c.Calls != 6 || c.Throttled != 1 || c.Metered != 5 || c.Errors != 1 {
		t.Errorf("counters %+v: the throttled call must not be metered", c)
	}
}

func TestMonthlyQuota(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{MonthlyQuota: 3, Now: time.Date(2026, 11, 30, 23, 0, 0, 0, shanghai)})
	id := s.Truth().UserIDs()[0]
	list := `{"workDateFrom":"2026-11-30 00:00:00","workDateTo":"2026-11-30 00:00:00","userIdList":["` + id + `"],"offset":0,"limit":50}`

	s.ok("/attendance/list", list, nil)
	wantErr(t, s.post("/attendance/list", `{"workDateFrom":"bad"}`), 40035, "") // fails validation, still metered
	s.ok("/topapi/attendance/getusergroup", `{"userid":"`+id+`"}`, nil)
	if got := s.QuotaUsed(); got != 3 {
		t.Fatalf("quota used %d, want 3", got)
	}
	wantErr(t, s.post("/attendance/list", list), 90020, "调用量:4次,额度:3次")
	if b := s.post("/topapi/attendance/getusergroup", `{"userid":"`+id+`"}`); withoutRequestID(t, b) != `{"errcode":90020,"errmsg":"您的企业本月api调用量已超过限制,调用量:4次,额度:3次,请升级版本或购买api调用量增值包"}` {
		t.Errorf("topapi quota answer: %s", b)
	}
	wantErr(t, s.post("/topapi/message/corpconversation/asyncsend_v2", `{"agent_id":1}`), 90020, "")
	// Contacts and tokens are not metered.
	s.ok("/topapi/v2/user/list", `{"dept_id":1,"cursor":0,"size":10}`, nil)
	s.token = ""
	s.tok()
	if got := s.QuotaUsed(); got != 3 {
		t.Errorf("refused calls were metered: used %d", got)
	}

	s.Advance(2 * time.Hour) // 2026-12-01 01:00: a new month
	s.ok("/attendance/list", list, nil)
	if got := s.QuotaUsed(); got != 1 {
		t.Errorf("December used %d, want 1", got)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	sleeps := &sleepRecorder{}
	s := newSim(t, Config{Sleep: sleeps.Sleep})
	listRecord := `{"userIds":["x"],"checkDateFrom":"2026-11-18 00:00:00","checkDateTo":"2026-11-18 10:00:00"}`

	t.Run("busy", func(t *testing.T) {
		s.FailNext("/attendance/listRecord", Fault{Kind: FaultBusy}, 2)
		for range 2 {
			if b := s.post("/attendance/listRecord", listRecord); b != `{"errcode":-1,"errmsg":"系统繁忙"}` {
				t.Errorf("busy: %s", b)
			}
		}
		s.ok("/attendance/listRecord", listRecord, nil)
		s.FailNext("/topapi/v2/user/list", Fault{Kind: FaultBusy}, 1)
		if b := withoutRequestID(t, s.post("/topapi/v2/user/list", `{}`)); b != `{"errcode":-1,"errmsg":"系统繁忙"}` {
			t.Errorf("topapi busy: %s", b)
		}
	})
	t.Run("bad gateway", func(t *testing.T) {
		s.FailNext("", Fault{Kind: FaultBadGateway}, 1)
		status, body, h := s.do("POST", "/attendance/listRecord?access_token="+s.tok(), "application/json", listRecord)
		if status != 502 || !strings.Contains(body, "<h1>502 Bad Gateway</h1>") || h.Get("Content-Type") != "text/html" {
			t.Errorf("502: %d %q %q", status, h.Get("Content-Type"), body)
		}
	})
	t.Run("throttle", func(t *testing.T) {
		s.FailNext("/topapi/v2/department/listsubid", Fault{Kind: FaultThrottle}, 1)
		wantSub(t, s.post("/topapi/v2/department/listsubid", `{"dept_id":1}`), "90018")
		s.FailNext("/attendance/listRecord", Fault{Kind: FaultThrottle}, 1)
		wantErr(t, s.post("/attendance/listRecord", listRecord), 90018, "qps")
	})
	t.Run("slow", func(t *testing.T) {
		s.FailNext("/attendance/listRecord", Fault{Kind: FaultSlow, Delay: 3 * time.Second}, 1)
		s.ok("/attendance/listRecord", listRecord, nil)
		if got := sleeps.got(); len(got) != 1 || got[0] != 3*time.Second {
			t.Errorf("slow answer waited %v, want [3s]", got)
		}
	})
	t.Run("ip ban", func(t *testing.T) {
		s.FailNext("/attendance/listRecord", Fault{Kind: FaultIPBan}, 1)
		for _, path := range []string{"/attendance/listRecord", "/topapi/v2/user/list", "/gettoken"} {
			status, body, _ := s.do("POST", path, "application/json", "{}")
			if status != 200 || !strings.Contains(body, "访问被拒绝") {
				t.Errorf("banned %s: %d %s", path, status, body)
			}
		}
		s.clock.Add(5*time.Minute + time.Second)
		s.ok("/attendance/listRecord", listRecord, nil)

		s.FailNext("", Fault{Kind: FaultIPBanJSON, Delay: time.Minute}, 1)
		for range 2 {
			_, body, _ := s.do("GET", "/gettoken", "", "")
			if !strings.HasPrefix(body, `{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"`) {
				t.Errorf("JSON ban: %s", body)
			}
		}
		s.clock.Add(time.Minute)
		s.ok("/attendance/listRecord", listRecord, nil)
	})
	t.Run("rate", func(t *testing.T) {
		s.SetFaultRate(1, FaultBusy)
		for range 5 {
			wantErr(t, s.post("/topapi/v2/department/listsubid", `{"dept_id":1}`), -1, "系统繁忙")
		}
		s.SetFaultRate(0)
		s.ok("/topapi/v2/department/listsubid", `{"dept_id":1}`, nil)
	})

	c := s.Counters()
	lr := c["/attendance/listRecord"]
	// busy 2 + ok + 502 + throttle + slow + ban + ok + ok = 9 calls; 6 faulted.
	if lr.Calls != 9 || lr.Faulted != 6 || lr.Errors != 5 || lr.Metered != 4 {
		t.Errorf("listRecord counters %+v", lr)
	}
	if c.Total().Faulted < 14 {
		t.Errorf("total faulted %d", c.Total().Faulted)
	}
}

func TestLatencyAndIPLimit(t *testing.T) {
	t.Parallel()
	sleeps := &sleepRecorder{}
	s := newSim(t, Config{Latency: 50 * time.Millisecond, Sleep: sleeps.Sleep, IPLimit: 4})
	for range 4 {
		s.do("GET", "/gettoken", "", "")
	}
	if got := sleeps.got(); len(got) != 4 || got[3] != 50*time.Millisecond {
		t.Errorf("latency waits %v", got)
	}
	_, body, _ := s.do("GET", "/gettoken", "", "")
	if !strings.Contains(body, "访问被拒绝") {
		t.Errorf("5th call within 20 s from one IP: %s", body)
	}
	s.clock.Add(5 * time.Minute)
	if _, body, _ := s.do("GET", "/gettoken", "", ""); !strings.Contains(body, "40035") {
		t.Errorf("after the ban: %s", body)
	}
}

func TestCountersAndControl(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	s.tok()
	s.post("/topapi/v2/department/get", `{"dept_id":1}`)
	s.post("/topapi/v2/department/get", `{"dept_id":99}`)
	s.post("/attendance/list", `{}`)
	c := s.Counters()
	if g := c["/topapi/v2/department/get"]; g != (PathCounters{Calls: 2, Errors: 1}) {
		t.Errorf("department/get %+v", g)
	}
	if l := c["/attendance/list"]; l != (PathCounters{Calls: 1, Metered: 1, Errors: 1}) {
		t.Errorf("attendance/list %+v", l)
	}
	if tot := c.Total(); tot.Calls != 4 {
		t.Errorf("total %+v", tot)
	}

	_, body, _ := s.do("GET", "/_sim/counters", "", "")
	var snap struct {
		Paths map[string]PathCounters `json:"paths"`
		Total PathCounters            `json:"total"`
		Quota struct {
			Month string `json:"month"`
			Used  int    `json:"used"`
			Limit int    `json:"limit"`
		} `json:"quota"`
	}
	decode(t, body, &snap)
	if snap.Total.Calls != 4 || snap.Paths["/attendance/list"].Metered != 1 || snap.Quota.Month != "2026-11" || snap.Quota.Used != 1 || snap.Quota.Limit != 5000 {
		t.Errorf("/_sim/counters: %s", body)
	}
	s.do("DELETE", "/_sim/counters", "", "")
	if len(s.Counters()) != 0 {
		t.Errorf("counters after reset: %v", s.Counters())
	}

	_, body, _ = s.do("POST", "/_sim/clock", "application/json", `{"now":"2026-11-19T08:30:00+08:00"}`)
	if !strings.Contains(body, `"today":"2026-11-19"`) || !s.Now().Equal(s.At("2026-11-19 08:30")) {
		t.Errorf("set clock: %s", body)
	}
	s.do("POST", "/_sim/clock", "application/json", `{"advance":"90m"}`)
	if !s.Now().Equal(s.At("2026-11-19 10:00")) {
		t.Errorf("advance: now %v", s.Now())
	}
	s.do("POST", "/_sim/clock", "application/json", `{"speed":60}`)
	s.clock.Add(time.Minute)
	if !s.Now().Equal(s.At("2026-11-19 11:00")) {
		t.Errorf("speed 60: one real minute later it is %v", s.Now())
	}
	_, body, _ = s.do("POST", "/_sim/faults", "application/json", `{"rate":0.5,"kinds":["busy","slow"]}`)
	if body != `{"kinds":["busy","slow"],"rate":0.5}` {
		t.Errorf("faults: %s", body)
	}
	status, body, _ := s.do("POST", "/_sim/faults", "application/json", `{"rate":1,"kinds":["boom"]}`)
	if status != 400 || !strings.Contains(body, "unknown fault kind") {
		t.Errorf("bad kind: %d %s", status, body)
	}
	s.do("DELETE", "/_sim/faults", "", "")
	if rate, _ := s.FaultRate(); rate != 0 {
		t.Errorf("rate after DELETE: %v", rate)
	}
	if len(s.Counters()) != 0 {
		t.Error("control endpoints were counted")
	}
}

// TestConcurrentUse runs readers, writers and the clock at once; run it with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Speed: 60, QPS: 5})
	ids := s.Truth().UserIDs()
	dept := s.Truth().Departments()[2].ID
	tok := s.tok()
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 25 {
				switch (w + i) % 5 {
				case 0:
					s.do("POST", "/attendance/list?access_token="+tok, "application/json", `{"workDateFrom":"2026-11-12 00:00:00","workDateTo":"2026-11-18 00:00:00","userIdList":`+quote(ids[:50])+`,"offset":0,"limit":50}`)
				case 1:
					s.do("POST", "/topapi/v2/user/list?access_token="+tok, "application/json", `{"dept_id":`+itoa(int(dept))+`,"cursor":0,"size":100}`)
				case 2:
					if _, err := s.AddUser(NewUser{DeptIDs: []int64{dept}}); err != nil {
						t.Error(err)
					}
				case 3:
					s.Transfer(ids[i], dept)
					s.clock.Add(100 * time.Millisecond)
				case 4:
					s.do("GET", "/_sim/counters", "", "")
					s.Truth().Users()
					s.FailNext("", Fault{Kind: FaultBusy}, 1)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if tot := s.Counters().Total(); tot.Calls != 41 { // the token and 40 calls; /_sim/ is not counted
		t.Errorf("%d calls counted, want 41", tot.Calls)
	}
}
