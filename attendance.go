package kaoqin

import "strings"

// Check types, as DingTalk spells them.
const (
	OnDuty  = "OnDuty"
	OffDuty = "OffDuty"
)

// Time results of a check (DingTalk's timeResult). DingTalk judges; kaoqin only counts.
const (
	TimeNormal      = "Normal"
	TimeEarly       = "Early"       // 早退
	TimeLate        = "Late"        // 迟到
	TimeSeriousLate = "SeriousLate" // 严重迟到
	TimeAbsenteeism = "Absenteeism" // 旷工迟到
	TimeNotSigned   = "NotSigned"   // 未打卡
)

// Location results of a check (DingTalk's locationResult).
const (
	LocationNormal    = "Normal"
	LocationOutside   = "Outside" // 外勤
	LocationNotSigned = "NotSigned"
)

// Check is one scheduled check point of one employee on one work day: one row of DingTalk's
// attendance/list (打卡结果). An employee may have several OnDuty/OffDuty pairs a day.
type Check struct {
	ID             int64  `json:"id"`        // DingTalk's id of the result row: the key
	RecordID       int64  `json:"record_id"` // the punch record behind it; 0 if none
	UserID         string `json:"userid"`
	WorkDate       string `json:"work_date"`
	CheckType      string `json:"check_type"`
	TimeResult     string `json:"time_result"`
	LocationResult string `json:"location_result"`
	BaseCheckTime  int64  `json:"base_check_time"` // unix ms: the scheduled time DingTalk judged against
	UserCheckTime  int64  `json:"user_check_time"` // unix ms: the punch; meaningless when NotSigned
	SourceType     string `json:"source_type,omitempty"`
	PlanID         int64  `json:"plan_id,omitempty"`
	GroupID        int64  `json:"group_id,omitempty"`
	ApproveID      int64  `json:"approve_id,omitempty"` // leave/overtime approval linked to the check; 0 if none
	ProcInstID     string `json:"proc_inst_id,omitempty"`
	// SyncedAt is when kaoqin pulled the check from DingTalk (unix ms; 0 if unknown). DingTalk
	// says NotSigned both for a check that was missed and for one whose time had not come when
	// it answered: only a check whose time had passed by SyncedAt was really missed.
	SyncedAt int64 `json:"synced_at,omitempty"`
}

// Signed reports whether the employee punched for the check (its result is not NotSigned).
func (c Check) Signed() bool { return c.TimeResult != TimeNotSigned }

// Punch is one punch record (打卡记录) from DingTalk's attendance/listRecord: every punch, also the
// ones that matched no check point and the ones DingTalk refused. A punch also comes from a
// DingTalk event (Stream or HTTP push) before any pull: such a punch knows less (no check type,
// no plan, no result) and is replaced by DingTalk's record when listRecord is pulled for its
// day. Coordinates are degrees and accuracies metres; 0 means DingTalk gave none.
type Punch struct {
	ID             int64  `json:"id"`
	UserID         string `json:"userid"`
	WorkDate       string `json:"work_date"`
	CheckType      string `json:"check_type"`
	TimeResult     string `json:"time_result"`
	LocationResult string `json:"location_result"`
	SourceType     string `json:"source_type,omitempty"`
	UserCheckTime  int64  `json:"user_check_time"`
	BaseCheckTime  int64  `json:"base_check_time"`
	PlanCheckTime  int64  `json:"plan_check_time,omitempty"`
	PlanID         int64  `json:"plan_id,omitempty"`
	GroupID        int64  `json:"group_id,omitempty"`
	ClassID        int64  `json:"class_id,omitempty"`
	// IsLegal is DingTalk's isLegal, which is "Y" only for a punch both on time and in range: a
	// Late or Outside punch is not legal but perfectly real. Punches DingTalk refused carry an
	// InvalidRecordType (e.g. "Security"); filter on that, never on IsLegal.
	IsLegal           bool    `json:"is_legal"`
	InvalidRecordType string  `json:"invalid_record_type,omitempty"`
	InvalidRecordMsg  string  `json:"invalid_record_msg,omitempty"`
	LocationMethod    string  `json:"location_method,omitempty"`
	UserAddress       string  `json:"user_address,omitempty"`
	Latitude          float64 `json:"latitude,omitempty"`
	Longitude         float64 `json:"longitude,omitempty"`
	Accuracy          float64 `json:"accuracy,omitempty"`
	OutsideRemark     string  `json:"outside_remark,omitempty"`
	DeviceID          string  `json:"device_id,omitempty"`
	DeviceSN          string  `json:"device_sn,omitempty"`
	SSID              string  `json:"ssid,omitempty"`
	MAC               string  `json:"mac,omitempty"`
	// The place the punch was judged against: the attendance group's location or Wi-Fi.
	BaseAddress   string  `json:"base_address,omitempty"`
	BaseLatitude  float64 `json:"base_latitude,omitempty"`
	BaseLongitude float64 `json:"base_longitude,omitempty"`
	BaseAccuracy  float64 `json:"base_accuracy,omitempty"`
	BaseSSID      string  `json:"base_ssid,omitempty"`
	BaseMAC       string  `json:"base_mac,omitempty"`
	ApproveID     int64   `json:"approve_id,omitempty"`
	ProcInstID    string  `json:"proc_inst_id,omitempty"`
}

