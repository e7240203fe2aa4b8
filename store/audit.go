package store

import (
	"context"
	"database/sql"

	"github.com/kaoqin/kaoqin"
)

// AddAudit appends e to the audit log and sets its ID (and At, if 0, to now).
func (db *DB) AddAudit(ctx context.Context, e *kaoqin.AuditEntry) (err error) {
	defer wrap(&err, "add audit")
	if e.At == 0 {
		e.At = db.nowMs()
	}
	return db.writer().queryRow(ctx, `INSERT INTO audit (at, user_name, action, target, ip)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, e.At, e.User, e.Action, e.Target, e.IP).Scan(&e.ID)
}

// Audit returns the latest limit entries (all if limit <= 0), newest first.
func (db *DB) Audit(ctx context.Context, limit int) (entries []kaoqin.AuditEntry, err error) {
	defer wrap(&err, "audit")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, e *kaoqin.AuditEntry) error {
		return rows.Scan(&e.ID, &e.At, &e.User, &e.Action, &e.Target, &e.IP)
	}, "SELECT id, at, user_name, action, target, ip FROM audit ORDER BY at DESC, id DESC LIMIT ?", sqlLimit(limit))
}
