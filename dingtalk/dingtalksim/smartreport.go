package dingtalksim

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// DingTalk's own report (智能报表, reference 10.5): isopensmartreport, getattcolumns,
// getcolumnval and getleavetimebynames, and the company's leave types (vacation/type/list).
// The report is computed from the same days the attendance endpoints answer, as of the
// company clock, changes made after the fact included (amend.go), by DingTalk's rules, which
// are kaoqin's with one exception worth finding: a day with a 旷工迟到 (Absenteeism) check-in
// also counts as a day of 旷工 (UNVERIFIED: an attendance-group setting in DingTalk, on here).

// Limits of the report APIs.
const (
	maxReportColumns = 20  // column ids a getcolumnval call, leave names a getleavetimebynames call
	maxReportSpan    = 31  // to - from, in days
	maxLeaveLookback = 225 // days before today getleavetimebynames still serves
	shouldDaysWindow = 15  // 应出勤天数 has a value only this many days back; 0 before
)

// ReportColumn is one column of the smart report, as getattcolumns lists it. Leave columns
// have no id (ID 0).
type ReportColumn struct {
	ID      int64  `json:"id,omitempty"`
	Type    int    `json:"type"`
	Name    string `json:"name"`
	Alias   string `json:"alias"`
	Status  int    `json:"status"`
	SubType int    `json:"sub_type"`
}

// The report's columns, in DingTalk's order; the aliases DingTalk gives most of them are
// UNVERIFIED (only should_attendance_days and making_up_lack_times are documented), so a
// client should match them by name.
var reportColumns = []struct{ alias, name string }{
	{"should_attendance_days", "应出勤天数"},
	{"attendance_days", "出勤天数"},
	{"rest_days", "休息天数"},
	{"attendance_work_time", "工作时长"},
	{"late_times", "迟到次数"},
	{"late_minute", "迟到时长"},
	{"serious_late_times", "严重迟到次数"},
	{"serious_late_minute", "严重迟到时长"},
	{"absenteeism_late_times", "旷工迟到天数"},
	{"leave_early_times", "早退次数"},
	{"leave_early_minute", "早退时长"},
	{"on_work_lack_card_times", "上班缺卡次数"},
	{"off_work_lack_card_times", "下班缺卡次数"},
	{"absenteeism_days", "旷工天数"},
	{"business_trip_time", "出差时长"},
	{"out_time", "外出时长"},
	{"making_up_lack_times", "补卡次数"},
}

// VacationType is a leave type of the company, as vacation/type/list answers it.
type VacationType struct {
	LeaveCode       string `json:"leave_code"`
	LeaveName       string `json:"leave_name"`
	LeaveViewUnit   string `json:"leave_view_unit"` // day, halfDay or hour
	BizType         string `json:"biz_type"`        // general_leave, or lieu_leave (调休)
	NaturalDayLeave string `json:"natural_day_leave"`
	HoursInPerDay   int    `json:"hours_in_per_day"` // hours a day x 100
	Source          string `json:"source"`
}

// leaveUnits are the units of the company's leave types; the report gives a leave in its
// type's unit (UNVERIFIED: the docs do not say; a day type shows 1.0 a whole day and 0.5 a
// half day, an hour type the hours of work the leave covers).
var leaveUnits = map[string]string{"年假": "day", "事假": "hour", "病假": "halfDay", "调休": "hour", "婚假": "day"}

// VacationTypes returns the company's leave types.
func (t Truth) VacationTypes() []VacationType { return t.s.vacationTypes() }

func (s *Server) vacationTypes() []VacationType {
	out := make([]VacationType, 0, len(leaveTypes))
	for i, name := range leaveTypes {
		vt := VacationType{LeaveCode: hex16(hash(s.seed, saltOrg, 100+uint64(i))), LeaveName: name,
			LeaveViewUnit: leaveUnits[name], BizType: "general_leave", NaturalDayLeave: "false", HoursInPerDay: 800, Source: "inner"}
		if name == "调休" {
			vt.BizType = "lieu_leave"
		}
		out = append(out, vt)
	}
	return out
}

