package kaoqin

import (
	"context"
	"time"
)

// The interfaces below are what the rest of kaoqin needs from a database. Package store
// implements all of them, on SQLite and on PostgreSQL with identical behaviour; consumers
// (syncer, web, cmd) depend on the interface they need, not on store.
//
// Errors: a missing row is an *Error with ENOTFOUND, a uniqueness violation ECONFLICT, bad
// arguments EINVALID; anything else is internal.

// OrgStore keeps the org chart and its history.
type OrgStore interface {
	// SaveOrg makes the store's org chart equal to snap, in one transaction: departments and
	// employees are upserted under DingTalk's ids; ones missing from snap are marked removed /
	// left (never deleted); memberships no longer listed are closed with To = snap.Day - 1 and
	// new ones opened with From = snap.Day (From = "" for an employee seen for the first time,
	// since kaoqin cannot know what came before). Saving the same snapshot twice changes nothing.
	SaveOrg(ctx context.Context, snap OrgSnapshot) (OrgChange, error)
	// Departments returns every department ever seen, removed ones included, sorted by ID.
	Departments(ctx context.Context) ([]Department, error)
	// Employees returns every employee ever seen, departed ones included, sorted by UserID,
	// with their current DeptIDs sorted.
	Employees(ctx context.Context) ([]Employee, error)
	// Memberships returns the memberships that held on any day of [from, to], sorted by
	// UserID, DeptID, From.
	Memberships(ctx context.Context, from, to string) ([]Membership, error)
}

// CheckBatch is one complete pull of check results: it replaces every check the store holds
// for Scope (upserting by ID, deleting the ones not in Checks) and, in the same transaction,
// records Checkpoint (if not "") as done, so a killed sync never leaves half a chunk.
type CheckBatch struct {
	Scope      Scope
	Checks     []Check
	Checkpoint string
	// SyncedAt is when the pull began (unix ms): every check of the scope gets it as its
	// SyncedAt, since DingTalk's answers reflect at least that moment.
	SyncedAt int64
}

// LeaveBatch replaces the leave of UserIDs overlapping [Start, End) (unix ms) with Leaves.
type LeaveBatch struct {
	UserIDs    []string
	Start, End int64
	Leaves     []Leave
	Checkpoint string
}

// PunchBatch replaces the punch records of Scope with Punches. A batch with an empty Scope
// only adds or updates its punches: how punches seen in DingTalk events come in before a pull.
type PunchBatch struct {
	Scope      Scope
	Punches    []Punch
	Checkpoint string
	// SyncedAt, if not 0, is when the pull began: it is recorded as a PunchPull of every
	// employee and day of Scope, in the same transaction. A pull of days that have ended need
	// not record it (the check results pulled after the day say everything).
	SyncedAt int64
}

// ScheduleBatch replaces the schedules of Scope with Schedules.
type ScheduleBatch struct {
	Scope      Scope
	Schedules  []Schedule
	Checkpoint string
}

// Filter selects attendance rows by work date (inclusive) and, if UserIDs is not nil, by
// employee.
type Filter struct {
	From, To string
	UserIDs  []string
	// After and Through, when not "", keep the employees whose userids sort (byte order) after
	// After and not after Through: one slice of the company, for a report that reads a large
	// company a slice at a time.
	After, Through string
}

// AttendanceStore keeps what DingTalk said about attendance.
type AttendanceStore interface {
	SaveChecks(ctx context.Context, b CheckBatch) (rows int64, err error)
	SaveLeaves(ctx context.Context, b LeaveBatch) (rows int64, err error)
	SavePunches(ctx context.Context, b PunchBatch) (rows int64, err error)
	SaveSchedules(ctx context.Context, b ScheduleBatch) (rows int64, err error)

	// Checks returns checks sorted by UserID, WorkDate, BaseCheckTime, ID.
	Checks(ctx context.Context, f Filter) ([]Check, error)
	// Leaves returns the leaves overlapping [start, end) (unix ms), sorted by UserID, StartTime.
	Leaves(ctx context.Context, start, end int64) ([]Leave, error)
	// Punches returns punch records sorted by UserID, UserCheckTime, ID.
	Punches(ctx context.Context, f Filter) ([]Punch, error)
	// QueryPunches returns the punches q selects, in the same order, a page at a time.
	QueryPunches(ctx context.Context, q PunchQuery) ([]Punch, error)
	// Schedules returns schedules sorted by UserID, WorkDate, PlanCheckTime, PlanID.
	Schedules(ctx context.Context, f Filter) ([]Schedule, error)
	// PunchPulls returns the latest punch pull of each employee and day f selects, sorted by
	// UserID, WorkDate.
	PunchPulls(ctx context.Context, f Filter) ([]PunchPull, error)

	// MarkCovered records that the days' attendance has been pulled for every employee; a later
	// mark replaces an earlier one (Closed never goes back from true to false).
	MarkCovered(ctx context.Context, days []DayCoverage) error
	// Coverage returns the covered days of [from, to], sorted by Day.
	Coverage(ctx context.Context, from, to string) ([]DayCoverage, error)

	// SaveDayDetail keeps what getupdatedata said of one employee-day, replacing what an
	// earlier fetch said; DayDetail returns it (ENOTFOUND if never fetched).
	SaveDayDetail(ctx context.Context, d DayDetail) error
	DayDetail(ctx context.Context, userid, day string) (*DayDetail, error)

	// MarkKindCovered and KindCoverage are MarkCovered and Coverage for the rows pulled apart
	// from the check results, which a company may choose not to pull: kind is CoverPunches or
	// CoverPlans.
	MarkKindCovered(ctx context.Context, kind string, days []DayCoverage) error
	KindCoverage(ctx context.Context, kind, from, to string) ([]DayCoverage, error)
}

