package dingtalk

import (
	"context"
	"time"
)

// AttendanceService calls the attendance APIs. Every one of them is metered: each call counts
// against the org's monthly quota (5,000 on the standard edition).
type AttendanceService service

// Limits of the punch APIs.
const (
	MaxResultUsers = 50 // users per /attendance/list or /attendance/listRecord call
	MaxResultDays  = 7  // calendar days per call, both ends included
	MaxResultLimit = 50 // rows per /attendance/list page
)

// MaxPages stops a paging loop whose server keeps saying "more" (50 users × 7 days of four
// checks a day is 28 pages of 50). A caller with more pages to read must split its reads.
const MaxPages = 1000

// Result is one punch result (打卡结果) of /attendance/list: one scheduled check point of one
// user on one work day. A check point that was not punched still has a row, with TimeResult
// "NotSigned".
type Result struct {
	ID             FlexInt `json:"id"`
	RecordID       FlexInt `json:"recordId"` // the punch record behind the result; 0 if none
	UserID         string  `json:"userId"`
	CorpID         string  `json:"corpId,omitempty"`
	GroupID        FlexInt `json:"groupId"`
	PlanID         FlexInt `json:"planId"`
	WorkDate       FlexInt `json:"workDate"`       // Unix ms of the start of the work day
	CheckType      string  `json:"checkType"`      // OnDuty, OffDuty
	TimeResult     string  `json:"timeResult"`     // Normal, Early, Late, SeriousLate, Absenteeism, NotSigned
	LocationResult string  `json:"locationResult"` // Normal, Outside, NotSigned
	BaseCheckTime  FlexInt `json:"baseCheckTime"`  // Unix ms: the scheduled time judged against
	UserCheckTime  FlexInt `json:"userCheckTime"`  // Unix ms: the punch
	SourceType     string  `json:"sourceType"`     // ATM, BEACON, DING_ATM, USER, BOSS, APPROVE, SYSTEM, AUTO_CHECK
	ApproveID      FlexInt `json:"approveId,omitempty"`
	ProcInstID     string  `json:"procInstId,omitempty"`
}

// ResultOptions selects the punch results of up to 50 users over up to 7 work dates.
type ResultOptions struct {
	UserIDs  []string
	From, To Date // work dates, both included; at most 7 days
	Offset   int  // row offset: 0, then offset+limit
	Limit    int  // rows per page, 1-50; 0 means 50
	IsI18n   bool // for orgs on DingTalk's overseas platform
}

func (o *ResultOptions) validate(path string) error {
	if o == nil {
		return invalidf(path, "no options")
	}
	if err := checkUsers(path, o.UserIDs, MaxResultUsers); err != nil {
		return err
	}
	if err := checkDays(path, o.From, o.To, MaxResultDays); err != nil {
		return err
	}
	if o.Offset < 0 || o.Limit < 0 || o.Limit > MaxResultLimit {
		return invalidf(path, "offset %d, limit %d: want offset >= 0 and 1 <= limit <= %d", o.Offset, o.Limit, MaxResultLimit)
	}
	return nil
}

