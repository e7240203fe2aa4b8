package kaoqin

import (
	"context"
	"encoding/json"
)

// Reconciliation statuses.
const (
	ReconcileRunning = "running"
	ReconcileOK      = "ok"
	ReconcileFailed  = "failed"
)

// Reconciliation is the record of one comparison of kaoqin's period report with DingTalk's
// own report (智能报表) for some people over some days: what was asked, how it went, what it
// cost, and what it found (Result, the JSON of package reconcile's report).
type Reconciliation struct {
	ID         int64   `json:"id"`
	CreatedAt  int64   `json:"created_at"` // unix ms
	FinishedAt int64   `json:"finished_at,omitempty"`
	By         string  `json:"by"` // the account that asked, or "cli"
	From       string  `json:"from"`
	To         string  `json:"to"`
	DeptIDs    []int64 `json:"department_ids"` // empty: the company
	Sample     int     `json:"sample,omitempty"`
	Status     string  `json:"status"`
	Error      string  `json:"error,omitempty"`
	// Figures, for the list of reconciliations.
	People      int   `json:"people"`      // compared with DingTalk
	Differences int   `json:"differences"` // person-fields that differ
	Calls       int64 `json:"calls"`
	Metered     int64 `json:"metered"`
	// Result is the whole report as JSON; the list of reconciliations leaves it out.
	Result json.RawMessage `json:"result,omitempty"`
}

// ReconcileStore keeps the reconciliations.
type ReconcileStore interface {
	// CreateReconciliation inserts r and sets its ID.
	CreateReconciliation(ctx context.Context, r *Reconciliation) error
	// UpdateReconciliation saves r's status, figures and result (ENOTFOUND if there is none).
	UpdateReconciliation(ctx context.Context, r *Reconciliation) error
	// Reconciliations returns the latest, newest first, without their Result.
	Reconciliations(ctx context.Context, limit int) ([]Reconciliation, error)
	// Reconciliation returns one, with its Result (ENOTFOUND if there is none).
	Reconciliation(ctx context.Context, id int64) (*Reconciliation, error)
}
