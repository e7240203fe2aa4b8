package dingtalk

import (
	"context"
	"strings"
	"time"
)

// Limits of the leave status API.
const (
	MaxLeaveUsers = 100 // users per call
	MaxLeaveDays  = 180 // days per call
	MaxLeavePage  = 20  // rows per page
)

// LeaveStatus is one approved leave of topapi/attendance/getleavestatus. DingTalk gives it no
// id.
type LeaveStatus struct {
	UserID          string  `json:"userid"`
	StartTime       FlexInt `json:"start_time"`       // Unix ms
	EndTime         FlexInt `json:"end_time"`         // Unix ms
	DurationUnit    string  `json:"duration_unit"`    // percent_day or percent_hour
	DurationPercent FlexInt `json:"duration_percent"` // days × 100 or hours × 100
}

// LeaveStatusOptions selects the leave of up to 100 users between two instants at most 180
// days apart.
type LeaveStatusOptions struct {
	UserIDs    []string
	Start, End time.Time // sent as Unix ms
	Offset     int       // row offset: 0, then offset+size
	Size       int       // rows per page, 1-20; 0 means 20
}

func (o *LeaveStatusOptions) validate(path string) error {
	if o == nil {
		return invalidf(path, "no options")
	}
	if err := checkUsers(path, o.UserIDs, MaxLeaveUsers); err != nil {
		return err
	}
	if span := o.End.Sub(o.Start); span < 0 || span > MaxLeaveDays*24*time.Hour {
		return invalidf(path, "start %s, end %s: want end >= start and at most %d days apart", o.Start, o.End, MaxLeaveDays)
	}
	if o.Offset < 0 || o.Size < 0 || o.Size > MaxLeavePage {
		return invalidf(path, "offset %d, size %d: want offset >= 0 and 1 <= size <= %d", o.Offset, o.Size, MaxLeavePage)
	}
	return nil
}

// LeaveStatus returns one page of approved leave that overlaps [Start, End]; Response.HasMore
// says whether another page follows at Offset+Size (DingTalk's offset counts rows, as in
// /attendance/list). LeaveStatusAll fetches every page, LeaveStatuses any users and days.
//
// DingTalk doc: query-status
//
//	POST /topapi/attendance/getleavestatus
func (s *AttendanceService) LeaveStatus(ctx context.Context, opts *LeaveStatusOptions) ([]LeaveStatus, *Response, error) {
	const path = "/topapi/attendance/getleavestatus"
	if err := opts.validate(path); err != nil {
		return nil, nil, err
	}
	size := opts.Size
	if size == 0 {
		size = MaxLeavePage
	}
	body := struct {
		UserIDList string `json:"userid_list"`
		StartTime  int64  `json:"start_time"`
		EndTime    int64  `json:"end_time"`
		Offset     int    `json:"offset"`
		Size       int    `json:"size"`
	}{strings.Join(opts.UserIDs, ","), opts.Start.UnixMilli(), opts.End.UnixMilli(), opts.Offset, size}
	var out struct {
		Result *struct {
			HasMore     bool          `json:"has_more"`
			LeaveStatus []LeaveStatus `json:"leave_status"`
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
	return out.Result.LeaveStatus, resp, nil
}

// LeaveStatusAll returns all approved leave of one chunk (≤100 users × ≤180 days), page after
// page from offset 0, or an error: never part of a chunk. opts.Offset is ignored.
func (s *AttendanceService) LeaveStatusAll(ctx context.Context, opts *LeaveStatusOptions) ([]LeaveStatus, error) {
	const path = "/topapi/attendance/getleavestatus"
	if err := opts.validate(path); err != nil {
		return nil, err
	}
	o := *opts
	if o.Size == 0 {
		o.Size = MaxLeavePage
	}
	return AllPages(path, o.Size, func(offset int) ([]LeaveStatus, *Response, error) {
		o.Offset = offset
		return s.LeaveStatus(ctx, &o)
	})
}

// LeaveDuration returns how many minutes of leave one user would take between two instants,
// by the user's schedule.
//
// DingTalk doc: calculate-leave-duration
//
//	POST /topapi/attendance/getleaveapproveduration
func (s *AttendanceService) LeaveDuration(ctx context.Context, userID string, from, to time.Time) (int64, *Response, error) {
	const path = "/topapi/attendance/getleaveapproveduration"
	if userID == "" || to.Before(from) {
		return 0, nil, invalidf(path, "want a userid and to >= from")
	}
	loc := s.client.Location()
	body := struct {
		UserID   string `json:"userid"`
		FromDate string `json:"from_date"`
		ToDate   string `json:"to_date"`
	}{userID, from.In(loc).Format(DateTimeLayout), to.In(loc).Format(DateTimeLayout)}
	var out struct {
		Result *struct {
			DurationInMinutes *FlexInt `json:"duration_in_minutes"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return 0, resp, err
	}
	if out.Result == nil || out.Result.DurationInMinutes == nil {
		return 0, resp, missing(path, resp, "result.duration_in_minutes")
	}
	return int64(*out.Result.DurationInMinutes), resp, nil
}
