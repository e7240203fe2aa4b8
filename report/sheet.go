package report

import (
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// kind is how a column's values are written: XLSX cells get the matching type and number
// format, CSV and the table the matching text.
type kind uint8

const (
	kText  kind = iota // string
	kInt               // int, int64
	kFloat             // float64, two decimals
	kCoord             // float64, a coordinate: six decimals
	kDate              // time.Time: its wall-clock date
	kTime              // time.Time: its wall-clock date and time
)

// column is one column of a sheet. Values are nil (an empty cell) or of the kind's type;
// a text column may also hold an indented value (a department in the tree).
type column struct {
	key     string // stable English key: the JSON name where there is one
	zh, en  string // headers
	kind    kind
	noTable bool // left out of the terminal table (ids, paths)
}

// indented is a department name shown at its depth in the tree: indented in the table,
// plain in CSV and XLSX (which have the path column).
type indented struct {
	depth int
	name  string
}

// sheet is one table of a report: an XLSX sheet, a CSV file, a block of the terminal table.
// All formats write the same sheets, so they carry the same columns.
type sheet struct {
	key    string
	zh, en string
	cols   []column
	// rows yields the rows; a report read from the database as it is written yields an error
	// instead of a row when reading fails, and stops.
	rows func(lang Lang) iter.Seq2[[]any, error]
}

// infallible turns rows that cannot fail into sheet rows.
func infallible(rows func(lang Lang) iter.Seq[[]any]) func(lang Lang) iter.Seq2[[]any, error] {
	return func(lang Lang) iter.Seq2[[]any, error] {
		return func(yield func([]any, error) bool) {
			for row := range rows(lang) {
				if !yield(row, nil) {
					return
				}
			}
		}
	}
}

func (s sheet) header(lang Lang) []string {
	h := make([]string, len(s.cols))
	for i, c := range s.cols {
		h[i] = lang.pick(c.zh, c.en)
	}
	return h
}

var deptColumns = []column{
	{key: "id", zh: "部门ID", en: "Department ID", kind: kInt, noTable: true},
	{key: "name", zh: "部门", en: "Department"},
	{key: "path", zh: "部门路径", en: "Path", noTable: true},
	{key: "parent_id", zh: "上级部门ID", en: "Parent ID", kind: kInt, noTable: true},
}

// dailyCountColumns follow dailyFields.
var dailyCountColumns = []column{
	{key: "headcount", zh: "人数", en: "Headcount", kind: kInt},
	{key: "scheduled", zh: "应到", en: "Scheduled", kind: kInt},
	{key: "checked_in", zh: "已打卡", en: "Checked in", kind: kInt},
	{key: "not_checked_in", zh: "未打卡", en: "Not checked in", kind: kInt},
	{key: "late", zh: "迟到", en: "Late", kind: kInt},
	{key: "serious_late", zh: "严重迟到", en: "Seriously late", kind: kInt},
	{key: "absenteeism_late", zh: "旷工迟到", en: "Absenteeism late", kind: kInt},
	{key: "early", zh: "早退", en: "Early", kind: kInt},
	{key: "missing_on_duty", zh: "上班缺卡", en: "Missing on-duty", kind: kInt},
	{key: "missing_off_duty", zh: "下班缺卡", en: "Missing off-duty", kind: kInt},
	{key: "absent", zh: "旷工", en: "Absent", kind: kInt},
	{key: "on_leave", zh: "请假", en: "On leave", kind: kInt},
	{key: "outside", zh: "外勤", en: "Outside", kind: kInt},
	{key: "not_due_yet", zh: "未到上班时间", en: "Not due yet", kind: kInt},
	{key: "awaiting", zh: "待确认", en: "Awaiting", kind: kInt},
	{key: "on_leave_checked_in", zh: "请假且已打卡", en: "On leave, checked in", kind: kInt},
	{key: "on_leave_not_checked_in", zh: "请假未打卡", en: "On leave, not in", kind: kInt},
	{key: "due_now", zh: "截至此刻应到", en: "Due by now", kind: kInt},
	{key: "overnight_on_duty", zh: "夜班在岗", en: "Night shift on duty", kind: kInt},
}

// periodCountColumns follow periodFields; the headers are those of DingTalk's 月度汇总
// where it has the column.
var periodCountColumns = []column{
	{key: "scheduled_days", zh: "应出勤天数", en: "Scheduled days", kind: kInt},
	{key: "attended_days", zh: "出勤天数", en: "Attended days", kind: kInt},
	{key: "late_count", zh: "迟到次数", en: "Late", kind: kInt},
	{key: "late_minutes", zh: "迟到时长(分钟)", en: "Late minutes", kind: kInt},
	{key: "serious_late_count", zh: "严重迟到次数", en: "Seriously late", kind: kInt},
	{key: "serious_late_minutes", zh: "严重迟到时长(分钟)", en: "Seriously late minutes", kind: kInt},
	{key: "absenteeism_late_count", zh: "旷工迟到次数", en: "Absenteeism late", kind: kInt},
	{key: "early_count", zh: "早退次数", en: "Early", kind: kInt},
	{key: "early_minutes", zh: "早退时长(分钟)", en: "Early minutes", kind: kInt},
	{key: "missing_on_duty_count", zh: "上班缺卡次数", en: "Missing on-duty", kind: kInt},
	{key: "missing_off_duty_count", zh: "下班缺卡次数", en: "Missing off-duty", kind: kInt},
	{key: "absent_days", zh: "旷工天数", en: "Absent days", kind: kInt},
	{key: "leave_days", zh: "请假天数", en: "Leave days", kind: kInt},
	{key: "outside_count", zh: "外勤次数", en: "Outside", kind: kInt},
	{key: "leave_duration_days", zh: "请假时长(天)", en: "Leave (days)", kind: kFloat},
	{key: "leave_hours", zh: "请假时长(小时)", en: "Leave (hours)", kind: kFloat},
}

func dailyCountValues(c *Counts) []any {
	vs := make([]any, len(dailyFields))
	for i, f := range dailyFields {
		vs[i] = *f.get(c)
	}
	return vs
}

func periodCountValues(c *PeriodCounts) []any {
	vs := make([]any, len(periodFields))
	for i, f := range periodFields {
		if f.int != nil {
			vs[i] = *f.int(c)
		} else {
			vs[i] = *f.float(c)
		}
	}
	return vs
}

// companyName names the company line: the whole company, or the total of a scope.
func companyName(lang Lang, scoped bool) string {
	if scoped {
		return lang.pick("合计", "Total")
	}
	return lang.pick("全公司", "Company")
}

// reportTree returns the departments of a report (ids, in any order) in tree order,
// each with its depth below the shallowest of them.
func (o *org) reportTree(ids []int64) (order []int32, depth []int) {
	present := make(map[int32]bool, len(ids))
	for _, id := range ids {
		if i, ok := o.index[id]; ok {
			present[i] = true
		}
	}
	top := -1
	for _, i := range o.treeOrder() {
		if present[i] {
			order = append(order, i)
			if top < 0 || o.depth[i] < top {
				top = o.depth[i]
			}
		}
	}
	depth = make([]int, len(order))
	for k, i := range order {
		depth[k] = o.depth[i] - top
	}
	return order, depth
}

func (o *org) names(ids []int64, lang Lang) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if n := o.label(id); n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, lang.listSep())
}