// SyncStore keeps the books of syncs: runs, checkpoints and the metered-call ledger.
type SyncStore interface {
	// CreateRun inserts run and sets its ID.
	CreateRun(ctx context.Context, run *SyncRun) error
	// UpdateRun saves run's status and figures.
	UpdateRun(ctx context.Context, run *SyncRun) error
	// Runs returns the latest runs, newest first.
	Runs(ctx context.Context, limit int) ([]SyncRun, error)
	// Checkpoints returns the done checkpoints whose key starts with prefix, with the time
	// (unix ms) each was done.
	Checkpoints(ctx context.Context, prefix string) (map[string]int64, error)
	// DeleteCheckpoints forgets the checkpoints whose key starts with prefix (a forced refetch).
	DeleteCheckpoints(ctx context.Context, prefix string) error
	// RecordCall adds one DingTalk call to the ledger. It is called for every call, from many
	// goroutines and, on PostgreSQL, from many processes.
	RecordCall(ctx context.Context, c Call) error
	// Ledger returns the month's totals ("YYYY-MM"); a month without calls is all zeros.
	Ledger(ctx context.Context, month string) (MonthLedger, error)
}

// Roles of local accounts.
const (
	RoleAdmin   = "admin"   // everything, including accounts and the audit log
	RoleHR      = "hr"      // every department's data
	RoleManager = "manager" // only the subtrees of DeptIDs
)

// User is a local account of the web dashboard.
type User struct {
	ID           int64   `json:"id"`
	Name         string  `json:"name"`
	Role         string  `json:"role"`
	DeptIDs      []int64 `json:"department_ids,omitempty"` // a manager's departments
	PasswordHash string  `json:"-"`                        // argon2id, PHC string format
	CreatedAt    int64   `json:"created_at"`
	// SessionsAfter ends the sessions begun before it (unix ms): a changed password logs the
	// account out everywhere. 0: no session is ended.
	SessionsAfter int64 `json:"-"`
	// Disabled accounts cannot log in and their sessions end; they are kept so that the audit
	// log still names them.
	Disabled bool `json:"disabled,omitempty"`
}

// AuditEntry is one row of the audit log: who exported or viewed what.
type AuditEntry struct {
	ID     int64  `json:"id"`
	At     int64  `json:"at"` // unix ms
	User   string `json:"user"`
	Action string `json:"action"` // e.g. "export", "view_employee"
	Target string `json:"target"` // e.g. "period 2026-10-26..2026-11-25 dept 5 xlsx", a userid
	IP     string `json:"ip,omitempty"`
}

// UserStore keeps local accounts, their sessions and the audit log.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error // ECONFLICT if the name is taken
	UpdateUser(ctx context.Context, u *User) error
	UserByName(ctx context.Context, name string) (*User, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	Users(ctx context.Context) ([]User, error)

	// Sessions, in the shape of scs.Store: data is opaque; expired sessions are not found.
	FindSession(ctx context.Context, token string) (data []byte, found bool, err error)
	CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) error
	DeleteSession(ctx context.Context, token string) error
	DeleteExpiredSessions(ctx context.Context) error

	AddAudit(ctx context.Context, e *AuditEntry) error
	// Audit returns the latest entries, newest first.
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// SettingsStore keeps the dashboard's settings (such as the pay cycle's first day), the same
// for every instance.
type SettingsStore interface {
	// Settings returns every saved setting by key; an empty map when none.
	Settings(ctx context.Context) (map[string]string, error)
	SaveSetting(ctx context.Context, key, value string) error
}
