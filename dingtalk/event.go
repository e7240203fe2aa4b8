package dingtalk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event types kaoqin reads (DingTalk's eventType / EventType).
const (
	EventCheckRecord    = "attendance_check_record"           // a punch (counts against the push quota)
	EventApproveStatus  = "attendance_approve_status_change"  // a leave, overtime, trip or outing approval changed
	EventBossCheck      = "attend_bossCheck_change"           // an administrator edited a day's result
	EventDailySummary   = "attend_user_daily_summary_refresh" // DingTalk's day summary of a person changed
	EventUserAdd        = "user_add_org"                      // contacts events: free of the push quota
	EventUserModify     = "user_modify_org"
	EventUserLeave      = "user_leave_org"
	EventDeptCreate     = "org_dept_create"
	EventDeptModify     = "org_dept_modify"
	EventDeptRemove     = "org_dept_remove"
	EventCheckURL       = "check_url" // HTTP push's URL check when the console saves the URL
	maxEventListEntries = 10_000      // more ids or records in one event is not DingTalk
)

// IsContactsEvent reports whether an event type is a contacts event: exempt from the push
// quota, and carrying ids only.
func IsContactsEvent(eventType string) bool {
	switch eventType {
	case EventUserAdd, EventUserModify, EventUserLeave, EventDeptCreate, EventDeptModify, EventDeptRemove:
		return true
	}
	return strings.HasPrefix(eventType, "user_") || strings.HasPrefix(eventType, "org_dept_") || strings.HasPrefix(eventType, "label_")
}

// Event is one DingTalk event, from Stream mode or an HTTP push. Data is the event's body:
// Stream's data object, or an HTTP push's whole message (whose fields are at the top level);
// Decode reads it for the types kaoqin handles.
type Event struct {
	ID     string          // eventId: DingTalk delivers at least once, dedupe by it
	Type   string          // eventType
	BornAt int64           // unix ms when DingTalk made it; 0 if it did not say
	CorpID string          // eventCorpId
	Data   json.RawMessage // the body
}

// ParseCallback reads the decrypted message of an HTTP push. Its fields are at the top level
// next to EventType, EventTime, CorpId and eventId (DingTalk documents both eventId and
// EventId spellings across pages; either is read).
func ParseCallback(msg []byte) (Event, error) {
	var head struct {
		EventType  string    `json:"EventType"`
		EventTime  flexInt64 `json:"EventTime"`
		TimeStamp  flexInt64 `json:"TimeStamp"`
		CorpID     string    `json:"CorpId"`
		EventIDLow string    `json:"eventId"`
		EventIDUp  string    `json:"EventId"`
	}
	if err := decodeObject(msg, &head); err != nil {
		return Event{}, fmt.Errorf("dingtalk: the pushed message is not a JSON object: %w", err)
	}
	if head.EventType == "" {
		return Event{}, errors.New("dingtalk: the pushed message has no EventType")
	}
	e := Event{Type: head.EventType, CorpID: head.CorpID, ID: head.EventIDLow, BornAt: int64(head.EventTime), Data: bytes.Clone(msg)}
	if e.ID == "" {
		e.ID = head.EventIDUp
	}
	if e.BornAt == 0 {
		e.BornAt = int64(head.TimeStamp)
	}
	return e, nil
}

// EventPayload is what kaoqin reads of an event's body. Which fields are set depends on the
// type; Decode checks those the type needs.
type EventPayload struct {
	CheckRecords []CheckRecord // attendance_check_record
	UserIDs      []string      // contacts user events; the person of a day's change
	DeptIDs      []int64       // contacts department events
	// attendance_approve_status_change
	ApproveType       string // LEAVE, OVERTIME, TRAVEL, OUT
	ProcessInstanceID string
	ApproveStatus     string // start, finish, terminate (revoke), delete
	// attend_bossCheck_change, attend_user_daily_summary_refresh
	WorkDate Date
	PlanID   int64
}

// CheckRecord is one punch of attendance_check_record. It carries no verdict: DingTalk's
// timeResult comes only from attendance/list and listRecord.
type CheckRecord struct {
	UserID         string
	CheckTime      int64  // unix ms
	GroupID        string // DingTalk's string id of the attendance group, not the numeric one
	BizID          string
	CorpID         string
	LocationResult string // Normal, Outside
	LocationMethod string // MAP, WIFI, ATM
	Address        string
	Latitude       float64
	Longitude      float64
	DeviceSN       string
	// CheckByUser is false for a system replay (after re-scheduling): not a new punch.
	CheckByUser bool
}

type checkRecordJSON struct {
	UserID         string     `json:"userId"`
	CheckTime      flexInt64  `json:"checkTime"`
	GroupID        flexString `json:"groupId"`
	BizID          flexString `json:"bizId"`
	CorpID         string     `json:"corpId"`
	LocationResult string     `json:"locationResult"`
	LocationMethod string     `json:"locationMethod"`
	Address        string     `json:"address"`
	Latitude       flexFloat  `json:"latitude"`
	Longitude      flexFloat  `json:"longitude"`
	DeviceSN       string     `json:"deviceSN"`
	CheckByUser    *flexBool  `json:"checkByUser"`
}

type payloadJSON struct {
	DataList          []checkRecordJSON `json:"dataList"`
	DataListHTTP      []checkRecordJSON `json:"DataList"`
	UserID            flexStrings       `json:"userId"`
	UserIDHTTP        flexStrings       `json:"UserId"`
	DeptID            flexInts          `json:"deptId"`
	DeptIDHTTP        flexInts          `json:"DeptId"`
	ApproveType       string            `json:"approveType"`
	ProcessInstanceID string            `json:"processInstanceId"`
	Status            string            `json:"status"`
	WorkDate          flexString        `json:"workDate"`
	PlanID            flexInt64         `json:"planId"`
}

// Decode reads the body of an event of a type kaoqin handles, checking the fields that type
// needs. loc is the org's time zone, for a work date given as an instant.
func (e Event) Decode(loc *time.Location) (*EventPayload, error) {
	var in payloadJSON
	if err := decodeObject(e.Data, &in); err != nil {
		return nil, fmt.Errorf("dingtalk: %s event %s: the body is not a JSON object: %w", e.Type, e.ID, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("dingtalk: %s event %s: %s", e.Type, e.ID, fmt.Sprintf(format, args...))
	}
	p := &EventPayload{}
	users := append(in.UserID, in.UserIDHTTP...)
	if len(users) > maxEventListEntries {
		return nil, bad("%d userIds", len(users))
	}
	for _, u := range users {
		if u = strings.TrimSpace(u); u != "" {
			p.UserIDs = append(p.UserIDs, u)
		}
	}
	switch e.Type {
	case EventCheckRecord:
		list := append(in.DataList, in.DataListHTTP...)
		if len(list) == 0 || len(list) > maxEventListEntries {
			return nil, bad("want 1 to %d records in dataList, got %d", maxEventListEntries, len(list))
		}
		for i, r := range list {
			if r.UserID == "" || r.CheckTime <= 0 {
				return nil, bad("record %d has no userId or checkTime", i)
			}
			cr := CheckRecord{UserID: r.UserID, CheckTime: int64(r.CheckTime), GroupID: string(r.GroupID), BizID: string(r.BizID),
				CorpID: r.CorpID, LocationResult: r.LocationResult, LocationMethod: r.LocationMethod, Address: r.Address,
				Latitude: float64(r.Latitude), Longitude: float64(r.Longitude), DeviceSN: r.DeviceSN, CheckByUser: true}
			if r.CheckByUser != nil {
				cr.CheckByUser = bool(*r.CheckByUser)
			}
			p.CheckRecords = append(p.CheckRecords, cr)
		}
	case EventUserAdd, EventUserModify, EventUserLeave:
		if len(p.UserIDs) == 0 {
			return nil, bad("no userId")
		}
	case EventDeptCreate, EventDeptModify, EventDeptRemove:
		ids := append(in.DeptID, in.DeptIDHTTP...)
		if len(ids) == 0 || len(ids) > maxEventListEntries {
			return nil, bad("want 1 to %d deptIds, got %d", maxEventListEntries, len(ids))
		}
		p.DeptIDs = ids
	case EventApproveStatus:
		if in.ProcessInstanceID == "" || in.Status == "" || in.ApproveType == "" {
			return nil, bad("no processInstanceId, status or approveType")
		}
		p.ApproveType, p.ProcessInstanceID, p.ApproveStatus = in.ApproveType, in.ProcessInstanceID, in.Status
	case EventBossCheck, EventDailySummary:
		if len(p.UserIDs) != 1 {
			return nil, bad("want one userId, got %d", len(p.UserIDs))
		}
		d, err := eventWorkDate(string(in.WorkDate), loc)
		if err != nil {
			return nil, bad("workDate %q: %v", string(in.WorkDate), err)
		}
		p.WorkDate, p.PlanID = d, int64(in.PlanID)
	default:
		return nil, bad("kaoqin does not read this event type")
	}
	return p, nil
}

// eventWorkDate reads a work date as DingTalk's event pages show it: "2023-12-12",
// "2020-11-10 00:00:00", or unix ms.
func eventWorkDate(s string, loc *time.Location) (Date, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && s[4] == '-' {
		if len(s) > 10 && s[10] != ' ' && s[10] != 'T' {
			return Date{}, errors.New("want yyyy-MM-dd")
		}
		return ParseDate(s[:10])
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms > 0 {
		t := time.UnixMilli(ms).In(loc)
		return DateOf(t), nil
	}
	return Date{}, errors.New("want yyyy-MM-dd or unix milliseconds")
}

// decodeObject decodes a JSON object, refusing anything else (DingTalk's bodies are objects).
func decodeObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not an object")
	}
	return json.Unmarshal(b, v)
}

// DingTalk's event pages disagree on types (checkTime a number, planId an integer, userId a
// list in contacts events and a string in attendance ones; ids as strings elsewhere): the
// flex types read either.

type flexInt64 int64

func (f *flexInt64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt64(n)
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != x || x > 9e18 || x < -9e18 {
		return fmt.Errorf("want an integer, got %.40s", b)
	}
	*f = flexInt64(x)
	return nil
}

type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("want a number, got %.40s", b)
	}
	*f = flexFloat(x)
	return nil
}

type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(b), `"`) {
	case "true", "1":
		*f = true
	case "false", "0", "", "null":
		*f = false
	default:
		return fmt.Errorf("want a boolean, got %.40s", b)
	}
	return nil
}

// flexString reads a string or a number as text.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %.40s", b)
	}
	*f = flexString(n.String())
	return nil
}

// flexStrings reads a list of strings, or one string.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []flexString
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = string(s)
		}
		*f = out
		return nil
	}
	var s flexString
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*f = nil
	} else {
		*f = []string{string(s)}
	}
	return nil
}

// flexInts reads a list of integers (or of their strings), or one.
type flexInts []int64

func (f *flexInts) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []flexInt64
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		out := make([]int64, len(list))
		for i, n := range list {
			out[i] = int64(n)
		}
		*f = out
		return nil
	}
	var n flexInt64
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = []int64{int64(n)}
	return nil
}
