package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/kaoqin/kaoqin"
)

const runCols = `id, kind, from_day, to_day, started_at, finished_at, status, error, rows_written,
	calls, metered, throttled, retried, calls_by, chunks_done, chunks_skipped`

// CreateRun inserts run and sets its ID. A run without StartedAt starts now; one without
// Status is running.
func (db *DB) CreateRun(ctx context.Context, run *kaoqin.SyncRun) (err error) {
	defer wrap(&err, "create run")
	if run.StartedAt == 0 {
		run.StartedAt = db.nowMs()
	}
	if run.Status == "" {
		run.Status = kaoqin.RunRunning
	}
	callsBy, err := json.Marshal(run.CallsBy)
	if err != nil {
		return err
	}
	return db.writer().queryRow(ctx, `INSERT INTO sync_runs (kind, from_day, to_day, started_at, finished_at,
		status, error, rows_written, calls, metered, throttled, retried, calls_by, chunks_done, chunks_skipped)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		run.Kind, run.From, run.To, run.StartedAt, run.FinishedAt, run.Status, run.Error, run.Rows,
		run.Calls, run.Metered, run.Throttled, run.Retried, string(callsBy), run.ChunksDone, run.ChunksSkipped,
	).Scan(&run.ID)
}

// UpdateRun saves everything about run but its ID; ENOTFOUND if there is no such run.
func (db *DB) UpdateRun(ctx context.Context, run *kaoqin.SyncRun) (err error) {
	defer wrap(&err, "update run")
	callsBy, err := json.Marshal(run.CallsBy)
	if err != nil {
		return err
	}
	n, err := db.writer().execN(ctx, `UPDATE sync_runs SET kind = ?, from_day = ?, to_day = ?, started_at = ?,
		finished_at = ?, status = ?, error = ?, rows_written = ?, calls = ?, metered = ?, throttled = ?, retried = ?,
		calls_by = ?, chunks_done = ?, chunks_skipped = ? WHERE id = ?`,
		run.Kind, run.From, run.To, run.StartedAt, run.FinishedAt, run.Status, run.Error, run.Rows,
		run.Calls, run.Metered, run.Throttled, run.Retried, string(callsBy), run.ChunksDone, run.ChunksSkipped, run.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return kaoqin.Errorf(kaoqin.ENOTFOUND, "Sync run %d not found.", run.ID)
	}
	return nil
}

// Runs returns the latest limit runs (all if limit <= 0), newest first.
func (db *DB) Runs(ctx context.Context, limit int) (runs []kaoqin.SyncRun, err error) {
	defer wrap(&err, "runs")
	return queryAll(ctx, db.reader(), scanRun,
		"SELECT "+runCols+" FROM sync_runs ORDER BY started_at DESC, id DESC LIMIT ?", sqlLimit(limit))
}

func scanRun(rows *sql.Rows, r *kaoqin.SyncRun) error {
	var callsBy string
	if err := rows.Scan(&r.ID, &r.Kind, &r.From, &r.To, &r.StartedAt, &r.FinishedAt, &r.Status, &r.Error, &r.Rows,
		&r.Calls, &r.Metered, &r.Throttled, &r.Retried, &callsBy, &r.ChunksDone, &r.ChunksSkipped); err != nil {
		return err
	}
	return json.Unmarshal([]byte(callsBy), &r.CallsBy)
}

// sqlLimit turns "no limit" (<= 0) into a LIMIT both engines accept.
func sqlLimit(limit int) int64 {
	if limit <= 0 {
		return 1<<63 - 1
	}
	return int64(limit)
}
