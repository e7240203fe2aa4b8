package store

import (
	"cmp"
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"

	"github.com/kaoqin/kaoqin"
)

var punchesTable = table{
	name: "punches",
	cols: []column{
		{"id", tBigint}, {"user_id", tText}, {"work_date", tText}, {"check_type", tText},
		{"time_result", tText}, {"location_result", tText}, {"source_type", tText},
		{"user_check_time", tBigint}, {"base_check_time", tBigint}, {"plan_check_time", tBigint},
		{"plan_id", tBigint}, {"group_id", tBigint}, {"class_id", tBigint},
		{"is_legal", tBoolean}, {"invalid_record_type", tText}, {"invalid_record_msg", tText}, {"location_method", tText},
		{"user_address", tText}, {"user_lat_e6", tBigint}, {"user_lng_e6", tBigint}, {"user_accuracy_e6", tBigint},
		{"outside_remark", tText}, {"device_id", tText}, {"device_sn", tText}, {"user_ssid", tText}, {"user_mac", tText},
		{"base_address", tText}, {"base_lat_e6", tBigint}, {"base_lng_e6", tBigint}, {"base_accuracy_e6", tBigint},
		{"base_ssid", tText}, {"base_mac", tText},
		{"approve_id", tBigint}, {"proc_inst_id", tText},
	},
	key: []string{"id"},
}

var punchCols = punchesTable.colNames()

// punchPullsTable keeps the latest pull of each employee and day: a later pull wins.
var punchPullsTable = table{
	name: "punch_pulls",
	cols: []column{{"user_id", tText}, {"work_date", tText}, {"synced_at", tBigint}},
	key:  []string{"work_date", "user_id"},
	set:  `SET synced_at = excluded.synced_at WHERE excluded.synced_at > punch_pulls.synced_at`,
}

// e6 stores a coordinate or an accuracy as millionths; fromE6 reads it back.
func e6(f float64) int64     { return int64(math.Round(f * 1e6)) }
func fromE6(n int64) float64 { return float64(n) / 1e6 }
func punchRow(p kaoqin.Punch) []any {
	return []any{p.ID, p.UserID, p.WorkDate, p.CheckType, p.TimeResult, p.LocationResult, p.SourceType,
		p.UserCheckTime, p.BaseCheckTime, p.PlanCheckTime, p.PlanID, p.GroupID, p.ClassID,
		p.IsLegal, p.InvalidRecordType, p.InvalidRecordMsg, p.LocationMethod,
		p.UserAddress, e6(p.Latitude), e6(p.Longitude), e6(p.Accuracy),
		p.OutsideRemark, p.DeviceID, p.DeviceSN, p.SSID, p.MAC,
		p.BaseAddress, e6(p.BaseLatitude), e6(p.BaseLongitude), e6(p.BaseAccuracy), p.BaseSSID, p.BaseMAC,
		p.ApproveID, p.ProcInstID}
}

