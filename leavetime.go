package kaoqin

import "context"

// Leave by type. DingTalk's leave status (Leave) has no type; only DingTalk's own report
// (getleavetimebynames) says how much 年假, 事假, 病假... each person took each day, one person a
// call, so kaoqin pulls it apart from the check results, for the people with leave.

// Units of leave by type: a leave type counts in days or in hours (DingTalk's half-day unit
// counts in days, 0.5 a half day).
const (
	LeaveUnitDay  = "day"
	LeaveUnitHour = "hour"
)

// LeaveType is one leave type of the company, as DingTalk's report names it.
type LeaveType struct {
	Name string `json:"name"`           // 年假, 事假, 病假...
	Unit string `json:"unit,omitempty"` // LeaveUnitDay or LeaveUnitHour; "" when unknown
	// Position is the type's place in DingTalk's report, which orders report columns.
	Position int `json:"-"`
}

// LeaveTime is one employee's leave of one type on one work date, in the type's unit. Days
// without leave are not stored.
type LeaveTime struct {
	UserID   string  `json:"userid"`
	WorkDate string  `json:"work_date"`
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
}

// LeaveTimeBatch is one pull of one employee's leave by type over [From, To]: it replaces what
// the store holds for them over those days and records the pull, in one transaction.
type LeaveTimeBatch struct {
	UserID   string
	From, To string
	Times    []LeaveTime
	PulledAt int64 // unix ms: when the pull began
}

// LeaveTimePull records that an employee's leave by type over [From, To] was pulled at
// PulledAt (unix ms). A pull after the last day ended is final, until a later sync finds the
// days' leave changed (a leave approved after the fact).
type LeaveTimePull struct {
	UserID   string `json:"userid"`
	From     string `json:"from"`
	To       string `json:"to"`
	PulledAt int64  `json:"pulled_at"`
}

// LeaveTimeStore keeps leave by type.
type LeaveTimeStore interface {
	// SaveLeaveTypes replaces the company's leave types.
	SaveLeaveTypes(ctx context.Context, types []LeaveType) error
	// LeaveTypes returns the company's leave types, by Position.
	LeaveTypes(ctx context.Context) ([]LeaveType, error)
	// SaveLeaveTimes saves one pull (see LeaveTimeBatch); it returns the rows inserted,
	// changed or deleted.
	SaveLeaveTimes(ctx context.Context, b LeaveTimeBatch) (int64, error)
	// LeaveTimes returns the leave by type f selects (dates, users), sorted by UserID,
	// WorkDate, Name.
	LeaveTimes(ctx context.Context, f Filter) ([]LeaveTime, error)
	// LeaveTimeNames returns the names of the leave types with leave on a day of [from, to],
	// sorted.
	LeaveTimeNames(ctx context.Context, from, to string) ([]string, error)
	// LeaveTimePulls returns the pulls of f's employees whose days overlap [f.From, f.To],
	// sorted by UserID, From, To.
	LeaveTimePulls(ctx context.Context, f Filter) ([]LeaveTimePull, error)
}
