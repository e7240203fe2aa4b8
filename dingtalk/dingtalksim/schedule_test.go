package dingtalksim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestListSchedule(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Employees: 160})
	truth := s.Truth()
	for _, date := range []string{"2026-11-17", "2026-11-15"} { // a workday, a Sunday
		type row struct {
			PlanID        int64  `json:"plan_id"`
			CheckType     string `json:"check_type"`
			ApproveID     int64  `json:"approve_id"`
			UserID        string `json:"userid"`
			ClassID       int64  `json:"class_id"`
			PlanCheckTime string `json:"plan_check_time"`
			GroupID       int64  `json:"group_id"`
		}
		var got []row
		for offset := 0; ; offset += 200 {
			var r struct {
				Result struct {
					Schedules []row `json:"schedules"`
					HasMore   bool  `json:"has_more"`
				} `json:"result"`
			}
			s.ok("/topapi/attendance/listschedule", `{"workDate":"`+date+` 00:00:00","offset":`+itoa(offset)+`,"size":200}`, &r)
			got = append(got, r.Result.Schedules...)
			if !r.Result.HasMore {
				break
			}
		}
		want := truth.Schedules(truth.UserIDs(), date, date)
		if len(got) != len(want) {
			t.Fatalf("%s: %d plans, truth %d", date, len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.PlanID != w.PlanID || g.UserID != w.UserID || g.CheckType != w.CheckType || g.ClassID != w.ClassID ||
				g.ApproveID != w.ApproveID || g.GroupID != w.GroupID || g.PlanCheckTime != s.fmtMillis(w.PlanCheckTime) {
				t.Errorf("%s plan %d: %+v, truth %+v", date, i, g, w)
			}
		}
	}
}

