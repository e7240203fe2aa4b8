package syncer_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/syncer"
)

// decode reads DingTalk's wire JSON into the client's type, as the client would.
func decode[T any](t *testing.T, wire string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(wire), &v); err != nil {
		t.Fatalf("decode %s: %v", wire, err)
	}
	return v
}

func same(t *testing.T, got, want any) {
	t.Helper()
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("\n got %s\nwant %s", g, w)
	}
}

// ms is the unix millisecond of a wall time in loc.
func ms(loc *time.Location, y int, mo time.Month, d, h, mi int) int64 {
	return time.Date(y, mo, d, h, mi, 0, 0, loc).UnixMilli()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	newYork := mustZone("America/New_York")
	for _, test := range []struct {
		name string
		wire string
		loc  *time.Location
		want kaoqin.Check
	}{{
		name: "work date in the zone, not in UTC",
		// Midnight of 2026-11-18 in Shanghai is still the 17th in UTC.
		wire: fmt.Sprintf(`{"id":1000016796960,"recordId":"2000016796960","userId":"0055223841223022","groupId":582636017,
			"planId":3000016796960,"workDate":%d,"checkType":"OnDuty","timeResult":"Late","locationResult":"Outside",
			"baseCheckTime":%d,"userCheckTime":%d,"sourceType":"ATM"}`,
			ms(shanghai, 2026, 11, 18, 0, 0), ms(shanghai, 2026, 11, 18, 9, 0), ms(shanghai, 2026, 11, 18, 9, 7)),
		loc: shanghai,
		want: kaoqin.Check{ID: 1000016796960, RecordID: 2000016796960, UserID: "0055223841223022", WorkDate: "2026-11-18",
			CheckType: "OnDuty", TimeResult: "Late", LocationResult: "Outside",
			BaseCheckTime: ms(shanghai, 2026, 11, 18, 9, 0), UserCheckTime: ms(shanghai, 2026, 11, 18, 9, 7),
			SourceType: "ATM", PlanID: 3000016796960, GroupID: 582636017},
	}, {
		name: "another zone",
		wire: fmt.Sprintf(`{"id":7,"userId":"u1","workDate":%d,"checkType":"OffDuty","timeResult":"Early",
			"locationResult":"Normal","baseCheckTime":%d,"userCheckTime":%d}`,
			ms(newYork, 2026, 3, 8, 0, 0), ms(newYork, 2026, 3, 8, 17, 0), ms(newYork, 2026, 3, 8, 16, 40)),
		loc: newYork,
		want: kaoqin.Check{ID: 7, UserID: "u1", WorkDate: "2026-03-08", CheckType: "OffDuty", TimeResult: "Early",
			LocationResult: "Normal", BaseCheckTime: ms(newYork, 2026, 3, 8, 17, 0), UserCheckTime: ms(newYork, 2026, 3, 8, 16, 40)},
	}, {
		name: "NotSigned under a leave keeps the approval",
		wire: fmt.Sprintf(`{"id":9,"userId":"u2","workDate":%d,"checkType":"OnDuty","timeResult":"NotSigned",
			"locationResult":"NotSigned","baseCheckTime":%d,"userCheckTime":%d,"sourceType":"SYSTEM",
			"approveId":4000061597089,"procInstId":"3d6a78f4-604d"}`,
			ms(shanghai, 2026, 11, 18, 0, 0), ms(shanghai, 2026, 11, 18, 9, 0), ms(shanghai, 2026, 11, 18, 9, 0)),
		loc: shanghai,
		want: kaoqin.Check{ID: 9, UserID: "u2", WorkDate: "2026-11-18", CheckType: "OnDuty", TimeResult: "NotSigned",
			LocationResult: "NotSigned", BaseCheckTime: ms(shanghai, 2026, 11, 18, 9, 0), UserCheckTime: ms(shanghai, 2026, 11, 18, 9, 0),
			SourceType: "SYSTEM", ApproveID: 4000061597089, ProcInstID: "3d6a78f4-604d"},
	}, {
		name: "no workDate: the day of the scheduled time",
		wire: fmt.Sprintf(`{"id":"11","userId":"u3","checkType":"OffDuty","timeResult":"NotSigned","locationResult":"NotSigned",
			"baseCheckTime":%d,"userCheckTime":0}`, ms(shanghai, 2026, 11, 19, 0, 30)),
		loc: shanghai,
		want: kaoqin.Check{ID: 11, UserID: "u3", WorkDate: "2026-11-19", CheckType: "OffDuty", TimeResult: "NotSigned",
			LocationResult: "NotSigned", BaseCheckTime: ms(shanghai, 2026, 11, 19, 0, 30)},
	}} {
		t.Run(test.name, func(t *testing.T) {
			got := syncer.Check(decode[dingtalk.Result](t, test.wire), test.loc)
			same(t, got, test.want)
			if got.Signed() != (test.want.TimeResult != kaoqin.TimeNotSigned) {
				t.Errorf("Signed() = %v for %s", got.Signed(), got.TimeResult)
			}
		})
	}
}

