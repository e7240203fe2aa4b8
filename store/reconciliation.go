package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/kaoqin/kaoqin"
)

var _ kaoqin.ReconcileStore = (*DB)(nil)

// CreateReconciliation inserts r and sets its ID; CreatedAt defaults to now.
func (db *DB) CreateReconciliation(ctx context.Context, r *kaoqin.Reconciliation) (err error) {
	defer wrap(&err, "create reconciliation")
	if r.From == "" || r.To == "" || r.Status == "" {
		return kaoqin.Errorf(kaoqin.EINVALID, "a reconciliation needs its dates and a status")
	}
	if r.CreatedAt == 0 {
		r.CreatedAt = db.nowMs()
	}
	depts, _ := json.Marshal(nonNilList(r.DeptIDs))
	return db.writer().queryRow(ctx, `INSERT INTO reconciliations (created_at, finished_at, by_name, from_date, to_date,
		dept_ids, sample, status, error, people, differences, calls, metered, result)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.CreatedAt, r.FinishedAt, r.By, r.From, r.To, string(depts), r.Sample, r.Status, r.Error,
		r.People, r.Differences, r.Calls, r.Metered, string(r.Result)).Scan(&r.ID)
}

// UpdateReconciliation saves r's status, figures and result.
func (db *DB) UpdateReconciliation(ctx context.Context, r *kaoqin.Reconciliation) (err error) {
	defer wrap(&err, "update reconciliation")
	n, err := db.writer().execN(ctx, `UPDATE reconciliations SET finished_at = ?, status = ?, error = ?, people = ?,
		differences = ?, calls = ?, metered = ?, result = ? WHERE id = ?`,
		r.FinishedAt, r.Status, r.Error, r.People, r.Differences, r.Calls, r.Metered, string(r.Result), r.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return kaoqin.Errorf(kaoqin.ENOTFOUND, "There is no reconciliation %d.", r.ID)
	}
	return nil
}

const reconcileCols = `id, created_at, finished_at, by_name, from_date, to_date, dept_ids, sample, status, error,
	people, differences, calls, metered`

func scanReconciliation(rows interface{ Scan(...any) error }, r *kaoqin.Reconciliation, extra ...any) error {
	var depts string
	var sample, people, diffs int64
	dest := append([]any{&r.ID, &r.CreatedAt, &r.FinishedAt, &r.By, &r.From, &r.To, &depts, &sample, &r.Status, &r.Error,
		&people, &diffs, &r.Calls, &r.Metered}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	r.Sample, r.People, r.Differences = int(sample), int(people), int(diffs)
	return json.Unmarshal([]byte(depts), &r.DeptIDs)
}

// Reconciliations returns the latest, newest first, without their Result.
func (db *DB) Reconciliations(ctx context.Context, limit int) (out []kaoqin.Reconciliation, err error) {
	defer wrap(&err, "reconciliations")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, r *kaoqin.Reconciliation) error {
		return scanReconciliation(rows, r)
	}, "SELECT "+reconcileCols+" FROM reconciliations ORDER BY id DESC LIMIT ?", limit)
}

// Reconciliation returns one reconciliation, with its Result.
func (db *DB) Reconciliation(ctx context.Context, id int64) (r *kaoqin.Reconciliation, err error) {
	defer wrap(&err, "reconciliation")
	r = &kaoqin.Reconciliation{}
	var result string
	err = scanReconciliation(db.reader().queryRow(ctx, "SELECT "+reconcileCols+", result FROM reconciliations WHERE id = ?", id), r, &result)
	if err == sql.ErrNoRows {
		return nil, kaoqin.Errorf(kaoqin.ENOTFOUND, "There is no reconciliation %d.", id)
	}
	if err != nil {
		return nil, err
	}
	if result != "" {
		r.Result = json.RawMessage(result)
	}
	return r, nil
}
