package store

import (
	"cmp"
	"context"
	"strings"

	"github.com/kaoqin/kaoqin"
)

var checksTable = table{
	name: "checks",
	cols: []column{
		{"id", tBigint}, {"record_id", tBigint}, {"user_id", tText}, {"work_date", tText},
		{"check_type", tText}, {"time_result", tText}, {"location_result", tText},
		{"base_check_time", tBigint}, {"user_check_time", tBigint}, {"source_type", tText},
		{"plan_id", tBigint}, {"group_id", tBigint}, {"approve_id", tBigint}, {"proc_inst_id", tText},
	},
	key: []string{"id"},
}

const checkCols = `id, record_id, user_id, work_date, check_type, time_result, location_result,
	base_check_time, user_check_time, source_type, plan_id, group_id, approve_id, proc_inst_id, synced_at`

// SaveChecks replaces the checks of b.Scope with b.Checks and records b.Checkpoint, in one
// transaction. Checks are upserted by DingTalk's id, so a check that moved to another employee
// or day moves; checks of the scope missing from the batch are deleted. It returns the rows
// inserted, changed or deleted: 0 when the store already held exactly the batch.
func (db *DB) SaveChecks(ctx context.Context, b kaoqin.CheckBatch) (rows int64, err error) {
	defer wrap(&err, "save checks")
	if err := checkScope(b.Scope); err != nil {
		return 0, err
	}
	for _, c := range b.Checks {
		if err := checkRow("check", c.ID, c.UserID, c.WorkDate); err != nil {
			return 0, err
		}
	}
	checks := lastByKey(b.Checks, func(c kaoqin.Check) int64 { return c.ID }, cmp.Compare[int64])
	data := make([][]any, len(checks))
	ids := make([]int64, len(checks))
	for i, c := range checks {
		data[i] = []any{c.ID, c.RecordID, c.UserID, c.WorkDate, c.CheckType, c.TimeResult, c.LocationResult,
			c.BaseCheckTime, c.UserCheckTime, c.SourceType, c.PlanID, c.GroupID, c.ApproveID, c.ProcInstID}
		ids[i] = c.ID
	}
	err = db.update(ctx, func(tx conn) (err error) {
		if rows, err = db.replaceScope(ctx, tx, checksTable, b.Scope, data, ids); err != nil {
			return err
		}
		// Every check of the scope was just pulled: stamp them all, changed or not (the upsert
		// leaves unchanged rows alone, so that a rerun writes nothing).
		if b.SyncedAt > 0 && len(b.Scope.UserIDs) > 0 {
			_, err = tx.exec(ctx, `UPDATE checks SET synced_at = ?
				WHERE user_id IN `+db.d.in(tText)+` AND work_date >= ? AND work_date <= ? AND synced_at <> ?`,
				b.SyncedAt, db.d.list(b.Scope.UserIDs), b.Scope.From, b.Scope.To, b.SyncedAt)
			if err != nil {
				return err
			}
		}
		return db.markDone(ctx, tx, b.Checkpoint)
	})
	return rows, err
}

// Checks returns the checks f selects, sorted by UserID, WorkDate, BaseCheckTime, ID.
func (db *DB) Checks(ctx context.Context, f kaoqin.Filter) (checks []kaoqin.Check, err error) {
	defer wrap(&err, "checks")
	return db.checks(ctx, f, checkCols)
}

// briefCheckCols are the columns BriefChecks reads.
const briefCheckCols = `id, user_id, work_date, check_type, time_result, location_result,
	base_check_time, user_check_time, plan_id, approve_id, proc_inst_id, synced_at`

// checkOrder is the order Checks and BriefChecks return checks in; the index checks_day
// serves a day's read in it (migration 18).
const checkOrder = "user_id, work_date, base_check_time, id"

// BriefChecks returns the checks f selects, sorted like Checks, with what the reports read of
// them: the record id, attendance group and source are left empty. A month of a large company
// is millions of checks, and every column read costs.
func (db *DB) BriefChecks(ctx context.Context, f kaoqin.Filter) (checks []kaoqin.Check, err error) {
	defer wrap(&err, "checks")
	return db.checks(ctx, f, briefCheckCols)
}

// checks reads the columns cols (checkCols or briefCheckCols) of the checks f selects.
func (db *DB) checks(ctx context.Context, f kaoqin.Filter, cols string) ([]kaoqin.Check, error) {
	where, args, err := filterWhere(db.d, f)
	if err != nil {
		return nil, err
	}
	day := oneDay(f)
	return readMany(ctx, db, checkConverter(day, cols == briefCheckCols), dayColumns(cols, day), "checks"+where,
		checkOrder, args...)
}

// oneDay returns the day f selects, if it selects one.
func oneDay(f kaoqin.Filter) string {
	if f.From != "" && f.From == f.To {
		return f.From
	}
	return ""
}

// dayColumns returns cols without work_date when the rows are of one day, day: the day of
// every row is known, a column less to read (values.day puts it back).
func dayColumns(cols, day string) string {
	if day == "" {
		return cols
	}
	return strings.Replace(cols, "work_date, ", "", 1)
}

// checkConverter converts rows of checkCols, or briefCheckCols if brief, through dayColumns
// of day.
func checkConverter(day string, brief bool) func(*values, *kaoqin.Check) error {
	// A month of a large company is millions of checks whose text columns repeat endlessly
	// (a userid on every row of that user, a handful of results and dates): interning them
	// keeps one copy of each.
	in, users := interner{}, &run{}
	return func(v *values, c *kaoqin.Check) error {
		c.ID = v.int()
		if !brief {
			c.RecordID = v.int()
		}
		c.UserID, c.WorkDate, c.CheckType, c.TimeResult = v.user(users), v.day(day, in), v.text(in), v.text(in)
		c.LocationResult, c.BaseCheckTime, c.UserCheckTime = v.text(in), v.int(), v.int()
		if !brief {
			c.SourceType = v.text(in)
		}
		c.PlanID = v.int()
		if !brief {
			c.GroupID = v.int()
		}
		c.ApproveID, c.ProcInstID, c.SyncedAt = v.int(), v.text(in), v.int()
		return v.err
	}
}

// run hands out one string per run of equal values: a column the rows are sorted by (the
// userid) repeats its value row after row, and comparing costs less than a map.
type run struct{ last string }

func (r *run) get(s string) string {
	if s != r.last {
		r.last = s
	}
	return r.last
}

func (r *run) getBytes(b []byte) string {
	if string(b) != r.last { // (the conversion does not allocate)
		r.last = string(b)
	}
	return r.last
}

// interner hands out one string per distinct value. Looking up m[string(b)] does not
// allocate, so a value seen before costs nothing.
type interner map[string]string

func (in interner) get(s string) string {
	if in == nil || len(s) == 0 { // (nil: every value its own)
		return s
	}
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

func (in interner) getBytes(b []byte) string {
	if in == nil {
		return string(b)
	}
	if s, ok := in[string(b)]; ok || len(b) == 0 {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}