func TestScheduleListByUsers(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	truth := s.Truth()
	ids := truth.UserIDs()[:20]
	from, to := s.At("2026-11-13 00:00"), s.At("2026-11-20 00:00") // Friday to Friday: a weekend, a holiday, the future
	var r struct {
		Result []struct {
			ID            int64  `json:"id"`
			UserID        string `json:"userid"`
			WorkDate      string `json:"work_date"`
			CheckType     string `json:"check_type"`
			PlanCheckTime string `json:"plan_check_time"`
			ShiftID       int64  `json:"shift_id"`
			IsRest        string `json:"is_rest"`
			ApproveID     int64  `json:"approve_id"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/schedule/listbyusers", `{"op_user_id":"`+ids[0]+`","userids":"`+strings.Join(ids, ",")+`","from_date_time":`+itoa(int(from.UnixMilli()))+`,"to_date_time":`+itoa(int(to.UnixMilli()))+`}`, &r)
	want := truth.Schedules(ids, "2026-11-13", "2026-11-20")
	if len(r.Result) != len(want) {
		t.Fatalf("%d plans, truth %d", len(r.Result), len(want))
	}
	rest := 0
	for i, w := range want {
		g := r.Result[i]
		if g.ID != w.PlanID || g.UserID != w.UserID || g.WorkDate != w.WorkDate+" 00:00:00" || g.ShiftID != w.ClassID ||
			(g.IsRest == "Y") != w.IsRest || g.ApproveID != w.ApproveID || g.PlanCheckTime != s.fmtMillis(w.PlanCheckTime) {
			t.Errorf("plan %d: %+v, truth %+v", i, g, w)
		}
		if w.IsRest {
			rest++
		}
	}
	if rest != 3*len(ids) { // Saturday, Sunday, the Monday holiday
		t.Errorf("%d rest plans for %d people", rest, len(ids))
	}
	wantErr(t, s.post("/topapi/attendance/schedule/listbyusers", `{"op_user_id":"nobody","userids":"`+ids[0]+`","from_date_time":`+itoa(int(from.UnixMilli()))+`,"to_date_time":`+itoa(int(to.UnixMilli()))+`}`), 60121, "")
}

func TestGroups(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	truth := s.Truth()
	var r struct {
		Result struct {
			HasMore bool `json:"has_more"`
			Groups  []struct {
				GroupID       int64    `json:"group_id"`
				GroupName     string   `json:"group_name"`
				Type          string   `json:"type"`
				MemberCount   int      `json:"member_count"`
				WorkDayList   []string `json:"work_day_list"`
				SelectedClass []struct {
					ClassID  int64 `json:"class_id"`
					Sections []struct {
						Times []struct {
							CheckTime string `json:"check_time"`
							CheckType string `json:"check_type"`
						} `json:"times"`
					} `json:"sections"`
					Setting struct {
						PermitLate      int `json:"permit_late_minutes"`
						SeriousLate     int `json:"serious_late_minutes"`
						AbsenteeismLate int `json:"absenteeism_late_minutes"`
					} `json:"setting"`
				} `json:"selected_class"`
			} `json:"groups"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/getsimplegroups", `{"offset":0,"size":10}`, &r)
	members := map[int64]int{}
	for _, u := range truth.Users() {
		members[u.GroupID]++
	}
	if len(r.Result.Groups) != 2 || r.Result.HasMore {
		t.Fatalf("groups: %+v", r.Result)
	}
	for i, g := range r.Result.Groups {
		tg := truth.Groups()[i]
		var checks []string
		for _, sec := range g.SelectedClass[0].Sections {
			for _, tm := range sec.Times {
				checks = append(checks, strings.TrimPrefix(tm.CheckTime, "1970-01-01 ")[:5]+" "+tm.CheckType)
			}
		}
		st := g.SelectedClass[0].Setting
		if g.GroupID != tg.ID || g.Type != "FIXED" || g.MemberCount != members[tg.ID] || !slices.Equal(checks, tg.Checks) ||
			st.PermitLate != 0 || st.SeriousLate != 30 || st.AbsenteeismLate != 60 || len(g.WorkDayList) != 7 || g.WorkDayList[0] != "0" {
			t.Errorf("group %d: %+v", i, g)
		}
	}

	var split User
	for _, u := range truth.Users() {
		if u.GroupID == truth.Groups()[1].ID {
			split = u
			break
		}
	}
	var ug struct {
		Result struct {
			GroupID int64 `json:"group_id"`
			Classes []struct {
				Sections []struct {
					Times []struct {
						CheckTime string `json:"check_time"`
					} `json:"times"`
				} `json:"sections"`
			} `json:"classes"`
		} `json:"result"`
	}
	s.ok("/topapi/attendance/getusergroup", `{"userid":"`+split.UserID+`"}`, &ug)
	if ug.Result.GroupID != split.GroupID || len(ug.Result.Classes) != 1 || len(ug.Result.Classes[0].Sections) != 2 {
		t.Errorf("getusergroup: %+v", ug.Result)
	}
	wantErr(t, s.post("/topapi/attendance/getusergroup", `{"userid":"nobody"}`), 60121, "")
}

func TestLeaveEndpoints(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	truth := s.Truth()
	ids := truth.UserIDs()[:100]
	start, end := s.At("2026-09-01 00:00"), s.At("2026-11-30 23:59")
	var got []Leave
	for offset := 0; ; offset += 20 {
		var r struct {
			Result struct {
				HasMore     bool    `json:"has_more"`
				LeaveStatus []Leave `json:"leave_status"`
			} `json:"result"`
		}
		s.ok("/topapi/attendance/getleavestatus", `{"userid_list":"`+strings.Join(ids, ",")+`","start_time":`+itoa(int(start.UnixMilli()))+`,"end_time":`+itoa(int(end.UnixMilli()))+`,"offset":`+itoa(offset)+`,"size":20}`, &r)
		got = append(got, r.Result.LeaveStatus...)
		if !r.Result.HasMore {
			break
		}
	}
	want := truth.Leaves(ids, "2026-09-01", "2026-11-30")
	if len(got) < 20 || len(got) != len(want) {
		t.Fatalf("%d leaves, truth %d", len(got), len(want))
	}
	units := map[string]bool{}
	for i, w := range want {
		w.ApproveID, w.ProcInstID, w.Type, w.Half = 0, "", "", ""
		if got[i] != w {
			t.Errorf("leave %d: %+v, truth %+v", i, got[i], w)
		}
		units[w.DurationUnit] = true
	}
	if !units["percent_day"] || !units["percent_hour"] {
		t.Errorf("units used: %v", units)
	}

	// Duration: a standard workday is 8 h, a split-shift one 7.5 h; the weekend counts nothing.
	var std, split string
	for _, u := range truth.Users() {
		if u.GroupID == truth.Groups()[0].ID && std == "" {
			std = u.UserID
		} else if u.GroupID == truth.Groups()[1].ID && split == "" {
			split = u.UserID
		}
	}
	for _, c := range []struct {
		id, from, to string
		minutes      int
	}{
		{std, "2026-11-17 00:00:00", "2026-11-17 23:59:59", 480},
		{split, "2026-11-17 00:00:00", "2026-11-17 23:59:59", 450},
		{std, "2026-11-17 09:00:00", "2026-11-17 12:30:00", 180},
		{std, "2026-11-14 00:00:00", "2026-11-15 23:59:59", 0},
		{std, "2026-11-13 14:00:00", "2026-11-17 10:00:00", 4*60 + 60 + 480 - 480}, // Fri pm, Mon holiday, Tue 9-10
	} {
		var r struct {
			Result struct {
				Minutes int `json:"duration_in_minutes"`
			} `json:"result"`
		}
		s.ok("/topapi/attendance/getleaveapproveduration", `{"userid":"`+c.id+`","from_date":"`+c.from+`","to_date":"`+c.to+`"}`, &r)
		if r.Result.Minutes != c.minutes {
			t.Errorf("%s %s..%s: %d minutes, want %d", c.id, c.from, c.to, r.Result.Minutes, c.minutes)
		}
	}
}

func TestGetUpdateData(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{Seed: 3, Now: time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)})
	truth := s.Truth()
	// Someone with an extra punch and someone on leave in November.
	var extra, leave Day
	for _, id := range truth.UserIDs() {
		for d := 2; d <= 27 && (extra.UserID == "" || leave.UserID == ""); d++ {
			day, _ := truth.Day(id, "2026-11-"+itoa(100 + d)[1:])
			if day.ExtraPunch && extra.UserID == "" {
				extra = day
			}
			if day.Leave != nil && leave.UserID == "" {
				leave = day
			}
		}
	}
	type out struct {
		Result struct {
			AttendanceResultList []struct {
				RecordID   int64  `json:"record_id"`
				TimeResult string `json:"time_result"`
				ProcInstID string `json:"procInst_id"`
			} `json:"attendance_result_list"`
			CheckRecordList []struct {
				RecordID     int64 `json:"record_id"`
				ValidMatched bool  `json:"valid_matched"`
			} `json:"check_record_list"`
			ApproveList []struct {
				TagName    string `json:"tag_name"`
				BizType    int    `json:"biz_type"`
				ProcInstID string `json:"procInst_id"`
			} `json:"approve_list"`
		} `json:"result"`
	}
	var r out
	s.ok("/topapi/attendance/getupdatedata", `{"userid":"`+extra.UserID+`","work_date":"`+extra.Date+` 00:00:00"}`, &r)
	if len(r.Result.AttendanceResultList) != len(extra.Results) || len(r.Result.CheckRecordList) != len(extra.Records) {
		t.Fatalf("updatedata of %s %s: %+v", extra.UserID, extra.Date, r.Result)
	}
	unmatched := 0
	for i, rec := range r.Result.CheckRecordList {
		if rec.RecordID != extra.Records[i].ID {
			t.Errorf("record %d: %d, truth %d", i, rec.RecordID, extra.Records[i].ID)
		}
		if !rec.ValidMatched {
			unmatched++
		}
	}
	if unmatched == 0 {
		t.Error("the extra punch is marked matched")
	}
	r = out{}
	s.ok("/topapi/attendance/getupdatedata", `{"userid":"`+leave.UserID+`","work_date":"`+leave.Date+` 00:00:00"}`, &r)
	if len(r.Result.ApproveList) != 1 || r.Result.ApproveList[0].TagName != "请假" || r.Result.ApproveList[0].BizType != 3 || r.Result.ApproveList[0].ProcInstID != leave.Leave.ProcInstID {
		t.Errorf("approvals on a leave day: %+v", r.Result.ApproveList)
	}
}
