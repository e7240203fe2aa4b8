package syncer

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// This file is the one place where DingTalk's wire types meet kaoqin's values. Work dates are
// calendar days in the configured zone; instants stay unix milliseconds, as DingTalk sends them.

// Check returns one row of attendance/list as a kaoqin.Check. The work date comes from
// DingTalk's workDate (midnight of the work day); if DingTalk left it out, from the scheduled
// time. A NotSigned check keeps what DingTalk sent for the punch time (the scheduled time,
// usually): reports know it means nothing.
func Check(r dingtalk.Result, loc *time.Location) kaoqin.Check {
	day := int64(r.WorkDate)
	if day == 0 {
		day = int64(r.BaseCheckTime)
	}
	return kaoqin.Check{
		ID:             int64(r.ID),
		RecordID:       int64(r.RecordID),
		UserID:         r.UserID,
		WorkDate:       kaoqin.DateOfMs(day, loc),
		CheckType:      r.CheckType,
		TimeResult:     r.TimeResult,
		LocationResult: r.LocationResult,
		BaseCheckTime:  int64(r.BaseCheckTime),
		UserCheckTime:  int64(r.UserCheckTime),
		SourceType:     r.SourceType,
		PlanID:         int64(r.PlanID),
		GroupID:        int64(r.GroupID),
		ApproveID:      int64(r.ApproveID),
		ProcInstID:     r.ProcInstID,
	}
}

// Checks converts a chunk's rows.
func Checks(rs []dingtalk.Result, loc *time.Location) []kaoqin.Check {
	out := make([]kaoqin.Check, len(rs))
	for i, r := range rs {
		out[i] = Check(r, loc)
	}
	return out
}

// Leave returns one approved leave of getleavestatus.
func Leave(l dingtalk.LeaveStatus) kaoqin.Leave {
	return kaoqin.Leave{
		UserID:          l.UserID,
		StartTime:       int64(l.StartTime),
		EndTime:         int64(l.EndTime),
		DurationUnit:    l.DurationUnit,
		DurationPercent: int64(l.DurationPercent),
	}
}