// Columns returns the report's columns as getattcolumns lists them: the fixed ones with their
// ids, then one per leave type without an id.
func (t Truth) Columns() []ReportColumn { return t.s.reportColumnList() }

func (s *Server) reportColumnList() []ReportColumn {
	out := make([]ReportColumn, 0, len(reportColumns)+len(leaveTypes))
	for i, c := range reportColumns {
		out = append(out, ReportColumn{ID: s.columnID(i), Name: c.name, Alias: c.alias})
	}
	for _, name := range leaveTypes {
		out = append(out, ReportColumn{Type: 2, Name: name, Alias: "leave_"})
	}
	return out
}

func (s *Server) columnID(i int) int64 {
	return 100_000_000 + int64(hash(s.seed, saltOrg, 1000+uint64(i))%900_000_000)
}

// SetSmartReport turns DingTalk's smart report on (the default) or off for the company: off,
// isopensmartreport says false and the other report APIs refuse.
func (s *Server) SetSmartReport(on bool) { s.smartOff.Store(!on) }

var errSmartOff = errParam("企业未开启智能统计报表") // UNVERIFIED code and wording

// isOpenSmartReport is topapi/attendance/isopensmartreport.
func (s *Server) isOpenSmartReport(c *call) (any, *apiError) {
	return struct {
		SmartReport bool `json:"smart_report"`
	}{!s.smartOff.Load()}, nil
}

// getAttColumns is topapi/attendance/getattcolumns: the report's columns.
func (s *Server) getAttColumns(c *call) (any, *apiError) {
	if s.smartOff.Load() {
		return nil, errSmartOff
	}
	return struct {
		Columns []ReportColumn `json:"columns"`
	}{s.reportColumnList()}, nil
}

// vacationTypeList is topapi/attendance/vacation/type/list. op_userid must be an
// administrator (UNVERIFIED: DingTalk wants one with the OA approval app's rights).
func (s *Server) vacationTypeList(c *call) (any, *apiError) {
	p := c.p
	op := p.str("op_userid", true)
	p.str("vacation_source", false)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.RLock()
	u := s.org.users[op]
	admin := u != nil && !u.removed && u.admin
	s.mu.RUnlock()
	if !admin {
		return nil, errParam("op_userid 不是有权限的管理员") // UNVERIFIED
	}
	return s.vacationTypes(), nil
}

// reportRange reads from_date and to_date ("yyyy-MM-dd HH:mm:ss"): at most 31 days apart.
func (s *Server) reportRange(p *params) (civil, civil, *apiError) {
	from, _ := p.timeStr("from_date", true, s.cfg.Location)
	to, _ := p.timeStr("to_date", true, s.cfg.Location)
	if p.err != nil {
		return 0, 0, p.err
	}
	switch {
	case to.Before(from):
		return 0, 0, errParam("开始时间晚于结束时间")
	case to.Sub(from) > maxReportSpan*24*time.Hour:
		return 0, 0, errParam("结束时间减去开始时间必须在31天以内")
	}
	return civilOf(from), civilOf(to), nil
}

type dayVal struct {
	Date  string `json:"date"`
	Value string `json:"value"`
}

// getColumnVal is topapi/attendance/getcolumnval: one person's daily values of up to 20
// columns over at most 31 days. Nothing for a person who has left (UNVERIFIED: an empty
// column_vals, where DingTalk may answer an error).
func (s *Server) getColumnVal(c *call) (any, *apiError) {
	p := c.p
	userid := p.str("userid", true)
	ids := p.commaInts("column_id_list", true)
	if p.err != nil {
		return nil, p.err
	}
	from, to, e := s.reportRange(p)
	if e != nil {
		return nil, e
	}
	if s.smartOff.Load() {
		return nil, errSmartOff
	}
	if len(ids) > maxReportColumns {
		return nil, errParam("column_id_list 最多20个")
	}
	cols := make([]int, len(ids))
	for k, id := range ids {
		cols[k] = -1
		for i := range reportColumns {
			if s.columnID(i) == id {
				cols[k] = i
			}
		}
		if cols[k] < 0 {
			return nil, errParam("列ID不存在: " + strconv.FormatInt(id, 10)) // UNVERIFIED
		}
	}
	type colVal struct {
		ColumnVo struct {
			ID int64 `json:"id"`
		} `json:"column_vo"`
		ColumnVals []dayVal `json:"column_vals"`
	}
	out := struct {
		ColumnVals []colVal `json:"column_vals"`
	}{ColumnVals: []colVal{}}
	pp, ok := s.reportPerson(userid)
	if !ok {
		return out, nil
	}
	days := make([]dayFigures, 0, to-from+1)
	for d := from; d <= to; d++ {
		days = append(days, s.figures(pp, d, c.now.UnixMilli(), c.today))
	}
	for k, i := range cols {
		cv := colVal{ColumnVals: make([]dayVal, 0, len(days))}
		cv.ColumnVo.ID = ids[k]
		for j, f := range days {
			cv.ColumnVals = append(cv.ColumnVals, dayVal{(from + civil(j)).String() + " 00:00:00", reportValue(f.column(reportColumns[i].alias))})
		}
		out.ColumnVals = append(out.ColumnVals, cv)
	}
	return out, nil
}

