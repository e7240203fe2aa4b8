package store

import (
	"cmp"
	"context"
	"database/sql"

	"github.com/kaoqin/kaoqin"
)

var punchesTable = table{
	name: "punches",
	cols: []column{
		{"id", tBigint}, {"user_id", tText}, {"work_date", tText}, {"check_type", tText},
		{"time_result", tText}, {"location_result", tText}, {"source_type", tText},
		{"user_check_time", tBigint}, {"base_check_time", tBigint}, {"plan_id", tBigint}, {"group_id", tBigint},
		{"is_legal", tBoolean}, {"invalid_record_type", tText}, {"location_method", tText},
		{"user_address", tText}, {"outside_remark", tText}, {"device_id", tText},
		{"approve_id", tBigint}, {"proc_inst_id", tText},
	},
	key: []string{"id"},
}

const punchCols = `id, user_id, work_date, check_type, time_result, location_result, source_type,
	user_check_time, base_check_time, plan_id, group_id, is_legal, invalid_record_type, location_method,
	user_address, outside_remark, device_id, approve_id, proc_inst_id`

// SavePunches replaces the punch records of b.Scope with b.Punches (upserted by id) and
// records b.Checkpoint, in one transaction. It returns the rows inserted, changed or deleted.
func (db *DB) SavePunches(ctx context.Context, b kaoqin.PunchBatch) (rows int64, err error) {
	defer wrap(&err, "save punches")
	if err := checkScope(b.Scope); err != nil {
		return 0, err
	}
	for _, p := range b.Punches {
		if err := checkRow("punch", p.ID, p.UserID, p.WorkDate); err != nil {
			return 0, err
		}
	}
	punches := lastByKey(b.Punches, func(p kaoqin.Punch) int64 { return p.ID }, cmp.Compare[int64])
	data := make([][]any, len(punches))
	ids := make([]int64, len(punches))
	for i, p := range punches {
		data[i] = []any{p.ID, p.UserID, p.WorkDate, p.CheckType, p.TimeResult, p.LocationResult, p.SourceType,
			p.UserCheckTime, p.BaseCheckTime, p.PlanID, p.GroupID, p.IsLegal, p.InvalidRecordType, p.LocationMethod,
			p.UserAddress, p.OutsideRemark, p.DeviceID, p.ApproveID, p.ProcInstID}
		ids[i] = p.ID
	}
	err = db.update(ctx, func(tx conn) (err error) {
		if rows, err = db.replaceScope(ctx, tx, punchesTable, b.Scope, data, ids); err != nil {
			return err
		}
		return db.markDone(ctx, tx, b.Checkpoint)
	})
	return rows, err
}

// Punches returns the punch records f selects, sorted by UserID, UserCheckTime, ID.
func (db *DB) Punches(ctx context.Context, f kaoqin.Filter) (punches []kaoqin.Punch, err error) {
	defer wrap(&err, "punches")
	where, args, err := filterWhere(db.d, f)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, db.reader(), scanPunch,
		"SELECT "+punchCols+" FROM punches"+where+" ORDER BY user_id, user_check_time, id", args...)
}

func scanPunch(rows *sql.Rows, p *kaoqin.Punch) error {
	return rows.Scan(&p.ID, &p.UserID, &p.WorkDate, &p.CheckType, &p.TimeResult, &p.LocationResult, &p.SourceType,
		&p.UserCheckTime, &p.BaseCheckTime, &p.PlanID, &p.GroupID, &p.IsLegal, &p.InvalidRecordType, &p.LocationMethod,
		&p.UserAddress, &p.OutsideRemark, &p.DeviceID, &p.ApproveID, &p.ProcInstID)
}
