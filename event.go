package kaoqin

import (
	"context"
	"time"
)

// Event statuses.
const (
	EventPending = "pending" // received, not handled yet
	EventDone    = "done"
	EventFailed  = "failed" // given up after repeated failures
)

// Event sources: how DingTalk delivered events.
const (
	SourceStream = "stream"
	SourceHTTP   = "http"
)

// Event is one DingTalk event as kaoqin keeps it: received once by DingTalk's eventId
// (DingTalk delivers at least once, to any instance), then handled.
type Event struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Source     string `json:"source"`      // SourceStream or SourceHTTP
	BornAt     int64  `json:"born_at"`     // unix ms, DingTalk's; 0 if unknown
	ReceivedAt int64  `json:"received_at"` // unix ms
	Data       []byte `json:"-"`           // the body, as DingTalk sent it
	Status     string `json:"status"`
	Attempts   int    `json:"attempts"`
	DoneAt     int64  `json:"done_at,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Push is one delivery of an event, as the push ledger books it.
type Push struct {
	Month string // "YYYY-MM": the quota's month
	Kind  string // the event type
	// Counted: the delivery counts against the month's push quota (attendance events do,
	// contacts events do not).
	Counted bool
}

// EventLink is one instance's link to DingTalk's events: its Stream connection, or the HTTP
// push it takes. Instances write theirs every half minute; the scheduler reads them all.
type EventLink struct {
	Instance    string `json:"instance"`
	Source      string `json:"source"`
	Connected   bool   `json:"connected"`
	Since       int64  `json:"since"`   // unix ms it connected or went down
	SeenAt      int64  `json:"seen_at"` // unix ms of the instance's latest word
	LastEventAt int64  `json:"last_event_at,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Refetch marks a person's day to be fetched again at the next reconciliation: an event said
// DingTalk's result of it changed after it was pulled.
type Refetch struct {
	UserID   string `json:"userid"`
	Day      string `json:"day"`
	Reason   string `json:"reason"` // the event type
	MarkedAt int64  `json:"marked_at"`
}

// EventCounts is what the store holds of events received since a moment.
type EventCounts struct {
	Received       int64 `json:"received"`
	Pending        int64 `json:"pending"`
	Failed         int64 `json:"failed"`
	LastReceivedAt int64 `json:"last_received_at,omitempty"`
}

// OrgPatch is a change to part of the org chart, as contacts events tell it: departments and
// employees to upsert, and ones that are gone. Employees' DeptIDs are their memberships from
// now on.
type OrgPatch struct {
	Day          string // today, in the configured time zone
	At           int64  // unix ms
	Departments  []Department
	RemovedDepts []int64
	Employees    []Employee
	Left         []string
}

// EventStore keeps DingTalk's events, the push ledger and the days to fetch again.
type EventStore interface {
	// ReceiveEvent books one delivery of e in the push ledger and, unless an event with e.ID
	// was received before, keeps e as pending, leased to the caller for lease. fresh reports
	// whether it was new. All in one transaction: a delivery is booked once, and an event kept
	// once, whatever the number of instances receiving it.
	ReceiveEvent(ctx context.Context, e *Event, p Push, lease time.Duration) (fresh bool, err error)
	// ClaimEvents leases up to limit pending events whose lease ran out (their receiver died
	// or failed), oldest first.
	ClaimEvents(ctx context.Context, now int64, lease time.Duration, limit int) ([]Event, error)
	// FinishEvent marks an event handled (errText "") or records a failed attempt, failed for
	// good when final. Handling one moves EventsVersion.
	FinishEvent(ctx context.Context, id, errText string, final bool) error
	// EventsVersion is a number that changes whenever an event is handled.
	EventsVersion(ctx context.Context) (int64, error)
	// EventCounts counts the events received since the instant (unix ms).
	EventCounts(ctx context.Context, since int64) (EventCounts, error)
	// PurgeEvents forgets handled events received before the instant.
	PurgeEvents(ctx context.Context, before int64) (int64, error)

	SaveEventLink(ctx context.Context, l EventLink) error
	EventLinks(ctx context.Context) ([]EventLink, error)

	MarkRefetch(ctx context.Context, marks []Refetch) error
	// Refetches returns the marks, sorted by Day, UserID.
	Refetches(ctx context.Context) ([]Refetch, error)
	// ClearRefetches removes marks made no later than their MarkedAt (a newer mark stays).
	ClearRefetches(ctx context.Context, marks []Refetch) error

	// PatchOrg applies a partial change to the org chart in one transaction, with the same
	// rules as SaveOrg for what it names.
	PatchOrg(ctx context.Context, p OrgPatch) (OrgChange, error)
}
