package kaoqin

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
