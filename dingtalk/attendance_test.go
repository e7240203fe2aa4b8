package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAttendanceService_List(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		// The reference's example request, offset 0 included.
		testJSONBody(t, r, `{"workDateFrom":"2024-03-04 00:00:00","workDateTo":"2024-03-10 00:00:00",
			"userIdList":["u1","u2"],"offset":0,"limit":50}`)
		w.Header().Set("Content-Type", "application/json")
		// The reference's example answer.
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[
		   {"id":100068640553,"recordId":42833709096,"userId":"u1","groupId":685935028,"planId":145583519353,
		    "workDate":1709481600000,"checkType":"OnDuty","timeResult":"Late","locationResult":"Normal",
		    "baseCheckTime":1709514000000,"userCheckTime":1709514420000,"sourceType":"USER"}]}`)
	})
	opts := &ResultOptions{UserIDs: []string{"u1", "u2"}, From: MustParseDate("2024-03-04"), To: MustParseDate("2024-03-10")}
	got, resp, err := env.client.Attendance.List(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{{
		ID: 100068640553, RecordID: 42833709096, UserID: "u1", GroupID: 685935028, PlanID: 145583519353,
		WorkDate: 1709481600000, CheckType: "OnDuty", TimeResult: "Late", LocationResult: "Normal",
		BaseCheckTime: 1709514000000, UserCheckTime: 1709514420000, SourceType: "USER",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if resp.HasMore {
		t.Error("hasMore")
	}
	// The work date is the day in Shanghai.
	if d := DateOf(time.UnixMilli(int64(got[0].WorkDate)).In(shanghai)); d != MustParseDate("2024-03-04") {
		t.Errorf("work date %s", d)
	}
}

func TestAttendanceService_List_SeedSample(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"workDateFrom":"2018-05-01 00:00:00","workDateTo":"2018-05-05 00:00:00",
			"userIdList":["1226682231742708"],"offset":0,"limit":1,"isI18n":true}`)
		// The answer of the doc sample quoted in the reference's seeds.
		fmt.Fprint(w, `{
  "errcode": 0,
  "errmsg": "ok",
  "hasMore": false,
  "recordresult": [
    {
      "baseCheckTime": 1463392800000,
      "checkType": "OffDuty",
      "corpId": "ding53a2fb0458ba9639",
      "groupId": 20451893,
      "id": 60714703,
      "locationResult": "Normal",
      "planId": 210071562,
      "recordId": 30068312,
      "timeResult": "Early",
      "userCheckTime": 1463392235000,
      "userId": "manager6699",
      "workDate": 1463328000000,
      "procInstId": "cb992267-9b70"
    },
    {
      "baseCheckTime": 1463360400000,
      "checkType": "OnDuty",
      "corpId": "ding53a2fb0458ba9639",
      "groupId": 20451893,
      "id": 60716532,
      "locationResult": "NotSigned",
      "planId": 210071561,
      "timeResult": "NotSigned",
      "userCheckTime": 1463360400000,
      "userId": "manager6699",
      "workDate": 1463328000000,
      "procInstId": "cb992267-9b70"
    }
  ]
}`)
	})
	opts := &ResultOptions{UserIDs: []string{"1226682231742708"}, From: MustParseDate("2018-05-01"), To: MustParseDate("2018-05-05"), Limit: 1, IsI18n: true}
	got, _, err := env.client.Attendance.List(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{ID: 60714703, RecordID: 30068312, UserID: "manager6699", CorpID: "ding53a2fb0458ba9639", GroupID: 20451893, PlanID: 210071562,
			WorkDate: 1463328000000, CheckType: "OffDuty", TimeResult: "Early", LocationResult: "Normal",
			BaseCheckTime: 1463392800000, UserCheckTime: 1463392235000, ProcInstID: "cb992267-9b70"},
		{ID: 60716532, UserID: "manager6699", CorpID: "ding53a2fb0458ba9639", GroupID: 20451893, PlanID: 210071561,
			WorkDate: 1463328000000, CheckType: "OnDuty", TimeResult: "NotSigned", LocationResult: "NotSigned",
			BaseCheckTime: 1463360400000, UserCheckTime: 1463360400000, ProcInstID: "cb992267-9b70"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAttendanceService_List_Limits(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		t.Error("a call that breaks a limit reached DingTalk")
	})
	users51 := make([]string, 51)
	for i := range users51 {
		users51[i] = fmt.Sprint("u", i)
	}
	d := MustParseDate("2026-11-16")
	for name, o := range map[string]*ResultOptions{
		"51Users":   {UserIDs: users51, From: d, To: d},
		"NoUsers":   {From: d, To: d},
		"EmptyID":   {UserIDs: []string{""}, From: d, To: d},
		"8Days":     {UserIDs: []string{"u"}, From: d, To: d.AddDays(7)},
		"Backwards": {UserIDs: []string{"u"}, From: d, To: d.AddDays(-1)},
		"NoDates":   {UserIDs: []string{"u"}},
		"Limit51":   {UserIDs: []string{"u"}, From: d, To: d, Limit: 51},
		"NegOffset": {UserIDs: []string{"u"}, From: d, To: d, Offset: -1},
		"Nil":       nil,
	} {
		if _, _, err := env.client.Attendance.List(context.Background(), o); !IsInvalidParam(err) {
			t.Errorf("%s: error %v, want invalid", name, err)
		}
	}
	// Seven days, both ends included, is allowed.
	if err := (&ResultOptions{UserIDs: []string{"u"}, From: d, To: d.AddDays(6)}).validate("/p"); err != nil {
		t.Errorf("7 days: %v", err)
	}
}

