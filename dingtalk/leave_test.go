package dingtalk

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAttendanceService_LeaveStatus(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/getleavestatus", func(w http.ResponseWriter, r *http.Request) {
		// The doc sample's request: comma-separated users, ms bounds, offset and size required.
		testJSONBody(t, r, `{"userid_list":"123,121","start_time":1538323200000,"end_time":1546358399000,"offset":0,"size":10}`)
		// The doc sample's answer, as quoted in the reference's seeds.
		fmt.Fprint(w, `{
    "errmsg":"OK",
    "errcode":0,
    "result":{
        "has_more": false,
        "leave_status":[
            {
                    "duration_unit":"percent_day",
                    "duration_percent":100,
                    "end_time":1538323200000,
                    "start_time":1538323200000,
                    "userid":"manager7580"
            }
        ]
    },
    "success":true
}`)
	})
	got, resp, err := env.client.Attendance.LeaveStatus(context.Background(), &LeaveStatusOptions{
		UserIDs: []string{"123", "121"}, Start: time.UnixMilli(1538323200000), End: time.UnixMilli(1546358399000), Size: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []LeaveStatus{{UserID: "manager7580", StartTime: 1538323200000, EndTime: 1538323200000, DurationUnit: "percent_day", DurationPercent: 100}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if resp.HasMore {
		t.Error("has_more")
	}
}

func TestAttendanceService_LeaveStatus_Limits(t *testing.T) {
	t.Parallel()
	env := setup(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai)
	users101 := make([]string, 101)
	for i := range users101 {
		users101[i] = fmt.Sprint(i)
	}
	for name, o := range map[string]*LeaveStatusOptions{
		"181Days":   {UserIDs: []string{"u"}, Start: start, End: start.Add(180*24*time.Hour + time.Millisecond)},
		"101Users":  {UserIDs: users101, Start: start, End: start},
		"Size21":    {UserIDs: []string{"u"}, Start: start, End: start, Size: 21},
		"Backwards": {UserIDs: []string{"u"}, Start: start, End: start.Add(-time.Millisecond)},
	} {
		if _, _, err := env.client.Attendance.LeaveStatus(context.Background(), o); !IsInvalidParam(err) {
			t.Errorf("%s: error %v, want invalid", name, err)
		}
	}
}

func TestAttendanceService_LeaveStatusAll_Pages(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var offsets []int
	env.handle("/topapi/attendance/getleavestatus", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Offset int `json:"offset"`
			Size   int `json:"size"`
		}
		_ = jsonDecode(r, &body)
		offsets = append(offsets, body.Offset)
		if body.Size != 20 {
			t.Errorf("size %d, want 20", body.Size)
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","result":{"has_more":%v,"leave_status":[{"userid":"u%d","start_time":1,"end_time":2,"duration_unit":"percent_hour","duration_percent":250}]}}`,
			body.Offset < 40, body.Offset)
	})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai)
	got, err := env.client.Attendance.LeaveStatusAll(context.Background(), &LeaveStatusOptions{UserIDs: []string{"u"}, Start: start, End: start.AddDate(0, 0, 30)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{0, 20, 40}, offsets); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	if len(got) != 3 || got[2].UserID != "u40" {
		t.Errorf("rows %+v", got)
	}
}

func TestAttendanceService_LeaveStatuses_Chunks(t *testing.T) {
	t.Parallel()
	env := setup(t)
	users := make([]string, 150)
	for i := range users {
		users[i] = fmt.Sprintf("u%03d", i)
	}
	type call struct {
		users      int
		start, end int64
	}
	var calls []call
	env.handle("/topapi/attendance/getleavestatus", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Users string `json:"userid_list"`
			Start int64  `json:"start_time"`
			End   int64  `json:"end_time"`
		}
		_ = jsonDecode(r, &body)
		calls = append(calls, call{len(strings.Split(body.Users, ",")), body.Start, body.End})
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":{"has_more":false,"leave_status":[]}}`)
	})
	from, to := MustParseDate("2026-01-01"), MustParseDate("2026-07-01") // 182 days
	for _, err := range env.client.Attendance.LeaveStatuses(context.Background(), users, from, to) {
		if err != nil {
			t.Fatal(err)
		}
	}
	ms := func(d Date) int64 { return d.Start(shanghai).UnixMilli() }
	second := from.AddDays(180)
	want := []call{
		{100, ms(from), ms(second) - 1}, {50, ms(from), ms(second) - 1},
		{100, ms(second), ms(to.AddDays(1)) - 1}, {50, ms(second), ms(to.AddDays(1)) - 1},
	}
	if diff := cmp.Diff(want, calls, cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestAttendanceService_LeaveDuration(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/getleaveapproveduration", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"userid":"1226682231742708","from_date":"2018-05-01 00:00:00","to_date":"2018-05-05 00:00:00"}`)
		// The doc sample's answer: zero minutes is a real answer, not a missing one.
		fmt.Fprint(w, `{
    "result":{
        "duration_in_minutes":0
    },
    "errcode":0,
    "errmsg":"ok"
}`)
	})
	from := time.Date(2018, 5, 1, 0, 0, 0, 0, shanghai)
	got, _, err := env.client.Attendance.LeaveDuration(context.Background(), "1226682231742708", from, from.AddDate(0, 0, 4))
	if err != nil || got != 0 {
		t.Fatalf("got %d, %v", got, err)
	}
}

func TestAttendanceService_LeaveDuration_Missing(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/getleaveapproveduration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"result":{},"errcode":0,"errmsg":"ok"}`)
	})
	from := time.Date(2018, 5, 1, 0, 0, 0, 0, shanghai)
	if _, _, err := env.client.Attendance.LeaveDuration(context.Background(), "u", from, from); err == nil {
		t.Fatal("an answer without duration_in_minutes was accepted")
	}
}