// List returns one page of punch results; Response.HasMore says whether another page follows
// at Offset+Limit. ListAll fetches every page, Results any number of users and days.
//
// DingTalk doc: open-attendance-clock-in-data
//
//	POST /attendance/list
func (s *AttendanceService) List(ctx context.Context, opts *ResultOptions) ([]Result, *Response, error) {
	const path = "/attendance/list"
	if err := opts.validate(path); err != nil {
		return nil, nil, err
	}
	limit := opts.Limit
	if limit == 0 {
		limit = MaxResultLimit
	}
	// offset and limit are required, even when 0. Only the date part of the bounds counts:
	// DingTalk returns whole work days.
	body := struct {
		WorkDateFrom string   `json:"workDateFrom"`
		WorkDateTo   string   `json:"workDateTo"`
		UserIDList   []string `json:"userIdList"`
		Offset       int      `json:"offset"`
		Limit        int      `json:"limit"`
		IsI18n       bool     `json:"isI18n,omitempty"`
	}{
		opts.From.String() + " 00:00:00", opts.To.String() + " 00:00:00", opts.UserIDs, opts.Offset, limit, opts.IsI18n,
	}
	var out struct {
		HasMore      bool     `json:"hasMore"`
		RecordResult []Result `json:"recordresult"` // may be left out when there are no rows
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	resp.HasMore = out.HasMore
	return out.RecordResult, resp, nil
}

// ListAll returns every punch result of one chunk (≤50 users × ≤7 days), page after page from
// offset 0, or an error: never part of a chunk. opts.Offset is ignored.
func (s *AttendanceService) ListAll(ctx context.Context, opts *ResultOptions) ([]Result, error) {
	if err := opts.validate("/attendance/list"); err != nil {
		return nil, err
	}
	o := *opts
	if o.Limit == 0 {
		o.Limit = MaxResultLimit
	}
	return AllPages("/attendance/list", o.Limit, func(offset int) ([]Result, *Response, error) {
		o.Offset = offset
		return s.List(ctx, &o)
	})
}

// Record is one punch record (打卡记录) of /attendance/listRecord: every punch, also those
// that matched no check point. IsLegal is "Y" only when both TimeResult and LocationResult
// are Normal: a late or outside punch is "N" but real. Punches DingTalk refused carry an
// InvalidRecordType (e.g. "Security"); filter on that, not on IsLegal.
type Record struct {
	ID                FlexInt    `json:"id"`
	UserID            string     `json:"userId"`
	CorpID            string     `json:"corpId,omitempty"`
	GroupID           FlexInt    `json:"groupId"`
	PlanID            FlexInt    `json:"planId"`
	ClassID           FlexInt    `json:"classId,omitempty"`
	WorkDate          FlexInt    `json:"workDate"` // Unix ms of the start of the work day
	CheckType         string     `json:"checkType"`
	TimeResult        string     `json:"timeResult"`
	LocationResult    string     `json:"locationResult"`
	SourceType        string     `json:"sourceType"`
	UserCheckTime     FlexInt    `json:"userCheckTime"` // Unix ms
	BaseCheckTime     FlexInt    `json:"baseCheckTime"`
	PlanCheckTime     FlexInt    `json:"planCheckTime,omitempty"`
	IsLegal           string     `json:"isLegal"` // "Y" or "N"; see above
	InvalidRecordType string     `json:"invalidRecordType,omitempty"`
	InvalidRecordMsg  string     `json:"invalidRecordMsg,omitempty"`
	LocationMethod    string     `json:"locationMethod,omitempty"`
	UserAddress       string     `json:"userAddress,omitempty"`
	UserLatitude      FlexString `json:"userLatitude,omitempty"`
	UserLongitude     FlexString `json:"userLongitude,omitempty"`
	UserAccuracy      FlexString `json:"userAccuracy,omitempty"`
	UserSsid          string     `json:"userSsid,omitempty"`
	UserMacAddr       string     `json:"userMacAddr,omitempty"`
	DeviceID          string     `json:"deviceId,omitempty"`
	DeviceSN          string     `json:"deviceSN,omitempty"`
	BaseAddress       string     `json:"baseAddress,omitempty"`
	BaseLatitude      FlexString `json:"baseLatitude,omitempty"`
	BaseLongitude     FlexString `json:"baseLongitude,omitempty"`
	BaseAccuracy      FlexString `json:"baseAccuracy,omitempty"`
	BaseSsid          string     `json:"baseSsid,omitempty"`
	BaseMacAddr       string     `json:"baseMacAddr,omitempty"`
	OutsideRemark     string     `json:"outsideRemark,omitempty"`
	ApproveID         FlexInt    `json:"approveId,omitempty"`
	ProcInstID        string     `json:"procInstId,omitempty"`
	BizID             string     `json:"bizId,omitempty"`
	GmtCreate         FlexInt    `json:"gmtCreate,omitempty"`
	GmtModified       FlexInt    `json:"gmtModified,omitempty"`
}

// RecordOptions selects the punch records of up to 50 users between two instants at most
// 7×24 hours apart (DingTalk bounds listRecord by exact times, not by work dates).
type RecordOptions struct {
	UserIDs  []string
	From, To time.Time // sent to the second, in the client's location
	IsI18n   bool
}

// ListRecord returns every punch record in the range (the API has no paging).
//
// DingTalk doc: attendance-clock-in-record-is-open
//
//	POST /attendance/listRecord
func (s *AttendanceService) ListRecord(ctx context.Context, opts *RecordOptions) ([]Record, *Response, error) {
	const path = "/attendance/listRecord"
	if opts == nil {
		return nil, nil, invalidf(path, "no options")
	}
	if err := checkUsers(path, opts.UserIDs, MaxResultUsers); err != nil {
		return nil, nil, err
	}
	if span := opts.To.Sub(opts.From); span < 0 || span > MaxResultDays*24*time.Hour {
		return nil, nil, invalidf(path, "from %s to %s: want to >= from and at most 7×24 h apart", opts.From, opts.To)
	}
	loc := s.client.Location()
	body := struct {
		UserIDs       []string `json:"userIds"`
		CheckDateFrom string   `json:"checkDateFrom"`
		CheckDateTo   string   `json:"checkDateTo"`
		IsI18n        bool     `json:"isI18n,omitempty"`
	}{opts.UserIDs, opts.From.In(loc).Format(DateTimeLayout), opts.To.In(loc).Format(DateTimeLayout), opts.IsI18n}
	var out struct {
		RecordResult []Record `json:"recordresult"` // may be left out when there are no punches
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.RecordResult, resp, nil
}

func checkUsers(path string, ids []string, limit int) error {
	if len(ids) == 0 || len(ids) > limit {
		return invalidf(path, "%d users: want 1 to %d per call (PlanChunks splits more)", len(ids), limit)
	}
	for _, id := range ids {
		if id == "" {
			return invalidf(path, "an empty userid")
		}
	}
	return nil
}

func checkDays(path string, from, to Date, limit int) error {
	if from.IsZero() || to.IsZero() {
		return invalidf(path, "from and to are both required")
	}
	if to.Before(from) {
		return invalidf(path, "the range %s..%s runs backwards", from, to)
	}
	if n := from.DaysUntil(to) + 1; n > limit {
		return invalidf(path, "%s..%s is %d days: want at most %d per call (PlanChunks splits more)", from, to, n, limit)
	}
	return nil
}