// SavePunches replaces the punch records of b.Scope with b.Punches (upserted by id), records
// the pull of every employee and day of the scope when b.SyncedAt is set, and records
// b.Checkpoint, in one transaction. It returns the rows inserted, changed or deleted (punch
// rows; the pull records are not counted).
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
		data[i] = punchRow(p)
		ids[i] = p.ID
	}
	var pulls [][]any
	if b.SyncedAt != 0 && len(b.Scope.UserIDs) > 0 {
		for _, day := range kaoqin.Days(b.Scope.From, b.Scope.To) {
			for _, u := range dedupeSorted(b.Scope.UserIDs) {
				pulls = append(pulls, []any{u, day, b.SyncedAt})
			}
		}
	}
	err = db.update(ctx, func(tx conn) (err error) {
		if rows, err = db.replaceScope(ctx, tx, punchesTable, b.Scope, data, ids); err != nil {
			return err
		}
		if _, err := tx.upsert(ctx, punchPullsTable, pulls); err != nil {
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
	return queryMany(ctx, db.reader(), scanPunch, punchCols, "punches"+where, punchOrder, 0, args...)
}

// punchOrder is the order Punches and BriefPunches return punches in; the index punches_day
// serves a day's read of BriefPunches in it (migration 18).
const punchOrder = "user_id, user_check_time, id"

// briefPunchCols are the columns BriefPunches reads.
const briefPunchCols = `id, user_id, work_date, check_type, location_result, source_type, user_check_time, plan_id,
	invalid_record_type`

// BriefPunches returns the punch records f selects, sorted like Punches, with only what the
// daily report reads a punch by against the plans: its id, check type, place result, source,
// time and plan, and whether DingTalk refused it. The rest is left empty: a day of 100,000
// people reads in a fraction of the time.
func (db *DB) BriefPunches(ctx context.Context, f kaoqin.Filter) (punches []kaoqin.Punch, err error) {
	defer wrap(&err, "punches")
	where, args, err := filterWhere(db.d, f)
	if err != nil {
		return nil, err
	}
	day := oneDay(f)
	cols := dayColumns(briefPunchCols, day)
	in, users := interner{}, &run{}
	return readMany(ctx, db, func(v *values, p *kaoqin.Punch) error {
		p.ID, p.UserID, p.WorkDate, p.CheckType = v.int(), v.user(users), v.day(day, in), v.text(in)
		p.LocationResult, p.SourceType, p.UserCheckTime = v.text(in), v.text(in), v.int()
		p.PlanID, p.InvalidRecordType = v.int(), v.text(in)
		return v.err
	}, cols, "punches"+where, punchOrder, args...)
}

func scanPunch(rows *sql.Rows, p *kaoqin.Punch) error {
	var lat, lng, acc, blat, blng, bacc int64
	err := rows.Scan(&p.ID, &p.UserID, &p.WorkDate, &p.CheckType, &p.TimeResult, &p.LocationResult, &p.SourceType,
		&p.UserCheckTime, &p.BaseCheckTime, &p.PlanCheckTime, &p.PlanID, &p.GroupID, &p.ClassID,
		&p.IsLegal, &p.InvalidRecordType, &p.InvalidRecordMsg, &p.LocationMethod,
		&p.UserAddress, &lat, &lng, &acc,
		&p.OutsideRemark, &p.DeviceID, &p.DeviceSN, &p.SSID, &p.MAC,
		&p.BaseAddress, &blat, &blng, &bacc, &p.BaseSSID, &p.BaseMAC,
		&p.ApproveID, &p.ProcInstID)
	p.Latitude, p.Longitude, p.Accuracy = fromE6(lat), fromE6(lng), fromE6(acc)
	p.BaseLatitude, p.BaseLongitude, p.BaseAccuracy = fromE6(blat), fromE6(blng), fromE6(bacc)
	return err
}

// PunchPulls returns the latest punch pull of each employee and day f selects, sorted by
// UserID, WorkDate.
func (db *DB) PunchPulls(ctx context.Context, f kaoqin.Filter) (pulls []kaoqin.PunchPull, err error) {
	defer wrap(&err, "punch pulls")
	where, args, err := filterWhere(db.d, f)
	if err != nil {
		return nil, err
	}
	day := oneDay(f)
	cols := dayColumns("user_id, work_date, synced_at", day)
	in, users := interner{}, &run{}
	return readMany(ctx, db, func(v *values, p *kaoqin.PunchPull) error {
		p.UserID, p.WorkDate, p.SyncedAt = v.user(users), v.day(day, in), v.int()
		return v.err
	}, cols, "punch_pulls"+where, "user_id, work_date", args...)
}

// dedupeSorted returns the distinct values of s, sorted.
func dedupeSorted(s []string) []string {
	out := lastByKey(s, func(v string) string { return v }, cmp.Compare[string])
	return out
}

// methodConds are the SQL conditions of the punch methods, as kaoqin.PunchMethod maps
// sourceType and locationMethod to them (a test holds the two together).
var methodConds = map[string]string{
	kaoqin.MethodMachine:        "(source_type = 'ATM' OR (source_type = '' AND location_method = 'ATM'))",
	kaoqin.MethodDingTalkDevice: "source_type = 'DING_ATM'",
	kaoqin.MethodBeacon:         "source_type = 'BEACON'",
	kaoqin.MethodPhoneGPS:       "(source_type IN ('USER', '') AND location_method = 'MAP')",
	kaoqin.MethodPhoneWiFi:      "(source_type IN ('USER', '') AND location_method = 'WIFI')",
	kaoqin.MethodPhone:          "(source_type = 'USER' AND location_method NOT IN ('MAP', 'WIFI'))",
	kaoqin.MethodAdmin:          "source_type = 'BOSS'",
	kaoqin.MethodApproval:       "source_type = 'APPROVE'",
	kaoqin.MethodSystem:         "source_type = 'SYSTEM'",
	kaoqin.MethodAuto:           "source_type = 'AUTO_CHECK'",
}

// QueryPunches returns the punches q selects, sorted by UserID, UserCheckTime, ID: those
// after q.After, up to q.Limit. A bad check type or method is EINVALID.
func (db *DB) QueryPunches(ctx context.Context, q kaoqin.PunchQuery) (punches []kaoqin.Punch, err error) {
	defer wrap(&err, "query punches")
	where, args, err := filterWhere(db.d, q.Filter)
	if err != nil {
		return nil, err
	}
	var conds []string
	if q.CheckType != "" {
		if _, err := kaoqin.ParseCheckType(q.CheckType); err != nil {
			return nil, err
		}
		conds = append(conds, "check_type = ?")
		args = append(args, q.CheckType)
	}
	if len(q.Methods) > 0 {
		var or []string
		for _, m := range q.Methods {
			c, ok := methodConds[m]
			if !ok {
				_, err := kaoqin.ParseMethod(m)
				return nil, err
			}
			or = append(or, c)
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	if q.InvalidOnly {
		conds = append(conds, "invalid_record_type <> ''")
	}
	if !q.After.IsZero() {
		conds = append(conds, "(user_id, user_check_time, id) > (?, ?, ?)")
		args = append(args, q.After.UserID, q.After.At, q.After.ID)
	}
	if len(conds) > 0 {
		if where == "" {
			where = " WHERE "
		} else {
			where += " AND "
		}
		where += strings.Join(conds, " AND ")
	}
	query := "SELECT " + punchCols + " FROM punches" + where + " ORDER BY user_id, user_check_time, id"
	if q.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(q.Limit)
	}
	return queryAll(ctx, db.reader(), scanPunch, query, args...)
}