// Leaves converts a chunk's leave. DingTalk pages leave by offset, so a leave can come twice
// when the list changes between pages; the store keys leave by (user, start, end) anyway,
// and the copies are dropped here.
func Leaves(ls []dingtalk.LeaveStatus) []kaoqin.Leave {
	out := make([]kaoqin.Leave, 0, len(ls))
	seen := make(map[kaoqin.Leave]bool, len(ls))
	for _, l := range ls {
		k := Leave(l)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

// Department returns a department of listsub or department/get. listsub leaves out the order
// and the source identifier; department/get has them.
func Department(d dingtalk.Department) kaoqin.Department {
	return kaoqin.Department{
		ID:               int64(d.ID),
		ParentID:         int64(d.ParentID),
		Name:             d.Name,
		Order:            int64(d.Order),
		SourceIdentifier: d.SourceIdentifier,
		Managers:         slices.Clone([]string(d.ManagerUserIDs)),
	}
}

// Employee returns a user of v2/user/list. DeptIDs are the user's dept_id_list, sorted, without
// repeats and without the negative ids of home-school contact trees.
func Employee(u dingtalk.User) kaoqin.Employee {
	ids := make([]int64, 0, len(u.DeptIDList))
	for _, id := range u.DeptIDList {
		if id > 0 {
			ids = append(ids, int64(id))
		}
	}
	slices.Sort(ids)
	return kaoqin.Employee{
		UserID:    u.UserID,
		Name:      u.Name,
		JobNumber: u.JobNumber,
		Title:     u.Title,
		HiredAt:   int64(u.HiredDate),
		Admin:     u.Admin || u.Boss,
		DeptIDs:   slices.Compact(ids),
	}
}

// Punch returns one punch record of attendance/listRecord. Coordinates DingTalk sends as text
// that is not a number are left out (0).
func Punch(r dingtalk.Record, loc *time.Location) kaoqin.Punch {
	day := int64(r.WorkDate)
	if day == 0 {
		day = int64(r.UserCheckTime)
	}
	return kaoqin.Punch{
		ID:                int64(r.ID),
		UserID:            r.UserID,
		WorkDate:          kaoqin.DateOfMs(day, loc),
		CheckType:         r.CheckType,
		TimeResult:        r.TimeResult,
		LocationResult:    r.LocationResult,
		SourceType:        r.SourceType,
		UserCheckTime:     int64(r.UserCheckTime),
		BaseCheckTime:     int64(r.BaseCheckTime),
		PlanCheckTime:     int64(r.PlanCheckTime),
		PlanID:            int64(r.PlanID),
		GroupID:           int64(r.GroupID),
		ClassID:           int64(r.ClassID),
		IsLegal:           r.IsLegal == "Y",
		InvalidRecordType: r.InvalidRecordType,
		InvalidRecordMsg:  r.InvalidRecordMsg,
		LocationMethod:    r.LocationMethod,
		UserAddress:       r.UserAddress,
		Latitude:          number(r.UserLatitude),
		Longitude:         number(r.UserLongitude),
		Accuracy:          number(r.UserAccuracy),
		OutsideRemark:     r.OutsideRemark,
		DeviceID:          r.DeviceID,
		DeviceSN:          r.DeviceSN,
		SSID:              r.UserSsid,
		MAC:               r.UserMacAddr,
		BaseAddress:       r.BaseAddress,
		BaseLatitude:      number(r.BaseLatitude),
		BaseLongitude:     number(r.BaseLongitude),
		BaseAccuracy:      number(r.BaseAccuracy),
		BaseSSID:          r.BaseSsid,
		BaseMAC:           r.BaseMacAddr,
		ApproveID:         int64(r.ApproveID),
		ProcInstID:        r.ProcInstID,
	}
}

// Punches converts a chunk's punch records.
func Punches(rs []dingtalk.Record, loc *time.Location) []kaoqin.Punch {
	out := make([]kaoqin.Punch, len(rs))
	for i, r := range rs {
		out[i] = Punch(r, loc)
	}
	return out
}

// number reads a coordinate or an accuracy DingTalk sent as text; 0 when it is not a number.
func number(s dingtalk.FlexString) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// Schedule returns one planned check point of schedule/listbyusers. A rest day has no shift and
// is_rest "Y".
func Schedule(s dingtalk.UserSchedule, loc *time.Location) kaoqin.Schedule {
	day := s.WorkDate.Millis
	if day == 0 {
		day = s.PlanCheckTime.Millis
	}
	return kaoqin.Schedule{
		PlanID:        int64(s.ID),
		UserID:        s.UserID,
		WorkDate:      kaoqin.DateOfMs(day, loc),
		CheckType:     s.CheckType,
		PlanCheckTime: s.PlanCheckTime.Millis,
		GroupID:       int64(s.GroupID),
		ShiftID:       int64(s.ShiftID),
		IsRest:        s.IsRest == "Y",
		ApproveID:     int64(s.ApproveID),
	}
}

// DaySchedule returns one planned check point of listschedule, which lists one work date
// (day) and says nothing of rest days but a class_id of 0 (UNVERIFIED: read as a rest day).
func DaySchedule(s dingtalk.DaySchedule, day string) kaoqin.Schedule {
	return kaoqin.Schedule{
		PlanID:        int64(s.PlanID),
		UserID:        s.UserID,
		WorkDate:      day,
		CheckType:     s.CheckType,
		PlanCheckTime: s.PlanCheckTime.Millis,
		GroupID:       int64(s.GroupID),
		ShiftID:       int64(s.ClassID),
		IsRest:        s.ClassID == 0,
		ApproveID:     int64(s.ApproveID),
	}
}

// date converts a kaoqin work date, already validated, to the client's Date.
func date(day string) dingtalk.Date { return dingtalk.MustParseDate(day) }

// DayDetail returns what getupdatedata said of userid's day, fetched at (unix ms).
func DayDetail(u *dingtalk.UpdateData, userid, day string, fetched int64) kaoqin.DayDetail {
	d := kaoqin.DayDetail{UserID: userid, WorkDate: day, FetchedAt: fetched,
		Results: []kaoqin.Check{}, Punches: []kaoqin.Punch{}, Matched: []int64{}, Approvals: []kaoqin.Approval{}}
	for _, r := range u.AttendanceResults {
		d.Results = append(d.Results, kaoqin.Check{
			RecordID: int64(r.RecordID), UserID: userid, WorkDate: day, CheckType: r.CheckType,
			TimeResult: r.TimeResult, LocationResult: r.LocationResult, BaseCheckTime: r.PlanCheckTime.Millis,
			UserCheckTime: r.UserCheckTime.Millis, SourceType: r.SourceType, PlanID: int64(r.PlanID),
			GroupID: int64(r.GroupID), ProcInstID: r.ProcInstID,
		})
	}
	for _, r := range u.CheckRecords {
		d.Punches = append(d.Punches, kaoqin.Punch{
			ID: int64(r.RecordID), UserID: userid, WorkDate: day, CheckType: r.CheckType, SourceType: r.SourceType,
			LocationMethod: r.LocationMethod, LocationResult: r.LocationResult, UserCheckTime: r.UserCheckTime.Millis,
			UserAddress: r.UserAddress, Latitude: number(r.UserLatitude), Longitude: number(r.UserLongitude),
			Accuracy: number(r.UserAccuracy), SSID: r.UserSsid, MAC: r.UserMacAddr, BaseAddress: r.BaseAddress,
			BaseAccuracy: number(r.BaseAccuracy), OutsideRemark: r.OutsideRemark,
			InvalidRecordType: r.InvalidRecordType, InvalidRecordMsg: r.InvalidRecordMsg,
		})
		if r.ValidMatched {
			d.Matched = append(d.Matched, int64(r.RecordID))
		}
	}
	for _, a := range u.Approvals {
		d.Approvals = append(d.Approvals, kaoqin.Approval{
			Tag: a.TagName, SubType: a.SubType, BizType: int(a.BizType), Duration: string(a.Duration),
			DurationUnit: a.DurationUnit, Begin: a.BeginTime.Millis, End: a.EndTime.Millis,
			FinishedAt: a.GmtFinished.Millis, ProcInstID: a.ProcInstID,
		})
	}
	return d
}
