package reconcile

import (
	"github.com/kaoqin/kaoqin/syncer"
)

// Field is one of kaoqin's period fields and the column of DingTalk's report it is compared
// with.
type Field struct {
	Name   string `json:"field"`  // the period field's JSON name, spec/reports.md
	Column string `json:"column"` // DingTalk's column, by name
	// Recent: DingTalk gives the column a value only for the last 15 days (应出勤天数).
	Recent bool `json:"recent,omitempty"`
	// Leave: the column is DingTalk's leave columns taken together (days with any leave).
	Leave bool `json:"leave,omitempty"`
}

// Fields are the period fields compared, in the order of the period report. DingTalk's report
// has no column for outside_count; leave_duration_days and leave_hours are in units DingTalk's
// leave columns do not share (each type has its own), so leave is compared by days on leave.
var Fields = []Field{
	{Name: "scheduled_days", Column: "应出勤天数", Recent: true},
	{Name: "attended_days", Column: "出勤天数"},
	{Name: "late_count", Column: "迟到次数"},
	{Name: "late_minutes", Column: "迟到时长"},
	{Name: "serious_late_count", Column: "严重迟到次数"},
	{Name: "serious_late_minutes", Column: "严重迟到时长"},
	{Name: "absenteeism_late_count", Column: "旷工迟到天数"},
	{Name: "early_count", Column: "早退次数"},
	{Name: "early_minutes", Column: "早退时长"},
	{Name: "missing_on_duty_count", Column: "上班缺卡次数"},
	{Name: "missing_off_duty_count", Column: "下班缺卡次数"},
	{Name: "absent_days", Column: "旷工天数"},
	{Name: "leave_days", Column: "请假", Leave: true},
}

// aliases are DingTalk's documented aliases of columns, a second way to find them when an org
// renamed a column.
var aliases = map[string]string{"应出勤天数": "should_attendance_days"}

// notCompared are the period fields no column of DingTalk's report matches, and why.
var notCompared = []NotCompared{
	{Field: "outside_count", Reason: ReasonNoColumn, Why: "DingTalk's report has no column of outside check-ins (外勤)"},
	{Field: "leave_duration_days", Reason: ReasonLeaveUnits, Why: "DingTalk's report counts leave in each leave type's unit: compared as days on leave (leave_days)"},
	{Field: "leave_hours", Reason: ReasonLeaveUnits, Why: "DingTalk's report counts leave in each leave type's unit: compared as days on leave (leave_days)"},
}

// Reasons a field is not compared.
const (
	ReasonNoColumn   = "no_column"
	ReasonLeaveUnits = "leave_units"
	ReasonRecentOnly = "recent_only"
)

// matchColumns finds each field's column of DingTalk's report: by name, then by alias. It
// returns the column ids by field name (the leave field has none: it reads the leave
// columns), the leave columns' names, and the fields DingTalk's report lacks.
func matchColumns(cols []syncer.ReportColumn) (ids map[string]int64, leave []string, missing []Field) {
	ids = map[string]int64{}
	for _, c := range cols {
		if c.Leave {
			leave = append(leave, c.Name)
		}
	}
	for _, f := range Fields {
		if f.Leave {
			if len(leave) == 0 {
				missing = append(missing, f)
			}
			continue
		}
		var id int64
		for _, c := range cols {
			if !c.Leave && c.ID != 0 && (c.Name == f.Column || (aliases[f.Column] != "" && c.Alias == aliases[f.Column])) {
				id = c.ID
				if c.Name == f.Column {
					break
				}
			}
		}
		if id == 0 {
			missing = append(missing, f)
			continue
		}
		ids[f.Name] = id
	}
	return ids, leave, missing
}
