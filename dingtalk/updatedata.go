package dingtalk

import (
	"context"
)

// UpdateData is one user's attendance on one work date as topapi/attendance/getupdatedata
// returns it: results, punches and approvals together.
type UpdateData struct {
	UserID            string               `json:"userid"`
	CorpID            string               `json:"corpId,omitempty"`
	WorkDate          DateTime             `json:"work_date"`
	AttendanceResults []UpdateResult       `json:"attendance_result_list"`
	CheckRecords      []UpdateRecord       `json:"check_record_list"`
	Approvals         []Approval           `json:"approve_list"`
	ClassSettingInfo  *UpdateClassSettings `json:"class_setting_info,omitempty"`
}

// UpdateResult is one check result in UpdateData.
type UpdateResult struct {
	RecordID       FlexInt  `json:"record_id"`
	SourceType     string   `json:"source_type"`
	PlanCheckTime  DateTime `json:"plan_check_time"`
	ClassID        FlexInt  `json:"class_id"`
	LocationMethod string   `json:"location_method"`
	LocationResult string   `json:"location_result"`
	OutsideRemark  string   `json:"outside_remark,omitempty"`
	PlanID         FlexInt  `json:"plan_id"`
	UserAddress    string   `json:"user_address,omitempty"`
	GroupID        FlexInt  `json:"group_id"`
	UserCheckTime  DateTime `json:"user_check_time"`
	ProcInstID     string   `json:"procInst_id,omitempty"`
	CheckType      string   `json:"check_type"`
	TimeResult     string   `json:"time_result"`
}

// UpdateRecord is one punch in UpdateData. RecordID is the id of the punch in listRecord, and
// the RecordID of the result it made, if any (ValidMatched).
type UpdateRecord struct {
	RecordID          FlexInt    `json:"record_id"`
	UserCheckTime     DateTime   `json:"user_check_time"`
	CheckType         string     `json:"check_type,omitempty"`
	SourceType        string     `json:"source_type,omitempty"`
	LocationMethod    string     `json:"location_method,omitempty"`
	LocationResult    string     `json:"location_result,omitempty"`
	UserAddress       string     `json:"user_address,omitempty"`
	UserLatitude      FlexString `json:"user_latitude,omitempty"`
	UserLongitude     FlexString `json:"user_longitude,omitempty"`
	UserAccuracy      FlexString `json:"user_accuracy,omitempty"`
	UserSsid          string     `json:"user_ssid,omitempty"`
	UserMacAddr       string     `json:"user_mac_addr,omitempty"`
	BaseAddress       string     `json:"base_address,omitempty"`
	BaseAccuracy      FlexString `json:"base_accuracy,omitempty"`
	OutsideRemark     string     `json:"outside_remark,omitempty"`
	ValidMatched      bool       `json:"valid_matched"`
	InvalidRecordType string     `json:"invalid_record_type,omitempty"`
	InvalidRecordMsg  string     `json:"invalid_record_msg,omitempty"`
}

// Approval is one approval (leave, business trip, outing, overtime) in UpdateData.
type Approval struct {
	TagName      string     `json:"tag_name"` // 请假, 出差, 外出, 加班
	SubType      string     `json:"sub_type,omitempty"`
	BizType      FlexInt    `json:"biz_type"` // 1 overtime, 2 trip or outing, 3 leave
	Duration     FlexString `json:"duration"`
	DurationUnit string     `json:"duration_unit"`
	BeginTime    DateTime   `json:"begin_time"`
	EndTime      DateTime   `json:"end_time"`
	GmtFinished  DateTime   `json:"gmt_finished,omitzero"`
	ProcInstID   string     `json:"procInst_id,omitempty"`
}

// UpdateClassSettings holds the rest breaks of the user's shift that day.
type UpdateClassSettings struct {
	RestTimes []RestTime `json:"rest_time_vo_list"`
}

// RestTime is one rest break, in Unix ms.
type RestTime struct {
	RestBeginTime FlexInt `json:"rest_begin_time"`
	RestEndTime   FlexInt `json:"rest_end_time"`
}

// UpdateData returns one user's results, punches and approvals on one work date (internal
// apps only).
//
// DingTalk doc: obtain-the-attendance-update-data
//
//	POST /topapi/attendance/getupdatedata
func (s *AttendanceService) UpdateData(ctx context.Context, userID string, workDate Date) (*UpdateData, *Response, error) {
	const path = "/topapi/attendance/getupdatedata"
	if userID == "" || workDate.IsZero() {
		return nil, nil, invalidf(path, "want a userid and a work date")
	}
	body := struct {
		UserID   string `json:"userid"`
		WorkDate string `json:"work_date"`
	}{userID, workDate.String() + " 00:00:00"}
	var out struct {
		Result *UpdateData `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	d := out.Result
	ts := []*DateTime{&d.WorkDate}
	for i := range d.AttendanceResults {
		ts = append(ts, &d.AttendanceResults[i].PlanCheckTime, &d.AttendanceResults[i].UserCheckTime)
	}
	for i := range d.CheckRecords {
		ts = append(ts, &d.CheckRecords[i].UserCheckTime)
	}
	for i := range d.Approvals {
		ts = append(ts, &d.Approvals[i].BeginTime, &d.Approvals[i].EndTime, &d.Approvals[i].GmtFinished)
	}
	if err := resolveAll(s.client.Location(), ts...); err != nil {
		return nil, resp, badTimes(path, resp, err)
	}
	return d, resp, nil
}
