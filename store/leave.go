package store

import (
	"cmp"
	"context"
	"database/sql"
	"strings"

	"github.com/kaoqin/kaoqin"
)

var leavesTable = table{
	name: "leaves",
	cols: []column{
		{"user_id", tText}, {"start_time", tBigint}, {"end_time", tBigint},
		{"duration_unit", tText}, {"duration_percent", tBigint},
	},
	key: []string{"user_id", "start_time", "end_time"},
}

// leaveKey is a leave's identity: DingTalk gives leave no id.
type leaveKey struct {
	user       string
	start, end int64
}

func compareLeaveKeys(a, b leaveKey) int {
	return cmp.Or(cmp.Compare(a.user, b.user), cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
}

// SaveLeaves replaces the leaves of b.UserIDs that overlap [b.Start, b.End) with b.Leaves and
// records b.Checkpoint, in one transaction. Leaves are keyed by (UserID, StartTime, EndTime).
// It returns the rows inserted, changed or deleted.
func (db *DB) SaveLeaves(ctx context.Context, b kaoqin.LeaveBatch) (rows int64, err error) {
	defer wrap(&err, "save leaves")
	if len(b.UserIDs) > 0 && b.End <= b.Start {
		return 0, kaoqin.Errorf(kaoqin.EINVALID, "bad leave scope: end %d is not after start %d", b.End, b.Start)
	}
	for _, l := range b.Leaves {
		if l.UserID == "" || l.EndTime < l.StartTime {
			return 0, kaoqin.Errorf(kaoqin.EINVALID, "bad leave of %q: %d..%d", l.UserID, l.StartTime, l.EndTime)
		}
	}
	key := func(l kaoqin.Leave) leaveKey { return leaveKey{l.UserID, l.StartTime, l.EndTime} }
	leaves := lastByKey(b.Leaves, key, compareLeaveKeys)
	data := make([][]any, len(leaves))
	keys := make([][]any, len(leaves))
	for i, l := range leaves {
		data[i] = []any{l.UserID, l.StartTime, l.EndTime, l.DurationUnit, l.DurationPercent}
		keys[i] = data[i][:3]
	}
	err = db.update(ctx, func(tx conn) error {
		n, err := tx.upsert(ctx, leavesTable, data)
		if err != nil {
			return err
		}
		rows = n
		if len(b.UserIDs) > 0 {
			keyCols := leavesTable.cols[:3]
			args := append([]any{db.d.list(b.UserIDs), b.End, b.Start}, db.d.rowsArgs(keyCols, keys)...)
			n, err = tx.execN(ctx, `DELETE FROM leaves
				WHERE user_id IN `+db.d.in(tText)+` AND start_time < ? AND end_time > ?
				AND (user_id, start_time, end_time) NOT IN `+db.d.rowsIn(keyCols), args...)
			if err != nil {
				return err
			}
			rows += n
		}
		return db.markDone(ctx, tx, b.Checkpoint)
	})
	return rows, err
}

// Leaves returns the leaves overlapping [start, end) (unix ms), sorted by UserID, StartTime.
func (db *DB) Leaves(ctx context.Context, start, end int64) (leaves []kaoqin.Leave, err error) {
	return db.LeavesOf(ctx, kaoqin.Filter{}, start, end)
}

// LeavesOf returns, like Leaves, the leaves of f's employees (UserIDs, After, Through; leaves
// have no work date, so f's dates are not used).
func (db *DB) LeavesOf(ctx context.Context, f kaoqin.Filter, start, end int64) (leaves []kaoqin.Leave, err error) {
	defer wrap(&err, "leaves")
	conds, args := userConds(db.d, kaoqin.Filter{UserIDs: f.UserIDs, After: f.After, Through: f.Through},
		[]string{"start_time < ?", "end_time > ?"}, []any{end, start})
	return queryAll(ctx, db.reader(), scanLeave, `SELECT user_id, start_time, end_time, duration_unit, duration_percent
		FROM leaves WHERE `+strings.Join(conds, " AND ")+" ORDER BY user_id, start_time, end_time", args...)
}

func scanLeave(rows *sql.Rows, l *kaoqin.Leave) error {
	return rows.Scan(&l.UserID, &l.StartTime, &l.EndTime, &l.DurationUnit, &l.DurationPercent)
}
