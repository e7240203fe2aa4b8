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

func shanghaiMs(y int, m time.Month, d, hh, mm, ss int) int64 {
	return time.Date(y, m, d, hh, mm, ss, 0, shanghai).UnixMilli()
}

func TestAttendanceService_ListSchedule(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/listschedule", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"workDate":"2017-04-11 00:00:00","offset":0,"size":200}`)
		// The doc sample quoted in the reference's seeds: plan_check_time is a string.
		fmt.Fprint(w, `{
    "result":{
        "schedules":[
            {
                    "plan_id":1,
                    "check_type":"OnDuty",
                    "approve_id":1,
                    "userid":"0001",
                    "class_id":1,
                    "class_setting_id":1,
                    "plan_check_time":"2017-04-11 11:11:11",
                    "group_id":1
            }
        ],
        "has_more":false
    },
    "errmsg":"ok",
    "errcode":0
}`)
	})
	got, resp, err := env.client.Attendance.ListSchedule(context.Background(), MustParseDate("2017-04-11"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []DaySchedule{{
		PlanID: 1, CheckType: "OnDuty", ApproveID: 1, UserID: "0001", ClassID: 1, ClassSettingID: 1, GroupID: 1,
		PlanCheckTime: DateTime{Millis: shanghaiMs(2017, 4, 11, 11, 11, 11), Text: "2017-04-11 11:11:11"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if resp.HasMore {
		t.Error("has_more")
	}
}

func TestAttendanceService_ListSchedule_BadTime(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/listschedule", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"result":{"schedules":[{"plan_id":1,"plan_check_time":"tomorrow-ish"}],"has_more":false}}`)
	})
	_, _, err := env.client.Attendance.ListSchedule(context.Background(), MustParseDate("2017-04-11"), 0, 0)
	if err == nil || !strings.Contains(err.Error(), `"tomorrow-ish"`) {
		t.Fatalf("error %v, want one that quotes the bad time", err)
	}
}

func TestAttendanceService_ListByUsers(t *testing.T) {
	t.Parallel()
	env := setup(t)
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, shanghai)
	to := endOfDay(MustParseDate("2026-11-22"), shanghai)
	env.handle("/topapi/attendance/schedule/listbyusers", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, fmt.Sprintf(`{"op_user_id":"admin","userids":"u1,u2","from_date_time":%d,"to_date_time":%d}`, from.UnixMilli(), to.UnixMilli()))
		// Dates as strings (the TOP format) in one row, as ms in the other: both are read.
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","request_id":"r","success":true,"result":[
			{"id":11,"userid":"u1","work_date":"2026-11-16 00:00:00","check_type":"OnDuty","plan_check_time":"2026-11-16 09:00:00",
			 "group_id":7,"shift_id":30,"shift_version":2,"is_rest":"N"},
			{"id":12,"userid":"u2","work_date":%d,"check_type":"OnDuty","plan_check_time":%d,"group_id":7,"shift_id":0,"is_rest":"Y"}]}`,
			shanghaiMs(2026, 11, 16, 0, 0, 0), shanghaiMs(2026, 11, 16, 9, 0, 0))
	})
	got, _, err := env.client.Attendance.ListByUsers(context.Background(), &ScheduleOptions{OpUserID: "admin", UserIDs: []string{"u1", "u2"}, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	want := []UserSchedule{
		{ID: 11, UserID: "u1", WorkDate: DateTime{shanghaiMs(2026, 11, 16, 0, 0, 0), "2026-11-16 00:00:00"}, CheckType: "OnDuty",
			PlanCheckTime: DateTime{shanghaiMs(2026, 11, 16, 9, 0, 0), "2026-11-16 09:00:00"}, GroupID: 7, ShiftID: 30, ShiftVersion: 2, IsRest: "N"},
		{ID: 12, UserID: "u2", WorkDate: DateTime{Millis: shanghaiMs(2026, 11, 16, 0, 0, 0)}, CheckType: "OnDuty",
			PlanCheckTime: DateTime{Millis: shanghaiMs(2026, 11, 16, 9, 0, 0)}, GroupID: 7, IsRest: "Y"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, _, err := env.client.Attendance.ListByUsers(context.Background(), &ScheduleOptions{UserIDs: []string{"u"}, From: from, To: to}); !IsInvalidParam(err) {
		t.Errorf("no op_user_id: %v", err)
	}
	if _, _, err := env.client.Attendance.ListByUsers(context.Background(), &ScheduleOptions{OpUserID: "a", UserIDs: []string{"u"}, From: from, To: from.Add(7*24*time.Hour + 1)}); !IsInvalidParam(err) {
		t.Errorf("over 7 days: %v", err)
	}
}

func TestAttendanceService_Schedules(t *testing.T) {
	t.Parallel()
	env := setup(t)
	var n int
	env.handle("/topapi/attendance/schedule/listbyusers", func(w http.ResponseWriter, r *http.Request) {
		n++
		fmt.Fprint(w, `{"errcode":0,"result":[{"id":1,"userid":"u1","work_date":"2026-11-16 00:00:00","plan_check_time":"2026-11-16 09:00:00","is_rest":"N"}]}`)
	})
	var rows int
	for _, err := range env.client.Attendance.Schedules(context.Background(), "admin", []string{"u1"}, MustParseDate("2026-11-16"), MustParseDate("2026-11-30")) {
		if err != nil {
			t.Fatal(err)
		}
		rows++
	}
	if n != 3 || rows != 3 {
		t.Errorf("%d calls and %d rows for 15 days, want 3 and 3", n, rows)
	}
}

func TestAttendanceService_SimpleGroups(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/getsimplegroups", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"offset":0,"size":10}`)
		// The doc sample quoted in the reference's seeds: several lists come as one string.
		fmt.Fprint(w, `{
    "errcode":0,
    "errmsg":"ok",
    "result":{
        "has_more":true,
        "groups":[
            {
                    "group_id":20015047,
                    "is_default":false,
                    "group_name":"固定排班",
                    "selected_class":[
                        {
                                "setting":{
                                    "class_setting_id":1,
                                    "rest_begin_time":{
                                        "check_time":"2017-04-11 11:11:11"
                                    },
                                    "permit_late_minutes":10,
                                    "work_time_minutes":-1,
                                    "rest_end_time":{
                                        "check_time":"2017-04-11 11:11:11"
                                    },
                                    "absenteeism_late_minutes":30,
                                    "serious_late_minutes":20,
                                    "is_off_duty_free_check":"Y"
                                },
                                "class_id":20008010,
                                "sections":[
                                    {
                                            "times":[
                                                {
                                                        "check_time":"2017-04-11 11:11:11",
                                                        "check_type":"OnDuty",
                                                        "across":0
                                                }
                                            ]
                                    }
                                ],
                                "class_name":"A"
                        }
                    ],
                    "type":"FIXED",
                    "member_count":1,
                    "default_class_id":111,
                    "work_day_list":"1",
                    "classes_list":"周一、二 班次A:09:00-18:00, 周六、周日 休息",
                    "manager_list":"1,2",
                    "dept_name_list":"部门1,部门2"

            }
        ]
    }
}`)
	})
	got, resp, err := env.client.Attendance.SimpleGroups(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{{
		GroupID: 20015047, GroupName: "固定排班", Type: "FIXED", MemberCount: 1, DefaultClassID: 111,
		WorkDayList: FlexStrings{"1"}, ClassesList: FlexStrings{"周一、二 班次A:09:00-18:00, 周六、周日 休息"},
		ManagerList: FlexStrings{"1,2"}, DeptNameList: FlexStrings{"部门1,部门2"},
		SelectedClass: []Class{{
			ClassID: 20008010, ClassName: "A",
			Sections: []Section{{Times: []CheckTime{{CheckTime: "2017-04-11 11:11:11", CheckType: "OnDuty"}}}},
			Setting: &ClassSetting{
				ClassSettingID: 1, RestBeginTime: &CheckTime{CheckTime: "2017-04-11 11:11:11"}, RestEndTime: &CheckTime{CheckTime: "2017-04-11 11:11:11"},
				PermitLateMinutes: 10, SeriousLateMinutes: 20, AbsenteeismLateMinutes: 30, WorkTimeMinutes: -1, IsOffDutyFreeCheck: "Y",
			},
		}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !resp.HasMore {
		t.Error("has_more lost")
	}
}

func TestAttendanceService_UserGroup(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/getusergroup", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"userid":"1226682231742708"}`)
		// The doc sample quoted in the reference's seeds.
		fmt.Fprint(w, `{
    "result":{
        "name":"考勤组1",
        "group_id":123,
        "type":"TURN",
        "classes":[
            {
                    "class_id":456,
                    "name":"A班",
                    "sections":[
                        {
                                "times":[
                                    {
                                            "check_time":"1970-01-01 12:00:00",
                                            "check_type":"OnDuty",
                                            "across":0,
                                            "begin_min":30,
                                            "end_min":0
                                    }
                                ]
                        }
                    ],
                    "setting":{
                        "rest_begin_time":{
                            "across":0,
                            "begin_min":0,
                            "end_min":0,
                            "check_time":"1970-01-01 12:00:00",
                            "check_type":"OnDuty"
                        },
                        "rest_end_time":{
                            "across":0,
                            "begin_min":0,
                            "end_min":0,
                            "check_time":"1970-01-01 12:00:00",
                            "check_type":"OffDuty"
                        }
                    }
            }
        ]
    },
    "errcode":0,
    "errmsg":"ok"
}`)
	})
	got, _, err := env.client.Attendance.UserGroup(context.Background(), "1226682231742708")
	if err != nil {
		t.Fatal(err)
	}
	want := &UserGroup{GroupID: 123, Name: "考勤组1", Type: "TURN", Classes: []Class{{
		ClassID: 456, Name: "A班",
		Sections: []Section{{Times: []CheckTime{{CheckTime: "1970-01-01 12:00:00", CheckType: "OnDuty", BeginMin: 30}}}},
		Setting: &ClassSetting{
			RestBeginTime: &CheckTime{CheckTime: "1970-01-01 12:00:00", CheckType: "OnDuty"},
			RestEndTime:   &CheckTime{CheckTime: "1970-01-01 12:00:00", CheckType: "OffDuty"},
		},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAttendanceService_UpdateData(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/attendance/getupdatedata", func(w http.ResponseWriter, r *http.Request) {
		testJSONBody(t, r, `{"userid":"u1","work_date":"2026-11-16 00:00:00"}`)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","success":true,"request_id":"r","result":{
			"work_date":"2026-11-16 00:00:00",
			"attendance_result_list":[{"record_id":9,"source_type":"USER","plan_check_time":"2026-11-16 09:00:00","class_id":3,
				"location_method":"MAP","location_result":"Normal","plan_id":4,"group_id":5,"user_check_time":"2026-11-16 09:03:00",
				"procInst_id":"p1","check_type":"OnDuty","time_result":"Late"}],
			"check_record_list":[{"user_check_time":"2026-11-16 09:03:00","user_accuracy":"65","valid_matched":true,
				"user_longitude":116.48,"user_latitude":"39.99","invalid_record_type":""}],
			"approve_list":[{"duration_unit":"DAY","duration":"0.5","sub_type":"年假","tag_name":"请假","begin_time":"2026-11-16 13:00:00",
				"biz_type":3,"end_time":"2026-11-16 18:00:00","gmt_finished":"2026-11-15 20:00:00","procInst_id":"p2"}],
			"class_setting_info":{"rest_time_vo_list":[{"rest_begin_time":1763269200000,"rest_end_time":1763272800000}]}}}`)
	})
	got, _, err := env.client.Attendance.UpdateData(context.Background(), "u1", MustParseDate("2026-11-16"))
	if err != nil {
		t.Fatal(err)
	}
	dt := func(h, m int, text string) DateTime {
		return DateTime{Millis: shanghaiMs(2026, 11, 16, h, m, 0), Text: text}
	}
	want := &UpdateData{
		WorkDate: dt(0, 0, "2026-11-16 00:00:00"),
		AttendanceResults: []UpdateResult{{RecordID: 9, SourceType: "USER", PlanCheckTime: dt(9, 0, "2026-11-16 09:00:00"), ClassID: 3,
			LocationMethod: "MAP", LocationResult: "Normal", PlanID: 4, GroupID: 5, UserCheckTime: dt(9, 3, "2026-11-16 09:03:00"),
			ProcInstID: "p1", CheckType: "OnDuty", TimeResult: "Late"}},
		CheckRecords: []UpdateRecord{{UserCheckTime: dt(9, 3, "2026-11-16 09:03:00"), UserAccuracy: "65", ValidMatched: true,
			UserLongitude: "116.48", UserLatitude: "39.99"}},
		Approvals: []Approval{{DurationUnit: "DAY", Duration: "0.5", SubType: "年假", TagName: "请假", BeginTime: dt(13, 0, "2026-11-16 13:00:00"),
			BizType: 3, EndTime: dt(18, 0, "2026-11-16 18:00:00"),
			GmtFinished: DateTime{Millis: shanghaiMs(2026, 11, 15, 20, 0, 0), Text: "2026-11-15 20:00:00"}, ProcInstID: "p2"}},
		ClassSettingInfo: &UpdateClassSettings{RestTimes: []RestTime{{RestBeginTime: 1763269200000, RestEndTime: 1763272800000}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