func TestAttendanceService_ListAll_OffsetPaging(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var offsets []int
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Offset int `json:"offset"`
			Limit  int `json:"limit"`
		}
		if err := jsonDecode(r, &body); err != nil {
			t.Error(err)
		}
		offsets = append(offsets, body.Offset)
		if body.Limit != 50 {
			t.Errorf("limit %d", body.Limit)
		}
		more := body.Offset < 100
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","hasMore":%v,"recordresult":[{"id":%d,"userId":"u"},{"id":%d,"userId":"u"}]}`, more, body.Offset+1, body.Offset+2)
	})
	got, err := env.client.Attendance.ListAll(context.Background(), &ResultOptions{
		UserIDs: []string{"u"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-22"), Offset: 999,
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{0, 50, 100}, offsets); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	var ids []int64
	for _, r := range got {
		ids = append(ids, int64(r.ID))
	}
	if diff := cmp.Diff([]int64{1, 2, 51, 52, 101, 102}, ids); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestAttendanceService_ListAll_AllOrNothing(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Offset int `json:"offset"`
		}
		_ = jsonDecode(r, &body)
		if body.Offset == 0 {
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","hasMore":true,"recordresult":[{"id":1,"userId":"u"}]}`)
			return
		}
		fmt.Fprint(w, `{"errcode":90020,"errmsg":"quota"}`)
	})
	got, err := env.client.Attendance.ListAll(context.Background(), &ResultOptions{UserIDs: []string{"u"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-16")})
	if !IsQuotaExhausted(err) || got != nil {
		t.Fatalf("got %d rows, %v; want no rows and the quota error", len(got), err)
	}
}

func TestAttendanceService_ListAll_EmptyPageWithMore(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","hasMore":true,"recordresult":[]}`)
	})
	_, err := env.client.Attendance.ListAll(context.Background(), &ResultOptions{UserIDs: []string{"u"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-16")})
	if err == nil || !strings.Contains(err.Error(), "hasMore is true but the page at offset 0 is empty") {
		t.Fatalf("error %v", err)
	}
}

func TestAttendanceService_List_NoRows(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","hasMore":false}`)
	})
	got, _, err := env.client.Attendance.List(context.Background(), &ResultOptions{UserIDs: []string{"nobody"}, From: MustParseDate("2026-11-16"), To: MustParseDate("2026-11-16")})
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want no rows", got, err)
	}
}

