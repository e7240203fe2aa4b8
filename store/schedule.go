package store

import (
	"cmp"
	"context"

	"github.com/kaoqin/kaoqin"
)

var schedulesTable = table{
	name: "schedules",
	cols: []column{
		{"plan_id", tBigint}, {"user_id", tText}, {"work_date", tText}, {"check_type", tText},
		{"plan_check_time", tBigint}, {"group_id", tBigint}, {"shift_id", tBigint},
		{"is_rest", tBoolean}, {"approve_id", tBigint},
	},
	key: []string{"plan_id"},
}

const scheduleCols = `plan_id, user_id, work_date, check_type, plan_check_time, group_id, shift_id, is_rest, approve_id`

// scheduleOrder is the order Schedules returns plans in; the index schedules_day serves a
// day's read in it (migration 18).
const scheduleOrder = "user_id, work_date, plan_check_time, plan_id"

// SaveSchedules replaces the schedules of b.Scope with b.Schedules (upserted by plan id) and
// records b.Checkpoint, in one transaction. It returns the rows inserted, changed or deleted.
func (db *DB) SaveSchedules(ctx context.Context, b kaoqin.ScheduleBatch) (rows int64, err error) {
	defer wrap(&err, "save schedules")
	if err := checkScope(b.Scope); err != nil {
		return 0, err
	}
	for _, s := range b.Schedules {
		if err := checkRow("schedule", s.PlanID, s.UserID, s.WorkDate); err != nil {
			return 0, err
		}
	}
	schedules := lastByKey(b.Schedules, func(s kaoqin.Schedule) int64 { return s.PlanID }, cmp.Compare[int64])
	data := make([][]any, len(schedules))
	ids := make([]int64, len(schedules))
	for i, s := range schedules {
		data[i] = []any{s.PlanID, s.UserID, s.WorkDate, s.CheckType, s.PlanCheckTime, s.GroupID, s.ShiftID, s.IsRest, s.ApproveID}
		ids[i] = s.PlanID
	}
	err = db.update(ctx, func(tx conn) (err error) {
		if rows, err = db.replaceScope(ctx, tx, schedulesTable, b.Scope, data, ids); err != nil {
			return err
		}
		return db.markDone(ctx, tx, b.Checkpoint)
	})
	return rows, err
}

// Schedules returns the schedules f selects, sorted by UserID, WorkDate, PlanCheckTime, PlanID.
func (db *DB) Schedules(ctx context.Context, f kaoqin.Filter) (schedules []kaoqin.Schedule, err error) {
	defer wrap(&err, "schedules")
	where, args, err := filterWhere(db.d, f)
	if err != nil {
		return nil, err
	}
	day := oneDay(f)
	cols := dayColumns(scheduleCols, day)
	in, users := interner{}, &run{}
	return readMany(ctx, db, func(v *values, s *kaoqin.Schedule) error {
		s.PlanID, s.UserID, s.WorkDate, s.CheckType = v.int(), v.user(users), v.day(day, in), v.text(in)
		s.PlanCheckTime, s.GroupID, s.ShiftID, s.IsRest, s.ApproveID = v.int(), v.int(), v.int(), v.bool(), v.int()
		return v.err
	}, cols, "schedules"+where, scheduleOrder, args...)
}