// Valid reports whether DingTalk accepted the punch: it gave no invalidRecordType.
func (p Punch) Valid() bool { return p.InvalidRecordType == "" }

// PunchPull records that kaoqin knew every punch of one employee on one work day as of
// SyncedAt (unix ms): a listRecord pull of them began then. A check whose time had come by
// then and that no punch answers was really missed, even if DingTalk's last result for it was
// pulled earlier, when it was still to come (see package report, "Live punches").
type PunchPull struct {
	UserID   string `json:"userid"`
	WorkDate string `json:"work_date"`
	SyncedAt int64  `json:"synced_at"`
}

// Leave duration units (DingTalk's duration_unit).
const (
	LeavePercentDay  = "percent_day"
	LeavePercentHour = "percent_hour"
)

// Leave is one approved leave from DingTalk's leave status (topapi/attendance/getleavestatus).
// DingTalk gives it no id: it is keyed by (UserID, StartTime, EndTime).
type Leave struct {
	UserID          string `json:"userid"`
	StartTime       int64  `json:"start_time"` // unix ms
	EndTime         int64  `json:"end_time"`   // unix ms
	DurationUnit    string `json:"duration_unit"`
	DurationPercent int64  `json:"duration_percent"` // days x 100 or hours x 100, per DurationUnit
}

// Overlaps reports whether the leave overlaps the half-open interval [start, end) of unix ms.
func (l Leave) Overlaps(start, end int64) bool { return l.StartTime < end && start < l.EndTime }

// Schedule is one planned check point (排班) from topapi/attendance/schedule/listbyusers or
// listschedule. A rest day is one row with IsRest (and ShiftID 0): it says the day is planned
// as rest, not that nothing is known.
type Schedule struct {
	PlanID        int64  `json:"plan_id"`
	UserID        string `json:"userid"`
	WorkDate      string `json:"work_date"`
	CheckType     string `json:"check_type"`
	PlanCheckTime int64  `json:"plan_check_time"` // unix ms
	GroupID       int64  `json:"group_id,omitempty"`
	// ShiftID is the shift (班次): listbyusers' shift_id, listschedule's class_id. 0 on a rest day.
	ShiftID   int64 `json:"shift_id,omitempty"`
	IsRest    bool  `json:"is_rest"`
	ApproveID int64 `json:"approve_id,omitempty"`
}

// Scope is a set of employees over an inclusive range of work dates: what one pull from
// DingTalk covered. Saving a pull replaces everything the store held in its scope, so rows
// DingTalk no longer returns (a cancelled leave, a changed schedule) disappear too.
type Scope struct {
	UserIDs []string
	From    string // first work date, inclusive
	To      string // last work date, inclusive
}

// Punch methods (spec/punches.md): how a punch was made, from DingTalk's sourceType and
// locationMethod.
const (
	MethodMachine        = "machine"         // ATM: a fingerprint or face attendance machine
	MethodDingTalkDevice = "dingtalk_device" // DING_ATM: a DingTalk attendance device
	MethodBeacon         = "beacon"          // BEACON
	MethodPhoneGPS       = "phone_gps"       // USER with MAP
	MethodPhoneWiFi      = "phone_wifi"      // USER with WIFI
	MethodPhone          = "phone"           // USER, another way
	MethodAdmin          = "admin"           // BOSS: changed by an administrator
	MethodApproval       = "approval"        // APPROVE: made by an approval (trip, outing, make-up punch)
	MethodSystem         = "system"          // SYSTEM
	MethodAuto           = "auto"            // AUTO_CHECK: an automatic punch
)

// Methods lists the punch methods in the order pages and sheets show them.
var Methods = []string{MethodMachine, MethodDingTalkDevice, MethodBeacon, MethodPhoneGPS, MethodPhoneWiFi,
	MethodPhone, MethodAdmin, MethodApproval, MethodSystem, MethodAuto}