func TestAttendanceService_ListRecord(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/attendance/listRecord", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"userIds":["manager7078"],"checkDateFrom":"2017-04-19 00:00:00","checkDateTo":"2017-04-25 23:59:59"}`)
		// The doc sample quoted in the reference's seeds: coordinates and accuracy come as
		// numbers although the doc types them as strings.
		fmt.Fprint(w, `{
  "errmsg": "ok",
  "recordresult": [
    {
      "gmtModified": 1492594486000,
      "isLegal": "N",
      "baseCheckTime": 1492568460000,
      "id": 933202551,
      "userAddress": "北京市朝阳区崔各庄镇阿里中心.望京A座阿里巴巴绿地中心",
      "userId": "manager7078",
      "checkType": "OnDuty",
      "timeResult": "Normal",
      "deviceId": "cb7ace07d52fe9be14f4d8bec5e1ba79",
      "corpId": "ding7536bfee6fb1fa5a35c2f4657eb6378f",
      "sourceType": "USER",
      "workDate": 1492531200000,
      "planCheckTime": 1492568497000,
      "gmtCreate": 1492594486000,
      "locationMethod": "MAP",
      "locationResult": "Outside",
      "userLongitude": 116.486888,
      "planId": 4550269081,
      "groupId": 121325603,
      "userAccuracy": 65,
      "userCheckTime": 1492568497000,
      "userLatitude": 39.999946,
      "procInstId": "cb992267-9b70"
    }
  ],
  "errcode": 0
}`)
	})
	from := time.Date(2017, 4, 19, 0, 0, 0, 0, shanghai)
	got, _, err := env.client.Attendance.ListRecord(context.Background(), &RecordOptions{
		UserIDs: []string{"manager7078"}, From: from, To: from.Add(7*24*time.Hour - time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{{
		ID: 933202551, UserID: "manager7078", CorpID: "ding7536bfee6fb1fa5a35c2f4657eb6378f", GroupID: 121325603, PlanID: 4550269081,
		WorkDate: 1492531200000, CheckType: "OnDuty", TimeResult: "Normal", LocationResult: "Outside", SourceType: "USER",
		UserCheckTime: 1492568497000, BaseCheckTime: 1492568460000, PlanCheckTime: 1492568497000, IsLegal: "N",
		LocationMethod: "MAP", UserAddress: "北京市朝阳区崔各庄镇阿里中心.望京A座阿里巴巴绿地中心",
		UserLatitude: "39.999946", UserLongitude: "116.486888", UserAccuracy: "65",
		DeviceID: "cb7ace07d52fe9be14f4d8bec5e1ba79", ProcInstID: "cb992267-9b70", GmtCreate: 1492594486000, GmtModified: 1492594486000,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAttendanceService_ListRecord_Limits(t *testing.T) {
	t.Parallel()
	env := setup(t)
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, shanghai)
	for name, o := range map[string]*RecordOptions{
		"MoreThan7x24h": {UserIDs: []string{"u"}, From: from, To: from.Add(7*24*time.Hour + time.Second)},
		"Backwards":     {UserIDs: []string{"u"}, From: from, To: from.Add(-time.Second)},
		"NoUsers":       {From: from, To: from},
	} {
		if _, _, err := env.client.Attendance.ListRecord(context.Background(), o); !IsInvalidParam(err) {
			t.Errorf("%s: error %v, want invalid", name, err)
		}
	}
}

func TestAttendanceService_Results_ChunksAndPages(t *testing.T) {
	t.Parallel()
	env := setup(t)
	users := make([]string, 51)
	for i := range users {
		users[i] = fmt.Sprintf("u%02d", i)
	}
	type call struct {
		from, to string
		users    int
		offset   int
	}
	var mu sync.Mutex
	var calls []call
	env.handle("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			From   string   `json:"workDateFrom"`
			To     string   `json:"workDateTo"`
			Users  []string `json:"userIdList"`
			Offset int      `json:"offset"`
		}
		if err := jsonDecode(r, &body); err != nil {
			t.Error(err)
		}
		mu.Lock()
		calls = append(calls, call{body.From[:10], body.To[:10], len(body.Users), body.Offset})
		mu.Unlock()
		// The big chunks have two pages.
		more := len(body.Users) == 50 && body.Offset == 0
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","hasMore":%v,"recordresult":[{"id":1,"userId":%q}]}`, more, body.Users[0])
	})
	var n int
	for _, err := range env.client.Attendance.Results(context.Background(), users, MustParseDate("2026-11-16"), MustParseDate("2026-11-23")) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	want := []call{
		{"2026-11-16", "2026-11-22", 50, 0}, {"2026-11-16", "2026-11-22", 50, 50}, {"2026-11-16", "2026-11-22", 1, 0},
		{"2026-11-23", "2026-11-23", 50, 0}, {"2026-11-23", "2026-11-23", 50, 50}, {"2026-11-23", "2026-11-23", 1, 0},
	}
	if diff := cmp.Diff(want, calls, cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if n != 6 {
		t.Errorf("%d results, want 6", n)
	}
	// Each call is metered and went through the hook.
	metered := 0
	for _, ci := range env.Calls() {
		if ci.Metered {
			metered++
		}
	}
	if metered != 6 {
		t.Errorf("%d metered calls, want 6", metered)
	}
}

func TestAttendanceService_Results_BadRange(t *testing.T) {
	t.Parallel()
	env := setup(t)
	for _, err := range env.client.Attendance.Results(context.Background(), []string{"u"}, MustParseDate("2026-11-16"), MustParseDate("2026-11-15")) {
		if !IsInvalidParam(err) {
			t.Errorf("error %v, want invalid", err)
		}
		return
	}
	t.Error("no error for a backwards range")
}

func TestAttendanceService_Records(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var bounds []string
	env.handle("/attendance/listRecord", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			From string `json:"checkDateFrom"`
			To   string `json:"checkDateTo"`
		}
		_ = jsonDecode(r, &body)
		bounds = append(bounds, body.From+".."+body.To)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","recordresult":[{"id":1,"userId":"u","isLegal":"Y"}]}`)
	})
	var n int
	for _, err := range env.client.Attendance.Records(context.Background(), []string{"u"}, MustParseDate("2026-11-16"), MustParseDate("2026-11-23")) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	want := []string{"2026-11-16 00:00:00..2026-11-22 23:59:59", "2026-11-23 00:00:00..2026-11-23 23:59:59"}
	if diff := cmp.Diff(want, bounds); diff != "" {
		t.Errorf("bounds (-want +got):\n%s", diff)
	}
	if n != 2 {
		t.Errorf("%d records", n)
	}
}

func TestAttendanceService_OtherLocation(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	env := setup(t, WithLocation(berlin))
	env.handle("/attendance/listRecord", func(w http.ResponseWriter, r *http.Request) {
		// 00:00 in Shanghai is 17:00 the day before in Berlin (winter time).
		testJSONBody(t, r, `{"userIds":["u"],"checkDateFrom":"2026-11-15 17:00:00","checkDateTo":"2026-11-16 16:59:59"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","recordresult":[]}`)
	})
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, shanghai)
	if _, _, err := env.client.Attendance.ListRecord(context.Background(), &RecordOptions{UserIDs: []string{"u"}, From: from, To: from.Add(24*time.Hour - time.Second)}); err != nil {
		t.Fatal(err)
	}
}