func TestLeaves(t *testing.T) {
	t.Parallel()
	ls := decode[[]dingtalk.LeaveStatus](t, `[
		{"userid":"u1","start_time":1794186000000,"end_time":1794218400000,"duration_unit":"percent_day","duration_percent":100},
		{"userid":"u2","start_time":"1794186000000","end_time":"1794200400000","duration_unit":"percent_hour","duration_percent":"400"},
		{"userid":"u1","start_time":1794186000000,"end_time":1794218400000,"duration_unit":"percent_day","duration_percent":100}]`)
	same(t, syncer.Leaves(ls), []kaoqin.Leave{
		{UserID: "u1", StartTime: 1794186000000, EndTime: 1794218400000, DurationUnit: "percent_day", DurationPercent: 100},
		{UserID: "u2", StartTime: 1794186000000, EndTime: 1794200400000, DurationUnit: "percent_hour", DurationPercent: 400},
	})
}

func TestDepartmentAndEmployee(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name string
		wire string
		want kaoqin.Department
	}{
		{"listsub", `{"dept_id":100966364,"name":"销售中心","parent_id":1,"create_dept_group":true,"auto_add_user":true}`,
			kaoqin.Department{ID: 100966364, ParentID: 1, Name: "销售中心"}},
		{"get", `{"dept_id":"680502222","name":"华东销售部","parent_id":"100966364","order":3,"source_identifier":"HR-0042"}`,
			kaoqin.Department{ID: 680502222, ParentID: 100966364, Name: "华东销售部", Order: 3, SourceIdentifier: "HR-0042"}},
	} {
		t.Run(test.name, func(t *testing.T) {
			same(t, syncer.Department(decode[dingtalk.Department](t, test.wire)), test.want)
		})
	}
	t.Run("employee", func(t *testing.T) {
		// dept_id_list unsorted, repeated, with the home-school department -1 and ids as strings.
		u := decode[dingtalk.User](t, `{"userid":"0055223841223022","unionid":"x","name":"顾倩晶","job_number":"000026",
			"title":"客服专员","hired_date":1577808000000,"dept_id_list":[999279757,"100966364",-1,999279757],"active":true}`)
		same(t, syncer.Employee(u), kaoqin.Employee{UserID: "0055223841223022", Name: "顾倩晶", JobNumber: "000026",
			Title: "客服专员", HiredAt: 1577808000000, DeptIDs: []int64{100966364, 999279757}})
	})
}