// getLeaveTimeByNames is topapi/attendance/getleavetimebynames: one person's daily leave of
// up to 20 leave types, by name, over at most 31 days and not before 225 days ago. Names the
// company does not have are left out (UNVERIFIED); nothing for a person who has left.
func (s *Server) getLeaveTimeByNames(c *call) (any, *apiError) {
	p := c.p
	userid := p.str("userid", true)
	names := p.commaList("leave_names", true)
	if p.err != nil {
		return nil, p.err
	}
	from, to, e := s.reportRange(p)
	if e != nil {
		return nil, e
	}
	if s.smartOff.Load() {
		return nil, errSmartOff
	}
	switch {
	case len(names) > maxReportColumns:
		return nil, errParam("leave_names 最多20个")
	case from < c.today-maxLeaveLookback:
		return nil, errParam("不支持获取225天之前的数据")
	}
	type column struct {
		Columnvo struct {
			Alias   string `json:"alias"`
			Name    string `json:"name"`
			Status  int    `json:"status"`
			SubType int    `json:"sub_type"`
			Type    int    `json:"type"`
		} `json:"columnvo"`
		Columnvals []dayVal `json:"columnvals"`
	}
	out := struct {
		Columns []column `json:"columns"`
	}{Columns: []column{}}
	pp, ok := s.reportPerson(userid)
	if !ok {
		return out, nil
	}
	var days []dayFigures
	for d := from; d <= to; d++ {
		days = append(days, s.figures(pp, d, c.now.UnixMilli(), c.today))
	}
	for _, name := range dedupe(names) {
		if !slices.Contains(leaveTypes, name) {
			continue
		}
		col := column{Columnvals: make([]dayVal, 0, len(days))}
		col.Columnvo.Alias, col.Columnvo.Name, col.Columnvo.Type = "leave_", name, 2
		for j, f := range days {
			col.Columnvals = append(col.Columnvals, dayVal{(from + civil(j)).String() + " 00:00:00", reportValue(f.leave[name])})
		}
		out.Columns = append(out.Columns, col)
	}
	return out, nil
}

// reportPerson returns the person behind userid for the report: not a person who has left.
func (s *Server) reportPerson(userid string) (person, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.org.users[userid]
	if u == nil || u.removed {
		return person{}, false
	}
	return u.person(), true
}

