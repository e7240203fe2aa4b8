package dingtalk

import (
	"context"
	"strings"
	"time"
)

// Limits of the schedule APIs.
const (
	MaxSchedulePage  = 200 // rows per topapi/attendance/listschedule page
	MaxScheduleUsers = 50  // users per topapi/attendance/schedule/listbyusers call
	MaxScheduleDays  = 7   // days per listbyusers call
)

// DaySchedule is one planned check point of topapi/attendance/listschedule.
type DaySchedule struct {
	PlanID           FlexInt  `json:"plan_id"`
	CheckType        string   `json:"check_type"`
	ApproveID        FlexInt  `json:"approve_id,omitempty"`
	UserID           string   `json:"userid"`
	ClassID          FlexInt  `json:"class_id"`
	ClassSettingID   FlexInt  `json:"class_setting_id,omitempty"`
	PlanCheckTime    DateTime `json:"plan_check_time"`
	GroupID          FlexInt  `json:"group_id"`
	ChangedCheckTime DateTime `json:"changed_check_time,omitzero"`
}

// ListSchedule returns one page of the whole org's planned check points on one work date;
// Response.HasMore says whether another page follows at offset+size.
//
// DingTalk doc: interface-for-daily-full-query-of-attendance-scheduling-information
//
//	POST /topapi/attendance/listschedule
func (s *AttendanceService) ListSchedule(ctx context.Context, workDate Date, offset, size int) ([]DaySchedule, *Response, error) {
	const path = "/topapi/attendance/listschedule"
	if size == 0 {
		size = MaxSchedulePage
	}
	if workDate.IsZero() || offset < 0 || size < 1 || size > MaxSchedulePage {
		return nil, nil, invalidf(path, "date %s, offset %d, size %d: want a date, offset >= 0 and 1 <= size <= %d", workDate, offset, size, MaxSchedulePage)
	}
	// This topapi path spells its fields in camelCase; only the date part of workDate counts.
	body := struct {
		WorkDate string `json:"workDate"`
		Offset   int    `json:"offset"`
		Size     int    `json:"size"`
	}{workDate.String() + " 00:00:00", offset, size}
	var out struct {
		Result *struct {
			Schedules []DaySchedule `json:"schedules"`
			HasMore   bool          `json:"has_more"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	loc := s.client.Location()
	for i := range out.Result.Schedules {
		sc := &out.Result.Schedules[i]
		if err := resolveAll(loc, &sc.PlanCheckTime, &sc.ChangedCheckTime); err != nil {
			return nil, resp, badTimes(path, resp, err)
		}
	}
	resp.HasMore = out.Result.HasMore
	return out.Result.Schedules, resp, nil
}

// UserSchedule is one planned check point of topapi/attendance/schedule/listbyusers. A rest
// day has ShiftID 0 and IsRest "Y".
type UserSchedule struct {
	ID            FlexInt  `json:"id"`
	UserID        string   `json:"userid"`
	WorkDate      DateTime `json:"work_date"`
	CheckType     string   `json:"check_type"`
	PlanCheckTime DateTime `json:"plan_check_time"`
	GroupID       FlexInt  `json:"group_id"`
	ShiftID       FlexInt  `json:"shift_id"`
	ShiftVersion  FlexInt  `json:"shift_version,omitempty"`
	IsRest        string   `json:"is_rest"` // "Y" or "N"
	ApproveID     FlexInt  `json:"approve_id,omitempty"`
}

// ScheduleOptions selects the planned check points of up to 50 users between two instants at
// most 7 days apart, within the last 180 days.
type ScheduleOptions struct {
	OpUserID string // the userid of the user on whose behalf the call is made (required)
	UserIDs  []string
	From, To time.Time // sent as Unix ms
}

// ListByUsers returns the planned check points of some users (no paging).
//
// DingTalk doc: query-batch-scheduling-information
//
//	POST /topapi/attendance/schedule/listbyusers
func (s *AttendanceService) ListByUsers(ctx context.Context, opts *ScheduleOptions) ([]UserSchedule, *Response, error) {
	const path = "/topapi/attendance/schedule/listbyusers"
	if opts == nil || opts.OpUserID == "" {
		return nil, nil, invalidf(path, "op_user_id is required")
	}
	if err := checkUsers(path, opts.UserIDs, MaxScheduleUsers); err != nil {
		return nil, nil, err
	}
	if span := opts.To.Sub(opts.From); span < 0 || span > MaxScheduleDays*24*time.Hour {
		return nil, nil, invalidf(path, "from %s to %s: want to >= from and at most 7 days apart", opts.From, opts.To)
	}
	body := struct {
		OpUserID     string `json:"op_user_id"`
		UserIDs      string `json:"userids"`
		FromDateTime int64  `json:"from_date_time"`
		ToDateTime   int64  `json:"to_date_time"`
	}{opts.OpUserID, strings.Join(opts.UserIDs, ","), opts.From.UnixMilli(), opts.To.UnixMilli()}
	var out struct {
		Result *[]UserSchedule `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	loc := s.client.Location()
	rows := *out.Result
	for i := range rows {
		if err := resolveAll(loc, &rows[i].WorkDate, &rows[i].PlanCheckTime); err != nil {
			return nil, resp, badTimes(path, resp, err)
		}
	}
	return rows, resp, nil
}

// Group is an attendance group (考勤组) of topapi/attendance/getsimplegroups.
type Group struct {
	GroupID        FlexInt     `json:"group_id"`
	GroupName      string      `json:"group_name"`
	IsDefault      bool        `json:"is_default"`
	Type           string      `json:"type"` // FIXED, TURN or NONE
	MemberCount    FlexInt     `json:"member_count"`
	DefaultClassID FlexInt     `json:"default_class_id"`
	WorkDayList    FlexStrings `json:"work_day_list"` // as sent: a list (Sunday first, "0" = rest) or one string
	ClassesList    FlexStrings `json:"classes_list"`
	ManagerList    FlexStrings `json:"manager_list"`
	DeptNameList   FlexStrings `json:"dept_name_list"`
	OwnerUserID    string      `json:"owner_user_id,omitempty"`
	SelectedClass  []Class     `json:"selected_class"`
}

// Class is a shift (班次). getsimplegroups names it class_name, getusergroup name.
type Class struct {
	ClassID   FlexInt       `json:"class_id"`
	ClassName string        `json:"class_name,omitempty"`
	Name      string        `json:"name,omitempty"`
	Sections  []Section     `json:"sections"`
	Setting   *ClassSetting `json:"setting,omitempty"`
}

// Section is one on-duty/off-duty pair of a shift.
type Section struct {
	Times []CheckTime `json:"times"`
}

// CheckTime is one check point of a shift. CheckTime is a time of day written as a whole
// date and time ("1970-01-01 09:00:00"); only the time part means anything.
type CheckTime struct {
	CheckTime string  `json:"check_time"`
	CheckType string  `json:"check_type"`
	Across    FlexInt `json:"across"`              // days after the work date (night shifts)
	BeginMin  FlexInt `json:"begin_min,omitempty"` // how early one may punch, in minutes
	EndMin    FlexInt `json:"end_min,omitempty"`   // how late one may punch, in minutes
}

// ClassSetting is the lateness rules and the rest break of a shift.
type ClassSetting struct {
	ClassSettingID         FlexInt    `json:"class_setting_id,omitempty"`
	RestBeginTime          *CheckTime `json:"rest_begin_time,omitempty"`
	RestEndTime            *CheckTime `json:"rest_end_time,omitempty"`
	PermitLateMinutes      FlexInt    `json:"permit_late_minutes,omitempty"`
	SeriousLateMinutes     FlexInt    `json:"serious_late_minutes,omitempty"`
	AbsenteeismLateMinutes FlexInt    `json:"absenteeism_late_minutes,omitempty"`
	WorkTimeMinutes        FlexInt    `json:"work_time_minutes,omitempty"` // -1: not used
	IsOffDutyFreeCheck     string     `json:"is_off_duty_free_check,omitempty"`
}

// MaxGroupPage is the largest page of getsimplegroups.
const MaxGroupPage = 10

// SimpleGroups returns one page of the org's attendance groups; Response.HasMore says whether
// another page follows. DingTalk's doc counts offset in steps of 1 ("0, 1, 2..."), which
// reads as a page index: UNVERIFIED, so this method passes offset through untouched.
//
// DingTalk doc: batch-obtain-attendance-group-details
//
//	POST /topapi/attendance/getsimplegroups
func (s *AttendanceService) SimpleGroups(ctx context.Context, offset, size int) ([]Group, *Response, error) {
	const path = "/topapi/attendance/getsimplegroups"
	if size == 0 {
		size = MaxGroupPage
	}
	if offset < 0 || size < 1 || size > MaxGroupPage {
		return nil, nil, invalidf(path, "offset %d, size %d: want offset >= 0 and 1 <= size <= %d", offset, size, MaxGroupPage)
	}
	body := struct {
		Offset int `json:"offset"`
		Size   int `json:"size"`
	}{offset, size}
	var out struct {
		Result *struct {
			HasMore bool    `json:"has_more"`
			Groups  []Group `json:"groups"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	resp.HasMore = out.Result.HasMore
	return out.Result.Groups, resp, nil
}

// UserGroup is a user's attendance group with its shifts (topapi/attendance/getusergroup).
type UserGroup struct {
	GroupID FlexInt `json:"group_id"`
	Name    string  `json:"name"`
	Type    string  `json:"type"`
	Classes []Class `json:"classes"`
}

// UserGroup returns the attendance group of one user (a user is in one group at most).
//
// DingTalk doc: queries-a-user-attendance-group
//
//	POST /topapi/attendance/getusergroup
func (s *AttendanceService) UserGroup(ctx context.Context, userID string) (*UserGroup, *Response, error) {
	const path = "/topapi/attendance/getusergroup"
	if userID == "" {
		return nil, nil, invalidf(path, "no userid")
	}
	body := struct {
		UserID string `json:"userid"`
	}{userID}
	var out struct {
		Result *UserGroup `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	return out.Result, resp, nil
}
