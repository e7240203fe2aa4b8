package store

import (
	"context"

	"github.com/kaoqin/kaoqin"
)

// replaceScope makes table t hold exactly rows for scope's employees and work dates: the rows
// are upserted by their key, and the scope's rows whose key is not in keys (DingTalk no longer
// returns them) are deleted. It is how every pull is saved (checks, punches, schedules), inside
// the transaction that also records the pull's checkpoint. It returns the rows inserted,
// changed or deleted; an empty scope deletes nothing.
func (db *DB) replaceScope(ctx context.Context, tx conn, t table, scope kaoqin.Scope, rows [][]any, keys []int64) (int64, error) {
	n, err := tx.upsert(ctx, t, rows)
	if err != nil || len(scope.UserIDs) == 0 {
		return n, err
	}
	deleted, err := tx.execN(ctx, `DELETE FROM `+t.name+`
		WHERE user_id IN `+db.d.in(tText)+` AND work_date >= ? AND work_date <= ?
		AND `+t.key[0]+` NOT IN `+db.d.in(tBigint),
		db.d.list(scope.UserIDs), scope.From, scope.To, db.d.list(keys))
	return n + deleted, err
}
