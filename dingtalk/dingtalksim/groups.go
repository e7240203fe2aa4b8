package dingtalksim

import (
	"fmt"
	"slices"
	"strconv"
)

type timeMark struct {
	CheckTime string `json:"check_time"`
}

type groupTime struct {
	CheckTime string `json:"check_time"`
	CheckType string `json:"check_type"`
	Across    int    `json:"across"`
}

type groupSection struct {
	Times []groupTime `json:"times"`
}

type classSetting struct {
	ClassSettingID         int64     `json:"class_setting_id"`
	PermitLateMinutes      int       `json:"permit_late_minutes"`
	SeriousLateMinutes     int       `json:"serious_late_minutes"`
	AbsenteeismLateMinutes int       `json:"absenteeism_late_minutes"`
	WorkTimeMinutes        int       `json:"work_time_minutes"`
	IsOffDutyFreeCheck     string    `json:"is_off_duty_free_check"`
	RestBeginTime          *timeMark `json:"rest_begin_time,omitempty"`
	RestEndTime            *timeMark `json:"rest_end_time,omitempty"`
}

type selectedClass struct {
	ClassID   int64          `json:"class_id"`
	ClassName string         `json:"class_name"`
	Sections  []groupSection `json:"sections"`
	Setting   classSetting   `json:"setting"`
}

type simpleGroup struct {
	GroupID        int64           `json:"group_id"`
	GroupName      string          `json:"group_name"`
	IsDefault      bool            `json:"is_default"`
	Type           string          `json:"type"`
	MemberCount    int             `json:"member_count"`
	DefaultClassID int64           `json:"default_class_id"`
	WorkDayList    []string        `json:"work_day_list"`
	ClassesList    []string        `json:"classes_list"`
	ManagerList    []string        `json:"manager_list"`
	DeptNameList   []string        `json:"dept_name_list"`
	DeptIDs        []int64         `json:"dept_ids"`
	OwnerUserID    string          `json:"owner_user_id"`
	SelectedClass  []selectedClass `json:"selected_class"`
}

// clockTime writes a minute of a class as DingTalk does, on 1970-01-01; a time of the next
// morning (24:00 or later) is written as its time of day, and across says it is the next day.
func clockTime(minute int) string {
	minute %= 24 * 60
	return fmt.Sprintf("1970-01-01 %02d:%02d:00", minute/60, minute%60)
}

// across is how many days after the work date a minute of a class falls (DingTalk's across).
func across(minute int) int { return minute / (24 * 60) }

// hhmm writes a minute of a class as a time of day, "次日" (the next day) before a time of the
// next morning, as DingTalk's class lists do.
func hhmm(minute int) string {
	if minute >= 24*60 {
		minute -= 24 * 60
		return fmt.Sprintf("次日%02d:%02d", minute/60, minute%60)
	}
	return fmt.Sprintf("%02d:%02d", minute/60, minute%60)
}

// span writes a class's check times, "09:00-18:00" or "22:00-次日06:00".
func (c *class) span() string {
	out := ""
	for i, sec := range c.sections {
		if i > 0 {
			out += " "
		}
		out += hhmm(sec.on) + "-" + hhmm(sec.off)
	}
	return out
}

