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
}

// Kinds of coverage besides the check results and leave (see AttendanceStore.MarkKindCovered).
const (
	CoverPunches = "punches" // every punch of every employee (listRecord)
	CoverPlans   = "plans"   // every employee's plans (listbyusers or listschedule)
)

// DayCoverage records that a work date's attendance (checks and leave) has been pulled for
// every employee. Reports refuse to speak about days without it, rather than print zeros.
type DayCoverage struct {
	Day      string `json:"day"`
	SyncedAt int64  `json:"synced_at"` // unix ms of the latest complete pull
	// Closed is true when the pull happened after the day had ended, so the data is final
	// (until someone edits it in DingTalk).
	Closed bool `json:"closed"`
}