// parentValue is a department's parent as a value of the parent column: empty at the top of
// the report (the company's root, a manager's departments).
func parentValue(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// dateValue is a work date as a value of a kDate column.
func dateValue(day string) any {
	if day == "" {
		return nil
	}
	t, err := time.Parse(kaoqin.DateLayout, day)
	if err != nil {
		return nil
	}
	return t
}

// timeValue is an instant as a value of a kTime column (nil when zero).
func timeValue(t Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Time
}

func (d *Daily) sheets() []sheet {
	return []sheet{
		{key: "departments", zh: "部门汇总", en: "Departments",
			cols: slices.Concat(deptColumns, dailyCountColumns), rows: infallible(d.departmentRows)},
		{key: "checks", zh: "打卡明细", en: "Checks", cols: dailyCheckColumns, rows: infallible(d.checkRows)},
	}
}

func (d *Daily) departmentRows(lang Lang) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		row := append([]any{nil, companyName(lang, len(d.Scope) > 0), "", nil}, dailyCountValues(&d.Company)...)
		if !yield(row) {
			return
		}
		ids := make([]int64, len(d.Departments))
		for i, x := range d.Departments {
			ids[i] = x.ID
		}
		order, depth := d.org.reportTree(ids)
		for k, i := range order {
			x, _ := d.department(d.org.depts[i].ID)
			row := append([]any{x.ID, indented{depth[k], x.Name}, d.org.path[i], parentValue(x.ParentID)}, dailyCountValues(&x.Counts)...)
			if !yield(row) {
				return
			}
		}
	}
}