func TestPunchAndSchedule(t *testing.T) {
	t.Parallel()
	r := decode[dingtalk.Record](t, fmt.Sprintf(`{"id":2000016796960,"userId":"u1","groupId":5,"planId":6,"workDate":%d,
		"checkType":"OnDuty","timeResult":"Normal","locationResult":"Normal","sourceType":"USER","userCheckTime":%d,
		"baseCheckTime":%d,"planCheckTime":%[3]d,"classId":301,"isLegal":"N","invalidRecordType":"Security","invalidRecordMsg":"虚拟定位",
		"locationMethod":"MAP","deviceId":"d1","deviceSN":"SN","userAddress":"张江","userLatitude":"31.2033","userLongitude":121.5908,
		"userAccuracy":"","userSsid":"wifi","userMacAddr":"aa:bb","baseAddress":"博云路","baseLatitude":"31.2","baseLongitude":"121.5",
		"baseAccuracy":"100","baseSsid":"office","baseMacAddr":"cc:dd","approveId":9,"procInstId":"p-1"}`,
		ms(shanghai, 2026, 11, 18, 0, 0), ms(shanghai, 2026, 11, 18, 8, 55), ms(shanghai, 2026, 11, 18, 9, 0)))
	same(t, syncer.Punch(r, shanghai), kaoqin.Punch{ID: 2000016796960, UserID: "u1", WorkDate: "2026-11-18", CheckType: "OnDuty",
		TimeResult: "Normal", LocationResult: "Normal", SourceType: "USER", UserCheckTime: ms(shanghai, 2026, 11, 18, 8, 55),
		BaseCheckTime: ms(shanghai, 2026, 11, 18, 9, 0), PlanCheckTime: ms(shanghai, 2026, 11, 18, 9, 0), PlanID: 6, GroupID: 5,
		ClassID: 301, IsLegal: false, InvalidRecordType: "Security", InvalidRecordMsg: "虚拟定位", LocationMethod: "MAP",
		UserAddress: "张江", Latitude: 31.2033, Longitude: 121.5908, Accuracy: 0, DeviceID: "d1", DeviceSN: "SN", SSID: "wifi",
		MAC: "aa:bb", BaseAddress: "博云路", BaseLatitude: 31.2, BaseLongitude: 121.5, BaseAccuracy: 100, BaseSSID: "office",
		BaseMAC: "cc:dd", ApproveID: 9, ProcInstID: "p-1"})

	rest := decode[dingtalk.UserSchedule](t, fmt.Sprintf(`{"id":3000016796960,"userid":"u1","work_date":%d,"check_type":"OnDuty",
		"plan_check_time":%d,"group_id":5,"shift_id":0,"is_rest":"Y"}`, ms(shanghai, 2026, 11, 21, 0, 0), ms(shanghai, 2026, 11, 21, 0, 0)))
	same(t, syncer.Schedule(rest, shanghai), kaoqin.Schedule{PlanID: 3000016796960, UserID: "u1", WorkDate: "2026-11-21",
		CheckType: "OnDuty", PlanCheckTime: ms(shanghai, 2026, 11, 21, 0, 0), GroupID: 5, IsRest: true})

	// listschedule names no work date (the day asked about) and marks a rest day by class_id 0.
	work := decode[dingtalk.DaySchedule](t, `{"plan_id":7,"check_type":"OffDuty","userid":"u2","class_id":301,
		"plan_check_time":"2026-11-18 18:00:00","group_id":5,"approve_id":8}`)
	work.PlanCheckTime.Millis = ms(shanghai, 2026, 11, 18, 18, 0) // the client resolves the text in its zone
	same(t, syncer.DaySchedule(work, "2026-11-18"), kaoqin.Schedule{PlanID: 7, UserID: "u2", WorkDate: "2026-11-18",
		CheckType: "OffDuty", PlanCheckTime: ms(shanghai, 2026, 11, 18, 18, 0), GroupID: 5, ShiftID: 301, ApproveID: 8})
	restDay := decode[dingtalk.DaySchedule](t, `{"plan_id":8,"check_type":"OnDuty","userid":"u2","plan_check_time":"2026-11-21 00:00:00","group_id":5}`)
	if got := syncer.DaySchedule(restDay, "2026-11-21"); !got.IsRest || got.ShiftID != 0 {
		t.Errorf("listschedule's rest day: %+v", got)
	}
}