// classes returns the group's distinct classes: its one, or its cycle's.
func (g *group) classes() []*class {
	if g.turn == nil {
		return []*class{&g.class}
	}
	var out []*class
	for _, c := range g.turn {
		if c != nil && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// typ is the group's type as DingTalk names it: FIXED (固定班制) or TURN (排班制).
func (g *group) typ() string {
	if g.turn != nil {
		return "TURN"
	}
	return "FIXED"
}

// describe renders a group as getsimplegroups does. Caller holds s.mu.
func (s *Server) describeGroup(g *group) simpleGroup {
	sg := simpleGroup{
		GroupID: g.id, GroupName: g.name, IsDefault: g.isDefault, Type: g.typ(), DefaultClassID: g.classID,
		ManagerList: []string{}, DeptNameList: []string{}, DeptIDs: []int64{},
	}
	if g.turn == nil {
		cid := strconv.FormatInt(g.classID, 10)
		sg.WorkDayList = []string{"0", cid, cid, cid, cid, cid, "0"}
		sg.ClassesList = []string{"周一、二、三、四、五 " + g.className + ":" + g.span(), "周六、周日 休息"}
	} else {
		// A TURN group's days follow each person's schedule, not the week (UNVERIFIED: what
		// DingTalk lists for them).
		sg.WorkDayList = []string{"0", "0", "0", "0", "0", "0", "0"}
		for _, c := range g.classes() {
			sg.ClassesList = append(sg.ClassesList, c.className+":"+c.span())
		}
	}
	for _, u := range s.org.users {
		if !u.removed && u.group == g {
			sg.MemberCount++
			if u.boss {
				sg.OwnerUserID = u.userid
				sg.ManagerList = append(sg.ManagerList, u.userid)
			}
		}
	}
	if g.night() {
		for _, d := range s.org.sortedDepts() {
			if s.co.groupOf(s.org, d.id) == g && (d.parent == 1 || s.co.groupOf(s.org, d.parent) != g) {
				sg.DeptNameList = append(sg.DeptNameList, d.name)
				sg.DeptIDs = append(sg.DeptIDs, d.id)
			}
		}
	} else {
		for _, d := range s.org.children(1) {
			if div := s.org.division(d.id); (g.division >= 0 && div == g.division) || (g.division < 0 && s.co.groupFor(div) == g) {
				sg.DeptNameList = append(sg.DeptNameList, d.name)
				sg.DeptIDs = append(sg.DeptIDs, d.id)
			}
		}
	}
	for _, c := range g.classes() {
		cls := selectedClass{ClassID: c.classID, ClassName: c.className, Setting: classSetting{
			ClassSettingID: c.settingID, PermitLateMinutes: g.permitLate, SeriousLateMinutes: g.seriousLate,
			AbsenteeismLateMinutes: g.absenteeismLate, WorkTimeMinutes: -1, IsOffDutyFreeCheck: "N",
		}}
		for _, sec := range c.sections {
			cls.Sections = append(cls.Sections, groupSection{Times: []groupTime{
				{CheckTime: clockTime(sec.on), CheckType: "OnDuty", Across: across(sec.on)},
				{CheckTime: clockTime(sec.off), CheckType: "OffDuty", Across: across(sec.off)},
			}})
		}
		if len(c.sections) == 1 { // DingTalk gives the break only for one-section classes
			cls.Setting.RestBeginTime = &timeMark{clockTime(c.restBegin)}
			cls.Setting.RestEndTime = &timeMark{clockTime(c.restEnd)}
		}
		sg.SelectedClass = append(sg.SelectedClass, cls)
	}
	return sg
}

// getSimpleGroups is topapi/attendance/getsimplegroups: the attendance groups, 10 a page.
func (s *Server) getSimpleGroups(c *call) (any, *apiError) {
	p := c.p
	offset, ok := p.int("offset", false)
	if !ok {
		offset = 0
	}
	size, ok := p.int("size", false)
	if !ok {
		size = 10
	}
	if p.err != nil {
		return nil, p.err
	}
	if offset < 0 {
		return nil, errParam("offset 不能小于0")
	}
	if size < 1 || size > 10 {
		return nil, errParam("size 取值范围为1-10")
	}
	s.mu.RLock()
	var all []simpleGroup
	for _, g := range s.co.groups {
		all = append(all, s.describeGroup(g))
	}
	s.mu.RUnlock()
	page, more := pageOf(all, offset, size)
	return struct {
		HasMore bool          `json:"has_more"`
		Groups  []simpleGroup `json:"groups"`
	}{more, nonNil(page)}, nil
}

type userGroupTime struct {
	CheckTime string `json:"check_time"`
	CheckType string `json:"check_type"`
	Across    int    `json:"across"`
	BeginMin  int    `json:"begin_min"`
	EndMin    int    `json:"end_min"`
}

// getUserGroup is topapi/attendance/getusergroup: the one group of one person.
func (s *Server) getUserGroup(c *call) (any, *apiError) {
	userid := c.p.str("userid", true)
	if c.p.err != nil {
		return nil, c.p.err
	}
	pp := s.currentUser(userid)
	if pp == nil {
		return nil, errf(60121, "找不到该用户")
	}
	g := pp.group
	type section struct {
		Times []userGroupTime `json:"times"`
	}
	rest := func(minute int, typ string) userGroupTime {
		return userGroupTime{CheckTime: clockTime(minute), CheckType: typ, Across: across(minute)}
	}
	type setting struct {
		RestBeginTime userGroupTime `json:"rest_begin_time"`
		RestEndTime   userGroupTime `json:"rest_end_time"`
	}
	type class struct {
		ClassID  int64     `json:"class_id"`
		Name     string    `json:"name"`
		Sections []section `json:"sections"`
		Setting  setting   `json:"setting"`
	}
	var classes []class
	for _, c := range g.classes() {
		var secs []section
		for _, sec := range c.sections {
			secs = append(secs, section{Times: []userGroupTime{
				{CheckTime: clockTime(sec.on), CheckType: "OnDuty", Across: across(sec.on), BeginMin: 120, EndMin: g.absenteeismLate + 90},
				{CheckTime: clockTime(sec.off), CheckType: "OffDuty", Across: across(sec.off), BeginMin: 60, EndMin: 240},
			}})
		}
		classes = append(classes, class{c.classID, c.className, secs, setting{rest(c.restBegin, "OnDuty"), rest(c.restEnd, "OffDuty")}})
	}
	return struct {
		GroupID int64   `json:"group_id"`
		Name    string  `json:"name"`
		Type    string  `json:"type"`
		Classes []class `json:"classes"`
	}{g.id, g.name, g.typ(), classes}, nil
}

type updateResult struct {
	RecordID       int64  `json:"record_id,omitempty"`
	SourceType     string `json:"source_type"`
	PlanCheckTime  string `json:"plan_check_time"`
	ClassID        int64  `json:"class_id"`
	LocationMethod string `json:"location_method,omitempty"`
	LocationResult string `json:"location_result"`
	OutsideRemark  string `json:"outside_remark,omitempty"`
	PlanID         int64  `json:"plan_id"`
	UserAddress    string `json:"user_address,omitempty"`
	GroupID        int64  `json:"group_id"`
	UserCheckTime  string `json:"user_check_time"`
	ProcInstID     string `json:"procInst_id,omitempty"`
	CheckType      string `json:"check_type"`
	TimeResult     string `json:"time_result"`
}

type updateRecord struct {
	RecordID          int64  `json:"record_id"`
	CheckType         string `json:"check_type"`
	SourceType        string `json:"source_type"`
	LocationMethod    string `json:"location_method,omitempty"`
	LocationResult    string `json:"location_result"`
	UserCheckTime     string `json:"user_check_time"`
	UserAddress       string `json:"user_address"`
	UserLatitude      string `json:"user_latitude"`
	UserLongitude     string `json:"user_longitude"`
	UserAccuracy      string `json:"user_accuracy"`
	UserSsid          string `json:"user_ssid,omitempty"`
	UserMacAddr       string `json:"user_mac_addr,omitempty"`
	BaseAddress       string `json:"base_address"`
	BaseAccuracy      string `json:"base_accuracy"`
	InvalidRecordType string `json:"invalid_record_type,omitempty"`
	InvalidRecordMsg  string `json:"invalid_record_msg,omitempty"`
	ValidMatched      bool   `json:"valid_matched"`
}

type updateApprove struct {
	TagName      string `json:"tag_name"`
	SubType      string `json:"sub_type"`
	BizType      int    `json:"biz_type"`
	Duration     string `json:"duration"`
	DurationUnit string `json:"duration_unit"`
	BeginTime    string `json:"begin_time"`
	EndTime      string `json:"end_time"`
	GmtFinished  string `json:"gmt_finished"`
	ProcInstID   string `json:"procInst_id"`
}

type restTime struct {
	RestBeginTime int64 `json:"rest_begin_time"`
	RestEndTime   int64 `json:"rest_end_time"`
}

// getUpdateData is topapi/attendance/getupdatedata: one person's day in one answer, results,
// punches and approvals, as of the company clock.
func (s *Server) getUpdateData(c *call) (any, *apiError) {
	p := c.p
	userid := p.str("userid", true)
	day, _ := p.timeStr("work_date", true, s.cfg.Location)
	if p.err != nil {
		return nil, p.err
	}
	d := civilOf(day)
	out := struct {
		UserID               string          `json:"userid"`
		CorpID               string          `json:"corpId"`
		WorkDate             string          `json:"work_date"`
		AttendanceResultList []updateResult  `json:"attendance_result_list"`
		CheckRecordList      []updateRecord  `json:"check_record_list"`
		ApproveList          []updateApprove `json:"approve_list"`
		ClassSettingInfo     struct {
			RestTimeVoList []restTime `json:"rest_time_vo_list"`
		} `json:"class_setting_info"`
	}{UserID: userid, CorpID: s.cfg.CorpID, WorkDate: d.String() + " 00:00:00",
		AttendanceResultList: []updateResult{}, CheckRecordList: []updateRecord{}, ApproveList: []updateApprove{}}
	out.ClassSettingInfo.RestTimeVoList = []restTime{}
	people := s.people([]string{userid})
	if len(people) == 0 || d > c.today || !servable(d, c.today) {
		return out, nil
	}
	pp := people[0]
	dp := s.co.plan(pp, d)
	now := c.now.UnixMilli()
	records := s.co.records(dp, now)
	byID := map[int64]Record{}
	for _, r := range records {
		byID[r.ID] = r
	}
	for _, r := range s.amendResults(s.co.results(dp, now), now) {
		ur := updateResult{
			RecordID: r.RecordID, SourceType: r.SourceType, PlanCheckTime: s.fmtMillis(r.BaseCheckTime),
			ClassID: dp.cls.classID, LocationResult: r.LocationResult, PlanID: r.PlanID, GroupID: r.GroupID,
			UserCheckTime: s.fmtMillis(r.UserCheckTime), ProcInstID: r.ProcInstID, CheckType: r.CheckType, TimeResult: r.TimeResult,
		}
		if rec, ok := byID[r.RecordID]; ok && r.RecordID != 0 {
			ur.LocationMethod, ur.UserAddress, ur.OutsideRemark = rec.LocationMethod, rec.UserAddress, rec.OutsideRemark
		}
		out.AttendanceResultList = append(out.AttendanceResultList, ur)
	}
	matched := map[int64]bool{}
	for _, r := range out.AttendanceResultList {
		matched[r.RecordID] = r.RecordID != 0
	}
	for _, r := range records {
		out.CheckRecordList = append(out.CheckRecordList, updateRecord{
			RecordID: r.ID, CheckType: r.CheckType, SourceType: r.SourceType, LocationMethod: r.LocationMethod,
			LocationResult: r.LocationResult, UserCheckTime: s.fmtMillis(r.UserCheckTime),
			UserAddress: r.UserAddress, UserLatitude: strconv.FormatFloat(r.UserLatitude, 'f', -1, 64),
			UserLongitude: strconv.FormatFloat(r.UserLongitude, 'f', -1, 64), UserAccuracy: strconv.FormatFloat(r.UserAccuracy, 'f', -1, 64),
			UserSsid: r.UserSsid, UserMacAddr: r.UserMacAddr, BaseAddress: r.BaseAddress,
			BaseAccuracy: strconv.FormatFloat(r.BaseAccuracy, 'f', -1, 64), InvalidRecordType: r.InvalidRecordType,
			InvalidRecordMsg: r.InvalidRecordMsg, ValidMatched: matched[r.ID],
		})
	}
	if lv := dp.leave; lv != nil {
		dur, unit := fmt.Sprintf("%.1f", float64(lv.DurationPercent)/100), "DAY"
		if lv.DurationUnit == "percent_hour" {
			unit = "HOUR"
		}
		out.ApproveList = append(out.ApproveList, updateApprove{
			TagName: "请假", SubType: lv.Type, BizType: 3, Duration: dur, DurationUnit: unit,
			BeginTime: s.fmtMillis(lv.StartTime), EndTime: s.fmtMillis(lv.EndTime),
			GmtFinished: s.fmtMillis(s.co.dayStart(lv.from-1) + 17*3600_000), ProcInstID: lv.ProcInstID,
		})
	}
	for _, a := range []*approval{dp.trip, dp.makeUp, dp.overtime} {
		if a == nil {
			continue
		}
		hours := float64(a.end-a.begin) / 3600_000
		out.ApproveList = append(out.ApproveList, updateApprove{
			TagName: a.tag, BizType: a.bizType, Duration: fmt.Sprintf("%.1f", hours), DurationUnit: "HOUR",
			BeginTime: s.fmtMillis(a.begin), EndTime: s.fmtMillis(a.end),
			GmtFinished: s.fmtMillis(s.co.dayStart(d-1) + 17*3600_000), ProcInstID: a.procInstID,
		})
	}
	if cls := dp.cls; cls != nil && len(cls.sections) == 1 {
		out.ClassSettingInfo.RestTimeVoList = append(out.ClassSettingInfo.RestTimeVoList,
			restTime{s.co.at(d, cls.restBegin).UnixMilli(), s.co.at(d, cls.restEnd).UnixMilli()})
	}
	return out, nil
}
