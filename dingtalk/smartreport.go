package dingtalk

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// DingTalk's own report (智能报表): its columns, one person's daily values of them, and one
// person's daily leave by leave type. Every call is metered and answers one person, so a
// month of N people costs N calls per 20 columns: a caller prices them first.

// Limits of the report APIs.
const (
	MaxReportColumns     = 20  // column ids per ColumnValues call, leave names per LeaveTimes call
	MaxReportDays        = 31  // days per call, both ends included
	MaxLeaveTimeDaysBack = 225 // LeaveTimes serves no day older than this many days before today
	// ShouldAttendanceDays is the days back for which DingTalk's 应出勤天数 has a value; older
	// days answer 0.
	ShouldAttendanceDays = 15
)

// ReportColumn is one column of the org's smart report (getattcolumns). Leave columns have no
// id (ID 0): their values come from LeaveTimes, by Name.
type ReportColumn struct {
	ID      FlexInt `json:"id"`
	Type    FlexInt `json:"type"`
	Name    string  `json:"name"`  // e.g. 迟到次数
	Alias   string  `json:"alias"` // e.g. should_attendance_days
	Status  FlexInt `json:"status"`
	SubType FlexInt `json:"sub_type"`
}

// IsLeave reports whether the column is a leave type's (it has no id).
func (c ReportColumn) IsLeave() bool { return c.ID == 0 }

// DayValue is one day's value of a report column. DingTalk sends the value as text ("1.0");
// Value is it read as a number, Text as sent.
type DayValue struct {
	Date  Date
	Value float64
	Text  string
}

// ColumnValues are the daily values of one column for one person.
type ColumnValues struct {
	ColumnID int64
	Days     []DayValue
	// FixedValue is set for the columns whose value does not change by day: DingTalk sends
	// it instead of Days.
	FixedValue string
}

// Sum adds up the daily values: DingTalk's report is daily, a period's number is the sum.
func (v ColumnValues) Sum() float64 {
	var s float64
	for _, d := range v.Days {
		s += d.Value
	}
	return s
}

// LeaveTime is one leave type's daily values for one person, in the unit of the type
// (VacationType.LeaveViewUnit: days or hours).
type LeaveTime struct {
	Name  string
	Alias string
	Days  []DayValue
}

// ReportOptions selects one person's report over at most 31 days.
type ReportOptions struct {
	UserID   string
	From, To Date // both included
}

func (o *ReportOptions) validate(path string, n int, what string) error {
	switch {
	case o == nil:
		return invalidf(path, "no options")
	case o.UserID == "":
		return invalidf(path, "want a userid")
	case o.From.IsZero() || o.To.IsZero() || o.To.Before(o.From):
		return invalidf(path, "from %s, to %s: want both, from not after to", o.From, o.To)
	case o.From.DaysUntil(o.To) >= MaxReportDays:
		return invalidf(path, "%s..%s: want at most %d days a call (SplitDays cuts longer ranges)", o.From, o.To, MaxReportDays)
	case n == 0 || n > MaxReportColumns:
		return invalidf(path, "%d %s: want 1 to %d a call", n, what, MaxReportColumns)
	}
	return nil
}