var dailyCheckColumns = []column{
	{key: "date", zh: "日期", en: "Date", kind: kDate},
	{key: "name", zh: "姓名", en: "Name"},
	{key: "job_number", zh: "工号", en: "Job number"},
	{key: "userid", zh: "UserId", en: "UserID"},
	{key: "departments", zh: "部门", en: "Departments"},
	{key: "status", zh: "状态", en: "Status"},
	{key: "presence", zh: "到岗", en: "Presence"},
	{key: "on_leave", zh: "请假", en: "On leave"},
	{key: "check_type", zh: "打卡类型", en: "Check type"},
	{key: "base_check_time", zh: "应打卡时间", en: "Scheduled time", kind: kTime},
	{key: "user_check_time", zh: "打卡时间", en: "Check time", kind: kTime},
	{key: "time_result", zh: "打卡结果", en: "Time result"},
	{key: "location_result", zh: "位置结果", en: "Location result"},
	{key: "approve_id", zh: "关联审批单", en: "Approval ID", kind: kInt},
}

// checkRows are one row per check, and one row without a check for an employee who has none.
func (d *Daily) checkRows(lang Lang) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		date := dateValue(d.Date)
		for _, e := range d.Employees {
			who := []any{date, e.Name, e.JobNumber, e.UserID, d.org.names(e.DepartmentIDs, lang),
				lang.say(statusLabels, e.Status), lang.say(presenceLabels, e.Presence), lang.yesNo(e.OnLeave)}
			if len(e.Checks) == 0 {
				if !yield(append(who, nil, nil, nil, nil, nil, nil)) {
					return
				}
				continue
			}
			for _, c := range e.Checks {
				row := append(slices.Clip(who), checkValues(c, lang)...)
				if !yield(row) {
					return
				}
			}
		}
	}
}

func checkValues(c Check, lang Lang) []any {
	var punched, approve any
	if c.UserCheckTime != nil {
		punched = c.UserCheckTime.Time
	}
	if c.ApproveID != nil {
		approve = *c.ApproveID
	}
	result := lang.say(timeResultLabels, c.TimeResult)
	switch {
	case c.Pending:
		result = lang.pick(pendingLabel.zh, pendingLabel.en)
	case c.Provisional:
		result += lang.pick(provisionalLabel.zh, provisionalLabel.en)
	}
	return []any{lang.say(checkTypeLabels, c.CheckType), timeValue(c.BaseCheckTime), punched, result,
		lang.say(locationResultLabels, c.LocationResult), approve}
}

func (r *Period) sheets() []sheet       { return periodSheets(r) }
func (s *PeriodStream) sheets() []sheet { return periodSheets(s) }

