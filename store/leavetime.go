package store

import (
	"cmp"
	"context"
	"database/sql"
	"strings"

	"github.com/kaoqin/kaoqin"
)

var _ kaoqin.LeaveTimeStore = (*DB)(nil)

var leaveTimesTable = table{
	name: "leave_times",
	cols: []column{{"user_id", tText}, {"work_date", tText}, {"name", tText}, {"value_e6", tBigint}},
	key:  []string{"user_id", "work_date", "name"},
}

var leaveTimePullsTable = table{
	name: "leave_time_pulls",
	cols: []column{{"user_id", tText}, {"from_date", tText}, {"to_date", tText}, {"pulled_at", tBigint}},
	key:  []string{"user_id", "from_date", "to_date"},
	set:  `SET pulled_at = excluded.pulled_at WHERE excluded.pulled_at > leave_time_pulls.pulled_at`,
}

var leaveTypesTable = table{
	name: "leave_types",
	cols: []column{{"name", tText}, {"unit", tText}, {"position", tBigint}},
	key:  []string{"name"},
}

// SaveLeaveTypes replaces the company's leave types with types.
func (db *DB) SaveLeaveTypes(ctx context.Context, types []kaoqin.LeaveType) (err error) {
	defer wrap(&err, "save leave types")
	rows := make([][]any, 0, len(types))
	names := make([]string, 0, len(types))
	for _, t := range lastByKey(types, func(t kaoqin.LeaveType) string { return t.Name }, cmp.Compare[string]) {
		if t.Name == "" {
			return kaoqin.Errorf(kaoqin.EINVALID, "a leave type without a name")
		}
		rows = append(rows, []any{t.Name, t.Unit, int64(t.Position)})
		names = append(names, t.Name)
	}
	return db.update(ctx, func(tx conn) error {
		if _, err := tx.upsert(ctx, leaveTypesTable, rows); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "DELETE FROM leave_types WHERE name NOT IN "+db.d.in(tText), db.d.list(names))
		return err
	})
}

// LeaveTypes returns the company's leave types, by position.
func (db *DB) LeaveTypes(ctx context.Context) (types []kaoqin.LeaveType, err error) {
	defer wrap(&err, "leave types")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, t *kaoqin.LeaveType) error {
		var pos int64
		err := rows.Scan(&t.Name, &t.Unit, &pos)
		t.Position = int(pos)
		return err
	}, "SELECT name, unit, position FROM leave_types ORDER BY position, name")
}

// SaveLeaveTimes replaces the leave by type of b.UserID over [b.From, b.To] with b.Times (the
// days without leave left out) and records the pull, in one transaction. It returns the rows
// inserted, changed or deleted.
func (db *DB) SaveLeaveTimes(ctx context.Context, b kaoqin.LeaveTimeBatch) (rows int64, err error) {
	defer wrap(&err, "save leave times")
	if b.UserID == "" {
		return 0, kaoqin.Errorf(kaoqin.EINVALID, "leave times of nobody")
	}
	if err := checkScope(kaoqin.Scope{UserIDs: []string{b.UserID}, From: b.From, To: b.To}); err != nil {
		return 0, err
	}
	key := func(t kaoqin.LeaveTime) string { return t.WorkDate + "\x00" + t.Name }
	var data, keys [][]any
	for _, t := range lastByKey(b.Times, key, cmp.Compare[string]) {
		if t.UserID != b.UserID || t.WorkDate < b.From || t.WorkDate > b.To || t.Name == "" {
			return 0, kaoqin.Errorf(kaoqin.EINVALID, "leave time %+v is not of %s over %s..%s", t, b.UserID, b.From, b.To)
		}
		if t.Value == 0 {
			continue
		}
		data = append(data, []any{t.UserID, t.WorkDate, t.Name, e6(t.Value)})
		keys = append(keys, []any{t.WorkDate, t.Name})
	}
	err = db.update(ctx, func(tx conn) error {
		n, err := tx.upsert(ctx, leaveTimesTable, data)
		if err != nil {
			return err
		}
		rows = n
		keyCols := leaveTimesTable.cols[1:3]
		args := append([]any{b.UserID, b.From, b.To}, db.d.rowsArgs(keyCols, keys)...)
		n, err = tx.execN(ctx, `DELETE FROM leave_times WHERE user_id = ? AND work_date >= ? AND work_date <= ?
			AND (work_date, name) NOT IN `+db.d.rowsIn(keyCols), args...)
		if err != nil {
			return err
		}
		rows += n
		_, err = tx.upsert(ctx, leaveTimePullsTable, [][]any{{b.UserID, b.From, b.To, b.PulledAt}})
		return err
	})
	return rows, err
}

// LeaveTimes returns the leave by type f selects, sorted by UserID, WorkDate, Name.
func (db *DB) LeaveTimes(ctx context.Context, f kaoqin.Filter) (times []kaoqin.LeaveTime, err error) {
	defer wrap(&err, "leave times")
	where, args, err := filterWhere(db.d, f)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, t *kaoqin.LeaveTime) error {
		var v int64
		err := rows.Scan(&t.UserID, &t.WorkDate, &t.Name, &v)
		t.Value = fromE6(v)
		return err
	}, "SELECT user_id, work_date, name, value_e6 FROM leave_times"+where+" ORDER BY user_id, work_date, name", args...)
}

// LeaveTimeNames returns the names of the leave types with leave on a day of [from, to].
func (db *DB) LeaveTimeNames(ctx context.Context, from, to string) (names []string, err error) {
	defer wrap(&err, "leave time names")
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, s *string) error { return rows.Scan(s) },
		"SELECT DISTINCT name FROM leave_times WHERE work_date >= ? AND work_date <= ? ORDER BY name", from, to)
}

// LeaveTimePulls returns the pulls of f's employees whose days overlap [f.From, f.To], sorted
// by UserID, From, To.
func (db *DB) LeaveTimePulls(ctx context.Context, f kaoqin.Filter) (pulls []kaoqin.LeaveTimePull, err error) {
	defer wrap(&err, "leave time pulls")
	var conds []string
	var args []any
	if f.From != "" {
		conds, args = append(conds, "to_date >= ?"), append(args, f.From)
	}
	if f.To != "" {
		conds, args = append(conds, "from_date <= ?"), append(args, f.To)
	}
	conds, args = userConds(db.d, f, conds, args)
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return queryAll(ctx, db.reader(), func(rows *sql.Rows, p *kaoqin.LeaveTimePull) error {
		return rows.Scan(&p.UserID, &p.From, &p.To, &p.PulledAt)
	}, "SELECT user_id, from_date, to_date, pulled_at FROM leave_time_pulls"+where+" ORDER BY user_id, from_date, to_date", args...)
}