// IsSmartReportOpen reports whether the org has DingTalk's smart report turned on: without
// it the other report calls fail.
//
// DingTalk doc: determine-whether-to-enable-attendance-intelligent-report
//
//	POST /topapi/attendance/isopensmartreport
func (s *AttendanceService) IsSmartReportOpen(ctx context.Context) (bool, *Response, error) {
	const path = "/topapi/attendance/isopensmartreport"
	var out struct {
		Result *struct {
			SmartReport *bool `json:"smart_report"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, struct{}{}, &out)
	if err != nil {
		return false, resp, err
	}
	if out.Result == nil || out.Result.SmartReport == nil {
		return false, resp, missing(path, resp, "result.smart_report")
	}
	return *out.Result.SmartReport, resp, nil
}

// ReportColumns returns the columns of the org's smart report, leave columns (no id)
// included.
//
// DingTalk doc: queries-the-enterprise-attendance-report-column
//
//	POST /topapi/attendance/getattcolumns
func (s *AttendanceService) ReportColumns(ctx context.Context) ([]ReportColumn, *Response, error) {
	const path = "/topapi/attendance/getattcolumns"
	var out struct {
		Result *struct {
			Columns []ReportColumn `json:"columns"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, struct{}{}, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	return out.Result.Columns, resp, nil
}

// ColumnValues returns one person's daily values of up to 20 columns (by id) over at most 31
// days. DingTalk serves nothing for people who have left (an empty answer), and 应出勤天数 only
// for the last 15 days (0 before).
//
// DingTalk doc: queries-the-column-value-of-the-attendance-report
//
//	POST /topapi/attendance/getcolumnval
func (s *AttendanceService) ColumnValues(ctx context.Context, opts *ReportOptions, columnIDs []int64) ([]ColumnValues, *Response, error) {
	const path = "/topapi/attendance/getcolumnval"
	if err := opts.validate(path, len(columnIDs), "column ids"); err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(columnIDs))
	for i, id := range columnIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	from, to := reportBounds(opts)
	body := struct {
		UserID       string `json:"userid"`
		ColumnIDList string `json:"column_id_list"`
		FromDate     string `json:"from_date"`
		ToDate       string `json:"to_date"`
	}{opts.UserID, strings.Join(ids, ","), from, to}
	var out struct {
		Result *struct {
			ColumnVals []struct {
				ColumnVo struct {
					ID FlexInt `json:"id"`
				} `json:"column_vo"`
				ColumnVals []wireDayValue `json:"column_vals"`
				FixedValue FlexString     `json:"fixed_value"`
			} `json:"column_vals"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	vals := make([]ColumnValues, 0, len(out.Result.ColumnVals))
	for _, cv := range out.Result.ColumnVals {
		days, err := dayValues(cv.ColumnVals, s.client.Location())
		if err != nil {
			return nil, resp, badTimes(path, resp, err)
		}
		vals = append(vals, ColumnValues{ColumnID: int64(cv.ColumnVo.ID), Days: days, FixedValue: string(cv.FixedValue)})
	}
	return vals, resp, nil
}

// LeaveTimes returns one person's daily leave of up to 20 leave types, by name (年假, 事假...),
// over at most 31 days, none older than 225 days: the only API that gives leave by type.
// Names the org does not have may be left out of the answer.
//
// DingTalk doc: obtains-the-holiday-data-from-the-smart-attendance-report
//
//	POST /topapi/attendance/getleavetimebynames
func (s *AttendanceService) LeaveTimes(ctx context.Context, opts *ReportOptions, leaveNames []string) ([]LeaveTime, *Response, error) {
	const path = "/topapi/attendance/getleavetimebynames"
	if err := opts.validate(path, len(leaveNames), "leave names"); err != nil {
		return nil, nil, err
	}
	for _, n := range leaveNames {
		if n == "" || strings.Contains(n, ",") {
			return nil, nil, invalidf(path, "leave name %q: want a name without commas", n)
		}
	}
	from, to := reportBounds(opts)
	body := struct {
		UserID     string `json:"userid"`
		LeaveNames string `json:"leave_names"`
		FromDate   string `json:"from_date"`
		ToDate     string `json:"to_date"`
	}{opts.UserID, strings.Join(leaveNames, ","), from, to}
	var out struct {
		Result *struct {
			Columns []struct {
				Columnvo struct {
					Name  string `json:"name"`
					Alias string `json:"alias"`
				} `json:"columnvo"`
				Columnvals []wireDayValue `json:"columnvals"`
			} `json:"columns"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	times := make([]LeaveTime, 0, len(out.Result.Columns))
	for _, c := range out.Result.Columns {
		days, err := dayValues(c.Columnvals, s.client.Location())
		if err != nil {
			return nil, resp, badTimes(path, resp, err)
		}
		times = append(times, LeaveTime{Name: c.Columnvo.Name, Alias: c.Columnvo.Alias, Days: days})
	}
	return times, resp, nil
}

// VacationType is one leave type of the org (假期规则).
type VacationType struct {
	LeaveCode       string     `json:"leave_code"`
	LeaveName       string     `json:"leave_name"`
	LeaveViewUnit   string     `json:"leave_view_unit"` // day, halfDay or hour
	BizType         string     `json:"biz_type"`        // general_leave, or lieu_leave (调休)
	NaturalDayLeave FlexString `json:"natural_day_leave"`
	HoursInPerDay   FlexInt    `json:"hours_in_per_day"` // a day's hours x 100
	Source          string     `json:"source"`
}

// Leave view units.
const (
	LeaveUnitDay     = "day"
	LeaveUnitHalfDay = "halfDay"
	LeaveUnitHour    = "hour"
)

// VacationTypes returns the org's leave types, read as opUserID, an administrator with the
// OA approval app's rights. The app needs the qyapi_holiday_readonly permission.
//
// DingTalk doc: holiday-type-query
//
//	POST /topapi/attendance/vacation/type/list
func (s *AttendanceService) VacationTypes(ctx context.Context, opUserID string) ([]VacationType, *Response, error) {
	const path = "/topapi/attendance/vacation/type/list"
	if opUserID == "" {
		return nil, nil, invalidf(path, "want the userid of an administrator (op_userid)")
	}
	body := struct {
		OpUserID       string `json:"op_userid"`
		VacationSource string `json:"vacation_source"`
	}{opUserID, "all"}
	var out struct {
		Result *[]VacationType `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	return *out.Result, resp, nil
}

// reportBounds writes a report range as DingTalk reads it: whole days, from the first day's
// midnight to the last day's, so that to - from is at most 30 days for 31 days (whether
// DingTalk's "within 31 days" counts 31 x 24 h is UNVERIFIED).
func reportBounds(o *ReportOptions) (string, string) {
	return o.From.String() + " 00:00:00", o.To.String() + " 00:00:00"
}

type wireDayValue struct {
	Date  DateTime   `json:"date"`
	Value FlexString `json:"value"`
}

// dayValues reads DingTalk's daily values: a date (a day's midnight) and a number as text.
func dayValues(in []wireDayValue, loc *time.Location) ([]DayValue, error) {
	out := make([]DayValue, 0, len(in))
	for _, v := range in {
		if err := v.Date.resolve(loc); err != nil {
			return nil, err
		}
		if v.Date.Millis == 0 {
			continue
		}
		dv := DayValue{Date: DateOf(time.UnixMilli(v.Date.Millis).In(loc)), Text: string(v.Value)}
		if t := strings.TrimSpace(dv.Text); t != "" && t != "-" {
			f, err := strconv.ParseFloat(t, 64)
			if err != nil {
				return nil, &valueError{text: dv.Text}
			}
			dv.Value = f
		}
		out = append(out, dv)
	}
	return out, nil
}

type valueError struct{ text string }

func (e *valueError) Error() string {
	return "a value that is not a number: " + strconv.Quote(truncate(e.text, 40))
}
