package store

import (
	"context"
	"unicode/utf8"
)

// markDone records checkpoint key as done now, in the transaction of the batch it belongs to.
func (db *DB) markDone(ctx context.Context, tx conn, key string) error {
	if key == "" {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO checkpoints (key, done_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET done_at = excluded.done_at`, key, db.nowMs())
	return err
}

// prefixCond matches keys that start with a prefix. substr counts characters on both engines,
// and unlike LIKE it has no wildcards to escape and no case folding (SQLite's LIKE folds ASCII).
const prefixCond = "substr(key, 1, ?) = ?"

// Checkpoints returns the done checkpoints whose key starts with prefix, with the time (unix ms)
// each was done.
func (db *DB) Checkpoints(ctx context.Context, prefix string) (done map[string]int64, err error) {
	defer wrap(&err, "checkpoints")
	rows, err := db.reader().query(ctx, "SELECT key, done_at FROM checkpoints WHERE "+prefixCond,
		utf8.RuneCountInString(prefix), prefix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done = map[string]int64{}
	for rows.Next() {
		var k string
		var at int64
		if err := rows.Scan(&k, &at); err != nil {
			return nil, err
		}
		done[k] = at
	}
	return done, rows.Err()
}

// DeleteCheckpoints forgets the checkpoints whose key starts with prefix ("" forgets them all).
func (db *DB) DeleteCheckpoints(ctx context.Context, prefix string) (err error) {
	defer wrap(&err, "delete checkpoints")
	_, err = db.writer().exec(ctx, "DELETE FROM checkpoints WHERE "+prefixCond, utf8.RuneCountInString(prefix), prefix)
	return err
}