// PunchMethod returns the method of a punch with DingTalk's sourceType and locationMethod, or
// "" when sourceType is none DingTalk documents. A punch seen in an event has no sourceType:
// its locationMethod (MAP, WIFI, ATM) says enough.
func PunchMethod(sourceType, locationMethod string) string {
	switch sourceType {
	case "ATM":
		return MethodMachine
	case "DING_ATM":
		return MethodDingTalkDevice
	case "BEACON":
		return MethodBeacon
	case "BOSS":
		return MethodAdmin
	case "APPROVE":
		return MethodApproval
	case "SYSTEM":
		return MethodSystem
	case "AUTO_CHECK":
		return MethodAuto
	case "USER", "":
		switch locationMethod {
		case "MAP":
			return MethodPhoneGPS
		case "WIFI":
			return MethodPhoneWiFi
		case "ATM":
			if sourceType == "" {
				return MethodMachine
			}
		}
		if sourceType == "USER" {
			return MethodPhone
		}
	}
	return ""
}

// Method returns the punch's method (see PunchMethod).
func (p Punch) Method() string { return PunchMethod(p.SourceType, p.LocationMethod) }

// ParseMethod checks a method a user gave.
func ParseMethod(s string) (string, error) {
	for _, m := range Methods {
		if s == m {
			return s, nil
		}
	}
	return "", Errorf(EINVALID, "unknown punch method %q: want one of %s", s, strings.Join(Methods, ", "))
}

// ParseCheckType checks a check type a user gave: OnDuty or OffDuty.
func ParseCheckType(s string) (string, error) {
	if s != OnDuty && s != OffDuty {
		return "", Errorf(EINVALID, "unknown check type %q: want OnDuty or OffDuty", s)
	}
	return s, nil
}

// PunchQuery selects punches: by work date, employees (Filter), check type, methods and
// validity, in the order UserID, UserCheckTime, ID, after a cursor and up to a limit, so that
// any number of them can be read a page at a time.
type PunchQuery struct {
	Filter
	CheckType   string   // "" for both
	Methods     []string // none: every method
	InvalidOnly bool     // only the punches DingTalk refused
	// After is the cursor: only the punches after this one in the order above (zero: from the
	// first).
	After PunchCursor
	Limit int // 0: no limit
}

// PunchCursor is a position in the order of punches: UserID, UserCheckTime, ID.
type PunchCursor struct {
	UserID string `json:"userid"`
	At     int64  `json:"at"`
	ID     int64  `json:"id"`
}

// IsZero reports whether the cursor is the start.
func (c PunchCursor) IsZero() bool { return c == PunchCursor{} }

// CursorOf is the cursor right after punch p.
func CursorOf(p Punch) PunchCursor {
	return PunchCursor{UserID: p.UserID, At: p.UserCheckTime, ID: p.ID}
}

// DayDetail is one employee's work day as DingTalk's getupdatedata told it at FetchedAt: the
// check results, every punch and the approvals behind them, in one metered call. kaoqin
// fetches it on demand, for a day in dispute or one the store lacks.
type DayDetail struct {
	UserID    string `json:"userid"`
	WorkDate  string `json:"work_date"`
	FetchedAt int64  `json:"fetched_at"` // unix ms
	// Results are the check results; getupdatedata gives them no id (ID 0), BaseCheckTime is
	// the plan's time.
	Results []Check `json:"results"`
	// Punches are the punch records; ID is the record id, and Matched says which made a result
	// (valid_matched).
	Punches   []Punch    `json:"punches"`
	Matched   []int64    `json:"matched"`
	Approvals []Approval `json:"approvals"`
}

// Approval is an approval behind a day: leave, a business trip or an outing, overtime, a
// make-up punch.
type Approval struct {
	Tag          string `json:"tag"`                // DingTalk's tag_name: 请假, 出差, 外出, 加班, 补卡
	SubType      string `json:"sub_type,omitempty"` // e.g. 年假
	BizType      int    `json:"biz_type"`           // 1 overtime, 2 trip or outing, 3 leave
	Duration     string `json:"duration,omitempty"` // as DingTalk writes it, in DurationUnit
	DurationUnit string `json:"duration_unit,omitempty"`
	Begin        int64  `json:"begin"`                 // unix ms
	End          int64  `json:"end"`                   // unix ms
	FinishedAt   int64  `json:"finished_at,omitempty"` // unix ms: when it was approved
	ProcInstID   string `json:"proc_inst_id,omitempty"`
}