// reportValue writes a value as DingTalk does: "1.0", "0.0", "12.0".
func reportValue(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// dayFigures are one person's values of one day in the report.
type dayFigures struct {
	should, attended, rest, workMinutes float64
	late, lateMinutes                   float64
	serious, seriousMinutes             float64
	absenteeismLate                     float64
	early, earlyMinutes                 float64
	missingOn, missingOff               float64
	absent, makeUp                      float64
	leave                               map[string]float64 // by leave type, in its unit
}

func (f dayFigures) column(alias string) float64 {
	switch alias {
	case "should_attendance_days":
		return f.should
	case "attendance_days":
		return f.attended
	case "rest_days":
		return f.rest
	case "attendance_work_time":
		return f.workMinutes
	case "late_times":
		return f.late
	case "late_minute":
		return f.lateMinutes
	case "serious_late_times":
		return f.serious
	case "serious_late_minute":
		return f.seriousMinutes
	case "absenteeism_late_times":
		return f.absenteeismLate
	case "leave_early_times":
		return f.early
	case "leave_early_minute":
		return f.earlyMinutes
	case "on_work_lack_card_times":
		return f.missingOn
	case "off_work_lack_card_times":
		return f.missingOff
	case "absenteeism_days":
		return f.absent
	case "making_up_lack_times":
		return f.makeUp
	}
	return 0 // 出差时长, 外出时长: no trips or outings in the report yet
}

// figures computes p's day d as the report has it at now (unix ms): from the check results
// the company gives now, changes after the fact included, and the leaves approved by now.
func (s *Server) figures(p person, d civil, now int64, today civil) dayFigures {
	f := dayFigures{leave: map[string]float64{}}
	if d > today || !p.activeOn(d) {
		return f
	}
	dp := s.co.plan(p, d)
	if !dp.kind.working() {
		f.rest = 1
		return f
	}
	rows := s.amendResults(s.co.results(dp, now), now)
	if len(rows) == 0 {
		return f
	}
	if d >= today-shouldDaysWindow {
		f.should = 1
	}
	leaves := s.co.leaves(p, d, d)
	if lv := s.lateLeave(p, d, now); lv != nil {
		leaves = append(leaves, lv)
	}
	g := p.group
	for _, lv := range leaves {
		if lv.from > d || lv.to < d {
			continue
		}
		switch unit := leaveUnits[lv.Type]; {
		case unit == "hour":
			lo, hi := 0, 24*60
			if lv.Half != "" {
				lo = int((lv.StartTime - dp.start) / 60_000)
				hi = int((lv.EndTime - dp.start) / 60_000)
			}
			f.leave[lv.Type] += float64(g.workMinutes(lo, hi)) / 60
		case lv.Half != "":
			f.leave[lv.Type] += 0.5
		default:
			f.leave[lv.Type]++
		}
	}
	signed, covered, allUnsigned := false, false, true
	var onAt int64
	for _, r := range rows {
		if r.ApproveID != 0 {
			covered = true
		}
		if r.TimeResult != "NotSigned" {
			signed, allUnsigned = true, false
		}
		if r.SourceType == "APPROVE" {
			f.makeUp++
		}
		minutes := float64((r.UserCheckTime - r.BaseCheckTime) / 60_000)
		switch {
		case r.CheckType == "OnDuty" && r.TimeResult == "Late":
			f.late++
			f.lateMinutes += minutes
		case r.CheckType == "OnDuty" && r.TimeResult == "SeriousLate":
			f.serious++
			f.seriousMinutes += minutes
		case r.CheckType == "OnDuty" && r.TimeResult == "Absenteeism":
			f.absenteeismLate = 1
		case r.CheckType == "OffDuty" && r.TimeResult == "Early":
			f.early++
			f.earlyMinutes += float64((r.BaseCheckTime - r.UserCheckTime) / 60_000)
		}
		// Work time: from each signed check-in to the signed check-out after it, breaks out.
		if r.TimeResult != "NotSigned" {
			if r.CheckType == "OnDuty" {
				onAt = r.UserCheckTime
			} else if onAt != 0 {
				lo, hi := int((onAt-dp.start)/60_000), int((r.UserCheckTime-dp.start)/60_000)
				f.workMinutes += float64(g.workMinutes(lo, hi))
				onAt = 0
			}
		} else if r.CheckType == "OnDuty" {
			onAt = 0
		}
	}
	if signed {
		f.attended = 1
	}
	onLeave := covered || len(f.leave) > 0
	switch {
	case allUnsigned && !onLeave:
		f.absent = 1
	case f.absenteeismLate > 0:
		f.absent = 1 // DingTalk's rule: a 旷工迟到 is a day of 旷工 (see the top of this file)
	}
	if !allUnsigned && !onLeave {
		for _, r := range rows {
			if r.TimeResult == "NotSigned" && r.ApproveID == 0 {
				if r.CheckType == "OnDuty" {
					f.missingOn++
				} else {
					f.missingOff++
				}
			}
		}
	}
	return f
}
