package kaoqin

// Sync run statuses.
const (
	RunRunning     = "running"
	RunOK          = "ok"
	RunFailed      = "failed"
	RunInterrupted = "interrupted" // cancelled, or found still "running" by a later process
)

// SyncRun is the record of one sync: what it was asked to do, how it went and what it cost.
type SyncRun struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"` // what was pulled, e.g. "org+attendance", "live"
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	StartedAt  int64  `json:"started_at"`
	FinishedAt int64  `json:"finished_at,omitempty"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	// Figures, for the sync page and the summary line.
	Rows          int64            `json:"rows"`      // rows written
	Calls         int64            `json:"calls"`     // DingTalk calls made, retries included
	Metered       int64            `json:"metered"`   // of which counted against the monthly quota
	Throttled     int64            `json:"throttled"` // answers that said "too fast"
	Retried       int64            `json:"retried"`   // calls that were attempts after the first
	CallsBy       map[string]int64 `json:"calls_by"`  // calls per API path
	ChunksDone    int64            `json:"chunks_done"`
	ChunksSkipped int64            `json:"chunks_skipped"` // already done by an earlier run (checkpoints)
}

// Call is one DingTalk call, as the metered-call ledger records it.
type Call struct {
	At        int64  // unix ms
	Month     string // "YYYY-MM" in the configured time zone: the quota's month
	Path      string // API path, e.g. "/attendance/list"
	Metered   bool   // counts against the monthly quota (attendance, work notifications)
	Throttled bool   // DingTalk said "too fast" (such calls are not metered)
	Errcode   int    // DingTalk's errcode; 0 on success
}

// MonthLedger is what kaoqin spent of DingTalk's quota in one month.
type MonthLedger struct {
	Month     string           `json:"month"`
	Calls     int64            `json:"calls"`
	Metered   int64            `json:"metered"`
	Throttled int64            `json:"throttled"`
	Failed    int64            `json:"failed"`     // calls answered with a non-zero errcode
	ByPath    map[string]int64 `json:"by_path"`    // calls per path
	MeteredBy map[string]int64 `json:"metered_by"` // metered calls per path
	// Pushes are DingTalk's event deliveries of the month that count against the push quota
	// (attendance events; contacts events are free), PushesBy every delivery per event type,
	// PushDuplicates the deliveries of an event received before.
	Pushes         int64            `json:"pushes"`
	PushesBy       map[string]int64 `json:"pushes_by"`
	PushDuplicates int64            `json:"push_duplicates"`
}

// Kinds of coverage besides the check results and leave (see AttendanceStore.MarkKindCovered).
const (
	CoverPunches = "punches" // every punch of every employee (listRecord)
	CoverPlans   = "plans"   // every employee's plans (listbyusers or listschedule)
)

// DayCoverage records that a work date's attendance (checks and leave) has been pulled for
// every employee. Reports refuse to speak about days without it, rather than print zeros.
//
// A day is final (Closed) once it was pulled after ClosesAt: after it ended, and after its
// last check plus the window in which a punch can still answer it. A night shift's check-out
// the next morning belongs to the work date the shift began on, so such a day closes the next
// morning, not at midnight. A final day gets one more pull when it is a few days old, for the
// corrections DingTalk takes in after the day (a make-up punch, a leave approved late, an
// administrator's edit): SettlesAt says when, Settled that it happened.
type DayCoverage struct {
	Day      string `json:"day"`
	SyncedAt int64  `json:"synced_at"` // unix ms of the latest complete pull
	// Closed is true when a pull after ClosesAt brought the day: the data is final (until
	// someone edits it in DingTalk).
	Closed bool `json:"closed"`
	// LastCheckAt is the latest check of the day, planned or pulled, as the pulls saw it
	// (unix ms; 0: unknown). A night shift's is the next morning.
	LastCheckAt int64 `json:"last_check_at,omitempty"`
	// ClosesAt is when a pull makes the day final (unix ms; 0: unknown, the day's end).
	ClosesAt int64 `json:"closes_at,omitempty"`
	// SettlesAt is when the day's last pull is due (unix ms; 0: unknown); Settled is true once
	// a pull after it brought the day.
	SettlesAt int64 `json:"settles_at,omitempty"`
	Settled   bool  `json:"settled,omitempty"`
}