func periodSheets(r periodLines) []sheet {
	lc := leaveTypeColumns(r.header().LeaveTypes)
	return []sheet{
		{key: "employees", zh: "员工汇总", en: "Employees", cols: slices.Concat(periodPersonColumns, periodCountColumns, lc, periodDateColumns),
			rows: func(lang Lang) iter.Seq2[[]any, error] { return periodEmployeeRows(r, lang) }},
		{key: "departments", zh: "部门汇总", en: "Departments",
			cols: slices.Concat(deptColumns, dailyCountColumns[:1], periodCountColumns, lc),
			rows: func(lang Lang) iter.Seq2[[]any, error] { return periodDepartmentRows(r, lang) }},
	}
}

var periodPersonColumns = []column{
	{key: "name", zh: "姓名", en: "Name"},
	{key: "job_number", zh: "工号", en: "Job number"},
	{key: "userid", zh: "UserId", en: "UserID"},
	{key: "departments", zh: "部门", en: "Departments"},
}

var periodDateColumns = []column{
	{key: "hired_on", zh: "入职日期", en: "Hired on", kind: kDate},
	{key: "left_on", zh: "离职日期", en: "Left on", kind: kDate},
}

// periodEmployeeColumns are the employee sheet's columns of a report without leave by type.
var periodEmployeeColumns = slices.Concat(periodPersonColumns, periodCountColumns, periodDateColumns)

// leaveTypeColumns are the columns of a report's leave types: "年假(天)", "调休(小时)".
func leaveTypeColumns(types []LeaveTypeColumn) []column {
	out := make([]column, len(types))
	for i, t := range types {
		zh, en := t.Name, t.Name
		switch t.Unit {
		case kaoqin.LeaveUnitDay:
			zh, en = t.Name+"(天)", t.Name+" (days)"
		case kaoqin.LeaveUnitHour:
			zh, en = t.Name+"(小时)", t.Name+" (hours)"
		}
		out[i] = column{key: "leave_by_type." + t.Name, zh: zh, en: en, kind: kFloat}
	}
	return out
}

// leaveValues are a line's values of the report's leave types.
func leaveValues(types []LeaveTypeColumn, m map[string]float64) []any {
	vs := make([]any, len(types))
	for i, t := range types {
		vs[i] = m[t.Name]
	}
	return vs
}

// periodEmployeeRows walks r: a stream computes its lines as they are read.
func periodEmployeeRows(r periodLines, lang Lang) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		o, types := r.tree(), r.header().LeaveTypes
		_, err := r.walk(func(e *PeriodEmployee) error {
			row := slices.Concat(
				[]any{e.Name, e.JobNumber, e.UserID, o.names(e.DepartmentIDs, lang)},
				periodCountValues(&e.PeriodCounts),
				leaveValues(types, e.LeaveByType),
				[]any{dateValue(e.HiredOn), dateValue(e.LeftOn)},
			)
			if !yield(row, nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && err != errStopped {
			yield(nil, err)
		}
	}
}

// periodDepartmentRows are the company line and the departments in tree order.
func periodDepartmentRows(r periodLines, lang Lang) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		p, err := r.totals()
		if err != nil {
			yield(nil, err)
			return
		}
		row := slices.Concat([]any{nil, companyName(lang, len(p.Scope) > 0), "", nil, p.Company.Headcount},
			periodCountValues(&p.Company.PeriodCounts), leaveValues(p.LeaveTypes, p.Company.LeaveByType))
		if !yield(row, nil) {
			return
		}
		ids := make([]int64, len(p.Departments))
		byID := make(map[int64]*PeriodDepartment, len(p.Departments))
		for i := range p.Departments {
			ids[i] = p.Departments[i].ID
			byID[ids[i]] = &p.Departments[i]
		}
		o := r.tree()
		order, depth := o.reportTree(ids)
		for k, i := range order {
			x := byID[o.depts[i].ID]
			row := slices.Concat([]any{x.ID, indented{depth[k], x.Name}, o.path[i], parentValue(x.ParentID), x.Headcount},
				periodCountValues(&x.PeriodCounts), leaveValues(p.LeaveTypes, x.LeaveByType))
			if !yield(row, nil) {
				return
			}
		}
	}
}
